"""Choosing the operating threshold on the dev split, to apply unchanged to the test split.

``eer``: where missed attacks and rejected bona fide are equally likely; ``min_hter``: the lowest half total
error (both in the middle of the range of thresholds that give that error on dev, so a test score just past dev's
extremes is not miscalled); ``target_apcer``: the highest threshold whose largest APCER is at most the target.
Samples whose score lies within ``band`` of the threshold are "near the threshold": the decision there is a coin
toss.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from annotation.errors import FaceLensError
from engine.audit.metrics import eer, middle_threshold
from engine.audit.pad import bpcer_curve, candidate_thresholds, threshold_at_apcer
from engine.audit.samples import Samples

DEFAULT_BAND = 0.05


def _eer(s: Samples, **_) -> float:
    return eer(s.score, s.y)[1]


def _min_hter(s: Samples, **_) -> float:
    """The middle of the lowest run of candidate thresholds that share the minimal HTER."""
    t = candidate_thresholds(s.score)  # ascending; a threshold between two of them calls what the upper one does
    attacks = np.sort(s.score[s.y == 1])
    apcer = np.searchsorted(attacks, t, side="left") / max(len(attacks), 1)
    hter = (apcer + bpcer_curve(s.score, s.y, t)) / 2
    best = hter <= hter.min() + 1e-12  # equal errors reached through other counts differ in the last bit
    first = int(np.argmax(best))
    last = first + int(np.argmin(np.r_[best[first:], False])) - 1
    return middle_threshold(float(t[first - 1]) if first else None, float(t[last]))


def _target_apcer(s: Samples, target_apcer: float | None = None, **_) -> float:
    if target_apcer is None or not 0 <= target_apcer <= 1:
        raise FaceLensError("choosing the threshold by target APCER needs --target-apcer A with A in [0, 1]"
                            + ("" if target_apcer is None else f", got {target_apcer!r}"))
    return threshold_at_apcer(s.score, s.y, s.attack_type, target_apcer)


CHOOSERS = {"eer": _eer, "min_hter": _min_hter, "target_apcer": _target_apcer}


@dataclass
class OperatingPoint:
    threshold: float
    method: str  # eer | min_hter | target_apcer | given
    chosen_on: str  # "dev", "all rows" or "given"

    def how(self) -> str:
        """How the threshold came to be, in words (the report, the CLI)."""
        return {"given": "given by the reviewer", "default": "no labelled samples to choose one on"}.get(
            self.method, f"{self.method}, chosen on {self.chosen_on}")


def calibration_rows(s: Samples) -> tuple[Samples, str]:
    """The labelled samples a threshold is chosen on: the dev split, or every row when there is none."""
    dev = s.split_of("dev").labelled() if s.has_split("dev") else s.labelled()
    where = "dev" if s.has_split("dev") else "all rows"
    if not ((dev.y == 0).any() and (dev.y == 1).any()):
        raise FaceLensError(f"choosing a threshold needs labelled bona fide and attack samples in {where} "
                            f"(found {int((dev.y == 0).sum())} bona fide, {int((dev.y == 1).sum())} attacks)")
    return dev, where


def choose_threshold(s: Samples, method: str = "eer", threshold: float | None = None,
                     target_apcer: float | None = None) -> OperatingPoint:
    if threshold is not None:
        if not 0 <= threshold <= 1:
            raise FaceLensError(f"threshold {threshold} is outside [0, 1]")
        return OperatingPoint(float(threshold), "given", "given")
    if method not in CHOOSERS:
        raise FaceLensError(f"threshold method {method!r} is not one of {', '.join(CHOOSERS)}")
    dev, where = calibration_rows(s)
    return OperatingPoint(CHOOSERS[method](dev, target_apcer=target_apcer), method, where)


def near_threshold(score: np.ndarray, threshold: float, band: float = DEFAULT_BAND) -> np.ndarray:
    return np.abs(np.asarray(score) - threshold) < band
