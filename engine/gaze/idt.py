"""I-DT (dispersion threshold; Salvucci & Goldberg 2000): a window of at least the minimum fixation duration
whose dispersion ``(max x - min x) + (max y - min y)`` stays under the threshold is a fixation, grown sample
by sample while it stays under.

The windows of minimum length are tested all at once with numpy; each fixation is then grown by doubling and
bisection, so the Python loop runs once per fixation, not once per sample.
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from engine.gaze.signal import Prepared


def _dispersion(p: Prepared, i: int, j: int) -> float:
    x, y = p.x[i:j + 1], p.y[i:j + 1]
    return float(x.max() - x.min() + y.max() - y.min())


def idt_candidates(p: Prepared, params: dict) -> list[tuple[int, int]]:
    n = len(p)
    if n < 2 or p.step <= 0:
        return []
    threshold = params["dispersion_px"]
    w = max(2, int(math.ceil(params["min_fixation_s"] / p.step - 1e-9)))  # samples in the shortest fixation
    if n < w:
        return []
    xs, ys = sliding_window_view(p.x, w), sliding_window_view(p.y, w)
    disp = xs.max(axis=1) - xs.min(axis=1) + ys.max(axis=1) - ys.min(axis=1)
    same_chunk = p.chunk[w - 1:] == p.chunk[: n - w + 1]
    starts = np.flatnonzero((disp <= threshold) & same_chunk)
    chunk_end = p.chunk_end()
    out = []
    i = 0
    while True:
        k = int(np.searchsorted(starts, i))
        if k == len(starts):
            break
        i = int(starts[k])
        lo, hi = i + w - 1, int(chunk_end[i])  # the window i..lo is a fixation; how far does it grow?
        step = 1
        while lo + step <= hi and _dispersion(p, i, lo + step) <= threshold:
            lo += step
            step *= 2
        hi = min(hi, lo + step - 1) if lo + step <= hi else hi
        while lo < hi:  # bisect between the last good end and the first bad one
            mid = (lo + hi + 1) // 2
            if _dispersion(p, i, mid) <= threshold:
                lo = mid
            else:
                hi = mid - 1
        out.append((i, lo))
        i = lo + 1
    return out
