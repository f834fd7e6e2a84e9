"""Synthetic gaze with a known truth: fixations at known places and times, saccades between them with a
smooth (minimum-jerk) velocity profile, Gaussian sensor noise, and blinks where samples are missing."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from annotation.gaze.recording import GazeSamples


@dataclass
class Truth:
    fixations: list[tuple[float, float, float, float]] = field(default_factory=list)  # start, end, x, y
    saccades: list[tuple[float, float]] = field(default_factory=list)  # start, end
    blinks: list[tuple[float, float]] = field(default_factory=list)


def synthetic_gaze(rate: float = 250.0, noise_px: float = 0.8, seed: int = 0, n_fixations: int = 12,
                   blink_after: tuple[int, ...] = (3, 8), blink_length: float = 0.15) -> tuple[GazeSamples, Truth]:
    """Fixations of 200-450 ms at random places of a 1280 x 720 frame, joined by 30-60 ms saccades; a blink
    (missing samples) of ``blink_length`` in the middle of each fixation numbered in ``blink_after``."""
    rng = np.random.default_rng(seed)
    truth = Truth()
    t, x, y = [], [], []
    now = 0.0
    pos = np.array([640.0, 360.0])
    dt = 1.0 / rate

    def emit(duration, path):
        nonlocal now
        n = int(round(duration * rate))
        for k in range(n):
            t.append(now + k * dt)
            px, py = path(k / n)
            x.append(px)
            y.append(py)
        now += n * dt

    for i in range(n_fixations):
        duration = rng.uniform(0.2, 0.45)
        start = now
        emit(duration, lambda s, p=pos.copy(): p)
        truth.fixations.append((start, now, float(pos[0]), float(pos[1])))
        if i in blink_after:
            mid = start + duration / 2
            truth.blinks.append((mid - blink_length / 2, mid + blink_length / 2))
        if i == n_fixations - 1:
            break
        while True:
            target = rng.uniform([100, 100], [1180, 620])
            if np.hypot(*(target - pos)) > 150:
                break
        sacc_start = now
        emit(rng.uniform(0.03, 0.06), lambda s, a=pos.copy(), b=target: a + (b - a) * (10 * s**3 - 15 * s**4 + 6 * s**5))
        truth.saccades.append((sacc_start, now))
        pos = target
    t, x, y = np.array(t), np.array(x), np.array(y)
    x += rng.normal(0, noise_px, len(x))
    y += rng.normal(0, noise_px, len(y))
    keep = np.ones(len(t), bool)
    for b0, b1 in truth.blinks:
        keep &= ~((t >= b0) & (t < b1))
    n = int(keep.sum())
    return GazeSamples(t[keep], x[keep], y[keep], np.ones(n), np.full(n, 3.0)), truth
