"""Frame-accurate reading of a video file by frame index.

``read(n)`` returns the n-th frame of the stream (display order) as RGB, whatever was read before: a request
for the frame after the last one continues decoding; anything else seeks to the keyframe at or before
``n`` (found in the frame index) and decodes forward to the frame whose timestamp is the n-th in the index.
One reader is not thread-safe; ``storage.media.frames.FrameSource`` serialises access to it.
"""
from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from annotation.errors import InputError
from storage.media.frame_index import FrameIndex, build_frame_index


class VideoReader:
    def __init__(self, path: str | Path, index: FrameIndex | None = None, threads: bool = True):
        self.path = str(path)
        self.index = index or build_frame_index(self.path)
        try:
            self._container = av.open(self.path)
        except (av.error.FFmpegError, OSError) as e:
            raise InputError(f"cannot open as a video: {e}", path=self.path) from None
        self._stream = self._container.streams.video[0]
        if threads:
            self._stream.thread_type = "AUTO"
        self._pos_of_pts = {int(p): i for i, p in enumerate(self.index.pts)}
        self._frames = None  # the running decode iterator
        self._next = None  # index of the frame that iterator yields next, when known

    @property
    def frame_count(self) -> int:
        return self.index.frame_count

    @property
    def fps(self) -> float:
        return self.index.fps

    def close(self) -> None:
        self._frames = None
        self._container.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _check(self, n: int) -> int:
        if not 0 <= n < self.frame_count:
            raise IndexError(f"{self.path}: frame {n} is outside 0..{self.frame_count - 1}")
        return int(n)

    def read(self, n: int) -> np.ndarray:
        return self.read_frame(n).to_ndarray(format="rgb24")

    def read_frame(self, n: int) -> av.VideoFrame:
        """The decoded frame ``n`` (still in the codec's pixel format)."""
        n = self._check(n)
        if self._next != n:
            self._seek_before(n)
        return self._decode_until(n)

    def frames(self, start: int = 0, stop: int | None = None):
        """Frames ``start`` .. ``stop - 1`` in order, as (index, VideoFrame), decoding each only once."""
        stop = self.frame_count if stop is None else min(stop, self.frame_count)
        for n in range(start, stop):
            yield n, self.read_frame(n)

    def _seek_before(self, n: int) -> None:
        k = self.index.keyframe_before(n)
        self._container.seek(int(self.index.pts[k]), stream=self._stream, backward=True, any_frame=False)
        self._frames = self._container.decode(self._stream)
        self._next = None  # known once the first frame arrives

    def _decode_until(self, n: int, retried: bool = False) -> av.VideoFrame:
        target = int(self.index.pts[n])
        for frame in self._frames:
            t = frame.pts if frame.pts is not None else frame.dts
            i = self._pos_of_pts.get(int(t)) if t is not None else None
            if i is None:
                continue  # a frame outside the index (never expected in a file we indexed)
            self._next = i + 1
            if i == n:
                return frame
            if i > n:
                break  # the seek landed after the target: start from an earlier keyframe
        self._frames, self._next = None, None
        if retried:
            raise InputError(f"frame {n} could not be decoded (timestamp {target} never came out of the decoder)",
                             path=self.path)
        k = self.index.keyframe_before(max(self.index.keyframe_before(n) - 1, 0))
        self._container.seek(int(self.index.pts[k]), stream=self._stream, backward=True, any_frame=False)
        self._frames = self._container.decode(self._stream)
        return self._decode_until(n, retried=True)
