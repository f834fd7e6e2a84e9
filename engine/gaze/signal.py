"""What both detectors need from raw samples: which are usable, where the data has gaps, and velocity."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annotation.gaze.recording import GazeSamples


@dataclass
class Prepared:
    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    pupil: np.ndarray
    step: float  # the typical sampling interval (median), s
    chunk: np.ndarray  # int per sample: samples with the same number have no gap between them
    velocity: np.ndarray  # px/s, NaN where it cannot be measured

    def __len__(self) -> int:
        return len(self.t)

    def chunk_end(self) -> np.ndarray:
        """For each sample, the index of the last sample of its chunk."""
        last = np.flatnonzero(np.r_[self.chunk[1:] != self.chunk[:-1], True])
        return last[self.chunk]


def prepare(samples: GazeSamples, min_confidence: float, max_gap: float, velocity_window: float) -> Prepared:
    ok = np.isfinite(samples.t) & np.isfinite(samples.x) & np.isfinite(samples.y) & \
        (samples.confidence >= min_confidence)
    s = samples.take(ok)
    t = s.t
    steps = np.diff(t)
    step = float(np.median(steps)) if len(steps) else 0.0
    gap = max(max_gap, 2.5 * step)
    chunk = np.r_[0, np.cumsum(steps > gap)].astype(np.int64) if len(t) else np.zeros(0, np.int64)
    return Prepared(t, s.x, s.y, s.pupil, step, chunk, _velocity(t, s.x, s.y, chunk, step, velocity_window))


def _velocity(t, x, y, chunk, step, window) -> np.ndarray:
    """Speed from the samples ``k`` before and after (``2k`` samples span ``window``), never across a gap;
    near a chunk's edges the neighbour is clipped to the chunk."""
    n = len(t)
    v = np.full(n, np.nan)
    if n < 2 or step <= 0:
        return v
    k = max(1, int(round(window / step / 2)))
    idx = np.arange(n)
    first = np.flatnonzero(np.r_[True, chunk[1:] != chunk[:-1]])[chunk]
    last = np.flatnonzero(np.r_[chunk[1:] != chunk[:-1], True])[chunk]
    a = np.maximum(idx - k, first)
    b = np.minimum(idx + k, last)
    dt = t[b] - t[a]
    good = dt > 0
    v[good] = np.hypot(x[b] - x[a], y[b] - y[a])[good] / dt[good]
    return v


def runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(first, last) index of each run of True."""
    d = np.diff(np.r_[0, mask.astype(np.int8), 0])
    return list(zip(np.flatnonzero(d == 1).tolist(), (np.flatnonzero(d == -1) - 1).tolist()))
