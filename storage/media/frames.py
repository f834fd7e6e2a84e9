"""A video's frames for display: a decoder thread, an LRU cache bounded in bytes, and read-ahead both ways.

The window asks with ``request(n, callback)`` and never waits: the decoder thread answers (the newest request
wins: older ones still waiting are dropped, and one in progress is abandoned when the new one is far from it).
Every ``cached(n)``, ``request(n)`` or ``set_playhead(n, ...)`` tells the source where the viewer is and which
way it moves; while nobody waits, the thread prepares the frames the viewer will want next:

* forward (playing, or stepping with Right): the ``read_ahead`` frames after the playhead, decoded in order;
* backward (stepping with Left): a window of ``keep_behind`` frames before it. On a long-GOP file a frame can
  only be reached from the keyframe before it, so one pass from that keyframe keeps every frame it decodes
  near the target (``VideoReader.read_frame_keeping``) instead of decoding the group again for each step.
  The pass starts when half the window is left, and what it keeps reaches half a window further down.

While paused, once the side the viewer moves to is ready, the other side is prepared too (the first Left after
a jump finds its frames); while playing, only the frames ahead.

Background work stops between two frames as soon as someone asks for something else. Frames decoded on the
way are kept in the codec's format (half the bytes of RGB) and converted when they are about to be shown.
Blocking ``get(n)`` is for the CLI and the engine.
"""
from __future__ import annotations

import threading
import traceback
from collections import OrderedDict
from typing import Callable

import numpy as np

from storage.media.video import VideoReader

FrameCallback = Callable[[int, "np.ndarray | Exception"], None]


