"""Media that tests make themselves: videos whose frames carry their own index, and still images."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from storage.media.encode import write_video

BITS = 10  # enough for 1,024 frames
STRIPE = 16
MARGIN = 32


def index_frame(i: int, height: int = 96) -> np.ndarray:
    """A frame whose vertical stripes spell ``i`` in binary, readable after lossy compression, with a red
    margin on the right so that colour order can be checked too."""
    stripe = STRIPE
    f = np.zeros((height, BITS * stripe + MARGIN, 3), np.uint8)
    for b in range(BITS):
        if (i >> b) & 1:
            f[:, b * stripe:(b + 1) * stripe] = 255
    f[:, BITS * stripe:, 0] = 128
    return f


def read_index(frame: np.ndarray) -> int:
    stripe = STRIPE * frame.shape[1] // (BITS * STRIPE + MARGIN)  # frames may have been resized
    y = frame.shape[0] // 2
    return sum(1 << b for b in range(BITS) if frame[y, b * stripe + stripe // 2].mean() > 128)


def indexed_video(path: Path, frames: int = 60, fps: float = 25.0, gop: int = 12, **kw) -> Path:
    write_video(path, (index_frame(i) for i in range(frames)), fps=fps, gop=gop, **kw)
    return path


def photo(path: Path, width: int = 64, height: int = 48, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    Image.fromarray(rng.integers(0, 255, (height, width, 3), dtype=np.uint8)).save(path)
    return path


def truncate(path: Path, keep: float = 0.5) -> Path:
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path
