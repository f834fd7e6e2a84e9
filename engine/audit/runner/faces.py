"""Finding and cropping faces with mediapipe's face detector (its model ships inside the mediapipe wheel).

A crop is a square around the detected face, enlarged by ``margin`` (a share of the face's size on each side,
as forgery detectors are trained with some context around the face) and clipped to the image.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 of the crop, in pixels
    score: float  # the face detector's confidence


class FaceFinder:
    def __init__(self, margin: float = 0.25, min_confidence: float = 0.5, full_range: bool = False):
        from engine.mediapipe_import import import_mediapipe

        mp = import_mediapipe()

        if margin < 0:
            raise ValueError(f"the margin must be 0 or more, got {margin}")
        self.margin = margin
        self._detector = mp.solutions.face_detection.FaceDetection(
            model_selection=1 if full_range else 0, min_detection_confidence=min_confidence)

    def find(self, rgb: np.ndarray) -> list[Face]:
        """Faces in an RGB image, left to right (their index is the ``face`` of a result)."""
        h, w = rgb.shape[:2]
        out = self._detector.process(np.ascontiguousarray(rgb))
        faces = []
        for d in out.detections or []:
            bb = d.location_data.relative_bounding_box
            cx, cy = (bb.xmin + bb.width / 2) * w, (bb.ymin + bb.height / 2) * h
            half = max(bb.width * w, bb.height * h) * (0.5 + self.margin)
            box = (max(0, int(round(cx - half))), max(0, int(round(cy - half))),
                   min(w, int(round(cx + half))), min(h, int(round(cy + half))))
            if box[2] - box[0] >= 2 and box[3] - box[1] >= 2:
                faces.append(Face(box, float(d.score[0])))
        return sorted(faces, key=lambda f: (f.box[0], f.box[1]))

    def close(self) -> None:
        self._detector.close()


def crop(rgb: np.ndarray, box: tuple[int, int, int, int], size: int) -> np.ndarray:
    x0, y0, x1, y1 = box
    return cv2.resize(rgb[y0:y1, x0:x1], (size, size), interpolation=cv2.INTER_AREA)
