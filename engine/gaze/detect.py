"""Fixations, saccades and blinks from gaze samples, by I-VT or I-DT.

The steps, each with its parameter stored in the result:
1. samples below ``min_confidence`` are treated as missing;
2. the method proposes fixation candidates (runs of samples) that never span a gap in the data;
3. neighbouring candidates closer than ``merge_max_gap`` in time and ``merge_max_distance`` in space merge
   (a small noise spike must not split one fixation in two);
4. fixations shorter than ``min_fixation`` are dropped, then neighbours merge once more (the halves of a
   fixation around a dropped blip);
5. blinks are gaps of missing data between ``blink_min`` and ``blink_max`` long (longer is lost tracking);
6. a saccade joins two consecutive fixations when no blink or gap lies between them.
"""
from __future__ import annotations

import numpy as np

from annotation.errors import InputError
from annotation.gaze.events import Blink, EyeEvents, Fixation, Saccade
from annotation.gaze.recording import GazeSamples
from engine.gaze.idt import idt_candidates
from engine.gaze.ivt import ivt_candidates
from engine.gaze.params import DetectionParams
from engine.gaze.signal import Prepared, prepare

METHODS = {"ivt": ivt_candidates, "idt": idt_candidates}


def detect_events(samples: GazeSamples, method: str = "idt", params: DetectionParams | None = None) -> EyeEvents:
    if method not in METHODS:
        raise InputError(f"expected one of {', '.join(sorted(METHODS))}, got {method!r}", field="method")
    resolved = (params or DetectionParams()).resolved(method)
    p = prepare(samples, resolved["min_confidence"], resolved["max_gap_s"], resolved["velocity_window_s"])
    resolved["sampling_interval_s"] = p.step
    if len(p) < 2:
        return EyeEvents(method=method, params=resolved)
    runs = _merge(p, METHODS[method](p, resolved), resolved)
    runs = [(i, j) for i, j in runs if _end(p, j) - p.t[i] >= resolved["min_fixation_s"] - 1e-9]
    runs = _merge(p, runs, resolved)  # again: a noise blip dropped above may have kept two halves apart
    fixations = [_fixation(p, i, j) for i, j in runs]
    blinks = _blinks(p, resolved)
    saccades = _saccades(p, runs, fixations)
    return EyeEvents(fixations, saccades, blinks, method, resolved)


def _end(p: Prepared, j: int) -> float:
    """A sample stands for one sampling interval, so a run ends one interval after its last sample."""
    return float(p.t[j] + p.step)


def _centre(p: Prepared, i: int, j: int) -> tuple[float, float]:
    return float(p.x[i:j + 1].mean()), float(p.y[i:j + 1].mean())


def _merge(p: Prepared, runs: list[tuple[int, int]], params: dict) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for i, j in runs:
        if out:
            a, b = out[-1]
            gap = p.t[i] - _end(p, b)
            (x0, y0), (x1, y1) = _centre(p, a, b), _centre(p, i, j)
            blink_between = (p.t[i] - p.t[b]) > max(params["max_gap_s"], 2.5 * p.step)
            if gap <= params["merge_max_gap_s"] and not blink_between and \
                    np.hypot(x1 - x0, y1 - y0) <= params["merge_max_distance_px"]:
                out[-1] = (a, j)
                continue
        out.append((i, j))
    return out


def _fixation(p: Prepared, i: int, j: int) -> Fixation:
    x, y = p.x[i:j + 1], p.y[i:j + 1]
    return Fixation(float(p.t[i]), _end(p, j), float(x.mean()), float(y.mean()),
                    float(x.max() - x.min() + y.max() - y.min()), j - i + 1)


def _blinks(p: Prepared, params: dict) -> list[Blink]:
    gaps = np.diff(p.t) - p.step  # time with no usable sample between two samples
    out = []
    for k in np.flatnonzero((gaps >= params["blink_min_s"]) & (gaps <= params["blink_max_s"])).tolist():
        out.append(Blink(float(p.t[k] + p.step / 2), float(p.t[k + 1] - p.step / 2)))
    return out


def _saccades(p: Prepared, runs: list[tuple[int, int]], fixations: list[Fixation]) -> list[Saccade]:
    out = []
    for (a, b), (i, j), f0, f1 in zip(runs, runs[1:], fixations, fixations[1:]):
        if p.chunk[b] != p.chunk[i]:
            continue  # a blink or lost data lies between: no saccade can be measured
        v = p.velocity[b:i + 1]
        peak = float(np.nanmax(v)) if np.isfinite(v).any() else float("nan")
        out.append(Saccade(f0.end, f1.start, f0.x, f0.y, f1.x, f1.y, peak))
    return out
