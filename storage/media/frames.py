"""A video's frames for display: a decoder thread, an LRU cache bounded in bytes, and read-ahead.

The window asks with ``request(n, callback)`` and never waits: the decoder thread answers (the newest request
wins over older ones still waiting). While the video plays, the thread decodes the frames ahead of the
playhead into the cache, so the next frame is usually there before it is asked for (``cached(n)``).
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
    def __init__(self, open_reader: Callable[[], VideoReader], cache_mb: int = 512, read_ahead: int = 12):
        self._reader = open_reader()
        self.index = self._reader.index
        self.cache = FrameCache(cache_mb << 20)
        self.read_ahead = read_ahead
        self._cv = threading.Condition()
        self._request: tuple[int, FrameCallback] | None = None  # only the newest async request is kept
        self._waiting: list[tuple[int, threading.Event, list]] = []  # blocking get() calls, all served
        self._playhead = 0
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
        return self.cache.get(n)

    def request(self, n: int, callback: FrameCallback) -> None:
        frame = self.cache.get(n)
        if frame is not None:
            callback(n, frame)
            return
        with self._cv:
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
            self._playhead, self._playing = n, playing
            self._cv.notify()

    def close(self) -> None:
        with self._cv:
            self._closed = True
            self._cv.notify()
        self._thread.join(5)
        self._reader.close()

    # --- the decoder thread --------------------------------------------------------------------------------
    def _next_read_ahead(self) -> int | None:
        if not self._playing:
            return None
        for n in range(self._playhead + 1, min(self._playhead + 1 + self.read_ahead, self.frame_count)):
            if n not in self.cache:
                return n
        return None

    def _decode(self, n: int):
        try:
            frame = self.cache.get(n)
            if frame is None:
                frame = self._reader.read(n)
                self.cache.put(n, frame)
            return frame
        except Exception as e:  # reported to whoever asked; the thread goes on
            return e

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not (self._closed or self._waiting or self._request or self._next_read_ahead() is not None):
                    self._cv.wait()
                if self._closed:
                    for _, done, box in self._waiting:
                        box.append(RuntimeError("the video was closed"))
                        done.set()
                    return
                waiting, self._waiting = self._waiting, []
                request, self._request = self._request, None
                ahead = None if (waiting or request) else self._next_read_ahead()
            for n, done, box in waiting:
                box.append(self._decode(n))
                done.set()
            if request is not None:
                n, callback = request
                try:
                    callback(n, self._decode(n))
                except Exception:
                    traceback.print_exc()
            if ahead is not None:
                self._decode(ahead)
