"""Frame-accurate reading of a video file by frame index.

``read(n)`` returns the n-th frame of the stream (display order) as RGB, whatever was read before: a request
for the frame after the last one continues decoding; anything else seeks to the keyframe at or before
``n`` (found in the frame index) and decodes forward to the frame whose timestamp is the n-th in the index.

Decoding forward after a seek skips the frames that no other frame refers to (``skip_frame=NONREF``) until it
nears the target: nothing can depend on them, and on a long-GOP camera file they are about half the work.
``read_frame_keeping(n, keep)`` also hands back the frames decoded on the way (up to ``keep`` before ``n``),
so stepping backward afterwards does not decode the group of pictures again.
A reader made with a ``rotation`` (the media record's) hands out RGB frames turned upright (``rgb``), as players
show a phone's portrait video. One reader is not thread-safe; ``storage.media.frames.FrameSource`` serialises
access to it.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import av
import numpy as np

from annotation.errors import InputError
from storage.media.frame_index import FrameIndex, build_frame_index

Kept = list[tuple[int, av.VideoFrame]]  # (frame index, decoded frame), ascending


def display_rotation(frame: av.VideoFrame) -> int:
    """Degrees clockwise (0, 90, 180 or 270) players turn this decoded frame by, from its display matrix."""
    return int(round(-(frame.rotation or 0) / 90.0)) % 4 * 90


def upright(rgb: np.ndarray, rotation: int) -> np.ndarray:
    """``rgb`` turned ``rotation`` degrees clockwise (contiguous, as Qt and torch want it)."""
    turns = rotation // 90 % 4
    return np.ascontiguousarray(np.rot90(rgb, k=-turns)) if turns else rgb


class VideoReader:
    def __init__(self, path: str | Path, index: FrameIndex | None = None, threads: bool = True, rotation: int = 0):
        self.path = str(path)
        self.rotation = rotation  # degrees clockwise the frames are turned by (see ``rgb``)
        self.index = index or build_frame_index(self.path)
        try:
            self._container = av.open(self.path)
        except (av.error.FFmpegError, OSError) as e:
            raise InputError(f"cannot open as a video: {e}", path=self.path) from None
        self._stream = self._container.streams.video[0]
        if threads:
            self._stream.thread_type = "AUTO"
        self._codec = self._stream.codec_context
        self._pos_of_pts = {int(p): i for i, p in enumerate(self.index.pts)}
        self._frames = None  # the running decode iterator
        self._next = None  # index of the frame that iterator yields next, when known
        self._skip_below = -1  # packets of frames before this index may skip non-reference frames
        self._skipping = False

    @property
    def frame_count(self) -> int:
        return self.index.frame_count

    @property
    def fps(self) -> float:
        return self.index.fps

    @property
    def next_index(self) -> int | None:
        """The frame a read continues to without seeking (None after a seek that has not landed yet)."""
        return self._next

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
        """Frame ``n`` as RGB, upright."""
        return self.rgb(self.read_frame(n))

    def rgb(self, frame: av.VideoFrame) -> np.ndarray:
        """A frame this reader decoded, as RGB, turned by the reader's rotation."""
        return upright(frame.to_ndarray(format="rgb24"), self.rotation)

    def read_frame(self, n: int) -> av.VideoFrame:
        """The decoded frame ``n`` (still in the codec's pixel format)."""
        frame, _ = self.read_frame_keeping(n, 0)
        return frame

    def read_frame_keeping(self, n: int, keep: int, stop: Callable[[], bool] | None = None
                           ) -> tuple[av.VideoFrame | None, Kept]:
        """Frame ``n``, and the frames among ``n - keep .. n - 1`` that were decoded to reach it.

        ``stop`` is asked between frames; when it says yes the read gives up and returns ``(None, kept)``
        (the next read seeks afresh). Used for background work that a user's request must not wait behind.
        """
        n = self._check(n)
        kept: Kept = []
        try:
            if self._next != n:
                self._seek_before(n, skip_below=n - keep)
            return self._decode_until(n, keep, kept, stop), kept
        except av.error.FFmpegError as e:  # damaged data: said with the file and frame, not as a bare FFmpeg error
            self._frames, self._next = None, None
            raise InputError(f"frame {n} could not be decoded ({e.strerror or e}): the file is damaged there",
                             path=self.path) from None

    def frames(self, start: int = 0, stop: int | None = None):
        """Frames ``start`` .. ``stop - 1`` in order, as (index, VideoFrame), decoding each only once."""
        stop = self.frame_count if stop is None else min(stop, self.frame_count)
        for n in range(start, stop):
            yield n, self.read_frame(n)

    def _seek_before(self, n: int, skip_below: int) -> None:
        self._seek_to_keyframe(self.index.keyframe_before(n), skip_below)

    def _seek_to_keyframe(self, k: int, skip_below: int) -> None:
        self._container.seek(int(self.index.pts[k]), stream=self._stream, backward=True, any_frame=False)
        self._frames = self._decode_packets()
        self._next = None  # known once the first frame arrives
        self._skip_below = skip_below

    def _decode_packets(self):
        """Decoded frames in display order, like ``container.decode``, skipping unreferenced frames early on."""
        for packet in self._container.demux(self._stream):
            t = packet.pts if packet.pts is not None else packet.dts
            i = self._pos_of_pts.get(int(t)) if t is not None else None
            skip = i is not None and i < self._skip_below
            if skip != self._skipping:
                self._codec.skip_frame = "NONREF" if skip else "DEFAULT"
                self._skipping = skip
            yield from packet.decode()

    def _decode_until(self, n: int, keep: int, kept: Kept, stop, retried: bool = False) -> av.VideoFrame | None:
        target = int(self.index.pts[n])
        for frame in self._frames:
            t = frame.pts if frame.pts is not None else frame.dts
            i = self._pos_of_pts.get(int(t)) if t is not None else None
            if i is None:
                continue  # a frame outside the index (never expected in a file we indexed)
            self._next = i + 1
            if i == n:
                self._skip_below = -1
                return frame
            if i > n:
                break  # the seek landed after the target: start from an earlier keyframe
            if i >= n - keep:
                kept.append((i, frame))
            if stop is not None and stop():
                self._frames, self._next = None, None  # packets in flight may have skipped frames: seek next time
                return None
        self._frames, self._next = None, None
        if retried:
            raise InputError(f"frame {n} could not be decoded (timestamp {target} never came out of the decoder)",
                             path=self.path)
        kept.clear()
        # Start from an earlier keyframe and decode every frame: the timestamps did not behave as indexed.
        self._seek_to_keyframe(self.index.keyframe_before(max(self.index.keyframe_before(n) - 1, 0)), -1)
        return self._decode_until(n, keep, kept, stop, retried=True)
