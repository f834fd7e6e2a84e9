"""The demo project: the astronaut photo that ships with scikit-image, and a short H.264 clip made from it in
which the head tilts, turns and nods against a still background and the eyes blink twice.

Everything is computed from data inside installed packages, so the demo builds offline and is the same on
every machine.
"""
from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from annotation.model import Annotation
from annotation.shapes import Box
from storage.media.encode import write_video
from storage.media.importer import import_paths
from storage.project import Project

FPS = 25
SECONDS = 6
BLINKS = ((1.2, 0.24), (3.8, 0.24))  # (start, duration) in seconds
# Landmarks of the astronaut photo (512 x 512), measured once with mediapipe's face mesh.
HEAD_CENTER = (222.0, 116.0)
HEAD_AXES = (74, 80)
EYES = (((204.0, 101.5), (10.5, 4.5)), ((246.5, 104.5), (10.5, 4.5)))  # (centre, half-axes)
FACE_BOX = (179.0, 71.0, 271.0, 178.0)
CROP = (62, 0, 382, 240)  # x0, y0, x1, y1 of the photo shown in the clip, scaled to 640 x 480


def astronaut() -> np.ndarray:
    from skimage import data

    return data.astronaut()


def _blink_closure(t: float) -> float:
    for start, length in BLINKS:
        if start <= t <= start + length:
            return math.sin(math.pi * (t - start) / length)  # closes then opens
    return 0.0


def _close_eyes(img: np.ndarray, closure: float) -> np.ndarray:
    if closure <= 0:
        return img
    out = img.copy()
    yy, xx = np.mgrid[0:img.shape[0], 0:img.shape[1]]
    for (cx, cy), (ax, ay) in EYES:
        inside = ((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2 <= 1.0
        lid_edge = (cy - ay) + closure * 2 * ay  # the upper lid comes down this far
        covered = inside & (yy <= lid_edge)
        lid = img[int(cy - ay - 3), int(cx) - 4:int(cx) + 5].reshape(-1, 3).mean(axis=0)
        out[covered] = (0.8 * lid).astype(np.uint8)  # a lid is a little darker than the skin above it
        lashes = inside & (np.abs(yy - lid_edge) < 1.0)
        out[lashes] = (0.35 * lid).astype(np.uint8)
    return out


def _head_mask(shape) -> np.ndarray:
    mask = np.zeros(shape[:2], np.float32)
    cv2.ellipse(mask, (int(HEAD_CENTER[0]), int(HEAD_CENTER[1])), HEAD_AXES, 0, 0, 360, 1.0, -1)
    return cv2.GaussianBlur(mask, (0, 0), 6)[..., None]


def demo_frames(photo: np.ndarray | None = None):
    photo = astronaut() if photo is None else photo
    mask = _head_mask(photo.shape)
    x0, y0, x1, y1 = CROP
    for i in range(FPS * SECONDS):
        t = i / FPS
        roll = 7.0 * math.sin(2 * math.pi * t / 3.0)
        dx = 7.0 * math.sin(2 * math.pi * t / 2.5)
        dy = 4.0 * math.sin(2 * math.pi * t / 1.7)
        m = cv2.getRotationMatrix2D(HEAD_CENTER, roll, 1.0)
        m[:, 2] += (dx, dy)
        head = _close_eyes(photo, _blink_closure(t))
        warped = cv2.warpAffine(head, m, photo.shape[1::-1], flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
        warped_mask = cv2.warpAffine(mask, m, photo.shape[1::-1])[..., None]
        frame = (warped_mask * warped + (1 - warped_mask) * photo).astype(np.uint8)
        yield cv2.resize(frame[y0:y1, x0:x1], (640, 480), interpolation=cv2.INTER_CUBIC)


def build_demo(root: str | Path) -> Project:
    """Create the demo project in ``root`` (which must not be a project yet) and return it, open."""
    project = Project.create(root)
    photo = astronaut()
    photo_path = project.media_dir / "astronaut.png"
    Image.fromarray(photo).save(photo_path)
    video_path = project.media_dir / "astronaut_head.mp4"
    write_video(video_path, demo_frames(photo), fps=FPS, gop=50)
    report = import_paths(project, [photo_path, video_path])
    face = project.labels.by_name("face")
    project.annotations.add(Annotation(media_id=report.imported[0][0], shape=Box(*FACE_BOX),
                                       label_id=face.id if face else None, annotator="demo"))
    project.settings.set("title", "FaceLens demo")
    return project
