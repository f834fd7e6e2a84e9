"""Media the benchmarks generate for themselves (nothing is downloaded): a 1080p H.264 clip with a long GOP,
and folders of JPEG photos. Generated files are kept in ``benchmarks/results/data`` and reused."""
from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from benchmarks.common import RESULTS

DATA = RESULTS / "data"


def _scene(width: int, height: int) -> np.ndarray:
    """A textured still larger than the frame (the astronaut photo tiled with noise), for the camera to pan."""
    from skimage import data

    base = cv2.resize(data.astronaut(), (width // 2 + 64, height // 2 + 64), interpolation=cv2.INTER_CUBIC)
    tile = np.concatenate([np.concatenate([base, base[:, ::-1]], 1)] * 2, 0)
    rng = np.random.default_rng(0)
    noise = rng.integers(-12, 12, tile.shape, dtype=np.int16)
    return np.clip(tile.astype(np.int16) + noise, 0, 255).astype(np.uint8)


def video_frames(count: int, width: int = 1920, height: int = 1080):
    """A slow pan and zoom over the scene, plus a moving disc: every frame differs, like a real handheld shot."""
    scene = _scene(width, height)
    sh, sw = scene.shape[:2]
    for i in range(count):
        t = i / 25.0
        zoom = 1.0 + 0.04 * math.sin(t * 0.7)
        cx = sw / 2 + (sw - width * zoom) / 2 * 0.9 * math.sin(t * 0.31)
        cy = sh / 2 + (sh - height * zoom) / 2 * 0.9 * math.cos(t * 0.23)
        m = np.array([[1 / zoom, 0, width / 2 - cx / zoom], [0, 1 / zoom, height / 2 - cy / zoom]], np.float32)
        frame = cv2.warpAffine(scene, m, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        x = int(width / 2 + width * 0.35 * math.cos(t * 1.3))
        y = int(height / 2 + height * 0.3 * math.sin(t * 1.7))
        cv2.circle(frame, (x, y), 60, (255, 200, 40), -1)
        yield frame


def long_gop_video(seconds: float = 24, gop: int = 250, width: int = 1920, height: int = 1080) -> Path:
    """A 1080p, 25 fps H.264 file with a keyframe every ``gop`` frames (B-frames on, as cameras and phones do)."""
    from storage.media.encode import write_video

    count = int(seconds * 25)
    path = DATA / f"pan-{width}x{height}-{count}f-gop{gop}.mp4"
    if not path.is_file():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"generating {path.name} ({count} frames) ...", flush=True)
        write_video(path, video_frames(count, width, height), fps=25, gop=gop, crf=23, preset="veryfast")
    return path


def photo_folder(count: int, width: int = 640, height: int = 480) -> Path:
    """``count`` distinct JPEG photos (crops of the scene with noise), so no two share a SHA-256."""
    folder = DATA / f"photos-{count}-{width}x{height}"
    done = folder / ".complete"
    if done.is_file():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    print(f"generating {count} JPEGs in {folder.name} ...", flush=True)
    scene = _scene(1920, 1080)
    rng = np.random.default_rng(1)
    for i in range(count):
        y = int(rng.integers(0, scene.shape[0] - height))
        x = int(rng.integers(0, scene.shape[1] - width))
        img = scene[y:y + height, x:x + width].copy()
        img[i % height, :, :] = rng.integers(0, 255, (width, 3), dtype=np.uint8)  # makes each file unique
        Image.fromarray(img).save(folder / f"img_{i:05d}.jpg", quality=90)
    done.write_text("ok")
    return folder
