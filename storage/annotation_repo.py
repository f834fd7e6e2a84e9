"""Annotations: shapes on an image or a video frame, each committed (and logged) as it is made.

Rows are read and written with SQLAlchemy Core rather than ORM objects, because a video can carry
hundreds of thousands of masks and the timeline pages through them frame by frame.
"""
from __future__ import annotations

import json
import time
from collections import Counter
from functools import cache
from json.encoder import encode_basestring_ascii
from types import MappingProxyType
from typing import Iterable, Iterator, Mapping, NamedTuple

from sqlalchemy import delete, func, insert, select, update

from annotation.errors import InputError
from annotation.model import Annotation
from annotation.shapes import shape_from_geometry
from storage.models import Annotation as Row
from storage.models import Label, Media, Track
from storage.repository import Repository, digest

_COLUMNS = (Row.id, Row.media_id, Row.frame, Row.track_id, Row.kind, Row.label_id, Row.attributes, Row.geometry,
            Row.score, Row.source, Row.annotator, Row.created_at, Row.updated_at)
ANY_FRAME = object()  # for_media(frame=ANY_FRAME) returns the annotations of every frame


def _from_row(r) -> Annotation:
    return Annotation(id=r[0], media_id=r[1], frame=r[2], track_id=r[3], label_id=r[5],
                      attributes={} if r[6] == "{}" else json.loads(r[6]),
                      shape=shape_from_geometry(r[4], json.loads(r[7])),
                      score=r[8], source=r[9], annotator=r[10], created_at=r[11], updated_at=r[12])


def _to_row(a: Annotation) -> dict:
    return {"media_id": a.media_id, "frame": a.frame, "track_id": a.track_id, "kind": a.kind,
            "label_id": a.label_id, "attributes": json.dumps(a.attributes),
            "geometry": json.dumps(a.shape.to_geometry()), "score": a.score, "source": a.source,
            "annotator": a.annotator, "created_at": a.created_at, "updated_at": a.updated_at}


_INSERT_COLUMNS = ("media_id", "frame", "track_id", "kind", "label_id", "attributes", "geometry", "score", "source",
                   "annotator", "created_at", "updated_at")
_PLACEHOLDER = {"qmark": "?", "format": "%s", "pyformat": "%s"}  # the positional form each driver accepts


@cache
def _insert_sql(paramstyle: str) -> str:
    marks = ", ".join([_PLACEHOLDER[paramstyle]] * len(_INSERT_COLUMNS))
    return f"INSERT INTO {Row.__tablename__} ({', '.join(_INSERT_COLUMNS)}) VALUES ({marks})"


@cache
def _frame_sql(paramstyle: str) -> str:
    mark = _PLACEHOLDER[paramstyle]
    return (f"SELECT {', '.join(c.name for c in _COLUMNS)} FROM {Row.__tablename__} "
            f"WHERE media_id = {mark} AND frame = {mark} ORDER BY id")


# Printable ASCII but the quote: of these, JSON escapes only the backslash (a COCO RLE character), by hand below.
_PLAIN_JSON = bytes(c for c in range(0x20, 0x7F) if c != ord('"'))


def _json_string(text: str) -> str:
    """Exactly ``encode_basestring_ascii(text)``. A COCO RLE string (characters 48 to 111) needs only its
    backslashes escaped, which two C scans do in a third of the time the JSON escaper takes: propagation stores
    masks beside the engine thread, and a detailed 1080p mask's string (200 kB) held Python's lock 0.6 ms."""
    if text.isascii() and not text.encode("ascii").translate(None, _PLAIN_JSON):
        return '"' + text.replace("\\", "\\\\") + '"'
    return encode_basestring_ascii(text)


def _mask_json(mask) -> str:
    """Exactly ``json.dumps(mask.to_geometry())``, without building an encoder per row (a third of the cost of
    a bulk insert of masks was there)."""
    return '{"size": [%d, %d], "counts": %s}' % (mask.size[0], mask.size[1], _json_string(mask.counts))


_GEOMETRY_JSON = {"mask": _mask_json}  # the shapes model output brings by the million


def _geometry_json(shape) -> str:
    write = _GEOMETRY_JSON.get(shape.kind)
    return write(shape) if write else json.dumps(shape.to_geometry())


def _insert_values(a: Annotation, actor: str, now: float) -> tuple:
    """The row ``_to_row`` makes, as a tuple in ``_INSERT_COLUMNS`` order, stamped for a bulk insert."""
    return (a.media_id, a.frame, a.track_id, a.shape.kind, a.label_id,
            json.dumps(a.attributes) if a.attributes else "{}", _geometry_json(a.shape), a.score,
            a.source, a.annotator or actor, now, now)


