"""Threshold-free detection metrics: ROC, ROC AUC, EER (with its threshold) and average precision.

Convention throughout the audit: ``y`` is 1 for an attack (or fake), 0 for bona fide; ``score`` is the
probability of attack; a sample is called an attack when ``score >= threshold``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ABOVE_ALL = float(np.nextafter(1.0, 2.0))  # a threshold no score in [0, 1] reaches: nothing is called an attack


@dataclass
class Roc:
    thresholds: np.ndarray  # descending; the first is ABOVE_ALL
    fpr: np.ndarray  # bona fide called attack (BPCER) at each threshold
    tpr: np.ndarray  # attacks called attack (1 - APCER pooled over attack types)
    tp: np.ndarray
    fp: np.ndarray


def _check(score, y) -> tuple[np.ndarray, np.ndarray]:
    score, y = np.asarray(score, np.float64), np.asarray(y).astype(np.int8)
    if score.shape != y.shape or score.ndim != 1:
        raise ValueError("scores and labels must be 1-D arrays of the same length")
    return score, y


def roc(score, y) -> Roc:
    score, y = _check(score, y)
    order = np.argsort(-score, kind="mergesort")
    s, yy = score[order], y[order]
    last_of_each = np.r_[np.flatnonzero(np.diff(s)), len(s) - 1] if len(s) else np.array([], int)
    tp = np.r_[0, np.cumsum(yy)[last_of_each]]
    fp = np.r_[0, np.cumsum(1 - yy)[last_of_each]]
    p, n = max(int(y.sum()), 1), max(int(len(y) - y.sum()), 1)
    return Roc(np.r_[ABOVE_ALL, s[last_of_each]], fp / n, tp / p, tp, fp)


def auc(score, y) -> float:
    r = roc(score, y)
    return float(np.trapezoid(r.tpr, r.fpr)) if hasattr(np, "trapezoid") else float(np.trapz(r.tpr, r.fpr))


def middle_threshold(below: float | None, lowest_called: float) -> float:
    """The middle of the thresholds that make the same calls: those above ``below`` (the highest score called bona
    fide; None: there is none) up to ``lowest_called`` (the lowest score called an attack; ABOVE_ALL: none is).
    Any of them gives the same error on these scores; the middle leaves new scores the most room on either side.
    Scores lie in [0, 1], so an open end stops at 0 or 1."""
    low = 0.0 if below is None else below
    high = 1.0 if lowest_called == ABOVE_ALL else lowest_called
    mid = (low + high) / 2
    if below is not None and not mid > below:  # no room between them (the highest score is 1, or they touch)
        return lowest_called
    return mid


def eer(score, y) -> tuple[float, float]:
    """(EER, its threshold): where the rate of missed attacks and the rate of rejected bona fide are closest;
    the EER is their mean there. The threshold is the middle of the range that gives those rates, not its edge
    (the highest attack score when the classes do not overlap, which would miss a slightly lower attack)."""
    r = roc(score, y)
    fnr = 1.0 - r.tpr
    i = int(np.argmin(np.abs(fnr - r.fpr)))
    below = float(r.thresholds[i + 1]) if i + 1 < len(r.thresholds) else None
    return float((fnr[i] + r.fpr[i]) / 2), middle_threshold(below, float(r.thresholds[i]))


def average_precision(score, y) -> float:
    """Sum over thresholds of (recall step) x precision, as in scikit-learn."""
    r = roc(score, y)
    tp, fp = r.tp[1:], r.fp[1:]
    if not len(tp) or tp[-1] == 0:
        return 0.0
    precision = tp / np.maximum(tp + fp, 1)
    recall = tp / tp[-1]
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def accuracy(score, y, threshold: float) -> float:
    score, y = _check(score, y)
    return float(np.mean((score >= threshold) == (y == 1))) if len(y) else float("nan")
