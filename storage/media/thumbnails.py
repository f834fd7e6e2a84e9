"""Small JPEG previews for the media browser, kept in the project's ``cache/`` (they can always be rebuilt)."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from storage.media.images import load_image, open_image, rgb_of

THUMB_SIZE = 256


def write_thumbnail(target: Path, source: Path | None = None, rgb: np.ndarray | None = None) -> Path:
    """From an image file (decoded at reduced size where the format allows) or from an RGB array."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if rgb is not None:
        im = Image.fromarray(rgb)
    else:
        try:
            with open_image(source) as im:
                im.draft("RGB", (THUMB_SIZE * 2, THUMB_SIZE * 2))  # JPEG decodes at 1/2..1/8 scale: much faster
                im = Image.fromarray(rgb_of(ImageOps.exif_transpose(im)))
        except UnidentifiedImageError:  # (a TIFF Pillow cannot open: read whole)
            im = Image.fromarray(load_image(source))
    im.thumbnail((THUMB_SIZE, THUMB_SIZE))
    tmp = target.with_suffix(".tmp.jpg")
    im.save(tmp, "JPEG", quality=85)
    tmp.replace(target)
    return target
