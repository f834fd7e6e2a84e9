"""Time segments: labelled stretches of a video on a tier, per annotator (the ER and FER tiers, for example)."""
from __future__ import annotations

import json
import time
from typing import Iterable

from sqlalchemy import delete, func, insert, select, update

from annotation.errors import InputError
from annotation.model import TimeSegment
from storage.models import TimeSegment as Row
from storage.repository import Repository, digest


def _from_row(r: Row) -> TimeSegment:
    return TimeSegment(id=r.id, media_id=r.media_id, tier=r.tier, annotator=r.annotator, start=r.start, end=r.end,
                       values=json.loads(r.values))


def _to_row(t: TimeSegment) -> dict:
    return {"media_id": t.media_id, "tier": t.tier, "annotator": t.annotator, "start": t.start, "end": t.end,
            "values": json.dumps(t.values)}


def _payload(t: TimeSegment) -> dict:
    return {"id": t.id, "media": t.media_id, "tier": t.tier, "start": t.start, "end": t.end,
            "values": t.values, "digest": digest(_to_row(t))}


class SegmentRepository(Repository):
    def add(self, t: TimeSegment) -> TimeSegment:
        t = t.with_(annotator=t.annotator or self.project.actor)
        now = time.time()
        with self._write() as s:
            new_id = s.execute(insert(Row).values(created_at=now, updated_at=now, **_to_row(t))
                               .returning(Row.id)).scalar_one()
            t = t.with_(id=new_id)
            self._log(s, "add", f"segment:{new_id}", _payload(t))
        return t

    def restore(self, t: TimeSegment) -> TimeSegment:
        now = time.time()
        with self._putting_back(f"segment {t.id}"), self._write() as s:
            s.execute(insert(Row).values(id=t.id, created_at=now, updated_at=now, **_to_row(t)))
            self._log(s, "restore", f"segment:{t.id}", _payload(t))
        return t

    def update(self, t: TimeSegment) -> TimeSegment:
        with self._write() as s:
            if not s.execute(update(Row).where(Row.id == t.id).values(updated_at=time.time(), **_to_row(t))).rowcount:
                raise InputError(f"segment {t.id} does not exist")
            self._log(s, "update", f"segment:{t.id}", _payload(t))
        return t

    def delete(self, t: TimeSegment) -> None:
        with self._write() as s:
            if not s.execute(delete(Row).where(Row.id == t.id)).rowcount:
                raise InputError(f"segment {t.id} does not exist")
            self._log(s, "delete", f"segment:{t.id}", _payload(t))

    def add_many(self, segments: Iterable[TimeSegment], action: str = "import") -> int:
        now = time.time()
        rows = [{**_to_row(t.with_(annotator=t.annotator or self.project.actor)), "created_at": now,
                 "updated_at": now} for t in segments]
        if not rows:
            return 0
        with self._write() as s:
            s.execute(insert(Row), rows)
            self._log(s, action, "segments", {"count": len(rows), "media": sorted({r["media_id"] for r in rows})})
        return len(rows)

    def get(self, segment_id: int) -> TimeSegment | None:
        with self._read() as s:
            r = s.get(Row, segment_id)
            return _from_row(r) if r else None

    def for_media(self, media_id: int, tier: str | None = None, annotator: str | None = None) -> list[TimeSegment]:
        q = select(Row).where(Row.media_id == media_id)
        if tier is not None:
            q = q.where(Row.tier == tier)
        if annotator is not None:
            q = q.where(Row.annotator == annotator)
        with self._read() as s:
            return [_from_row(r) for r in s.scalars(q.order_by(Row.tier, Row.annotator, Row.start))]

    def all(self) -> list[TimeSegment]:
        with self._read() as s:
            return [_from_row(r) for r in s.scalars(select(Row).order_by(Row.media_id, Row.tier, Row.start))]

    def count(self) -> int:
        with self._read() as s:
            return s.scalar(select(func.count(Row.id)))
