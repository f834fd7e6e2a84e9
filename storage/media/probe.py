"""Reading a media file's geometry and timing, and making sure it decodes, before it joins a project."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from annotation.errors import InputError
from storage.media.frame_index import FrameIndex, build_frame_index
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
    try:
        with Image.open(path) as im:
            im.load()  # decodes every byte, so a truncated file is caught now rather than on screen
            w, h = im.size
            if im.getexif().get(0x0112) in (5, 6, 7, 8):  # EXIF says "rotated by 90°": shown as h x w
                w, h = h, w
            return Probe(kind="image", width=w, height=h, codec=(im.format or "").lower() or None)
    except UnidentifiedImageError:
        raise InputError("not a readable image (unknown or damaged format)", path=str(path)) from None
    except (OSError, SyntaxError, ValueError) as e:
        raise InputError(f"damaged image: {e}", path=str(path)) from None


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


def load_image(path: str | Path) -> np.ndarray:
    """An image file as RGB uint8 (EXIF orientation applied, as viewers show it)."""
    try:
        with Image.open(path) as im:
            return np.asarray(ImageOps.exif_transpose(im).convert("RGB"))
    except (OSError, UnidentifiedImageError) as e:
        raise InputError(f"cannot read the image: {e}", path=str(path)) from None
