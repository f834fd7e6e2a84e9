"""Audit reports (HTML or PDF, chosen by the file's extension) and checking one against the project."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from annotation.errors import InputError
from engine.audit.report.data import ReportSettings, collect
from engine.audit.report.html import write_html
from engine.audit.report.manifest import manifest_digest
from engine.audit.report.pdf import write_pdf

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
    data = collect(project, run_id, settings)
    manifest = writer(data, out)
    project.audit.append("report", f"detector_run:{run_id}", {"path": str(out.resolve()),
                                                               "manifest_digest": manifest_digest(manifest)})
    return manifest
