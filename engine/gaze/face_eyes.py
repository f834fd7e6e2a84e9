"""Eye behaviour from the face video, for recordings without an eye tracker: mediapipe's face mesh with iris
landmarks (``refine_landmarks=True``, 478 points; the model ships inside the mediapipe package, so it runs
offline) gives, per frame, how open each eye is and where the iris sits between the eye corners.

* openness: the eye aspect ratio (Soukupová & Čech 2016), the mean of two lid-to-lid distances over the
  corner-to-corner width (about 0.3 open, near 0 closed);
* iris position: along the corner line, 0 at the outer corner and 1 at the inner one (about 0.5 looking
  ahead); across it, signed, in eye widths (positive downwards in the image).
"left"/"right" are the person's own eyes.
"""
from __future__ import annotations

import numpy as np

# mediapipe face-mesh indices: corners, two lid pairs (upper, lower), and the iris centre
EYES = {
    "right": {"outer": 33, "inner": 133, "lids": ((160, 144), (158, 153)), "iris": 468},
    "left": {"outer": 263, "inner": 362, "lids": ((385, 380), (387, 373)), "iris": 473},
}
FACE_EYE_CHANNELS = ("t", "face", "openness", "openness_left", "openness_right",
                     "iris_h_left", "iris_v_left", "iris_h_right", "iris_v_right")


def eye_measures(points: np.ndarray) -> list[float]:
    """From landmarks in pixels (478 x 2): [openness, openness_left, openness_right, iris_h_left, iris_v_left,
    iris_h_right, iris_v_right]."""
    m = {}
    for side, e in EYES.items():
        outer, inner = points[e["outer"]], points[e["inner"]]
        axis = inner - outer
        width2 = float(axis @ axis)
        lids = [np.linalg.norm(points[a] - points[b]) for a, b in e["lids"]]
        m[f"openness_{side}"] = float(np.mean(lids) / np.sqrt(width2))
        rel = points[e["iris"]] - outer
        m[f"iris_h_{side}"] = float(rel @ axis / width2)
        down = 1.0 if axis[0] >= 0 else -1.0  # the corner line runs either way: keep "down" positive
        m[f"iris_v_{side}"] = float(down * (axis[0] * rel[1] - axis[1] * rel[0]) / width2)
    m["openness"] = (m["openness_left"] + m["openness_right"]) / 2
    return [m[c] for c in FACE_EYE_CHANNELS[2:]]


class FaceMeshEyes:
    """The face-mesh model in video mode (tracking from frame to frame), one face."""

    def __init__(self, min_detection_confidence: float = 0.5):
        from engine.mediapipe_import import import_mediapipe

        mp = import_mediapipe()

        self._mesh = mp.solutions.face_mesh.FaceMesh(static_image_mode=False, max_num_faces=1,
                                                     refine_landmarks=True,
                                                     min_detection_confidence=min_detection_confidence,
                                                     min_tracking_confidence=0.5)

    def measure(self, rgb: np.ndarray) -> list[float]:
        """[face found (1/0), then the measures of ``eye_measures``] for one RGB frame (NaN without a face)."""
        result = self._mesh.process(np.ascontiguousarray(rgb))
        if not result.multi_face_landmarks:
            return [0.0] + [np.nan] * (len(FACE_EYE_CHANNELS) - 2)
        h, w = rgb.shape[:2]
        points = np.array([(p.x * w, p.y * h) for p in result.multi_face_landmarks[0].landmark])
        return [1.0] + eye_measures(points)

    def close(self) -> None:
        self._mesh.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
