"""Reading a media file's geometry and timing, and making sure it decodes, before it joins a project."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av

from annotation.errors import InputError
from storage.media.frame_index import FrameIndex, build_frame_index
from storage.media.images import read_size
from storage.media.kinds import expected_kinds, media_kind
from storage.media.video import VideoReader, display_rotation


@dataclass(frozen=True)
class Probe:
    kind: str
    width: int
    height: int
    fps: float | None = None
    frame_count: int | None = None
    duration: float | None = None
    codec: str | None = None
    index: FrameIndex | None = None  # for a video
    rotation: int = 0  # a video's display rotation, degrees clockwise (width and height are the upright picture's)


def probe(path: str | Path) -> Probe:
    kind = media_kind(path)
    if kind == "image":
        return probe_image(path)
    if kind == "video":
        return probe_video(path)
    raise InputError(f"not {expected_kinds()}", path=str(path))


def probe_image(path: str | Path) -> Probe:
    w, h, codec = read_size(path)
    return Probe(kind="image", width=w, height=h, codec=codec)


def probe_video(path: str | Path) -> Probe:
    index = build_frame_index(path)
    # Decode the first and the last frame: a file can demux cleanly and still not decode.
    try:
        with VideoReader(path, index, threads=False) as reader:
            rotation = display_rotation(reader.read_frame(0))
            reader.read_frame(index.frame_count - 1)
    except av.error.FFmpegError as e:
        raise InputError(f"does not decode: {e}", path=str(path)) from None
    w, h = (index.height, index.width) if rotation in (90, 270) else (index.width, index.height)
    return Probe(kind="video", width=w, height=h, fps=index.fps, frame_count=index.frame_count,
                 duration=index.duration, codec=index.codec, index=index, rotation=rotation)
