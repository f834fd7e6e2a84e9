"""Detector runs: their scored results, feature vectors, and reviewers' verdicts.

A run is written in one transaction with its audit entry, so an import either lands whole or not at all.
Each verdict is its own audit entry whose payload keeps a digest of the verdict row: ``check_verdicts``
compares every row with its entry, so an edit made behind the application's back shows; ``check_runs`` does
the same for each run (its columns, results and feature vectors) against its import entry.
"""
from __future__ import annotations

import hashlib
import io
import json
import time
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import func, insert, select, update

from annotation.errors import FaceLensError, InputError
from storage import audit
from storage.media.hashing import sha256_file
from storage.models import AuditEntry
from storage.models_audit import DetectorResult, DetectorRun, FeatureChunk, Verdict
from storage.repository import Repository, digest

VERDICTS = ("bona_fide", "attack", "deepfake", "unsure")
AGGREGATIONS = ("mean", "max", "median")
LABEL_CODE = {None: -1, "bona_fide": 0, "attack": 1}  # how labels travel in arrays
FEATURE_CHUNK_ROWS = 4096


@dataclass(frozen=True)
class RunRecord:
    id: int
    model: str
    version: str
    params: dict
    source: str
    source_sha256: str
    features_source: str
    features_sha256: str
    aggregation: str
    created_at: float
    rows: int = 0
    has_features: bool = False


@dataclass
class ResultTable:
    """A run's results as columns (one entry per result row, in file order). ``label``: 1 attack, 0 bona fide,
    -1 unknown; ``frame`` and ``face``: -1 where the file gave none."""

    id: np.ndarray
    row: np.ndarray
    media_id: np.ndarray
    frame: np.ndarray
    face: np.ndarray
    score: np.ndarray
    label: np.ndarray
    attack_type: np.ndarray  # object: str or None
    split: np.ndarray  # object: "dev", "test" or None
    box: list = field(default_factory=list)  # [x0, y0, x1, y1] or None per row

    def __len__(self) -> int:
        return len(self.id)

    def take(self, mask_or_index) -> "ResultTable":
        idx = np.asarray(mask_or_index)
        box = [self.box[i] for i in (np.flatnonzero(idx) if idx.dtype == bool else idx)]
        return ResultTable(self.id[idx], self.row[idx], self.media_id[idx], self.frame[idx], self.face[idx],
                           self.score[idx], self.label[idx], self.attack_type[idx], self.split[idx], box)


@dataclass(frozen=True)
class VerdictRecord:
    id: int
    result_id: int
    verdict: str
    note: str
    reviewer: str
    created_at: float

    def as_dict(self) -> dict:
        return {"id": self.id, "result_id": self.result_id, "verdict": self.verdict, "note": self.note,
                "reviewer": self.reviewer, "created_at": self.created_at}


def _run(r: DetectorRun, rows: int = 0, has_features: bool = False) -> RunRecord:
    return RunRecord(r.id, r.model, r.version, json.loads(r.params or "{}"), r.source, r.source_sha256,
                     r.features_source, r.features_sha256, r.aggregation, r.created_at, rows, has_features)


def _verdict(v: Verdict) -> VerdictRecord:
    return VerdictRecord(v.id, v.result_id, v.verdict, v.note, v.reviewer, v.created_at)


REVIEWER_LENGTH = 128  # (the column's width)


def reviewer_name(name: str) -> str:
    """A verdict names who decided: a blank name would vouch for nobody; a name is one line of a name's length
    (it is shown in the queue, the report and the audit log)."""
    if not name.strip():
        raise InputError(f"a verdict needs a reviewer's name, and {name!r} is blank", field="reviewer")
    name = name.strip()
    if any(not c.isprintable() for c in name):
        raise InputError(f"the reviewer's name {name!r} holds a line break or control character: expected a name "
                         f"on one line", field="reviewer")
    if len(name) > REVIEWER_LENGTH:
        raise InputError(f"the reviewer's name is {len(name)} characters long: expected at most {REVIEWER_LENGTH}",
                         field="reviewer")
    return name


def result_row_values(r: dict) -> list:
    """The part of a result that its digest covers (what a report vouches for)."""
    return [r["row"], r["media_id"], r.get("frame"), r.get("face"), r["score"], r.get("label"),
            r.get("attack_type"), r.get("split")]


def features_digest(features: np.ndarray | None) -> str:
    """SHA-256 of a run's feature vectors as stored (float32, little-endian, by row, shape first); "" if none."""
    if features is None:
        return ""
    feats = np.ascontiguousarray(features, dtype="<f4")
    return hashlib.sha256(f"{feats.shape[0]}x{feats.shape[1]}:".encode() + feats.tobytes()).hexdigest()


