"""The metrics of one run at one level on one split, as ``audit metrics`` prints them.

The threshold is the one given, or chosen on the dev split (EER by default; all rows when there is no split)
at the same level, and applied unchanged to the split evaluated (the test split when there is one).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from annotation.errors import FaceLensError
from engine.audit.bootstrap import bootstrap_ci
from engine.audit.metrics import accuracy, auc, average_precision, eer
from engine.audit.pad import bpcer_at_apcer, pad_metrics
from engine.audit.samples import Samples, samples
from engine.audit.thresholds import OperatingPoint, choose_threshold
from storage.detector_repo import ResultTable

KEYS = ("n_bona_fide", "n_attack", "auc", "eer", "eer_threshold", "threshold", "acc", "apcer", "apcer_max",
        "bpcer", "acer", "hter", "bpcer_at_apcer_5", "bpcer_at_apcer_10")


@dataclass
class Evaluation:
    level: str
    split: str | None  # the split evaluated; None = all rows
    point: OperatingPoint
    values: dict  # the KEYS
    ap: float
    ci: dict = field(default_factory=dict)  # metric -> [low, high], when bootstrapped

    def to_json(self, extended: bool = False) -> dict:
        out = {k: self.values[k] for k in KEYS}
        if extended:
            out.update({"ap": self.ap, "ci": self.ci, "level": self.level, "split": self.split,
                        "threshold_method": self.point.method, "threshold_chosen_on": self.point.chosen_on})
        return out


def _clean(v):
    if isinstance(v, dict):
        return {k: _clean(x) for k, x in v.items()}
    return None if isinstance(v, float) and math.isnan(v) else v


def default_split(s: Samples) -> str | None:
    return "test" if s.has_split("test") else None


def evaluate(table: ResultTable, aggregation: str = "mean", level: str = "frame", split: str | None = None,
             threshold: float | None = None, method: str = "eer", target_apcer: float | None = None,
             bootstrap: int = 0, seed: int = 0) -> Evaluation:
    s = samples(table, level, aggregation)
    point = choose_threshold(s, method if target_apcer is None else "target_apcer", threshold, target_apcer)
    split = split if split is not None else default_split(s)
    if split is not None and not s.has_split(split):
        raise FaceLensError(f"the run has no rows in the {split} split")
    ev = s.split_of(split).labelled()
    nb, na = int((ev.y == 0).sum()), int((ev.y == 1).sum())
    if nb == 0 or na == 0:
        raise FaceLensError(f"metrics need labelled bona fide and attack samples in {split or 'the run'} "
                            f"(found {nb} bona fide, {na} attacks)")
    e, et = eer(ev.score, ev.y)
    pad = pad_metrics(ev.score, ev.y, ev.attack_type, point.threshold)
    values = _clean({
        "n_bona_fide": nb, "n_attack": na, "auc": auc(ev.score, ev.y), "eer": e, "eer_threshold": et,
        "threshold": point.threshold, "acc": accuracy(ev.score, ev.y, point.threshold), "apcer": pad.apcer,
        "apcer_max": pad.apcer_max, "bpcer": pad.bpcer, "acer": pad.acer, "hter": pad.hter,
        "bpcer_at_apcer_5": bpcer_at_apcer(ev.score, ev.y, ev.attack_type, 0.05),
        "bpcer_at_apcer_10": bpcer_at_apcer(ev.score, ev.y, ev.attack_type, 0.10)})
    ci = bootstrap_ci(ev.score, ev.y, ev.attack_type, point.threshold, bootstrap, seed) if bootstrap else {}
    return Evaluation(level, split, point, values, average_precision(ev.score, ev.y), ci)


def evaluated_samples(table: ResultTable, aggregation: str, level: str, split: str | None) -> Samples:
    s = samples(table, level, aggregation)
    return s.split_of(split if split is not None else default_split(s))


def has_video_level(table: ResultTable) -> bool:
    """Video-level metrics differ from frame level when some media has more than one scored row."""
    return len(np.unique(table.media_id)) < len(table)
