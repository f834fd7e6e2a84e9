"""Does a report still match the project? Everything its manifest vouches for is computed again from the
project and compared: the run's results, the metrics, the confidence flags, the queue, every verdict, the
SHA-256 of every media file (as recorded and as the file is now), and the audit chain up to the report's head.
The run, its verdicts and its media records are also checked against the audit entries that recorded them, so a
report written from rows edited behind FaceLens's back does not check out. Each difference is one line.
"""
from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from annotation.errors import FaceLensError
from engine.audit.report import run_problems
from engine.audit.report.data import EDGE_THRESHOLDS, FORMAT, ReportSettings, vouched
from engine.audit.report.manifest import manifest_digest, read_manifest
from storage.media.hashing import sha256_file

if TYPE_CHECKING:
    from storage.project import Project

TOLERANCE = 1e-9


def _same(a, b) -> bool:
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or isinstance(a, (str, dict, list)) or isinstance(b, (str, dict, list)):
            return a == b
        return math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=1e-12)
    return a == b


def _diff(report, project, path: str) -> list[str]:
    if isinstance(report, dict) and isinstance(project, dict):
        out = []
        for k in sorted(set(report) | set(project), key=str):
            out += _diff(report.get(k), project.get(k), f"{path}.{k}")
        return out
    if isinstance(report, list) and isinstance(project, list) and len(report) == len(project):
        return [d for i, (a, b) in enumerate(zip(report, project)) for d in _diff(a, b, f"{path}[{i}]")]
    if _same(report, project):
        return []
    return [f"{path}: the report says {_show(report)}, the project now gives {_show(project)}"]


def _show(v) -> str:
    text = json.dumps(v, sort_keys=True)
    return text if len(text) <= 80 else text[:77] + "..."


def _verdict_text(v: dict) -> str:
    note = f", note {v['note']!r}" if v.get("note") else ""
    return f"{v['verdict']} by {v['reviewer']}{note}"


def _verdicts(report: list[dict], project: list[dict]) -> list[str]:
    out = []
    theirs = {v["id"]: v for v in project}
    ours = {v["id"]: v for v in report}
    for vid, v in ours.items():
        p = theirs.get(vid)
        if p is None:
            out.append(f"verdict {vid} on result {v['result_id']} ({_verdict_text(v)}) is in the report but not in "
                       "the project")
        elif any(not _same(v.get(k), p.get(k)) for k in set(v) | set(p)):
            out.append(f"verdict {vid} on result {v['result_id']}: the report says {_verdict_text(v)}, the project "
                       f"says {_verdict_text(p)}")
    for vid, p in theirs.items():
        if vid not in ours:
            out.append(f"verdict {vid} on result {p['result_id']} ({_verdict_text(p)}) was recorded after the "
                       "report and is not in it")
    return out


def _flagged(report: list[dict], project: list[dict]) -> list[str]:
    out = []
    ours, theirs = {f["result_id"]: f for f in report}, {f["result_id"]: f for f in project}
    for rid, f in ours.items():
        p = theirs.get(rid)
        if p is None:
            out.append(f"result {rid}: flagged in the report ({', '.join(f['reasons'])}) but not in the project now")
        elif f["reasons"] != p["reasons"] or not _same(f["risk"], p["risk"]):
            out.append(f"result {rid}: the report flags it for {', '.join(f['reasons'])} (risk {f['risk']}), the "
                       f"project now for {', '.join(p['reasons'])} (risk {p['risk']})")
    out += [f"result {rid}: flagged in the project now ({', '.join(p['reasons'])}) but not in the report"
            for rid, p in theirs.items() if rid not in ours]
    return out


