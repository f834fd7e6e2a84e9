"""The append-only audit log, hash-chained so that anyone can check that no entry was changed or removed.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's own fields, in a canonical JSON
form (sorted keys, no spaces, UTF-8). Editing, deleting or reordering any entry breaks every hash after it,
and ``verify_chain`` names the first entry that no longer fits. Entries cut off the end leave a shorter chain that
still holds: no chain can vouch for its own length, so ``check_head`` compares a head noted elsewhere.
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from annotation.errors import InputError
from storage.models import AuditEntry

GENESIS = "0" * 64


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def entry_hash(prev_hash: str, seq: int, time: str, actor: str, action: str, entity: str, payload: str) -> str:
    body = canonical_json([seq, time, actor, action, entity, payload])
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    time: str
    actor: str
    action: str
    entity: str
    payload: dict
    prev_hash: str
    hash: str


def _record(row: AuditEntry) -> AuditRecord:
    try:
        payload = json.loads(row.payload)
    except ValueError:
        payload = {"unreadable": row.payload}
    return AuditRecord(row.seq, row.time, row.actor, row.action, row.entity, payload, row.prev_hash, row.hash)


def append(session: Session, actor: str, action: str, entity: str, payload: dict | None = None) -> AuditRecord:
    """Add an entry in the caller's write transaction, so the change and its entry commit together."""
    last = session.execute(select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    time = datetime.now(timezone.utc).isoformat(timespec="microseconds")
    text = canonical_json(payload or {})
    digest = entry_hash(prev, seq, time, actor, action, entity, text)
    row = AuditEntry(seq=seq, time=time, actor=actor, action=action, entity=entity, payload=text,
                     prev_hash=prev, hash=digest)
    session.add(row)
    session.flush()
    return _record(row)


def entries(session: Session, after: int = 0, limit: int | None = None) -> list[AuditRecord]:
    q = select(AuditEntry).where(AuditEntry.seq > after).order_by(AuditEntry.seq)
    if limit:
        q = q.limit(limit)
    return [_record(r) for r in session.scalars(q)]


def last_seq(session: Session) -> int:
    return session.scalar(select(func.max(AuditEntry.seq))) or 0


def head(session: Session) -> AuditRecord | None:
    row = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
    return _record(row) if row else None


def find(session: Session, action: str, entity: str) -> list[AuditRecord]:
    """The entries of one action on an entity (``entity`` may hold SQL ``%`` wildcards), oldest first."""
    q = select(AuditEntry).where(AuditEntry.action == action, AuditEntry.entity.like(entity)).order_by(AuditEntry.seq)
    return [_record(r) for r in session.scalars(q)]


def entity_id(entity: str) -> int | None:
    """The id in an entry's entity ("detector_run:3" -> 3); None when it names none."""
    try:
        return int(entity.split(":", 1)[1])
    except (IndexError, ValueError):
        return None


def changed_since(what: str, diffs: list[tuple[str, object, object, int]]) -> str:
    """One line for a record whose fields differ from the entries that recorded them: (field, now, logged, seq)."""
    said = "; ".join(f"{name} is {_short(now)} (audit entry {seq} says {_short(then)})"
                     for name, now, then, seq in diffs)
    return f"{what}: changed after it was recorded: {said}"


def _short(value) -> str:
    if isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value):
        return value[:12] + "…"  # a SHA-256: its start is enough to tell two apart
    return repr(value) if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class NotedHead:
    """A chain head written down outside the project (``verify`` prints it): an entry's seq, if given, and hash."""

    seq: int | None
    hash: str  # 12 to 64 hex digits

    @classmethod
    def parse(cls, text: str) -> "NotedHead":
        seq, _, digits = text.strip().rpartition(":")
        digits = digits.lower()
        if not re.fullmatch(r"[0-9a-f]{12,64}", digits) or (seq and not seq.isdigit()):
            raise InputError(f"--head {text!r}: expected SEQ:HASH or HASH as 'verify' prints it (the hash: 12 to 64 "
                             "hex digits)")
        return cls(int(seq) if seq else None, digits)


def check_head(session: Session, noted: NotedHead) -> list[str]:
    """Is a head noted earlier still in the chain? Entries cut off the end leave a chain that holds by itself; only a
    head kept elsewhere tells that it once went further."""
    last = head(session)
    end = f"the chain ends at entry {last.seq}, {last.hash[:12]}…" if last else "the chain is empty"
    if noted.seq is None:
        if session.scalars(select(AuditEntry.seq).where(AuditEntry.hash.like(noted.hash + "%"))).first() is None:
            return [f"audit chain: no entry has the noted head's hash {noted.hash[:12]}… ({end}): entries were cut "
                    "off its end or rewritten, or the head was noted in another project"]
        return []
    row = session.get(AuditEntry, noted.seq)
    if row is None:
        return [f"audit chain: entry {noted.seq}, the noted head, is gone ({end}): entries were cut off its end"]
    if not row.hash.startswith(noted.hash):
        return [f"audit chain: entry {noted.seq} is not the noted head (its hash is {row.hash[:12]}…, the noted "
                f"{noted.hash[:12]}…): the log was rewritten from there, or the head was noted in another project"]
    return []


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEntry))


def verify_chain(session: Session) -> list[str]:
    """Problems found in the chain, each naming the entry; an empty list means the chain holds."""
    problems = []
    prev, expected_seq = GENESIS, 1
    for row in session.scalars(select(AuditEntry).order_by(AuditEntry.seq)):
        if row.seq != expected_seq:
            problems.append(f"audit entry {expected_seq}: missing (the next entry is {row.seq})")
        if row.prev_hash != prev:
            problems.append(f"audit entry {row.seq}: does not follow entry {row.seq - 1} (its previous hash differs)")
        if entry_hash(row.prev_hash, row.seq, row.time, row.actor, row.action, row.entity, row.payload) != row.hash:
            problems.append(f"audit entry {row.seq} ({row.action} {row.entity}): its content was changed "
                            "after it was written")
        prev, expected_seq = row.hash, row.seq + 1
    return problems
