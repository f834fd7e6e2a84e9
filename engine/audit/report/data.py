"""What a report says, gathered once: the run, its metrics at frame and video level, the confidence step,
the review queue with verdicts, the media files with their SHA-256, and the head of the audit chain.

``vouched`` computes the part a report vouches for from the project alone; the report embeds it as its
manifest, and ``verify`` computes it again later and compares.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from annotation.errors import FaceLensError
from engine.audit.bootstrap import DEFAULT_ROUNDS
from engine.audit.evaluate import Evaluation, evaluate, evaluated_samples, has_video_level
from engine.audit.review import QueueSettings, ReviewQueue, build_queue
from engine.audit.samples import Samples
from storage.detector_repo import ResultTable, RunRecord, VerdictRecord

if TYPE_CHECKING:
    from storage.project import Project

# 2: EER and min-HTER thresholds in the middle of the range that gives their error (1: at its edge)
FORMAT = "facelens-audit-report/2"
EDGE_THRESHOLDS = "facelens-audit-report/1"


@dataclass
class ReportSettings:
    queue: QueueSettings = field(default_factory=QueueSettings)
    bootstrap: int = DEFAULT_ROUNDS
    seed: int = 0

    def to_json(self) -> dict:
        return {"queue": self.queue.to_json(), "bootstrap": self.bootstrap, "seed": self.seed}

    @classmethod
    def from_json(cls, d: dict) -> "ReportSettings":
        return cls(QueueSettings(**d.get("queue", {})), int(d.get("bootstrap", DEFAULT_ROUNDS)), int(d.get("seed", 0)))


@dataclass
class ReportData:
    project_name: str
    run: RunRecord
    settings: ReportSettings
    evaluations: dict[str, Evaluation]  # level -> metrics
    samples: dict[str, Samples]  # level -> the samples evaluated (for the plots)
    queue: ReviewQueue
    verdicts: list[VerdictRecord]
    media: list[dict]  # id, path, sha256, kind
    audit_head: dict  # seq, hash, time
    created_at: str
    manifest: dict
    table: ResultTable

    def media_path(self, media_id: int) -> str:
        return next((m["path"] for m in self.media if m["id"] == media_id), f"media {media_id}")


def _evaluations(project: "Project", run: RunRecord, settings: ReportSettings) -> dict[str, Evaluation]:
    table = project.detectors.results(run.id)
    q = settings.queue
    levels = ["frame"] + (["video"] if has_video_level(table) else [])
    out = {}
    for level in levels:
        try:
            out[level] = evaluate(table, run.aggregation, level, None, q.threshold, q.method, q.target_apcer,
                                  settings.bootstrap, settings.seed)
        except FaceLensError:
            continue  # an unlabelled run has no metrics; the report says so
    return out


def vouched(project: "Project", run_id: int, settings: ReportSettings) -> tuple[dict, dict]:
    """(manifest body, the objects it was computed from) for a run under the given settings."""
    run = project.detectors.run(run_id)
    evaluations = _evaluations(project, run, settings)
    queue = build_queue(project, run_id, settings.queue)
    verdicts = project.detectors.verdicts(run_id)
    table = project.detectors.results(run_id)
    media_ids = sorted({int(m) for m in table.media_id})
    media = []
    for mid in media_ids:
        item = project.media.get(mid)
        if item is None:  # removed behind FaceLens's back: the report cannot name the file it vouches for
            n = int((table.media_id == mid).sum())
            raise FaceLensError(f"detector run {run_id}: {n} result{'s point' if n > 1 else ' points'} to media "
                                f"{mid}, which is no longer in the project (see 'verify')")
        media.append({"id": mid, "path": item.path, "sha256": item.sha256, "kind": item.kind})
    head = project.audit.head()
    first = next(iter(project.audit.entries(limit=1)), None)
    body = {
        "format": FORMAT,
        # which project: the hash of its chain's first entry (made with the project), kept by every copy of it
        "project": {"chain_start": {"seq": first.seq, "hash": first.hash} if first else None},
        "run": {"id": run.id, "model": run.model, "version": run.version, "params": run.params,
                "source": run.source, "source_sha256": run.source_sha256, "features_sha256": run.features_sha256,
                "aggregation": run.aggregation, "rows": run.rows,
                "results_digest": project.detectors.results_digest(run_id)},
        "settings": settings.to_json(),
        "metrics": {level: ev.to_json(extended=True) for level, ev in evaluations.items()},
        "confidence": queue.confidence.to_json() if queue.confidence else None,
        "flagged": [{"result_id": i.result_id, "reasons": i.reasons, "risk": i.risk} for i in queue.items],
        "verdicts": [v.as_dict() for v in verdicts],
        "media": [{"id": m["id"], "path": m["path"], "sha256": m["sha256"]} for m in media],
        "audit_head": {"seq": head.seq, "hash": head.hash} if head else None,
    }
    return body, {"run": run, "evaluations": evaluations, "queue": queue, "verdicts": verdicts, "media": media,
                  "table": table, "head": head}


def collect(project: "Project", run_id: int, settings: ReportSettings | None = None) -> ReportData:
    settings = settings or ReportSettings()
    body, objs = vouched(project, run_id, settings)
    run = objs["run"]
    samples = {level: evaluated_samples(objs["table"], run.aggregation, level, ev.split)
               for level, ev in objs["evaluations"].items()}
    head = objs["head"]
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return ReportData(project.root.name, run, settings, objs["evaluations"], samples, objs["queue"],
                      objs["verdicts"], objs["media"],
                      {"seq": head.seq, "hash": head.hash, "time": head.time} if head else {},
                      created, {**body, "created_at": created}, objs["table"])