def _audit_payload(a: Annotation) -> dict:
    return {"id": a.id, "media": a.media_id, "frame": a.frame, "kind": a.kind, "label": a.label_id,
            "track": a.track_id, "source": a.source, "digest": digest(_to_row(a))}


def _why_not_restorable(s, a: Annotation) -> str:
    """What in the project keeps ``a`` from going back under its id, in the user's words ("" when nothing)."""
    if s.scalar(select(Row.id).where(Row.id == a.id)) is not None:
        return (f"an annotation with id {a.id} is already in the project (another window or the command line "
                "put it back?)")
    if s.scalar(select(Media.id).where(Media.id == a.media_id)) is None:
        return f"its media {a.media_id} is no longer in the project"
    if a.track_id is not None and s.scalar(select(Track.id).where(Track.id == a.track_id)) is None:
        return f"its track {a.track_id} is no longer in the project"
    if a.label_id is not None and s.scalar(select(Label.id).where(Label.id == a.label_id)) is None:
        return f"its label (id {a.label_id}) is no longer in the project"
    return ""


def take_track_annotations(s, track_id: int) -> list[Annotation]:
    """Inside the session ``s``: read every annotation of a track (by frame), delete them, and return them (a
    track deleted with everything on it, in the track's own transaction)."""
    q = select(*_COLUMNS).where(Row.track_id == track_id).order_by(Row.frame, Row.id)
    gone = [_from_row(r) for r in s.execute(q)]
    AnnotationRepository._delete_ids(s, [a.id for a in gone])
    return gone


def put_back_annotations(s, annotations: list[Annotation]) -> None:
    """Inside the session ``s``: insert annotations under the ids they had (undo of ``take_track_annotations``)."""
    if annotations:
        s.execute(insert(Row), [{"id": a.id, **_to_row(a)} for a in annotations])


class Superseded(NamedTuple):
    stored: int  # annotations that went in
    kept: int  # items left out: an older annotation of theirs has the source to keep (edited by hand)
    unchanged: int  # items left out: the new annotation is the one stored already
    gone_tracks: frozenset = frozenset()  # tracks deleted since the caller read them: their items left out
    stored_by_track: Mapping = MappingProxyType({})  # track id -> how many of those that went in are its
    removed: int = 0  # older annotations that went with nothing in their place (the model found nothing there)


def _compared(row: tuple) -> tuple:
    """What of an ``_insert_values`` row must match a stored annotation for the row to be that annotation
    again: (label_id, attributes, geometry, score, source), as the select in ``supersede_many`` reads them."""
    return row[4], row[5], row[6], row[7], row[8]


