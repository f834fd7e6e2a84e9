"""Bootstrap confidence intervals, resampling within bona fide and within each attack type (a stratified
bootstrap keeps the class mix of the data). Seeded, so a report's intervals can be recomputed exactly.

At a fixed threshold the number of errors in a resampled stratum is binomial, so those metrics are drawn
directly; the threshold-free ones (AUC, EER, AP) resample the scores.
"""
from __future__ import annotations

import numpy as np

from annotation.errors import FaceLensError
from engine.audit.metrics import auc, average_precision, eer
from engine.audit.pad import attack_types

DEFAULT_ROUNDS = 1000
LEVEL = 0.95


def bootstrap_ci(score, y, types, threshold: float, rounds: int = DEFAULT_ROUNDS, seed: int = 0,
                 level: float = LEVEL) -> dict[str, list[float]]:
    if rounds < 0:
        raise FaceLensError(f"bootstrap rounds must be 0 or more, got {rounds}")
    score, y = np.asarray(score, np.float64), np.asarray(y)
    rng = np.random.default_rng(seed)
    bona = score[y == 0]
    kinds = attack_types(y, types)
    attacks = score[y == 1]
    strata = [attacks[kinds == k] for k in sorted(set(kinds))]

    # threshold metrics: errors per stratum are binomial
    n_b = len(bona)
    bpcer = rng.binomial(n_b, np.mean(bona >= threshold), rounds) / n_b if n_b else np.full(rounds, np.nan)
    miss = [rng.binomial(len(a), np.mean(a < threshold), rounds) for a in strata]
    n_a = sum(len(a) for a in strata)
    apcer_max = np.max([m / len(a) for m, a in zip(miss, strata)], axis=0) if strata else np.full(rounds, np.nan)
    pooled = np.sum(miss, axis=0) / n_a if n_a else np.full(rounds, np.nan)
    correct = (n_b - bpcer * n_b) + (n_a - pooled * n_a)
    draws = {"apcer_max": apcer_max, "bpcer": bpcer, "acer": (apcer_max + bpcer) / 2,
             "hter": (pooled + bpcer) / 2, "acc": correct / max(n_a + n_b, 1)}

    # threshold-free metrics: resample the scores
    free = {"auc": [], "eer": [], "ap": []}
    if n_b and n_a:
        for _ in range(rounds):
            b = bona[rng.integers(0, n_b, n_b)]
            a = np.concatenate([s[rng.integers(0, len(s), len(s))] for s in strata])
            sc, yy = np.r_[b, a], np.r_[np.zeros(len(b), np.int8), np.ones(len(a), np.int8)]
            free["auc"].append(auc(sc, yy))
            free["eer"].append(eer(sc, yy)[0])
            free["ap"].append(average_precision(sc, yy))
    draws.update({k: np.array(v) if v else np.full(rounds, np.nan) for k, v in free.items()})
    lo, hi = 100 * (1 - level) / 2, 100 * (1 + level) / 2
    out = {}
    for k, v in draws.items():
        if np.all(np.isnan(v)):
            out[k] = [None, None]
        else:
            out[k] = [float(np.nanpercentile(v, lo)), float(np.nanpercentile(v, hi))]
    return out
