"""The project's audit log: appending inside a change's own transaction, reading, and checking the chain."""
from __future__ import annotations

import threading

from storage import audit
from storage.repository import Repository


class AuditRepository(Repository):
    def __init__(self, project):
        super().__init__(project)
        # The hashes of the entries this program appended and no one has asked about yet (see written_elsewhere):
        # noted before the commit, so an entry is never seen without its note.
        self._written_here: set[str] = set()
        # Videos whose propagation this program's helper process stores (engine.segmentation.writer_process): its
        # entries are this program's too, though another process writes them. Video -> the hashes of those read.
        self._helpers: dict[int, set[str]] = {}
        self._helpers_lock = threading.Lock()

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
            elif not self._by_helper(e):
                elsewhere.append(e)
        return elsewhere, (new[-1].seq if new else after)

    def written_here(self) -> set[str]:
        """The hashes of the entries this program appended that no one has read through ``written_elsewhere``."""
        return set(self._written_here)

    def helper_stores(self, media_id: int) -> None:
        """From now on this program's helper process stores the propagation of video ``media_id`` (no other program
        can meanwhile: the video's lock, ``storage.video_locks``)."""
        with self._helpers_lock:
            self._helpers.setdefault(media_id, set())

    def helper_stored(self, media_id: int, hashes) -> None:
        """The helper is done with ``media_id``; ``hashes``: its entries, this program's when read later."""
        with self._helpers_lock:
            read = self._helpers.pop(media_id, set())
        self._written_here.update(set(hashes) - read)

    def _by_helper(self, e: audit.AuditRecord) -> bool:
        media = e.payload.get("media") if e.action == "propagate" and e.entity == "annotations" else None
        with self._helpers_lock:
            if not isinstance(media, list) or len(media) != 1 or media[0] not in self._helpers:
                return False
            self._helpers[media[0]].add(e.hash)
            return True

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
