"""CA-FAS-style confidence: how close a sample's features are to what the model was shown.

On a labelled calibration set, a Gaussian (mean and Ledoit-Wolf shrinkage covariance) is fitted to the
features of bona fide faces and of each known attack type. A sample's confidence is minus its Mahalanobis
distance to the nearest of those Gaussians. The samples with the lowest confidence - the fraction to reject,
10% by default - are flagged "outside the model's knowledge" and go to a person.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import solve_triangular
from sklearn.covariance import LedoitWolf

from annotation.errors import FaceLensError
from engine.audit.labels import BONA_FIDE, UNSPECIFIED_ATTACK
from engine.audit.risk import aurc, risk_coverage

DEFAULT_REJECT = 0.10
MIN_SAMPLES = 2


@dataclass
class GaussianBank:
    names: list[str]
    means: np.ndarray  # (groups, dim)
    chols: list[np.ndarray]  # lower Cholesky factor of each covariance
    counts: list[int]

    def distances(self, x: np.ndarray) -> np.ndarray:
        """Mahalanobis distance of each row of ``x`` to each Gaussian: (rows, groups)."""
        x = np.asarray(x, np.float64)
        out = np.empty((len(x), len(self.names)))
        for j, (mu, L) in enumerate(zip(self.means, self.chols)):
            z = solve_triangular(L, (x - mu).T, lower=True, check_finite=False)
            out[:, j] = np.sqrt(np.sum(z * z, axis=0))
        return out

    def confidence(self, x: np.ndarray) -> np.ndarray:
        return -self.distances(x).min(axis=1)

    def nearest(self, x: np.ndarray) -> list[str]:
        return [self.names[j] for j in self.distances(x).argmin(axis=1)]


def group_names(y: np.ndarray, types: np.ndarray) -> np.ndarray:
    return np.array([BONA_FIDE if lab == 0 else (UNSPECIFIED_ATTACK if t is None else str(t)) if lab == 1 else None
                     for lab, t in zip(y, types)], dtype=object)


def fit_bank(features: np.ndarray, y: np.ndarray, types: np.ndarray) -> GaussianBank:
    groups = group_names(y, types)
    names, means, chols, counts = [], [], [], []
    for name in sorted({g for g in groups if g is not None}, key=lambda g: (g != BONA_FIDE, g)):
        x = np.asarray(features[groups == name], np.float64)
        if len(x) < MIN_SAMPLES:
            continue
        lw = LedoitWolf().fit(x)
        cov = lw.covariance_
        cov = cov + np.eye(len(cov)) * 1e-6 * max(np.trace(cov) / len(cov), 1e-12)  # keep it invertible
        names.append(name)
        means.append(lw.location_)
        chols.append(np.linalg.cholesky(cov))
        counts.append(len(x))
    if not names:
        raise FaceLensError(f"the calibration set has no labelled group with {MIN_SAMPLES} or more feature vectors")
    return GaussianBank(names, np.array(means), chols, counts)


def reject_threshold(confidence: np.ndarray, reject: float) -> float:
    """The confidence below which the lowest ``reject`` fraction of samples lies."""
    if not 0 <= reject < 1:
        raise FaceLensError(f"the fraction to reject must be in [0, 1), got {reject}")
    c = np.sort(confidence)
    k = int(round(reject * len(c)))
    return float(c[k]) if len(c) else 0.0


@dataclass
class ConfidenceResult:
    bank: GaussianBank
    threshold: float  # confidence threshold: below it, outside the model's knowledge
    operating_threshold: float  # the score threshold the margins and errors refer to
    ids: np.ndarray  # result ids of the evaluated rows
    confidence: np.ndarray
    nearest: list[str]
    flagged: list[int]  # result ids
    aurc_score: float | None
    aurc_mahalanobis: float | None
    curves: dict = field(default_factory=dict)  # name -> (coverage, risk)

    def to_json(self) -> dict:
        return {"threshold": self.threshold, "flagged": self.flagged, "aurc_score": self.aurc_score,
                "aurc_mahalanobis": self.aurc_mahalanobis}


def analyse(features: np.ndarray, ids: np.ndarray, score: np.ndarray, y: np.ndarray, bank: GaussianBank,
            operating_threshold: float, reject: float = DEFAULT_REJECT) -> ConfidenceResult:
    """Confidence of the evaluated rows, the flagged ones, and risk-coverage of rejecting by score margin
    versus by Mahalanobis confidence (on the rows with a label)."""
    conf = bank.confidence(features)
    thr = reject_threshold(conf, reject)
    flagged = [int(i) for i in ids[conf < thr]]
    known = y >= 0
    errors = (score[known] >= operating_threshold) != (y[known] == 1)
    margin = np.abs(score[known] - operating_threshold)
    curves = {}
    if known.any():
        curves = {"score margin": risk_coverage(margin, errors), "Mahalanobis": risk_coverage(conf[known], errors)}
    return ConfidenceResult(bank, thr, operating_threshold, ids, conf, bank.nearest(features), flagged,
                            aurc(margin, errors) if known.any() else None,
                            aurc(conf[known], errors) if known.any() else None, curves)