def _npy_sha256(features: np.ndarray) -> str:
    """SHA-256 of the .npy file numpy writes for these features: an older import entry keeps only the file's."""
    buf = io.BytesIO()
    np.save(buf, features)
    return hashlib.sha256(buf.getvalue()).hexdigest()


def _matches_npy(stored: np.ndarray, sha256: str, source: str) -> bool | None:
    """Stored features against the .npy an older entry hashed: rebuilt from the rows, else read from the file if
    it is still the one imported; None when neither can tell."""
    if _npy_sha256(stored) == sha256:
        return True
    try:
        if not source or sha256_file(source) != sha256:
            return None
        original = np.load(source, allow_pickle=False).astype(np.float32)
    except (OSError, ValueError):
        return None
    return original.shape == stored.shape and bool(np.array_equal(original, stored))


# the run's columns its import entry records, compared by ``check_runs`` (older entries lack the last three)
RECORDED = ("model", "version", "source", "source_sha256", "features_sha256", "params", "features_source",
            "aggregation")


class DetectorRepository(Repository):
    # --- runs ----------------------------------------------------------------------------------------------
    def add_run(self, *, model: str, version: str = "", params: dict | None = None, source: str = "",
                source_sha256: str = "", features_source: str = "", features_sha256: str = "",
                aggregation: str = "mean", results: list[dict], features: np.ndarray | None = None) -> int:
        """Store a run, its results (dicts of DetectorResult columns without run_id) and their features."""
        if aggregation not in AGGREGATIONS:
            raise InputError(f"aggregation {aggregation!r} is not one of {', '.join(AGGREGATIONS)}")
        if features is not None and len(features) != len(results):
            raise InputError(f"{len(features)} feature vectors for {len(results)} results")
        with self._write() as s:
            run_id = s.execute(insert(DetectorRun).values(
                model=model, version=version, params=json.dumps(params or {}, sort_keys=True), source=source,
                source_sha256=source_sha256, features_source=features_source, features_sha256=features_sha256,
                aggregation=aggregation, created_at=time.time()).returning(DetectorRun.id)).scalar_one()
            if results:  # a Core executemany: the ORM's bulk path would run one statement per row here
                s.execute(insert(DetectorResult.__table__), [{**r, "run_id": run_id} for r in results])
            if features is not None:
                feats = np.ascontiguousarray(features, dtype="<f4")
                s.execute(insert(FeatureChunk.__table__), [
                    {"run_id": run_id, "first_row": i, "rows": len(feats[i:i + FEATURE_CHUNK_ROWS]),
                     "dim": feats.shape[1], "dtype": "<f4", "data": feats[i:i + FEATURE_CHUNK_ROWS].tobytes()}
                    for i in range(0, len(feats), FEATURE_CHUNK_ROWS)])
            self._log(s, "import", f"detector_run:{run_id}", {
                "model": model, "version": version, "params": params or {}, "source": source,
                "source_sha256": source_sha256, "features_source": features_source,
                "features_sha256": features_sha256, "aggregation": aggregation, "rows": len(results),
                "media": sorted({r["media_id"] for r in results}),
                "results_digest": digest([result_row_values(r) for r in results]),
                "features_digest": features_digest(features)})
        return run_id

    def runs(self) -> list[RunRecord]:
        with self._read() as s:
            counts = dict(s.execute(select(DetectorResult.run_id, func.count()).group_by(DetectorResult.run_id)).all())
            with_features = set(s.scalars(select(FeatureChunk.run_id).distinct()))
            return [_run(r, counts.get(r.id, 0), r.id in with_features)
                    for r in s.scalars(select(DetectorRun).order_by(DetectorRun.id))]

    def run(self, run_id: int) -> RunRecord:
        with self._read() as s:
            r = s.get(DetectorRun, run_id)
            if r is None:
                raise FaceLensError(f"no detector run {run_id} in this project (see 'audit runs')")
            rows = s.scalar(select(func.count()).where(DetectorResult.run_id == run_id))
            has = s.scalar(select(func.count()).where(FeatureChunk.run_id == run_id)) > 0
            return _run(r, rows, has)

    def set_aggregation(self, run_id: int, method: str) -> None:
        if method not in AGGREGATIONS:
            raise InputError(f"aggregation {method!r} is not one of {', '.join(AGGREGATIONS)}")
        self.run(run_id)
        with self._write() as s:
            s.execute(update(DetectorRun).where(DetectorRun.id == run_id).values(aggregation=method))
            self._log(s, "aggregation", f"detector_run:{run_id}", {"aggregation": method})

    # --- results and features ------------------------------------------------------------------------------
    def results(self, run_id: int) -> ResultTable:
        q = (select(DetectorResult.id, DetectorResult.row, DetectorResult.media_id, DetectorResult.frame,
                    DetectorResult.face, DetectorResult.score, DetectorResult.label, DetectorResult.attack_type,
                    DetectorResult.split, DetectorResult.box)
             .where(DetectorResult.run_id == run_id).order_by(DetectorResult.row))
        with self._read() as s:
            rows = s.execute(q).all()
        n = len(rows)
        col = list(zip(*rows)) if rows else [()] * 10
        return ResultTable(
            id=np.array(col[0], np.int64), row=np.array(col[1], np.int64), media_id=np.array(col[2], np.int64),
            frame=np.array([-1 if v is None else v for v in col[3]], np.int64),
            face=np.array([-1 if v is None else v for v in col[4]], np.int64),
            score=np.array(col[5], np.float64), label=np.array([LABEL_CODE[v] for v in col[6]], np.int8),
            attack_type=np.array(list(col[7]) or [], dtype=object).reshape(n),
            split=np.array(list(col[8]) or [], dtype=object).reshape(n),
            box=[json.loads(b) if b else None for b in col[9]])

    def result(self, result_id: int) -> dict:
        with self._read() as s:
            r = s.get(DetectorResult, result_id)
            if r is None:
                raise FaceLensError(f"no detector result {result_id} in this project (see 'audit queue')")
            return {"id": r.id, "run_id": r.run_id, "row": r.row, "media_id": r.media_id, "frame": r.frame,
                    "face": r.face, "score": r.score, "label": r.label, "attack_type": r.attack_type,
                    "split": r.split, "box": json.loads(r.box) if r.box else None}

    def results_digest(self, run_id: int) -> str:
        t = self.results(run_id)
        label = {-1: None, 0: "bona_fide", 1: "attack"}
        return digest([[int(t.row[i]), int(t.media_id[i]), None if t.frame[i] < 0 else int(t.frame[i]),
                        None if t.face[i] < 0 else int(t.face[i]), float(t.score[i]), label[int(t.label[i])],
                        t.attack_type[i], t.split[i]] for i in range(len(t))])

    def check_runs(self, run_id: int | None = None) -> list[str]:
        """Each run (or one) against the audit entries that recorded it: its columns, results and feature vectors,
        and each imported run still in the project. One line per difference."""
        imports, aggregations = self._logged_runs()
        with self._read() as s:
            runs = {r.id: _run(r) for r in s.scalars(select(DetectorRun))}
        problems = []
        for rid in sorted(set(runs) | set(imports) if run_id is None else {run_id}):
            run, entry = runs.get(rid), imports.get(rid)
            if entry is None:
                problems += [f"detector run {rid}: has no import entry in the audit log"] if run else []
            elif run is None:
                rows = entry[1].get("rows")
                problems.append(f"detector run {rid}: imported (audit entry {entry[0]}, model "
                                f"{entry[1].get('model')!r}, {rows} result{'' if rows == 1 else 's'}) but no longer "
                                "in the project")
            else:
                problems += self._check_columns(run, entry, aggregations.get(rid))
                problems += self._check_results(rid, entry[1])
                problems += self._check_features(rid, entry[1])
        return problems

    def _logged_runs(self) -> tuple[dict, dict]:
        """{run id: (seq, payload)} of each import entry, and of the latest aggregation entry."""
        with self._read() as s:
            found = [audit.find(s, action, "detector_run:%") for action in ("import", "aggregation")]
        out = [{}, {}]
        for logged, entries in zip(out, found):
            for e in entries:
                if audit.entity_id(e.entity) is not None:
                    logged[audit.entity_id(e.entity)] = (e.seq, e.payload)
        return out[0], out[1]

    @staticmethod
    def _check_columns(run: RunRecord, entry: tuple[int, dict], aggregated: tuple[int, dict] | None) -> list[str]:
        seq, logged = entry
        expected = {name: (logged[name], seq) for name in RECORDED if name in logged}
        if aggregated:  # a later choice of aggregation is an entry of its own
            expected["aggregation"] = (aggregated[1].get("aggregation"), aggregated[0])
        diffs = [(name, getattr(run, name), then, at) for name, (then, at) in expected.items()
                 if getattr(run, name) != then]
        return [audit.changed_since(f"detector run {run.id}", diffs)] if diffs else []

    def _check_results(self, run_id: int, logged: dict) -> list[str]:
        if logged.get("results_digest") == self.results_digest(run_id):
            return []
        rows = self.run(run_id).rows
        counted = f"{rows} results, the audit log recorded {logged.get('rows')}" if rows != logged.get("rows") \
            else "they no longer match the digest in the audit log"
        return [f"detector run {run_id}: its results were changed after they were imported ({counted})"]

    def _check_features(self, run_id: int, logged: dict) -> list[str]:
        stored = self.features(run_id)
        if "features_digest" in logged:
            ok = features_digest(stored) == logged["features_digest"]
        elif logged.get("features_sha256"):  # an older entry: only the SHA-256 of the .npy imported
            source = self.run(run_id).features_source
            ok = stored is not None and _matches_npy(stored, logged["features_sha256"], source)
            if ok is None:
                return [f"detector run {run_id}: its feature vectors cannot be checked (its import entry keeps only "
                        f"the SHA-256 of {source or 'the .npy file'}, which is gone or changed, and they are not "
                        "stored as that file was)"]
        else:
            ok = stored is None
            if not ok:
                return [f"detector run {run_id}: its feature vectors cannot be checked (its import entry, written by "
                        "an older FaceLens, records no digest of them)"]
        return [] if ok else [f"detector run {run_id}: its feature vectors were changed after they were imported "
                              "(they no longer match the audit log)"]

    def features(self, run_id: int) -> np.ndarray | None:
        with self._read() as s:
            chunks = s.scalars(select(FeatureChunk).where(FeatureChunk.run_id == run_id)
                               .order_by(FeatureChunk.first_row)).all()
            if not chunks:
                return None
            return np.concatenate([np.frombuffer(c.data, dtype=c.dtype).reshape(c.rows, c.dim) for c in chunks])

    # --- verdicts ------------------------------------------------------------------------------------------
    def add_verdict(self, result_id: int, verdict: str, note: str = "", reviewer: str | None = None) -> VerdictRecord:
        if verdict not in VERDICTS:
            raise InputError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}", field="verdict")
        reviewer = reviewer_name(self.project.actor if reviewer is None else reviewer)
        result = self.result(result_id)
        now = time.time()
        with self._write() as s:
            vid = s.execute(insert(Verdict).values(result_id=result_id, verdict=verdict, note=note,
                                                   reviewer=reviewer, created_at=now)
                            .returning(Verdict.id)).scalar_one()
            record = VerdictRecord(vid, result_id, verdict, note, reviewer, now)
            self._log(s, "verdict", f"verdict:{vid}", {**record.as_dict(), "run_id": result["run_id"],
                                                        "digest": digest(record.as_dict())}, )
        return record

    def verdicts(self, run_id: int, latest_only: bool = False) -> list[VerdictRecord]:
        """The run's verdicts, oldest first; with ``latest_only`` the current one per result."""
        q = (select(Verdict).join(DetectorResult, DetectorResult.id == Verdict.result_id)
             .where(DetectorResult.run_id == run_id).order_by(Verdict.id))
        with self._read() as s:
            out = [_verdict(v) for v in s.scalars(q)]
        if latest_only:
            out = list({v.result_id: v for v in out}.values())
        return out

    def check_verdicts(self, run_id: int | None = None) -> list[str]:
        """Each verdict row against the audit entry written with it: one line per verdict that differs."""
        q = select(Verdict)
        if run_id is not None:
            q = q.join(DetectorResult, DetectorResult.id == Verdict.result_id).where(DetectorResult.run_id == run_id)
        with self._read() as s:
            rows = {v.id: _verdict(v) for v in s.scalars(q)}
            logged = {}
            for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "verdict",  # the detector verdicts only
                                                        AuditEntry.entity.like("verdict:%"))):
                try:
                    payload = json.loads(e.payload)
                except ValueError:
                    continue
                if run_id is None or payload.get("run_id") == run_id:
                    logged[payload.get("id")] = payload
        problems = []
        for vid, v in rows.items():
            entry = logged.get(vid)
            if entry is None:
                problems.append(f"verdict {vid} on result {v.result_id}: has no entry in the audit log")
            elif entry.get("digest") != digest(v.as_dict()):
                changed = [k for k in ("verdict", "note", "reviewer", "created_at", "result_id")
                           if entry.get(k) != getattr(v, k)]
                problems.append(f"verdict {vid} on result {v.result_id}: changed after it was recorded "
                                f"({', '.join(changed) or 'content'} differs from its audit entry)")
        problems += [f"verdict {vid}: recorded in the audit log but missing from the project"
                     for vid in logged if vid not in rows]
        return problems
