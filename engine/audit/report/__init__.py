"""Audit reports (HTML or PDF, chosen by the file's extension) and checking one against the project."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from annotation.errors import FaceLensError, InputError
from engine.audit.report.data import ReportSettings, collect
from engine.audit.report.html import write_html
from engine.audit.report.manifest import manifest_digest
from engine.audit.report.pdf import write_pdf
from storage.verify import check_media

if TYPE_CHECKING:
    from storage.project import Project

WRITERS = {".html": write_html, ".htm": write_html, ".pdf": write_pdf}


def write_report(project: "Project", run_id: int, out: str | Path, settings: ReportSettings | None = None) -> dict:
    """Write the report and record it in the audit log; returns its manifest."""
    out = Path(out)
    writer = WRITERS.get(out.suffix.lower())
    if writer is None:
        raise InputError(f"expected a report file ending in {', '.join(sorted(WRITERS))}", path=str(out))
    if not out.parent.is_dir():
        raise InputError("the folder does not exist", path=str(out.parent))
    project.refuse_if_read_only("write a report from it (every report is logged in its audit chain)")
    _refuse_if_changed(project, run_id)
    data = collect(project, run_id, settings)
    manifest = writer(data, out)
    try:
        project.audit.append("report", f"detector_run:{run_id}", {"path": str(out.resolve()),
                                                                   "manifest_digest": manifest_digest(manifest)})
    except Exception:  # (a disk that filled up): a report the chain does not record would look tampered with
        out.unlink(missing_ok=True)
        raise
    return manifest


def run_problems(project: "Project", run_id: int) -> list[str]:
    """What ``verify`` finds wrong with one run: its columns, results and features, its verdicts and its media
    records, each against the audit entries that recorded them."""
    media = sorted(set(project.detectors.results(run_id).media_id.tolist()))
    return (project.detectors.check_runs(run_id) + project.detectors.check_verdicts(run_id)
            + check_media(project, media))


def _refuse_if_changed(project: "Project", run_id: int) -> None:
    """A report vouches for what the project holds now: written from rows edited behind FaceLens's back, it would
    vouch for the edit, and check out against it later."""
    project.detectors.run(run_id)  # no such run: say so first
    problems = run_problems(project, run_id)
    if problems:
        first = problems[0].removeprefix(f"detector run {run_id}: ")
        raise FaceLensError(f"detector run {run_id}: no report written, because the run no longer matches the audit "
                            f"log: {first}; 'verify' lists every difference")
