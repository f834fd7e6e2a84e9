"""Engine jobs the window starts. Each is a thin wrapper over storage functions: it reports progress and
yields between pieces of work, so it can be cancelled and an interactive job can go first."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from storage.media.importer import ImportReport, collect_files, import_paths
from storage.verify import verify_project

IMPORT_CHUNK = 16  # files per step: progress moves and Cancel answers within one chunk


def import_job(project, paths: Iterable[str | Path], copy: bool = False):
    """The job, and the report it fills in as it goes (so a cancelled import still says what it did)."""
    paths = [Path(p) for p in paths]
    report = ImportReport()

    def job(ctx):
        files, skipped = collect_files(paths)
        report.skipped.extend(skipped)
        total = len(files)
        ctx.progress(0, total or None, f"{total} files")
        for start in range(0, total, IMPORT_CHUNK):
            if ctx.cancelled:
                report.cancelled = True
                break
            part = import_paths(project, files[start:start + IMPORT_CHUNK], copy=copy)
            report.imported += part.imported
            report.duplicates += part.duplicates
            report.skipped += part.skipped
            ctx.progress(min(start + IMPORT_CHUNK, total), total, f"{len(report.imported)} imported")
            yield
        return report

    return job, report


def verify_job(project):
    def job(ctx):
        return verify_project(project, progress=lambda done, total: ctx.progress(done, total, "checking media"))

    return job


def export_job(project, name: str, out: Path):
    """Export in the format ``name`` (see ``storage.export.EXPORTERS``) to ``out``."""
    from storage.export import run_export

    def job(ctx):
        def progress(done, total, what):
            ctx.check()  # Cancel: the exporter removes what it had written; an earlier export stays as it was
            ctx.progress(done, total, what)

        ctx.progress(0, None, str(out.name))
        return run_export(project, name, out, progress=progress)

    return job
