"""``verify``: does the project still hold what it recorded? SQLite's integrity and foreign-key checks, every media
record against the entry that imported it, the SHA-256 of every media file, the audit chain, and the detector runs
and verdicts against their entries. Each problem is one line naming what is wrong."""
from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from storage.audit import NotedHead, changed_since, entity_id
from storage.media.hashing import sha256_file

if TYPE_CHECKING:
    from storage.project import Project

# Free space under which SQLite's bare "disk I/O error" means a full disk (it could not make its -shm file, 32 KB,
# or grow its -wal file); above it the disk itself failed.
FULL_DISK_BYTES = 16 * 2 ** 20


def verify_project(project: "Project", progress: Callable[[int, int], None] | None = None,
                   head: NotedHead | None = None) -> list[str]:
    """Every problem found, one line each; ``head``: a chain head noted earlier, which must still be in the chain."""
    problems: list[str] = []
    try:
        problems += _database(project)
        problems += _media_files(project, progress)
        problems += check_media(project)
        problems += project.audit.verify()
        problems += project.audit.check_head(head) if head else []
        # the chain vouches for its entries; these compare the rows the entries describe with them
        problems += project.detectors.check_runs()
        problems += project.detectors.check_verdicts()
    except DatabaseError as e:  # a damaged file fails part-way: say so instead of a traceback
        problems.append(database_problem(e, project.root))
    return problems


def summary(project: "Project") -> dict:
    """What ``verify`` checked, with the chain's head to note down; None for what a damaged database cannot give."""
    try:
        last = project.audit.head()
        return {"media": project.media.count(), "audit_entries": project.audit.count(),
                "audit_head": {"seq": last.seq, "hash": last.hash} if last else None}
    except DatabaseError:
        return {"media": None, "audit_entries": None, "audit_head": None}


def disk_is_full(error: DatabaseError, folder: Path) -> bool:
    """Whether SQLite failed for want of space on ``folder``'s disk (in its words, or as a bare "disk I/O error"
    with next to nothing free)."""
    reason = str(getattr(error, "orig", None) or error)
    if "disk is full" in reason:
        return True
    free = _free_bytes(folder) if "disk I/O error" in reason else None
    return free is not None and free < FULL_DISK_BYTES


def database_problem(error: DatabaseError, folder: Path | None = None) -> str:
    """One line for a database SQLite could not read; ``folder``: the project's, whose disk is looked at when
    SQLite says only "disk I/O error" (what it says of a full disk when it cannot even make its -shm file)."""
    reason = str(getattr(error, "orig", None) or error).strip()
    if "disk I/O error" in reason and folder is not None:
        free = _free_bytes(folder)
        if free is not None and free < FULL_DISK_BYTES:
            return f"database: cannot be used ({reason}): its disk is full ({_size(free)} free); " \
                   f"free some disk space"
        if free is not None:
            return f"database: cannot be used ({reason}): the disk failed a read or write though " \
                   f"{_size(free)} are free; check the disk, then run 'verify'"
    if any(word in reason for word in ("malformed", "not a database", "corrupt")):
        return f"database: the file is damaged ({reason})"
    if "readonly" in reason or "read-only" in reason:
        return f"database: cannot be written ({reason}); check the permissions of project.db and its folder"
    if "unable to open" in reason:
        return (f"database: cannot be opened ({reason}); SQLite must read project.db and create its -wal and -shm "
                f"files beside it: check that the folder can be written (its permissions, or a read-only disk or "
                f"share: `info` and `verify` read such a project where it lies)")
    if "disk is full" in reason:
        return f"database: cannot be written ({reason}); free some disk space"
    if "locked" in reason:
        return f"database: is busy ({reason}); another program is writing to it: try again when it is done"
    return f"database: cannot be read ({reason})"


def _size(n: int) -> str:
    return f"{n // 1024} KB" if n < 2 ** 20 else f"{n / 2 ** 20:.0f} MB"


def _free_bytes(folder: Path) -> int | None:
    try:
        return shutil.disk_usage(folder).free
    except OSError:
        return None


def _database(project: "Project") -> list[str]:
    with project.engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
        problems = [] if rows == ["ok"] else [f"database: {r}" for r in rows]
        return problems + _dangling(conn)


