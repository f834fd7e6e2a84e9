"""``verify``: does the project still hold what it recorded? SQLite's integrity check, the SHA-256 of every
media file, and the audit chain. Each problem is one line naming what is wrong."""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from storage.media.hashing import sha256_file

if TYPE_CHECKING:
    from storage.project import Project


def verify_project(project: "Project", progress: Callable[[int, int], None] | None = None) -> list[str]:
    problems: list[str] = []
    try:
        problems += _database(project)
        problems += _media_files(project, progress)
        problems += project.audit.verify()
        # the chain vouches for its entries; these compare the rows the entries describe with them
        problems += project.detectors.check_results()
        problems += project.detectors.check_verdicts()
    except DatabaseError as e:  # a damaged file fails part-way: say so instead of a traceback
        problems.append(database_problem(e))
    return problems


def database_problem(error: DatabaseError) -> str:
    """One line for a database SQLite could not read."""
    reason = str(getattr(error, "orig", None) or error).strip()
    if any(word in reason for word in ("malformed", "not a database", "corrupt")):
        return f"database: the file is damaged ({reason})"
    return f"database: cannot be read ({reason})"


def _database(project: "Project") -> list[str]:
    with project.engine.connect() as conn:
        rows = [r[0] for r in conn.execute(text("PRAGMA integrity_check"))]
    return [] if rows == ["ok"] else [f"database: {r}" for r in rows]


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
