"""I-VT (velocity threshold): a sample slower than the threshold belongs to a fixation (Salvucci & Goldberg
2000; Olsen 2012, the Tobii I-VT filter). Runs of slow samples inside one stretch of data are candidates."""
from __future__ import annotations

import numpy as np

from engine.gaze.signal import Prepared, runs


def ivt_candidates(p: Prepared, params: dict) -> list[tuple[int, int]]:
    slow = np.nan_to_num(p.velocity, nan=np.inf) < params["velocity_threshold_px_s"]
    out = []
    for i, j in runs(slow):
        # a run never crosses a gap: cut it where the chunk changes
        cuts = np.flatnonzero(p.chunk[i + 1:j + 1] != p.chunk[i:j]) + i
        start = i
        for c in cuts.tolist():
            out.append((start, c))
            start = c + 1
        out.append((start, j))
    return out