PARENT_WORDS = {"media": "media", "detector_results": "result", "detector_runs": "detector run"}


def _dangling(conn) -> list[str]:
    """Rows whose foreign key names a row that is gone (deleted with the foreign keys off), one line per target."""
    groups = defaultdict(list)
    for table, rowid, parent, fk in conn.exec_driver_sql("PRAGMA foreign_key_check"):
        groups[(table, parent, fk)].append(rowid)
    problems = []
    for (table, parent, fk), rowids in sorted(groups.items()):
        column = next(r[3] for r in conn.exec_driver_sql(f'PRAGMA foreign_key_list("{table}")') if r[0] == fk)
        owner = "run_id" if table == "detector_results" else "NULL"  # results are told by run
        marks = ",".join("?" * len(rowids))
        found = conn.exec_driver_sql(f'SELECT {owner}, "{column}", count(*) FROM "{table}" WHERE rowid IN ({marks}) '
                                     f'GROUP BY 1, 2 ORDER BY 1, 2', tuple(rowids)).all()
        target = PARENT_WORDS.get(parent, parent.replace("_", " "))
        for run, value, n in found:
            what = f"detector run {run}: {n} result" if run is not None else f"{table.replace('_', ' ')}: {n} row"
            problems.append(f"{what}{'s point' if n > 1 else ' points'} to {target} {value}, which is gone")
    return problems


def check_media(project: "Project", ids: Iterable[int] | None = None) -> list[str]:
    """Each media record (all, or ``ids``) against the import entry that recorded its path and SHA-256 (and the
    relink entries that moved its path since, for the same file): a file swapped together with its recorded hash
    shows here, as does a record added or removed behind FaceLens's back."""
    logged, problems = {}, []
    for entry in project.audit.find("import", "media"):
        for m in entry.payload.get("media", []):
            if m.get("id") in logged:  # FaceLens never deletes media: an id imported twice means a row was replaced
                problems.append(f"media {m['id']}: imported twice (audit entries {logged[m['id']][0]} and "
                                f"{entry.seq}); the first record was removed behind FaceLens's back")
            logged[m.get("id")] = (entry.seq, m)
    for entry in project.audit.find("relink", "media:%"):  # a moved file's record follows it, with an entry
        mid = entity_id(entry.entity)
        if mid in logged and entry.payload.get("sha256") == logged[mid][1].get("sha256"):
            logged[mid] = (entry.seq, {**logged[mid][1], "path": entry.payload.get("to")})
    rows = {m.id: m for m in project.media.all()}
    for mid in sorted(set(rows) | set(logged) if ids is None else set(ids)):
        item, (seq, m) = rows.get(mid), logged.get(mid, (None, None))
        if item is None and m is None:  # asked about by a result whose media never existed
            problems.append(f"media {mid}: neither in the project nor in the audit log")
        elif m is None:
            problems.append(f"media {mid} ({item.path}): has no import entry in the audit log")
        elif item is None:
            problems.append(f"media {mid} ({m.get('path')}): imported (audit entry {seq}) but no longer in the project")
        else:
            diffs = [(name, now, m.get(key), seq) for name, key, now in
                     (("SHA-256", "sha256", item.sha256), ("path", "path", item.path)) if now != m.get(key)]
            if diffs:
                problems.append(changed_since(f"media {mid} ({item.path})", diffs))
    return problems


def _media_files(project: "Project", progress: Callable[[int, int], None] | None) -> list[str]:
    """Each media file against the SHA-256 and size its row records."""
    problems = []
    media = project.media.all()
    for i, item in enumerate(media, 1):
        path = project.absolute_path(item.path)
        if not path.is_file():
            problems.append(f"media {item.id} ({item.path}): file is missing")
        else:
            size = path.stat().st_size
            if size != item.size_bytes:
                problems.append(f"media {item.id} ({item.path}): file changed (size {size} bytes, "
                                f"recorded {item.size_bytes})")
            elif sha256_file(path) != item.sha256:
                problems.append(f"media {item.id} ({item.path}): file changed (SHA-256 differs from the recorded "
                                f"{item.sha256[:12]}…)")
        if progress:
            progress(i, len(media))
    return problems
