"""Risk-coverage: accept the most confident samples first; at each coverage, the error rate among those
accepted. AURC (the area under that curve, the mean risk over all coverages) is lower for a confidence
that puts the errors last."""
from __future__ import annotations

import numpy as np


def risk_coverage(confidence, errors) -> tuple[np.ndarray, np.ndarray]:
    c, e = np.asarray(confidence, np.float64), np.asarray(errors, bool)
    order = np.argsort(-c, kind="mergesort")  # ties keep their order, so the curve is reproducible
    k = np.arange(1, len(c) + 1)
    return k / max(len(c), 1), np.cumsum(e[order]) / k


def aurc(confidence, errors) -> float | None:
    if len(confidence) == 0:
        return None
    return float(np.mean(risk_coverage(confidence, errors)[1]))
