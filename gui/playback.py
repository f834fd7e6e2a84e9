"""What the canvas shows: an image read off the GUI thread, or a video's frames from a ``FrameSource``.

Seeking asks the decoder thread and returns at once; the frame arrives through a queued signal. Playback
runs on a timer that computes which frame is due from the wall clock, so a slow decode drops frames instead
of letting the video drift behind; ``set_playhead`` lets the source decode ahead while it plays.
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal

from annotation.model import MediaItem
from gui.background import run_in_thread
from gui.errors import short_message
from storage.media.frames import FrameSource
from storage.media.library import open_display_video, read_image


class Playback(QObject):
    frameReady = Signal(object, object)  # frame index (None for an image), RGB array
    failed = Signal(str, str)  # message, details
    opened = Signal()  # a video's frames can now be asked for (frame_count and fps are known)
    playingChanged = Signal(bool)
    jumped = Signal(int)  # the user went to a frame (scrub, step, go to), as opposed to playback's next frame
    _decoded = Signal(int, object)  # from the decoder thread: frame index, (generation, array or error)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.source: FrameSource | None = None
        self.item: MediaItem | None = None
        self.wanted: int | None = None  # the frame asked for last
        self.shown: int | None = None  # the frame on screen
        self._generation = 0  # bumps on every load, so late answers for older media are dropped
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self._clock = QElapsedTimer()
        self._anchor = (0, 0)  # (frame, clock ms) when playback (re)started
        self._decoded.connect(self._on_decoded, Qt.QueuedConnection)

    # --- what is loaded ------------------------------------------------------------------------------------
    @property
    def is_video(self) -> bool:
        return self.item is not None and self.item.is_video

    @property
    def ready(self) -> bool:
        return self.source is not None

    @property
    def frame_count(self) -> int:
        if self.source is not None:
            return self.source.frame_count
        return int(self.item.frame_count or 0) if self.is_video else 0

    @property
    def fps(self) -> float:
        if self.source is not None:
            return self.source.fps
        return float(self.item.fps or 25.0) if self.is_video else 0.0

    def time_of(self, n: int) -> float:
        if self.source is not None:
            return self.source.index.time_of(n)
        return n / self.fps if self.fps else 0.0

    @property
    def playing(self) -> bool:
        return self._timer.isActive()

    def load(self, project, item: MediaItem | None, start: int = 0) -> None:
        self.pause()
        self.close()
        self._generation += 1
        generation = self._generation
        self.item, self.shown = item, None
        self.wanted = start if item is not None and item.is_video else None
        if item is None:
            return
        if item.is_video:
            run_in_thread(lambda: FrameSource(lambda: open_display_video(project, item)),
                          lambda src, err: self._source_opened(generation, src, err))
        else:
            run_in_thread(lambda: read_image(project, item),
                          lambda image, err: self._image_loaded(generation, image, err))

    def close(self) -> None:
        """Let go of the video; its decoder thread is joined off the GUI thread."""
        source, self.source = self.source, None
        if source is not None:
            threading.Thread(target=source.close, name="facelens-close-video", daemon=True).start()

    def _source_opened(self, generation: int, source: FrameSource | None, error) -> None:
        if generation != self._generation:  # the user moved on while it opened
            if source is not None:
                threading.Thread(target=source.close, daemon=True).start()
            return
        if error is not None:
            self.failed.emit(short_message(error), getattr(error, "details", ""))
            return
        self.source = source
        self.wanted = min(max(self.wanted or 0, 0), source.frame_count - 1)
        self.opened.emit()
        self.seek(self.wanted)

    def _image_loaded(self, generation: int, image, error) -> None:
        if generation != self._generation:
            return
        if error is not None:
            self.failed.emit(short_message(error), getattr(error, "details", ""))
            return
        self.frameReady.emit(None, image)

    # --- frames --------------------------------------------------------------------------------------------
    def seek(self, n: int) -> None:
        if not self.is_video:
            return
        count = self.frame_count
        n = min(max(int(n), 0), max(count - 1, 0))
        self.wanted = n
        if self.source is None:
            return  # shown once the video is open
        frame = self.source.cached(n)
        if frame is not None:
            self._show(n, frame)
            return
        generation = self._generation
        self.source.request(n, lambda i, f: self._decoded.emit(i, (generation, f)))

    def jump(self, n: int) -> None:
        """Seek as the user asked (scrub, step, go to): playback, if running, carries on from there."""
        self.jumped.emit(int(n))  # before the frame shows: what listens learns the frames between were skipped
        self.seek(n)
        if self.playing:
            self._anchor = (self.wanted or 0, self._clock.elapsed())
            self.source.set_playhead(self.wanted or 0, True)

    def _on_decoded(self, n: int, payload) -> None:
        generation, frame = payload
        if generation != self._generation:
            return
        if isinstance(frame, Exception):
            if n == self.wanted:
                self.failed.emit(f"frame {n}: {short_message(frame)}", "")
            return
        # While playing, a late frame still counts if it is between what is shown and what is due.
        late_but_useful = self.playing and (self.shown is None or self.shown < n) and n <= (self.wanted or 0)
        if n == self.wanted or late_but_useful:
            self._show(n, frame)

    def _show(self, n: int, frame) -> None:
        self.shown = n
        self.frameReady.emit(n, frame)

    # --- playing -------------------------------------------------------------------------------------------
    def play(self) -> None:
        if not self.is_video or self.source is None or self.playing:
            return
        if (self.wanted or 0) >= self.frame_count - 1:
            self.seek(0)
        if not self._clock.isValid():
            self._clock.start()
        self._anchor = (self.wanted or 0, self._clock.elapsed())
        self._timer.start(max(4, int(500 / max(self.fps, 1.0))))  # half a frame: the due frame is never late by more
        self.source.set_playhead(self.wanted or 0, True)
        self.playingChanged.emit(True)

    def pause(self) -> None:
        if not self.playing:
            return
        self._timer.stop()
        if self.source is not None:
            self.source.set_playhead(self.wanted or 0, False)
        self.playingChanged.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def step(self, delta: int) -> None:
        self.pause()
        self.seek((self.wanted or 0) + delta)

    def _tick(self) -> None:
        start, t0 = self._anchor
        due = start + int((self._clock.elapsed() - t0) / 1000.0 * self.fps)
        last = self.frame_count - 1
        if due >= last:
            self.seek(last)
            self.pause()
            return
        if due != self.wanted:
            self.seek(due)
            if self.source is not None:
                self.source.set_playhead(due, True)
