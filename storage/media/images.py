"""Reading photos as viewers show them: any bit depth as 8-bit RGB, EXIF orientation applied, and a size FaceLens
can hold. Pillow reads nearly everything; TIFFs of floating-point colour or 64-bit samples (scientific and HDR
exports), which it cannot open, are read with tifffile."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from annotation.errors import InputError

MAX_MEGAPIXELS = 250  # 750 MB as 8-bit RGB, which the canvas and SAM 2 hold whole
Image.MAX_IMAGE_PIXELS = None  # (PIL's own limit aborted a whole import with a traceback; ``_check_size`` checks)
TIFF = (".tif", ".tiff")


def _check_size(path: str | Path, w: int, h: int) -> None:
    if w * h > MAX_MEGAPIXELS * 1_000_000:
        raise InputError(f"is a {w}x{h} image ({w * h / 1e6:.0f} megapixels); FaceLens reads images of up to "
                         f"{MAX_MEGAPIXELS} megapixels", path=str(path))


@contextmanager
def open_image(path: str | Path) -> Iterator[Image.Image]:
    """The image file opened with Pillow (not decoded yet), once its size is known to be one FaceLens reads."""
    with Image.open(path) as im:
        _check_size(path, *im.size)
        yield im


def to_rgb(values: np.ndarray, floating: bool) -> np.ndarray:
    """Grey (H x W) or colour (H x W x 3 or 4) samples beyond 8 bits as 8-bit RGB: whole numbers scaled from their
    type's range (16-bit converted by clipping came out all white), floating-point ones from 0..1, or from their
    own range when they go beyond it."""
    values = np.asarray(values, dtype=np.float64)
    values = np.where(np.isfinite(values), values, 0.0)
    lo, hi = float(values.min()), float(values.max())
    if floating:
        lo, hi = (0.0, 1.0) if lo >= 0 and hi <= 1 else (lo, hi)
    else:
        lo, hi = min(lo, 0.0), max(hi, 65535.0)
    scaled = np.clip((values - lo) * (255.0 / max(hi - lo, 1e-12)) + 0.5, 0, 255).astype(np.uint8)
    if scaled.ndim == 2:
        return np.repeat(scaled[..., None], 3, axis=2)
    return np.ascontiguousarray(scaled[..., :3])


def rgb_of(im: Image.Image) -> np.ndarray:
    """A Pillow image as 8-bit RGB (see ``to_rgb`` for its 16-bit and floating-point modes)."""
    if im.mode not in ("I", "F") and not im.mode.startswith("I;16"):
        return np.asarray(im.convert("RGB"))
    return to_rgb(np.asarray(im), floating=im.mode == "F")


def _tiff_pages(path: str | Path):
    import tifffile

    try:
        return tifffile.TiffFile(path)
    except (tifffile.TiffFileError, OSError, ValueError):
        return None


def _orientation(im: Image.Image) -> int:
    """The EXIF orientation: 1 as stored, 2..8 turned or mirrored to be shown (5..8 by 90°)."""
    return im.getexif().get(0x0112, 1)


def shown_turned(path: str | Path) -> bool:
    """Whether viewers turn or mirror the photo's stored pixels to show it (its EXIF orientation). A TIFF Pillow
    cannot open is read as stored."""
    try:
        with open_image(path) as im:
            return _orientation(im) in range(2, 9)
    except UnidentifiedImageError:
        if Path(path).suffix.lower() in TIFF:
            return False
        raise InputError("not a readable image (unknown or damaged format)", path=str(path)) from None
    except OSError as e:
        raise InputError(f"cannot read the image: {e}", path=str(path)) from None


def read_size(path: str | Path) -> tuple[int, int, str | None]:
    """(width, height as shown, format) of a photo, decoding all of it so a damaged file is caught now."""
    try:
        with open_image(path) as im:
            im.load()
            w, h = im.size
            if _orientation(im) in (5, 6, 7, 8):  # turned by 90°: shown as h x w
                w, h = h, w
            return w, h, (im.format or "").lower() or None
    except UnidentifiedImageError:
        if Path(path).suffix.lower() in TIFF:
            h, w = load_image(path).shape[:2]
            return w, h, "tiff"
        raise InputError("not a readable image (unknown or damaged format)", path=str(path)) from None
    except (OSError, SyntaxError, ValueError) as e:
        raise InputError(f"damaged image: {e}", path=str(path)) from None


def load_image(path: str | Path) -> np.ndarray:
    """An image file as RGB uint8 (EXIF orientation applied, as viewers show it)."""
    try:
        with open_image(path) as im:
            return rgb_of(ImageOps.exif_transpose(im))
    except UnidentifiedImageError:
        if Path(path).suffix.lower() in TIFF:
            return _load_tiff(path)
        raise InputError("not a readable image (unknown or damaged format)", path=str(path)) from None
    except OSError as e:
        raise InputError(f"cannot read the image: {e}", path=str(path)) from None


def _load_tiff(path: str | Path) -> np.ndarray:
    """A TIFF Pillow cannot open, with tifffile: its first image, as RGB."""
    tiff = _tiff_pages(path)
    if tiff is None:
        raise InputError("not a readable image (unknown or damaged format)", path=str(path))
    with tiff:
        page = tiff.pages[0]
        shape = page.shape
        grey = len(shape) == 2
        if not (grey or (len(shape) == 3 and shape[2] in (3, 4))):
            raise InputError(f"a TIFF of {shape} samples; FaceLens reads grey or colour (RGB) pictures",
                             path=str(path))
        _check_size(path, shape[1], shape[0])
        values = page.asarray()
    if values.dtype == np.uint8:
        return np.repeat(values[..., None], 3, axis=2) if grey else np.ascontiguousarray(values[..., :3])
    return to_rgb(values, floating=values.dtype.kind == "f")
