"""Importing images and videos into a project: single files or whole folders, recursively.

Each file is hashed and probed; a file whose SHA-256 the project already has is reported as a duplicate;
an unreadable or truncated file is reported with the reason and skipped while the rest import. Files are
committed in batches, so an interrupted import keeps what it finished.
"""
from __future__ import annotations

import errno
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from annotation.errors import InputError
from storage.media.hashing import sha256_file
from storage.media.kinds import expected_kinds, media_kind
from storage.media.library import index_path, thumbnail_path
from storage.media.probe import Probe, probe
from storage.media.thumbnails import write_thumbnail
from storage.media.video import VideoReader

if TYPE_CHECKING:
    from storage.project import Project

BATCH = 100


@dataclass
class ImportReport:
    imported: list[tuple[int, str]] = field(default_factory=list)  # (media id, path)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (path, id of the media it duplicates)
    relinked: list[tuple[int, str]] = field(default_factory=list)  # (media id, its new stored path)
    cancelled: bool = False

    def to_json(self) -> dict:
        return {"imported": [{"id": i, "path": p} for i, p in self.imported],
                "skipped": [{"path": p, "reason": r} for p, r in self.skipped],
                "duplicates": [{"path": p, "id": i} for p, i in self.duplicates],
                "relinked": [{"id": i, "path": p} for i, p in self.relinked]}

    def summary(self) -> str:
        parts = [f"{len(self.imported)} imported"]
        if self.relinked:
            parts.append(f"{len(self.relinked)} relinked")
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} already in the project")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts) + (" (cancelled)" if self.cancelled else "")


def collect_files(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Media files named directly or found in folders (recursively, in name order), and paths that are not."""
    files, skipped = [], []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            for dirpath, dirnames, filenames in os.walk(p):
                dirnames.sort()
                dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                files.extend(Path(dirpath) / f for f in sorted(filenames) if media_kind(f))
        elif p.is_file():
            if media_kind(p):
                files.append(p)
            else:
                skipped.append((str(p), f"not {expected_kinds()}"))
        else:
            skipped.append((str(p), "no such file or folder"))
    return files, skipped


@dataclass
class _Examined:
    path: Path
    sha256: str | None = None
    probe: Probe | None = None
    error: str | None = None


def _examine(path: Path) -> _Examined:
    try:
        sha = sha256_file(path)
    except OSError as e:
        return _Examined(path, error=f"cannot read: {e.strerror}")
    try:
        return _Examined(path, sha, probe(path))
    except InputError as e:
        return _Examined(path, sha, error=str(e).split(": ", 1)[-1])


def _copy_into(project: "Project", path: Path) -> Path:
    target = project.media_dir / path.name
    i = 1
    while target.exists():
        target = project.media_dir / f"{path.stem}-{i}{path.suffix}"
        i += 1
    tmp = target.with_name(target.name + ".part")
    try:
        shutil.copy2(path, tmp)
        tmp.replace(target)
    except OSError as e:  # a full disk, say: no half copy left in media/, and the import stops saying why
        tmp.unlink(missing_ok=True)
        full = "; free some disk space" if e.errno == errno.ENOSPC else ""
        raise InputError(f"cannot copy it into {project.media_dir}: {e.strerror or e}{full}", path=str(path)) from None
    return target


def import_paths(project: "Project", paths: Iterable[str | Path], copy: bool = False,
                 progress: Callable[[int, int], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> ImportReport:
    project.refuse_if_read_only("import into it")
    files, skipped = collect_files(paths)
    report = ImportReport(skipped=skipped)
    known = project.media.known_hashes()
    done = 0
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        for start in range(0, len(files), BATCH):
            if cancelled and cancelled():
                report.cancelled = True
                break
            batch = files[start:start + BATCH]
            rows, sources = [], []
            same_batch: dict[str, list[str]] = {}  # a second copy of a file that this batch imports
            for ex in pool.map(_examine, batch):
                if ex.error:
                    report.skipped.append((str(ex.path), ex.error))
                elif ex.sha256 in known:  # a media's file moved here (its own is gone), or a duplicate
                    moved = project.media.relink_if_missing(known[ex.sha256], ex.path, ex.sha256)
                    if moved is not None:
                        report.relinked.append((moved.id, moved.path))
                    else:
                        report.duplicates.append((str(ex.path), known[ex.sha256]))
                elif ex.sha256 in same_batch:
                    same_batch[ex.sha256].append(str(ex.path))
                else:
                    same_batch[ex.sha256] = []
                    try:
                        stored = _copy_into(project, ex.path) if copy else ex.path
                    except InputError:  # this batch's copies are not in the project: none stays in media/
                        for _ex, copied in sources if copy else ():
                            copied.unlink(missing_ok=True)
                        raise
                    pr = ex.probe
                    rows.append(dict(kind=pr.kind, path=project.stored_path(stored), sha256=ex.sha256,
                                     size_bytes=ex.path.stat().st_size, width=pr.width, height=pr.height,
                                     fps=pr.fps, frame_count=pr.frame_count, duration=pr.duration, codec=pr.codec,
                                     rotation=pr.rotation))
                    sources.append((ex, stored))
            added = list(zip(project.media.add_many(rows), sources))
            for item, (ex, stored) in added:
                known[item.sha256] = item.id
                report.imported.append((item.id, str(ex.path)))
                report.duplicates.extend((p, item.id) for p in same_batch[item.sha256])
            # Thumbnails and frame indexes are separate files: made in parallel (PIL and PyAV release the GIL).
            list(pool.map(lambda a: _derive(project, a[0].sha256, a[1][1], a[1][0].probe), added))
            done += len(batch)
            if progress:
                progress(done, len(files))
    return report


def _derive(project: "Project", sha256: str, path: Path, pr: Probe) -> None:
    """Cache what later views need: the frame index of a video, a thumbnail of everything."""
    try:
        if pr.index is not None:
            pr.index.save(index_path(project, sha256))
            with VideoReader(path, pr.index, threads=False, rotation=pr.rotation) as r:
                write_thumbnail(thumbnail_path(project, sha256), rgb=r.read(0))
        else:
            write_thumbnail(thumbnail_path(project, sha256), source=path)
    except (OSError, InputError):
        pass  # the cache is rebuilt on demand; a failure here must not fail the import
