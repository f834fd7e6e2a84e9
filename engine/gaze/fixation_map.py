"""Fixation maps (heat maps): a Gaussian per fixation, weighted by its duration, summed and scaled to [0, 1].

Gaussians are separable, so the map is one matrix product, ``Gy.T @ (w * Gx)``, at a reduced resolution
(``scale``) that an overlay stretches back to the frame: fast enough to redraw while a segment changes.
"""
from __future__ import annotations

import numpy as np

from annotation.gaze.events import Fixation


def fixation_map(fixations: list[Fixation], width: int, height: int, sigma_px: float = 25.0, scale: float = 0.25,
                 start: float | None = None, end: float | None = None) -> np.ndarray:
    """A float32 map of ``round(height * scale) x round(width * scale)``. Between ``start`` and ``end`` a
    fixation weighs the part of its duration that falls inside (one that began just before a segment still
    counts for the time it lasts in it). All zeros when no fixation is left."""
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    lo = -np.inf if start is None else start
    hi = np.inf if end is None else end
    inside = [(f, min(f.end, hi) - max(f.start, lo)) for f in fixations]
    chosen = [(f, d) for f, d in inside if d > 0]
    if not chosen:
        return np.zeros((h, w), np.float32)
    x = np.array([f.x for f, _ in chosen]) * scale
    y = np.array([f.y for f, _ in chosen]) * scale
    weight = np.array([d for _, d in chosen])
    s = max(sigma_px * scale, 0.5)
    xs, ys = np.arange(w) + 0.5, np.arange(h) + 0.5
    gx = np.exp(-((xs[None, :] - x[:, None]) ** 2) / (2 * s * s))
    gy = np.exp(-((ys[None, :] - y[:, None]) ** 2) / (2 * s * s))
    heat = gy.T @ (weight[:, None] * gx)
    top = heat.max()
    return (heat / top).astype(np.float32) if top > 0 else heat.astype(np.float32)