def _media(project: "Project", report: list[dict]) -> list[str]:
    out = []
    for m in report:
        item = project.media.get(m["id"])
        if item is None:
            out.append(f"media {m['id']} ({m['path']}): no longer in the project")
            continue
        if item.sha256 != m["sha256"]:
            out.append(f"media {m['id']} ({m['path']}): the report's SHA-256 {m['sha256'][:12]}... differs from the "
                       f"project's {item.sha256[:12]}...")
        path = project.absolute_path(item.path)
        if not path.is_file():
            out.append(f"media {m['id']} ({m['path']}): the file is missing")
        elif sha256_file(path) != m["sha256"]:
            out.append(f"media {m['id']} ({m['path']}): the file changed (its SHA-256 is not the report's "
                       f"{m['sha256'][:12]}...)")
    return out


def _audit(project: "Project", manifest: dict) -> list[str]:
    out = list(project.audit.verify())
    head = manifest.get("audit_head")
    if head:
        entry = next(iter(project.audit.entries(after=head["seq"] - 1, limit=1)), None)
        if entry is None or entry.seq != head["seq"] or entry.hash != head["hash"]:
            out.append(f"audit chain: the report's head (entry {head['seq']}, {head['hash'][:12]}...) is not in the "
                       "project's chain")
    digest = manifest_digest(manifest)
    if not any(e.action == "report" and e.payload.get("manifest_digest") == digest
               for e in project.audit.entries(after=head["seq"] if head else 0)):
        out.append("audit chain: no entry records this report being written (was its manifest edited?)")
    return out


def _entry(project: "Project", seq: int):
    return next((e for e in project.audit.entries(after=seq - 1, limit=1) if e.seq == seq), None)


def _same_project(project: "Project", manifest: dict, path) -> None:
    """Stop at once on a report of another project: every difference listed after this would only say that."""
    start = (manifest.get("project") or {}).get("chain_start")
    if start:
        entry = _entry(project, start["seq"])
        if entry is not None and entry.hash != start["hash"]:
            raise FaceLensError(f"{path}: the report belongs to a different project (its audit chain starts with "
                                f"{start['hash'][:12]}…, this project's with {entry.hash[:12]}…)")
        return
    head = manifest.get("audit_head")  # a report from before reports named their project: its head tells, if there
    entry = _entry(project, head["seq"]) if head else None
    if entry is not None and entry.hash != head["hash"]:
        raise FaceLensError(f"{path}: the report belongs to a different project, or this project's audit log was "
                            f"rewritten (its entry {head['seq']} is {entry.hash[:12]}…, the report's head "
                            f"{head['hash'][:12]}…)")


def verify_report(project: "Project", path: str | Path) -> list[str]:
    manifest, page_digest = read_manifest(path)
    if manifest.get("format") not in (FORMAT, EDGE_THRESHOLDS):
        raise FaceLensError(f"{path}: a report format this FaceLens does not know ({manifest.get('format')!r})")
    _same_project(project, manifest, path)
    problems = []
    if manifest["format"] == EDGE_THRESHOLDS:
        # Its metrics, flags and queue follow from thresholds this version no longer chooses: they are not
        # compared (they would all differ); everything else is, and the report is not vouched for.
        problems.append("the report was written by an earlier FaceLens (report format 1), which put the EER and "
                        "min-HTER thresholds at the edge of their range, not in its middle: its metrics and flags "
                        "cannot be recomputed; its run, verdicts, media and audit chain are checked")
    if page_digest is not None and manifest.get("body_sha256") != page_digest:
        problems.append("the report's page was edited after it was written (its text no longer matches its manifest)")
    run_id = manifest["run"]["id"]
    problems += run_problems(project, run_id)  # a report written from edited rows matches them, not the log
    try:
        body, _ = vouched(project, run_id, ReportSettings.from_json(manifest.get("settings", {})))
    except FaceLensError as e:
        return problems + [str(e)]
    recomputable = manifest["format"] == FORMAT
    for key in ("run", "metrics", "confidence") if recomputable else ("run",):
        problems += _diff(manifest.get(key), body.get(key), key)
    if recomputable:
        problems += _flagged(manifest.get("flagged", []), body["flagged"])
    problems += _verdicts(manifest.get("verdicts", []), body["verdicts"])
    problems += _media(project, manifest.get("media", []))
    problems += _audit(project, manifest)
    return problems
