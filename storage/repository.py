"""What every repository shares: a project, and sessions that commit as each method returns."""
from __future__ import annotations

import hashlib
from contextlib import contextmanager
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from annotation.errors import InputError

from storage.audit import canonical_json
from storage.db import read_session, write_session

if TYPE_CHECKING:
    from storage.project import Project


class Repository:
    def __init__(self, project: "Project"):
        self.project = project

    def _write(self):
        # (a project opened read-only: said in words before SQLite's "attempt to write a readonly database")
        self.project.refuse_if_read_only()
        return write_session(self.project.engine)

    def _read(self):
        return read_session(self.project.engine)

    def _log(self, session, action: str, entity: str, payload: dict | None = None) -> None:
        self.project.audit.append_in(session, action, entity, payload)

    @contextmanager
    def _putting_back(self, what: str):
        """An undo or redo that puts ``what`` ("track 3") back: a constraint the project holds it to now (its
        media gone, its id taken) is said in the user's words; the transaction rolled back, nothing changed."""
        try:
            yield
        except IntegrityError as e:
            raise InputError(f"{what} cannot be put back: the project refused it ({e.orig}); nothing was "
                             "changed") from None


def digest(value) -> str:
    """SHA-256 of a record's canonical JSON: the audit log keeps this, so a later edit of the row shows."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
