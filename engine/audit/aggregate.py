"""How a video's frame (and face) scores become one video score: the run records which one it uses."""
from __future__ import annotations

import numpy as np

AGGREGATIONS = {
    "mean": np.mean,  # the default: every frame counts the same
    "max": np.max,  # one clearly fake frame makes the video fake
    "median": np.median,  # robust to a few frames where the face detector misfired
}
