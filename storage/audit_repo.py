"""The project's audit log: appending inside a change's own transaction, reading, and checking the chain."""
from __future__ import annotations

from storage import audit
from storage.repository import Repository


class AuditRepository(Repository):
    def __init__(self, project):
        super().__init__(project)
        # The hashes of the entries this program appended and no one has asked about yet (see written_elsewhere):
        # noted before the commit, so an entry is never seen without its note.
        self._written_here: set[str] = set()

    def append_in(self, session, action: str, entity: str, payload: dict | None = None,
                  actor: str | None = None) -> audit.AuditRecord:
        record = audit.append(session, actor or self.project.actor, action, entity, payload)
        self._written_here.add(record.hash)
        return record

    def last_seq(self) -> int:
        """The number of the newest entry (0 for none): every change to the project brings one."""
        with self._read() as s:
            return audit.last_seq(s)

    def written_elsewhere(self, after: int) -> tuple[list[audit.AuditRecord], int]:
        """The entries after number ``after`` that another program wrote (the command line, a second window),
        and the number of the newest entry read: what a window showing the project has yet to show."""
        new = self.entries(after)
        elsewhere = []
        for e in new:
            if e.hash in self._written_here:
                self._written_here.discard(e.hash)
            else:
                elsewhere.append(e)
        return elsewhere, (new[-1].seq if new else after)

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
