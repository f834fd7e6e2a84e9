"""Which files FaceLens imports, by extension."""
from __future__ import annotations

from pathlib import Path

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp")
VIDEO_EXTENSIONS = (".mp4", ".mov", ".avi", ".mkv", ".webm")


def media_kind(path: str | Path) -> str | None:
    ext = Path(path).suffix.lower()
    if ext in IMAGE_EXTENSIONS:
        return "image"
    if ext in VIDEO_EXTENSIONS:
        return "video"
    return None


def expected_kinds() -> str:
    return "an image (" + ", ".join(IMAGE_EXTENSIONS) + ") or a video (" + ", ".join(VIDEO_EXTENSIONS) + ")"