class AnnotationRepository(Repository):
    # --- the RecordStore operations the undo stack uses --------------------------------------------------
    def add(self, a: Annotation) -> Annotation:
        now = time.time()
        a = a.with_(id=None, created_at=now, updated_at=now, annotator=a.annotator or self.project.actor)
        with self._write() as s:
            new_id = s.execute(insert(Row).values(**_to_row(a)).returning(Row.id)).scalar_one()
            a = a.with_(id=new_id)
            self._log(s, "add", f"annotation:{new_id}", _audit_payload(a))
        return a

    def restore(self, a: Annotation) -> Annotation:
        """Put an annotation back under the id it had (undo of a delete, redo of an add). When the project
        changed meanwhile so that it cannot go back, the error says what is in the way and nothing is stored."""
        if a.id is None:
            raise ValueError("restore needs the annotation's id")
        with self._putting_back(f"annotation {a.id}"), self._write() as s:
            reason = _why_not_restorable(s, a)
            if reason:
                raise InputError(f"annotation {a.id} cannot be put back: {reason}; nothing was changed")
            s.execute(insert(Row).values(id=a.id, **_to_row(a)))
            self._log(s, "restore", f"annotation:{a.id}", _audit_payload(a))
        return a

    def update(self, a: Annotation) -> Annotation:
        a = a.with_(updated_at=time.time())
        with self._write() as s:
            done = s.execute(update(Row).where(Row.id == a.id).values(**_to_row(a))).rowcount
            if not done:
                raise InputError(f"annotation {a.id} does not exist (was it deleted?)")
            self._log(s, "update", f"annotation:{a.id}", _audit_payload(a))
        return a

    def delete(self, a: Annotation) -> None:
        with self._write() as s:
            done = s.execute(delete(Row).where(Row.id == a.id)).rowcount
            if not done:
                raise InputError(f"annotation {a.id} does not exist (was it deleted already?)")
            self._log(s, "delete", f"annotation:{a.id}", _audit_payload(a))

    # --- bulk writes (model output, imports) -------------------------------------------------------------
    def add_many(self, annotations: Iterable[Annotation], action: str = "add many",
                 replacing: Iterable[int] = ()) -> int:
        """Insert many annotations in one transaction with one audit entry; returns how many. ``replacing``:
        ids deleted in the same transaction (model output superseding its own earlier output); unlike
        ``replace_many`` the new ids are not handed back, which keeps this the fast path."""
        now = time.time()
        actor = self.project.actor
        rows = [_insert_values(a, actor, now) for a in annotations]
        remove_ids = sorted({int(i) for i in replacing})
        if not rows and not remove_ids:
            return 0
        with self._write() as s:
            self._insert_rows(s, rows, remove_ids, action, {})
        return len(rows)

    def supersede_many(self, items: Iterable[tuple[Iterable[int], Annotation | None]], keep_source: str,
                       action: str = "supersede many") -> "Superseded":
        """Model output replacing older annotations, as ``add_many`` does, but each item (the ids of the older
        annotations, the annotation that replaces them or None when they only go) is checked in the same
        transaction: an item any of whose older annotations now has ``keep_source`` (someone edited it by hand
        after the caller read it) is left out whole, its older annotations kept and its new one not stored. An
        item whose new annotation is the one older annotation again (same shape, label, attributes, score and
        source: a propagation run again over frames whose object did not change) is left out too, so the stored
        one keeps its id. An item of a track deleted since (by another program) is left out too. Returns how
        many annotations went in, how many items were kept for ``keep_source``, how many were unchanged, and the
        tracks found deleted."""
        actor, now = self.project.actor, time.time()
        # The rows are made before the transaction, so the write lock is held for the writes alone.
        items = [([int(i) for i in old], None if new is None else _insert_values(new, actor, now))
                 for old, new in items]
        if not items:
            return Superseded(0, 0, 0)
        with self._write() as s:
            older = sorted({i for old, _ in items for i in old})
            kept, stored = set(), {}
            for i in range(0, len(older), 500):  # under SQLite's limit on a statement's parameters
                q = select(Row.id, Row.label_id, Row.attributes, Row.geometry, Row.score, Row.source)
                for rid, *what in s.execute(q.where(Row.id.in_(older[i:i + 500]))):
                    if what[-1] == keep_source:
                        kept.add(rid)
                    stored[rid] = tuple(what)
            labels = self._track_labels(s, items)
            gone = {row[2] for _, row in items if row is not None and row[2] is not None} - labels.keys()
            # A track's annotations carry its label as it is now: relabelled while a propagation runs, the masks
            # stored after (the propagation read the label at its start) were left with the old one.
            items = [(old, row if row is None or row[2] is None else row[:4] + (labels[row[2]],) + row[5:])
                     for old, row in items if row is None or row[2] not in gone]
            wanted = [(old, row) for old, row in items if kept.isdisjoint(old)]
            changed = [(old, row) for old, row in wanted
                       if not (row is not None and len(old) == 1 and stored.get(old[0]) == _compared(row))]
            rows = [row for _, row in changed if row is not None]
            remove_ids = sorted({i for old, _ in changed for i in old})
            if rows or remove_ids:
                self._insert_rows(s, rows, remove_ids, action, {"kept": sorted(kept)} if kept else {})
        return Superseded(len(rows), len(items) - len(wanted), len(wanted) - len(changed), frozenset(gone),
                          dict(Counter(row[2] for row in rows)), sum(len(old) for old, row in changed if row is None))

    @staticmethod
    def _track_labels(s, items) -> dict[int, int | None]:
        """The label of each track the new rows name that is still in the project. One not there was deleted
        meanwhile (by another program, say): storing its annotations would break the project's foreign keys."""
        named = sorted({row[2] for _, row in items if row is not None and row[2] is not None})
        out = {}
        for i in range(0, len(named), 500):
            out.update((t, label) for t, label in s.execute(select(Track.id, Track.label_id).where(
                Track.id.in_(named[i:i + 500]))))
        return out

    def _insert_rows(self, s, rows: list[tuple], remove_ids: list[int], action: str, extra: dict) -> None:
        media = {r[0] for r in rows}  # the entry names the media of what goes too (a batch may only remove)
        for i in range(0, len(remove_ids), 500):
            media.update(s.scalars(select(Row.media_id).where(Row.id.in_(remove_ids[i:i + 500]))))
        self._delete_ids(s, remove_ids)
        # Plain tuples to the driver's executemany: the ORM's per-row bookkeeping cost more than SQLite's work.
        if rows:
            s.connection().exec_driver_sql(_insert_sql(s.get_bind().dialect.paramstyle), rows)
        payload = {"count": len(rows), "media": sorted(media)}
        if remove_ids:
            payload["replaced"] = remove_ids
        self._log(s, action, "annotations", {**payload, **extra})

    def replace_many(self, remove_ids: Iterable[int], annotations: Iterable[Annotation],
                     action: str = "replace many") -> list[int]:
        """Delete ``remove_ids`` and insert ``annotations`` in one transaction with one audit entry (model
        output that supersedes its own earlier output, e.g. a re-propagated track); returns the new ids."""
        now, actor = time.time(), self.project.actor
        remove_ids = sorted({int(i) for i in remove_ids})
        rows = []
        for a in annotations:
            r = _to_row(a)
            r["created_at"] = r["updated_at"] = now
            r["annotator"] = a.annotator or actor
            rows.append(r)
        if not rows and not remove_ids:
            return []
        with self._write() as s:
            self._delete_ids(s, remove_ids)
            ids = list(s.scalars(insert(Row).returning(Row.id, sort_by_parameter_order=True), rows)) if rows else []
            media = sorted({r["media_id"] for r in rows})
            self._log(s, action, "annotations", {"count": len(rows), "replaced": remove_ids, "media": media})
        return ids

    @staticmethod
    def _delete_ids(s, ids: list[int]) -> None:
        for i in range(0, len(ids), 500):  # under SQLite's limit on a statement's parameters
            s.execute(delete(Row).where(Row.id.in_(ids[i:i + 500])))

    # --- reads ---------------------------------------------------------------------------------------------
    def get(self, annotation_id: int) -> Annotation | None:
        with self._read() as s:
            r = s.execute(select(*_COLUMNS).where(Row.id == annotation_id)).first()
            return _from_row(r) if r else None

    def for_media(self, media_id: int, frame=ANY_FRAME, kinds: Iterable[str] | None = None) -> list[Annotation]:
        """The annotations on one image, or on one frame of a video (``frame=None``: whole-video ones).

        ``kinds``: only those kinds, filtered in the database (a video's prompts without reading its masks)."""
        if frame is not ANY_FRAME and frame is not None and kinds is None:
            # The timeline asks this for every frame it shows: one ready SELECT on a pooled driver connection
            # (a single statement reads a consistent snapshot) skips building and wrapping a statement each time.
            engine = self.project.engine
            conn = engine.raw_connection()
            try:
                cursor = conn.cursor()
                cursor.execute(_frame_sql(engine.dialect.paramstyle), (media_id, int(frame)))
                rows = cursor.fetchall()
                cursor.close()
            finally:
                conn.close()  # back to the pool
            return [_from_row(r) for r in rows]
        q = select(*_COLUMNS).where(Row.media_id == media_id)
        if frame is not ANY_FRAME:
            q = q.where(Row.frame.is_(None) if frame is None else Row.frame == frame)
        if kinds is not None:
            q = q.where(Row.kind.in_(list(kinds)))
        with self._read() as s:
            return [_from_row(r) for r in s.execute(q.order_by(Row.id))]

    def for_track(self, track_id: int) -> list[Annotation]:
        q = select(*_COLUMNS).where(Row.track_id == track_id).order_by(Row.frame, Row.id)
        with self._read() as s:
            return [_from_row(r) for r in s.execute(q)]

    def track_frames(self, track_id: int, kind: str) -> list[tuple[int, int | None, str]]:
        """(id, frame, source) of a track's annotations of one kind, without reading their shapes (the
        propagation's writer needs to know which masks it replaces, not what they look like)."""
        q = (select(Row.id, Row.frame, Row.source).where(Row.track_id == track_id, Row.kind == kind)
             .order_by(Row.frame, Row.id))
        with self._read() as s:
            return [tuple(r) for r in s.execute(q)]

    def annotated_frames(self, media_id: int) -> list[int]:
        """Frames of a video that carry at least one annotation (the timeline's markers)."""
        q = select(Row.frame).where(Row.media_id == media_id, Row.frame.is_not(None)).distinct().order_by(Row.frame)
        with self._read() as s:
            return list(s.scalars(q))

    def last_id(self) -> int:
        """The largest annotation id there is (0 if none); ids are never handed out twice (AUTOINCREMENT), so any
        annotation stored later has a larger one."""
        with self._read() as s:
            return s.scalar(select(func.max(Row.id))) or 0

    def count(self, media_id: int | None = None) -> int:
        q = select(func.count(Row.id))
        if media_id is not None:
            q = q.where(Row.media_id == media_id)
        with self._read() as s:
            return s.scalar(q)

    def counts_by_media(self) -> dict[int, int]:
        with self._read() as s:
            return dict(s.execute(select(Row.media_id, func.count(Row.id)).group_by(Row.media_id)).all())

    def iter_all(self, media_id: int | None = None, batch: int = 5000) -> Iterator[Annotation]:
        """Every annotation (of one media), in id order, read in batches so memory stays flat."""
        last = 0
        while True:
            q = select(*_COLUMNS).where(Row.id > last)
            if media_id is not None:
                q = q.where(Row.media_id == media_id)
            with self._read() as s:
                rows = s.execute(q.order_by(Row.id).limit(batch)).all()
            if not rows:
                return
            for r in rows:
                yield _from_row(r)
            last = rows[-1][0]
