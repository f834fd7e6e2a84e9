"""The project's audit log: appending inside a change's own transaction, reading, and checking the chain."""
from __future__ import annotations

from storage import audit
from storage.repository import Repository


class AuditRepository(Repository):
    def append_in(self, session, action: str, entity: str, payload: dict | None = None,
                  actor: str | None = None) -> audit.AuditRecord:
        return audit.append(session, actor or self.project.actor, action, entity, payload)

    def append(self, action: str, entity: str, payload: dict | None = None, actor: str | None = None):
        with self._write() as s:
            return self.append_in(s, action, entity, payload, actor)

    def entries(self, after: int = 0, limit: int | None = None) -> list[audit.AuditRecord]:
        with self._read() as s:
            return audit.entries(s, after, limit)

    def head(self) -> audit.AuditRecord | None:
        with self._read() as s:
            return audit.head(s)

    def find(self, action: str, entity: str) -> list[audit.AuditRecord]:
        with self._read() as s:
            return audit.find(s, action, entity)

    def count(self) -> int:
        with self._read() as s:
            return audit.count(s)

    def check_head(self, noted: audit.NotedHead) -> list[str]:
        with self._read() as s:
            return audit.check_head(s, noted)

    def verify(self) -> list[str]:
        with self._read() as s:
            return audit.verify_chain(s)
