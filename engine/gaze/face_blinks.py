"""Blinks from an eye-openness series: frames where the eyes are much less open than usual.

"Usual" is a running median (a window of ``baseline_window`` seconds, so a head turning away over minutes does
not matter); a frame is closed below ``closed_ratio`` of it. Closed runs a frame or two apart are one blink
(the lids flutter); a run longer than ``max_blink`` is eyes kept shut, not a blink.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from annotation.gaze.events import Blink
from engine.gaze.signal import runs


@dataclass(frozen=True)
class BlinkParams:
    closed_ratio: float = 0.6
    baseline_window: float = 10.0  # s
    join_gap: float = 0.08  # s of open frames inside one blink
    max_blink: float = 1.0  # s

    def to_dict(self) -> dict:
        return asdict(self)


def running_baseline(t: np.ndarray, openness: np.ndarray, window: float) -> np.ndarray:
    """The median openness around each frame, computed once a second and interpolated."""
    ok = np.isfinite(openness)
    if not ok.any():
        return np.full(len(t), np.nan)
    grid = np.arange(t[0], t[-1] + 1.0, 1.0)
    medians = []
    for g in grid:
        near = ok & (np.abs(t - g) <= window / 2)
        medians.append(np.median(openness[near]) if near.any() else np.nan)
    medians = np.array(medians)
    good = np.isfinite(medians)
    if not good.any():
        return np.full(len(t), float(np.median(openness[ok])))
    return np.interp(t, grid[good], medians[good])


def detect_blinks(t: np.ndarray, openness: np.ndarray, fps: float,
                  params: BlinkParams = BlinkParams()) -> tuple[list[Blink], np.ndarray]:
    """(blinks, baseline): each blink from its first closed frame to the end of its last."""
    baseline = running_baseline(t, openness, params.baseline_window)
    closed = np.isfinite(openness) & (openness < params.closed_ratio * baseline)
    found = runs(closed)
    merged: list[list[int]] = []
    for i, j in found:
        if merged and t[i] - t[merged[-1][1]] - 1 / fps <= params.join_gap + 1e-9:
            merged[-1][1] = j
        else:
            merged.append([i, j])
    blinks = [Blink(float(t[i]), float(t[j] + 1 / fps)) for i, j in merged]
    return [b for b in blinks if b.duration <= params.max_blink + 1e-9], baseline
