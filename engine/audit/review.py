"""The review queue: the samples a person should decide on, most at risk first.

A sample is flagged when it lies outside the model's knowledge (low Mahalanobis confidence), when its score is
within the uncertainty band around the operating threshold, or when the model's decision contradicts the
ground truth. Its risk adds up what flagged it: 1 for outside the knowledge; 0.5 to 1 for a contradiction, more
the more confidently wrong; up to 1 for nearness to the threshold. Samples that already have a verdict stay in
the queue so the report can show the decision.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from annotation.errors import FaceLensError
from engine.audit.calibration import run_confidence
from engine.audit.confidence import DEFAULT_REJECT, ConfidenceResult
from engine.audit.samples import frame_samples
from engine.audit.thresholds import DEFAULT_BAND, OperatingPoint, choose_threshold, near_threshold
from storage.detector_repo import VerdictRecord

if TYPE_CHECKING:
    from storage.project import Project

REASONS = {
    "outside_knowledge": "outside the model's knowledge",
    "near_threshold": "near the threshold",
    "contradicts_label": "contradicts the ground truth",
    "reviewed": "has a verdict",
}
LABEL_NAMES = {-1: None, 0: "bona_fide", 1: "attack"}
UNLABELLED_THRESHOLD = 0.5  # the operating threshold of a run without labels, until the reviewer sets one


@dataclass
class QueueSettings:
    reject: float = DEFAULT_REJECT
    band: float = DEFAULT_BAND
    method: str = "eer"
    threshold: float | None = None
    target_apcer: float | None = None
    calibration_split: str = "dev"
    calibration_run: int | None = None

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class QueueItem:
    result_id: int
    row: int
    media_id: int
    frame: int | None
    face: int | None
    score: float
    label: str | None
    attack_type: str | None
    split: str | None
    reasons: list[str]
    risk: float
    confidence: float | None = None
    nearest: str | None = None  # the known class the features are closest to
    verdict: VerdictRecord | None = None

    def to_json(self) -> dict:
        d = {k: v for k, v in asdict(self).items() if k != "verdict"}
        d["verdict"] = self.verdict.as_dict() if self.verdict else None
        return d


@dataclass
class ReviewQueue:
    run_id: int
    point: OperatingPoint
    settings: QueueSettings
    items: list[QueueItem]
    confidence: ConfidenceResult | None
    notes: list[str] = field(default_factory=list)  # why a kind of flag is unavailable

    def to_json(self) -> dict:
        return {"run_id": self.run_id, "threshold": self.point.threshold, "threshold_method": self.point.method,
                "items": [i.to_json() for i in self.items], "notes": self.notes}


def _check(settings: QueueSettings) -> None:
    """Out-of-range settings are refused: the queue would otherwise drop a kind of flag and only note it."""
    if not 0 <= settings.reject < 1:
        raise FaceLensError(f"the fraction to reject must be in [0, 1), got {settings.reject}")
    if not 0 <= settings.band <= 0.5:
        raise FaceLensError(f"the band around the threshold must be in [0, 0.5], got {settings.band}")


def _opt(v: int) -> int | None:
    return None if v < 0 else int(v)


def build_queue(project: "Project", run_id: int, settings: QueueSettings | None = None) -> ReviewQueue:
    settings = settings or QueueSettings()
    _check(settings)
    run = project.detectors.run(run_id)
    table = project.detectors.results(run_id)
    notes: list[str] = []
    try:
        point = choose_threshold(frame_samples(table), settings.method, settings.threshold, settings.target_apcer)
    except FaceLensError as e:
        if settings.threshold is not None or (table.label >= 0).any():
            raise FaceLensError(f"run {run_id}: {e}; give a threshold") from None
        # a run with no ground truth at all (a model run on the project's own media) is still reviewed
        point = OperatingPoint(UNLABELLED_THRESHOLD, "default", "no labels")
        notes.append(f"no labelled samples to choose a threshold on: {UNLABELLED_THRESHOLD} until you set one")

    conf = None
    if run.has_features:
        try:
            conf = run_confidence(project, run_id, settings.calibration_split, settings.calibration_run,
                                  settings.reject, point.threshold)
        except FaceLensError as e:
            notes.append(f"no confidence flags: {e}")
    else:
        notes.append("no confidence flags: the run has no feature vectors")

    # the rows under review: those not used to calibrate (all rows when calibrating elsewhere or not at all)
    if conf is not None:
        review = np.isin(table.id, conf.ids)
    elif (table.split == "dev").any() and (table.split != "dev").any():
        review = table.split != "dev"
    else:
        review = np.ones(len(table), bool)
    conf_of = dict(zip(conf.ids.tolist(), conf.confidence.tolist())) if conf else {}
    nearest_of = dict(zip(conf.ids.tolist(), conf.nearest)) if conf else {}
    outside = set(conf.flagged) if conf else set()
    latest = {v.result_id: v for v in project.detectors.verdicts(run_id)}

    t, band = point.threshold, settings.band
    near = near_threshold(table.score, t, band)
    called_attack = table.score >= t
    items = []
    for i in range(len(table)):
        rid = int(table.id[i])
        if not review[i] and rid not in latest:
            continue
        reasons, risk = [], 0.0
        margin = abs(float(table.score[i]) - t)
        if rid in outside:
            reasons.append("outside_knowledge")
            risk += 1.0
        if table.label[i] >= 0 and called_attack[i] != (table.label[i] == 1):
            reasons.append("contradicts_label")
            risk += 0.5 + 0.5 * min(1.0, margin / max(t, 1 - t, 1e-9))
        if near[i]:
            reasons.append("near_threshold")
            risk += 1.0 - margin / band
        if not reasons and rid not in latest:
            continue
        if not reasons:
            reasons.append("reviewed")
        items.append(QueueItem(rid, int(table.row[i]), int(table.media_id[i]), _opt(table.frame[i]),
                               _opt(table.face[i]), float(table.score[i]), LABEL_NAMES[int(table.label[i])],
                               table.attack_type[i], table.split[i], reasons, round(risk, 6), conf_of.get(rid),
                               nearest_of.get(rid), latest.get(rid)))
    items.sort(key=lambda q: (-q.risk, abs(q.score - t), q.result_id))
    return ReviewQueue(run_id, point, settings, items, conf, notes)


def score_series(project: "Project", run_id: int, media_id: int, face: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(frames, scores) of one media in a run, frame order: the score-over-time plot."""
    t = project.detectors.results(run_id)
    keep = (t.media_id == media_id) & (t.frame >= 0)
    if face is not None:
        keep &= t.face == face
    order = np.argsort(t.frame[keep], kind="mergesort")
    return t.frame[keep][order], t.score[keep][order]
