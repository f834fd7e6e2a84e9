"""What the command-line modules share: opening a project, printing a result as text or JSON, finding a
media item, waiting for an engine job. Errors are raised as ``FaceLensError`` so ``main.py`` prints one line."""
from __future__ import annotations

import json
import sys

from annotation.errors import FaceLensError


def open_project(path, reading: bool = False):
    """The project at ``path``; ``reading``: for a command that only reads it, which also works where the project
    cannot be written (read-only media)."""
    from storage.project import Project

    return Project.open_for_reading(path) if reading else Project.open(path)


def print_result(args, data: dict, text: str) -> None:
    """``data`` as JSON with --json, else the human-readable ``text``."""
    print(json.dumps(data) if getattr(args, "json", False) else text)


def media_or_error(project, media_id: int):
    item = project.media.get(media_id)
    if item is None:
        ids = [m.id for m in project.media.all()]
        raise FaceLensError(f"{project.root}: no media {media_id} in this project"
                            f" (it has {', '.join(map(str, ids)) if ids else 'none'})")
    return item


def wait_for(handle) -> object:
    """The job's value; a job's error as one line; Ctrl-C cancels the job (what it finished stays)."""
    try:
        result = handle.result()
    except KeyboardInterrupt:
        handle.cancel()
        handle.result()
        raise
    if result.error:
        if _is_database_error(result.exception):  # main() says these in one line naming project.db
            raise result.exception
        raise FaceLensError(result.error)
    return result.value


def _is_database_error(e: BaseException | None) -> bool:
    if e is None or "sqlalchemy" not in sys.modules:
        return False
    from sqlalchemy.exc import DatabaseError

    return isinstance(e, DatabaseError)


def numbers(text: str, count: tuple[int, ...], what: str, form: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) not in count:
        raise FaceLensError(f"--{what} {text!r}: expected {form}")
    return values
