"""A video's frame index: the presentation timestamp of every frame in display order, and which are keyframes.

Built once by demuxing every packet (no decoding), so frame N is by definition the N-th frame of the stream
and a seek can start at the keyframe before it. A file that stops early (fewer packets than its header
announces, or a demuxing error) is reported as truncated. Frames no player shows are left out, so frame 0 is
the first one shown: packets an MP4 edit list discards (a clip cut without re-encoding), and frames before the
first keyframe (a stream cut mid-GOP), which nothing can decode.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from annotation.errors import InputError


@dataclass(frozen=True)
class FrameIndex:
    pts: np.ndarray  # int64, display order
    keyframe: np.ndarray  # bool, display order
    time_base: Fraction
    width: int
    height: int
    fps: float
    codec: str

    @property
    def frame_count(self) -> int:
        return int(len(self.pts))

    @property
    def duration(self) -> float:
        """Seconds from the first frame's start to the last frame's end."""
        if not len(self.pts):
            return 0.0
        return float((self.pts[-1] - self.pts[0]) * self.time_base) + 1.0 / self.fps

    def time_of(self, n: int) -> float:
        """Video time of frame ``n`` in seconds, counted from the first frame."""
        return float((self.pts[n] - self.pts[0]) * self.time_base)

    def frame_at(self, seconds: float) -> int:
        """The frame on screen at ``seconds`` of video time."""
        target = self.pts[0] + seconds / self.time_base
        n = int(np.searchsorted(self.pts, target, side="right")) - 1
        return min(max(n, 0), self.frame_count - 1)

    def keyframe_before(self, n: int) -> int:
        ks = np.flatnonzero(self.keyframe[: n + 1])
        return int(ks[-1]) if len(ks) else 0

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, pts=self.pts, keyframe=self.keyframe,
                 meta=np.array([self.time_base.numerator, self.time_base.denominator, self.width, self.height]),
                 fps=np.array([self.fps]), codec=np.array([self.codec]))
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> "FrameIndex":
        with np.load(path) as z:
            num, den, w, h = (int(v) for v in z["meta"])
            return cls(pts=z["pts"], keyframe=z["keyframe"], time_base=Fraction(num, den), width=w, height=h,
                       fps=float(z["fps"][0]), codec=str(z["codec"][0]))


def build_frame_index(path: str | Path) -> FrameIndex:
    path = str(path)
    try:
        container = av.open(path)
    except (av.error.FFmpegError, OSError) as e:
        raise InputError(f"cannot open as a video, damaged or truncated? ({_reason(e)})", path=path) from None
    with container:
        if not container.streams.video:
            raise InputError("has no video stream", path=path)
        stream = container.streams.video[0]
        announced = stream.frames or 0
        pts, key, packets = [], [], 0
        try:
            for packet in container.demux(stream):
                if packet.size == 0:  # the flush packet at the end
                    continue
                packets += 1
                if packet.is_discard:  # cut off by the file's edit list: decoded for the next frames, never shown
                    continue
                t = packet.pts if packet.pts is not None else packet.dts
                if t is None:
                    raise InputError("has packets without timestamps; FaceLens cannot seek in it", path=path)
                pts.append(t)
                key.append(bool(packet.is_keyframe))
        except av.error.FFmpegError as e:
            raise InputError(f"truncated or corrupt after {len(pts)} frames ({_reason(e)})", path=path) from None
        if not pts:
            raise InputError("has no video frames", path=path)
        if announced and packets < announced:
            raise InputError(f"truncated: its header announces {announced} frames but only {packets} are there",
                             path=path)
        order = np.argsort(np.asarray(pts, dtype=np.int64), kind="stable")
        pts_sorted = np.asarray(pts, dtype=np.int64)[order]
        shown = pts_sorted >= _first_decoded(path)
        order, pts_sorted = order[shown], pts_sorted[shown]
        if len(np.unique(pts_sorted)) != len(pts_sorted):
            raise InputError("has several frames with the same timestamp; cannot address frames by index",
                             path=path)
        rate = stream.average_rate or stream.guessed_rate or stream.base_rate
        fps = float(rate) if rate else 0.0
        if fps <= 0 and len(pts_sorted) > 1:
            fps = float((len(pts_sorted) - 1) / ((pts_sorted[-1] - pts_sorted[0]) * stream.time_base))
        return FrameIndex(pts=pts_sorted, keyframe=np.asarray(key, dtype=bool)[order], time_base=stream.time_base,
                          width=stream.codec_context.width, height=stream.codec_context.height, fps=fps or 25.0,
                          codec=stream.codec_context.name)


def _first_decoded(path: str) -> int:
    """The timestamp of the first frame the decoder gives, decoding from the file's start: frames before it (a
    stream cut mid-GOP starts with frames whose keyframe is gone) decode to nothing, in players too."""
    try:
        with av.open(path) as container:
            for frame in container.decode(container.streams.video[0]):
                t = frame.pts if frame.pts is not None else frame.dts
                if t is not None:
                    return int(t)
    except av.error.FFmpegError as e:
        raise InputError(f"its first frames do not decode ({_reason(e)})", path=path) from None
    raise InputError("no frame of it decodes (its keyframes are missing: cut from a longer video without "
                     "re-encoding?)", path=path)


def _reason(e: Exception) -> str:
    text = getattr(e, "strerror", None) or str(e)
    return text.split(":", 1)[-1].strip() if "Errno" in text else text
