"""Tracks: the identity of one object across the frames of a video."""
from __future__ import annotations

import time

from sqlalchemy import delete, func, insert, select, update

from annotation.errors import InputError
from annotation.model import Track
from storage.models import Annotation as AnnotationRow
from storage.models import Track as Row
from storage.repository import Repository


def _from_row(r: Row) -> Track:
    return Track(id=r.id, media_id=r.media_id, label_id=r.label_id, name=r.name)


class TrackRepository(Repository):
    def add(self, t: Track) -> Track:
        with self._write() as s:
            new_id = s.execute(insert(Row).values(media_id=t.media_id, label_id=t.label_id, name=t.name,
                                                  created_at=time.time()).returning(Row.id)).scalar_one()
            t = Track(id=new_id, media_id=t.media_id, label_id=t.label_id, name=t.name or f"object {new_id}")
            if not t.name.strip() or t.name == f"object {new_id}":
                s.execute(update(Row).where(Row.id == new_id).values(name=t.name))
            self._log(s, "add", f"track:{new_id}", {"media": t.media_id, "label": t.label_id, "name": t.name})
        return t

    def restore(self, t: Track) -> Track:
        with self._putting_back(f"track {t.id}"), self._write() as s:
            s.execute(insert(Row).values(id=t.id, media_id=t.media_id, label_id=t.label_id, name=t.name,
                                         created_at=time.time()))
            self._log(s, "restore", f"track:{t.id}", {"media": t.media_id, "label": t.label_id, "name": t.name})
        return t

    def update(self, t: Track) -> Track:
        with self._write() as s:
            if not s.execute(update(Row).where(Row.id == t.id).values(label_id=t.label_id, name=t.name)).rowcount:
                raise InputError(f"track {t.id} does not exist")
            self._log(s, "update", f"track:{t.id}", {"label": t.label_id, "name": t.name})
        return t

    def delete(self, t: Track) -> None:
        with self._write() as s:
            used = s.scalar(select(func.count(AnnotationRow.id)).where(AnnotationRow.track_id == t.id))
            if used:
                raise InputError(f"track {t.id} still has {used} annotations; delete them first")
            s.execute(delete(Row).where(Row.id == t.id))
            self._log(s, "delete", f"track:{t.id}", {"media": t.media_id})

    def get(self, track_id: int) -> Track | None:
        with self._read() as s:
            r = s.get(Row, track_id)
            return _from_row(r) if r else None

    def for_media(self, media_id: int) -> list[Track]:
        with self._read() as s:
            return [_from_row(r) for r in s.scalars(select(Row).where(Row.media_id == media_id).order_by(Row.id))]

    def count(self) -> int:
        with self._read() as s:
            return s.scalar(select(func.count(Row.id)))
