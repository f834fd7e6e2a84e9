"""Reading a media file's geometry and timing, and making sure it decodes, before it joins a project."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
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


MAX_MEGAPIXELS = 250  # 750 MB as 8-bit RGB, which the canvas and SAM 2 hold whole
Image.MAX_IMAGE_PIXELS = None  # (PIL's own limit aborted a whole import with a traceback; ``open_image`` checks)


@contextmanager
def open_image(path: str | Path) -> Iterator[Image.Image]:
    """The image file opened (not decoded yet), once its size is known to be one FaceLens reads."""
    with Image.open(path) as im:
        w, h = im.size
        if w * h > MAX_MEGAPIXELS * 1_000_000:
            raise InputError(f"is a {w}x{h} image ({w * h / 1e6:.0f} megapixels); FaceLens reads images of up to "
                             f"{MAX_MEGAPIXELS} megapixels", path=str(path))
        yield im


def rgb_of(im: Image.Image) -> np.ndarray:
    """Any image as 8-bit RGB, as viewers show it: 16-bit values scaled down (converting clipped them: all white),
    floating-point ones from 0..1, or from their own range when they go beyond it."""
    if im.mode not in ("I", "F") and not im.mode.startswith("I;16"):
        return np.asarray(im.convert("RGB"))
    values = np.asarray(im, dtype=np.float64)
    values = np.where(np.isfinite(values), values, 0.0)
    lo, hi = float(values.min()), float(values.max())
    if im.mode == "F":
        lo, hi = (0.0, 1.0) if lo >= 0 and hi <= 1 else (lo, hi)
    else:
        lo, hi = min(lo, 0.0), max(hi, 65535.0)
    grey = np.clip((values - lo) * (255.0 / max(hi - lo, 1e-12)) + 0.5, 0, 255).astype(np.uint8)
    return np.repeat(grey[..., None], 3, axis=2)


def probe_image(path: str | Path) -> Probe:
    try:
        with open_image(path) as im:
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
        with open_image(path) as im:
            return rgb_of(ImageOps.exif_transpose(im))
    except (OSError, UnidentifiedImageError) as e:
        raise InputError(f"cannot read the image: {e}", path=str(path)) from None
