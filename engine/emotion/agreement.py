"""Agreement between annotators: Cohen's kappa (two), Fleiss' kappa (several, each unit rated by the same
number), Krippendorff's alpha (any number, missing ratings allowed; nominal for classes, interval for numbers).

All take labels by name; ``None`` (or NaN) means "not rated". A value that cannot be computed (one category
only, nothing rated twice) is NaN.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen (1960) over the units both annotators rated."""
    pairs = [(x, y) for x, y in zip(a, b) if not _missing(x) and not _missing(y)]
    if not pairs:
        return math.nan
    cats = sorted({v for p in pairs for v in p}, key=str)
    index = {c: i for i, c in enumerate(cats)}
    m = np.zeros((len(cats), len(cats)))
    for x, y in pairs:
        m[index[x], index[y]] += 1
    m /= m.sum()
    p_o = np.trace(m)
    p_e = float(m.sum(1) @ m.sum(0))
    return math.nan if p_e >= 1 else float((p_o - p_e) / (1 - p_e))


def category_counts(ratings: Sequence[Sequence]) -> tuple[np.ndarray, list]:
    """Units x categories counts from rows of per-rater labels (one row per unit)."""
    cats = sorted({v for row in ratings for v in row if not _missing(v)}, key=str)
    index = {c: i for i, c in enumerate(cats)}
    counts = np.zeros((len(ratings), len(cats)))
    for u, row in enumerate(ratings):
        for v in row:
            if not _missing(v):
                counts[u, index[v]] += 1
    return counts, cats


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss (1971) from a units x categories table of how many raters chose each category; every unit
    must have the same number of ratings."""
    counts = np.asarray(counts, np.float64)
    if counts.size == 0:
        return math.nan
    n = counts.sum(1)
    if not np.allclose(n, n[0]) or n[0] < 2:
        raise ValueError("Fleiss' kappa needs the same number (2 or more) of ratings for every unit")
    r = n[0]
    p_j = counts.sum(0) / counts.sum()
    p_i = ((counts ** 2).sum(1) - r) / (r * (r - 1))
    p_bar, p_e = p_i.mean(), float((p_j ** 2).sum())
    return math.nan if p_e >= 1 else float((p_bar - p_e) / (1 - p_e))


def krippendorff_alpha(data, metric: str = "nominal") -> float:
    """Krippendorff (2011): ``data`` is raters x units (None/NaN where a rater did not rate a unit)."""
    if metric not in _ALPHA:
        raise ValueError(f"metric must be one of {', '.join(_ALPHA)}, got {metric!r}")
    units = [[v for v in col if not _missing(v)] for col in zip(*data)]
    units = [u for u in units if len(u) >= 2]  # only pairable values count
    if not units:
        return math.nan
    return _ALPHA[metric](units)


def _alpha_nominal(units: list[list]) -> float:
    counts, _ = category_counts(units)
    m = counts.sum(1)
    weighted = counts / (m - 1)[:, None]
    o = weighted.T @ counts - np.diag(weighted.sum(0))  # the coincidence matrix
    n_c = o.sum(1)
    n = n_c.sum()
    disagree_o = o.sum() - np.trace(o)
    disagree_e = n_c.sum() ** 2 - (n_c ** 2).sum()
    return math.nan if disagree_e == 0 else float(1 - (n - 1) * disagree_o / disagree_e)


def _alpha_interval(units: list[list]) -> float:
    # sum over ordered pairs i != j of (v_i - v_j)^2 = 2 (m * sum v^2 - (sum v)^2), within a unit and overall
    m = np.array([len(u) for u in units], np.float64)
    s1 = np.array([sum(map(float, u)) for u in units])
    s2 = np.array([sum(float(v) ** 2 for v in u) for u in units])
    within = (2 * (m * s2 - s1 ** 2) / (m - 1)).sum()
    n = m.sum()
    overall = 2 * (n * s2.sum() - s1.sum() ** 2)
    return math.nan if overall == 0 else float(1 - (n - 1) * within / overall)


_ALPHA = {"nominal": _alpha_nominal, "interval": _alpha_interval}


def agreement(rows: list[Sequence]) -> dict:
    """Kappa and alpha for annotators' label rows (one row per annotator, one column per unit): Cohen's kappa
    for two annotators, Fleiss' kappa over the units all of them rated for three or more."""
    out = {"annotators": len(rows), "kappa": math.nan, "kappa_method": None,
           "alpha": krippendorff_alpha(rows, "nominal") if len(rows) >= 2 else math.nan}
    if len(rows) == 2:
        out["kappa"], out["kappa_method"] = cohen_kappa(rows[0], rows[1]), "cohen"
    elif len(rows) > 2:
        complete = [col for col in zip(*rows) if not any(_missing(v) for v in col)]
        out["kappa_method"] = "fleiss"
        if complete:
            out["kappa"] = fleiss_kappa(category_counts(complete)[0])
    return out