class FrameCache:
    """Least-recently-used frames, bounded by total bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._frames: OrderedDict[int, np.ndarray] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, n: int) -> np.ndarray | None:
        with self._lock:
            frame = self._frames.get(n)
            if frame is not None:
                self._frames.move_to_end(n)
            return frame

    def __contains__(self, n: int) -> bool:
        with self._lock:
            return n in self._frames

    def put(self, n: int, frame: np.ndarray) -> None:
        with self._lock:
            old = self._frames.pop(n, None)
            if old is not None:
                self._bytes -= old.nbytes
            self._frames[n] = frame
            self._bytes += frame.nbytes
            while self._bytes > self.max_bytes and len(self._frames) > 1:
                _, dropped = self._frames.popitem(last=False)
                self._bytes -= dropped.nbytes

    def __len__(self) -> int:
        return len(self._frames)


class FrameSource:
    def __init__(self, open_reader: Callable[[], VideoReader], cache_mb: int = 512, read_ahead: int = 12,
                 keep_behind: int = 48):
        self._open_reader = open_reader
        self._reader = open_reader()
        self._back_reader: VideoReader | None = None  # a second decoder for backward passes, opened when needed
        self.index = self._reader.index
        self.cache = FrameCache(cache_mb << 20)
        # Both windows must fit the cache together, or read-ahead would evict what it just prepared.
        frame_bytes = max(1, self.index.width * self.index.height * 3)
        self.read_ahead = max(1, min(read_ahead, self.cache.max_bytes * 3 // 10 // frame_bytes))
        self.keep_behind = max(2, min(keep_behind, self.cache.max_bytes * 45 // 100 // frame_bytes))
        self.jump_keep = min(8, self.keep_behind)  # frames kept behind a random jump: the first steps back
        self._cv = threading.Condition()
        self._request: tuple[int, FrameCallback] | None = None  # only the newest async request is kept
        self._waiting: list[tuple[int, threading.Event, list]] = []  # blocking get() calls, all served
        self._pending: dict[int, object] = {}  # decoder-thread only: decoded frames not yet converted to RGB
        self._failed: set[int] = set()  # frames that did not decode: background work does not retry them
        self._position: int | None = None  # where the viewer is (None until it first asks)
        self._backward = False
        self._playing = False
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name="facelens-frames", daemon=True)
        self._thread.start()

    @property
    def frame_count(self) -> int:
        return self.index.frame_count

    @property
    def fps(self) -> float:
        return self.index.fps

    # --- asking for frames ---------------------------------------------------------------------------------
    def cached(self, n: int) -> np.ndarray | None:
        """Frame ``n`` if it is ready. A hit means the viewer is showing it: the source prepares what comes next."""
        frame = self.cache.get(n)
        if frame is not None:
            self._moved_to(n)
        return frame

    def request(self, n: int, callback: FrameCallback) -> None:
        frame = self.cache.get(n)
        if frame is not None:
            self._moved_to(n)
            callback(n, frame)
            return
        with self._cv:
            self._set_position(n)
            self._request = (n, callback)
            self._cv.notify()

    def get(self, n: int, timeout: float | None = None) -> np.ndarray:
        frame = self.cache.get(n)
        if frame is not None:
            return frame
        done, box = threading.Event(), []
        with self._cv:
            self._waiting.append((n, done, box))
            self._cv.notify()
        if not done.wait(timeout):
            raise TimeoutError(f"frame {n} was not decoded within {timeout} s")
        if isinstance(box[0], Exception):
            raise box[0]
        return box[0]

    def set_playhead(self, n: int, playing: bool) -> None:
        """Where playback is, and whether it runs: while it runs, frames ahead of ``n`` are decoded early."""
        with self._cv:
            self._set_position(n)
            self._playing = playing
            if playing:
                self._backward = False
            self._cv.notify()

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify()
        self._thread.join(5)
        self._reader.close()
        if self._back_reader is not None:
            self._back_reader.close()

    def _moved_to(self, n: int) -> None:
        with self._cv:
            if n != self._position:
                self._set_position(n)
                self._cv.notify()

    def _set_position(self, n: int) -> None:
        """A short step back means "stepping backward"; anything else (a step on, a jump) means forward."""
        if self._position is not None and n != self._position:
            self._backward = -self.keep_behind // 2 <= n - self._position < 0
        self._position = n

    # --- the decoder thread --------------------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._cv:
                while True:
                    if self._closed:
                        for _, done, box in self._waiting:
                            box.append(RuntimeError("the video was closed"))
                            done.set()
                        return
                    job = self._next_job()
                    if job is not None:
                        break
                    self._cv.wait()
            try:
                job()
            except Exception:  # a job reports its own errors; this only guards the thread
                traceback.print_exc()

    def _next_job(self):
        """What to do next (called holding the lock): waiting callers first, then background work."""
        if self._waiting:
            waiting, self._waiting = self._waiting, []
            return lambda: self._serve_gets(waiting)
        if self._request is not None:
            request, self._request = self._request, None
            return lambda: self._serve_request(*request)
        if self._position is None:
            return None
        pos, backward = self._position, self._backward and not self._playing
        self._drop_pending_outside(pos)
        convert = self._pending_to_convert(pos, backward)
        if convert is not None:
            return lambda: self._convert(convert)
        # The way the viewer moves first; when paused, then the other way too (it gives way as soon as the
        # first way needs work again), so that the first Left after a jump finds its frames ready.
        ahead, behind = (self._next_read_ahead, self._read_ahead_job), (self._refill_target, self._refill_job)
        (need, job), (other_need, other_job) = (behind, ahead) if backward else (ahead, behind)
        target = need(pos)
        if target is not None:
            return job(target, lambda: False)
        target = None if self._playing else other_need(pos)
        if target is not None:
            return other_job(target, lambda: need(self._position) is not None)
        return None

    def _read_ahead_job(self, target: int, gives_way: Callable[[], bool]):
        return lambda: self._background(target, 0, lambda: self._busy() or gives_way(), self._reader)

    def _refill_job(self, target: int, gives_way: Callable[[], bool]):
        def stop() -> bool:  # a user's request inside the window is served best by finishing this pass
            request = self._request
            return self._closed or bool(self._waiting) or gives_way() or (
                request is not None and not target - self.keep_behind < request[0] <= target)

        # Its own decoder, so that the forward one stays where reading on is cheap.
        return lambda: self._background(target, self.keep_behind - 1, stop, self._backward_reader())

    def _backward_reader(self) -> VideoReader:
        if self._back_reader is None:
            try:
                self._back_reader = self._open_reader()
            except Exception:
                return self._reader  # one decoder still does both ways, only slower
        return self._back_reader

    def _busy(self) -> bool:
        return self._closed or bool(self._waiting) or self._request is not None

    def _serve_gets(self, waiting) -> None:
        for n, done, box in waiting:
            box.append(self._decode(n, keep=0))
            done.set()

    def _serve_request(self, n: int, callback: FrameCallback) -> None:
        def superseded() -> bool:  # a newer request far from this one: the user has moved on
            newer = self._request
            return self._closed or (newer is not None and not n - self.keep_behind <= newer[0] <= n + self.read_ahead)

        frame = self._decode(n, keep=self.jump_keep, stop=superseded)
        if frame is None:
            return
        try:
            callback(n, frame)
        except Exception:
            traceback.print_exc()

    def _decode(self, n: int, keep: int, stop=None, reader: VideoReader | None = None):
        """Frame ``n`` as RGB (None when ``stop`` said so), or the exception that reading it raised."""
        try:
            frame = self.cache.get(n)
            if frame is not None:
                return frame
            decoded = self._pending.pop(n, None)
            kept = []
            if decoded is None:
                decoded, kept = (reader or self._reader).read_frame_keeping(n, keep, stop)
            self._pending.update(kept)
            if decoded is None:
                return None
            frame = (reader or self._reader).rgb(decoded)
            self.cache.put(n, frame)
            return frame
        except Exception as e:  # reported to whoever asked; the thread goes on
            return e

    # --- background work -----------------------------------------------------------------------------------
    def _drop_pending_outside(self, pos: int) -> None:
        # A refill starts when half the backward window is left, so what it keeps reaches half a window
        # further down: held in the codec's format until the viewer comes near.
        lo, hi = pos - 2 * self.keep_behind, pos + self.read_ahead
        for i in [i for i in self._pending if not lo <= i <= hi or i in self.cache]:
            del self._pending[i]

    def _pending_to_convert(self, pos: int, backward: bool) -> int | None:
        near = [i for i in self._pending if pos - self.keep_behind <= i <= pos + self.read_ahead]
        if not near:
            return None
        # Nearest first, and on a tie the side the viewer is moving to.
        return min(near, key=lambda i: (abs(i - pos), (i > pos) if backward else (i < pos)))

    def _convert(self, n: int) -> None:
        decoded = self._pending.pop(n, None)
        if decoded is not None and n not in self.cache:
            self.cache.put(n, self._reader.rgb(decoded))

    def _next_read_ahead(self, pos: int) -> int | None:
        for n in range(max(pos, 0), min(pos + 1 + self.read_ahead, self.frame_count)):
            if n not in self.cache and n not in self._failed:
                return n
        return None

    def _background(self, n: int, keep: int, stop, reader: VideoReader) -> None:
        if isinstance(self._decode(n, keep, stop, reader), Exception):
            self._failed.add(n)  # whoever asks for it gets the error; the thread does not loop on it

    def _refill_target(self, pos: int) -> int | None:
        """When fewer than half the backward window is ready, the highest missing frame below the viewer."""
        ready, missing = 0, None
        for i in range(pos - 1, max(pos - 1 - self.keep_behind, -1), -1):
            if i in self.cache or i in self._pending:
                if missing is None:
                    ready += 1
            elif missing is None and i not in self._failed:
                missing = i
        if missing is None or ready >= self.keep_behind // 2:
            return None
        return missing
