"""Turning visual angles into video pixels.

Thresholds are defined in degrees of visual angle (30°/s, 1°) but gaze is in video pixels. When the user says
how wide the video appears on the screen and how far the viewer sat, one degree at the centre of the screen
is ``2 * distance * tan(0.5°)`` millimetres, times the video's pixels per millimetre.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from annotation.errors import InputError


@dataclass(frozen=True)
class ViewingGeometry:
    video_width_px: int
    display_width_mm: float  # how wide the video was on the screen
    distance_mm: float  # from the eyes to the screen

    def __post_init__(self):
        for name in ("display_width_mm", "distance_mm"):
            if not getattr(self, name) > 0:
                raise InputError(f"must be a positive number of millimetres, got {getattr(self, name)}", field=name)

    @property
    def px_per_degree(self) -> float:
        mm_per_degree = 2.0 * self.distance_mm * math.tan(math.radians(0.5))
        return mm_per_degree * self.video_width_px / self.display_width_mm
