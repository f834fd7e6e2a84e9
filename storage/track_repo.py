"""Tracks: the identity of one object across the frames of a video."""
from __future__ import annotations

import time

from sqlalchemy import delete, func, insert, select, update

from annotation.errors import InputError
from annotation.model import Annotation, Track
from storage.annotation_repo import put_back_annotations, take_track_annotations
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

    # --- a track with everything on it (the window's and the CLI's "Delete track") --------------------------
    def usage(self, *track_ids: int) -> tuple[int, int]:
        """(annotations, frames) on these tracks: what deleting them with their annotations takes away."""
        q = select(func.count(AnnotationRow.id), func.count(func.distinct(AnnotationRow.frame)))
        with self._read() as s:
            count, frames = s.execute(q.where(AnnotationRow.track_id.in_(track_ids))).one()
        return int(count), int(frames)

    def delete_with_annotations(self, t: Track) -> list[Annotation]:
        """Delete a track and its annotations on every frame (prompts, masks, edits) in one transaction, so a
        long propagated track goes at once and never half; returns them, for ``restore_with_annotations``."""
        with self._write() as s:
            gone = take_track_annotations(s, t.id)
            if not s.execute(delete(Row).where(Row.id == t.id)).rowcount:
                raise InputError(f"track {t.id} does not exist (was it deleted already?)", field="track")
            self._log(s, "delete with annotations", f"track:{t.id}",
                      {"media": t.media_id, "annotations": [a.id for a in gone]})
        return gone

    def restore_with_annotations(self, t: Track, annotations: list[Annotation]) -> None:
        """Put back a track and its annotations under the ids they had (undo of ``delete_with_annotations``)."""
        with self._putting_back(f"track {t.id}"), self._write() as s:
            s.execute(insert(Row).values(id=t.id, media_id=t.media_id, label_id=t.label_id, name=t.name,
                                         created_at=time.time()))
            put_back_annotations(s, annotations)
            self._log(s, "restore with annotations", f"track:{t.id}",
                      {"media": t.media_id, "annotations": [a.id for a in annotations]})

    # --- an object's label on every frame -------------------------------------------------------------------
    def relabel(self, track_id: int, label_id: int | None) -> tuple[int | None, dict[int, int | None]]:
        """Give a track and every annotation on it the label ``label_id``, in one transaction: an object has one
        label on all its frames, and a propagation labels the masks it adds with the track's (relabelling one
        frame's mask was undone by the next propagation). Returns the track's label before and {annotation id:
        label before} of the annotations that changed, for ``put_labels_back``."""
        with self._write() as s:
            row = s.get(Row, track_id)
            if row is None:
                raise InputError(f"track {track_id} does not exist (was it deleted?)", field="track")
            before = row.label_id
            changed = dict(s.execute(select(AnnotationRow.id, AnnotationRow.label_id).where(
                AnnotationRow.track_id == track_id, AnnotationRow.label_id.is_distinct_from(label_id))).all())
            s.execute(update(Row).where(Row.id == track_id).values(label_id=label_id))
            self._set_labels(s, {a: label_id for a in changed})
            self._log(s, "relabel", f"track:{track_id}", {"label": label_id, "before": before,
                                                          "annotations": sorted(changed)})
        return before, changed

    def put_labels_back(self, track_id: int, label_id: int | None, labels: dict[int, int | None]) -> None:
        """Undo of ``relabel``: the track's label and its annotations' as they were."""
        with self._write() as s:
            if not s.execute(update(Row).where(Row.id == track_id).values(label_id=label_id)).rowcount:
                raise InputError(f"track {track_id} does not exist (was it deleted?)", field="track")
            self._set_labels(s, labels)
            self._log(s, "relabel", f"track:{track_id}", {"label": label_id, "put back": sorted(labels)})

    @staticmethod
    def _set_labels(s, labels: dict[int, int | None]) -> None:
        by_label: dict[int | None, list[int]] = {}
        for annotation_id, label_id in labels.items():
            by_label.setdefault(label_id, []).append(annotation_id)
        now = time.time()
        for label_id, ids in by_label.items():
            for k in range(0, len(ids), 900):  # SQLite's limit on a statement's parameters, with room to spare
                s.execute(update(AnnotationRow).where(AnnotationRow.id.in_(ids[k:k + 900]))
                          .values(label_id=label_id, updated_at=now))

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
