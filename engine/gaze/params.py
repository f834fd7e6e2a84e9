"""Parameters of a fixation/saccade/blink detection, with the defaults from the literature.

Thresholds in degrees are used when the viewing geometry is known (``px_per_degree``); otherwise the pixel
values apply. ``resolved()`` gives the numbers actually used, in pixels and seconds, and is what gets stored
with every result.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from annotation.errors import InputError


@dataclass(frozen=True)
class DetectionParams:
    velocity_threshold_deg: float = 30.0  # I-VT, °/s (Salvucci & Goldberg 2000; Tobii's I-VT filter)
    velocity_threshold_px: float = 1000.0  # I-VT, px/s when the geometry is unknown
    velocity_window: float = 0.020  # s over which velocity is measured (damps sample noise)
    dispersion_deg: float = 1.0  # I-DT
    dispersion_px: float = 25.0
    min_fixation: float | None = None  # s; None: 0.1 for I-DT, 0.06 for I-VT
    merge_max_gap: float = 0.075  # s between two fixations that may be merged
    merge_max_distance_deg: float = 0.5
    merge_max_distance_px: float = 12.0
    max_gap: float = 0.075  # s without samples that interrupts a fixation (longer gaps: blink or lost data)
    blink_min: float = 0.05  # s of missing or low-confidence data that counts as a blink
    blink_max: float = 0.5
    min_confidence: float = 0.6
    px_per_degree: float | None = None

    def with_(self, **changes) -> "DetectionParams":
        unknown = set(changes) - set(asdict(self))
        if unknown:
            raise InputError(f"unknown detection parameter(s): {', '.join(sorted(unknown))}")
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def resolved(self, method: str) -> dict:
        deg = self.px_per_degree
        min_fix = self.min_fixation if self.min_fixation is not None else {"idt": 0.1, "ivt": 0.06}.get(method, 0.1)
        out = {
            "method": method,
            "velocity_threshold_px_s": self.velocity_threshold_deg * deg if deg else self.velocity_threshold_px,
            "velocity_window_s": self.velocity_window,
            "dispersion_px": self.dispersion_deg * deg if deg else self.dispersion_px,
            "min_fixation_s": min_fix,
            "merge_max_gap_s": self.merge_max_gap,
            "merge_max_distance_px": self.merge_max_distance_deg * deg if deg else self.merge_max_distance_px,
            "max_gap_s": self.max_gap,
            "blink_min_s": self.blink_min,
            "blink_max_s": self.blink_max,
            "min_confidence": self.min_confidence,
            "px_per_degree": deg,
        }
        for name, value in out.items():
            if isinstance(value, float) and name != "min_confidence" and not value > 0:
                raise InputError(f"must be positive, got {value}", field=name)
        if method == "ivt":
            out["velocity_threshold_deg_s"] = self.velocity_threshold_deg if deg else None
        if method == "idt":
            out["dispersion_deg"] = self.dispersion_deg if deg else None
        return out
