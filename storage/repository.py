"""What every repository shares: a project, and sessions that commit as each method returns."""
from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING

from storage.audit import canonical_json
from storage.db import read_session, write_session

if TYPE_CHECKING:
    from storage.project import Project


class Repository:
    def __init__(self, project: "Project"):
        self.project = project

    def _write(self):
        return write_session(self.project.engine)

    def _read(self):
        return read_session(self.project.engine)

    def _log(self, session, action: str, entity: str, payload: dict | None = None) -> None:
        self.project.audit.append_in(session, action, entity, payload)


def digest(value) -> str:
    """SHA-256 of a record's canonical JSON: the audit log keeps this, so a later edit of the row shows."""
    return hashlib.sha256(canonical_json(value).encode("utf-8")).hexdigest()
