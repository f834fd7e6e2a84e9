"""The ISO/IEC 30107-3 presentation attack detection metrics at a threshold.

APCER (per attack type): share of that type's attacks called bona fide (score below the threshold).
BPCER: share of bona fide samples called attacks. ACER: mean of the largest APCER and the BPCER.
HTER: mean of the APCER pooled over all attacks and the BPCER, at a threshold fixed beforehand (on dev).
BPCER at APCER = x: the BPCER at the highest threshold whose largest APCER is at most x.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.audit.labels import UNSPECIFIED_ATTACK
from engine.audit.metrics import ABOVE_ALL


def attack_types(y, types) -> np.ndarray:
    """Attack type of each attack sample ('unspecified' where none was given)."""
    t = np.asarray(types, dtype=object)[np.asarray(y) == 1]
    return np.array([UNSPECIFIED_ATTACK if v is None else str(v) for v in t], dtype=object)


@dataclass
class PadMetrics:
    threshold: float
    apcer: dict  # attack type -> APCER
    apcer_max: float
    apcer_pooled: float
    bpcer: float
    acer: float
    hter: float


def pad_metrics(score, y, types, threshold: float) -> PadMetrics:
    score, y = np.asarray(score, np.float64), np.asarray(y)
    attacks, bona = score[y == 1], score[y == 0]
    kinds = attack_types(y, types)
    apcer = {k: float(np.mean(attacks[kinds == k] < threshold)) for k in sorted(set(kinds))}
    apcer_max = max(apcer.values()) if apcer else float("nan")
    pooled = float(np.mean(attacks < threshold)) if len(attacks) else float("nan")
    bpcer = float(np.mean(bona >= threshold)) if len(bona) else float("nan")
    return PadMetrics(threshold, apcer, apcer_max, pooled, bpcer, (apcer_max + bpcer) / 2, (pooled + bpcer) / 2)


def apcer_max_curve(score, y, types, thresholds: np.ndarray) -> np.ndarray:
    """The largest APCER over attack types at each threshold."""
    score, y = np.asarray(score, np.float64), np.asarray(y)
    attacks, kinds = score[y == 1], attack_types(y, types)
    out = np.zeros(len(thresholds))
    for k in set(kinds):
        s = np.sort(attacks[kinds == k])
        out = np.maximum(out, np.searchsorted(s, thresholds, side="left") / len(s))
    return out


def bpcer_curve(score, y, thresholds: np.ndarray) -> np.ndarray:
    bona = np.sort(np.asarray(score, np.float64)[np.asarray(y) == 0])
    return 1.0 - np.searchsorted(bona, thresholds, side="left") / max(len(bona), 1)


def candidate_thresholds(score) -> np.ndarray:
    return np.r_[np.unique(np.asarray(score, np.float64)), ABOVE_ALL]


def threshold_at_apcer(score, y, types, target: float) -> float:
    """The highest threshold whose largest APCER is at most ``target`` (the lowest BPCER that allows)."""
    t = candidate_thresholds(score)
    ok = apcer_max_curve(score, y, types, t) <= target + 1e-12
    return float(t[np.flatnonzero(ok)[-1]]) if ok.any() else float(t[0])


def bpcer_at_apcer(score, y, types, target: float) -> float:
    t = threshold_at_apcer(score, y, types, target)
    return float(bpcer_curve(score, y, np.array([t]))[0])
