"""Time series attached to a video (gaze recordings, eye measures from the face, continuous ratings).

Samples are stored as little-endian float64 arrays, ``CHUNK_ROWS`` rows per BLOB, channel ``t`` (video
seconds) first, so reading a stretch of an hour-long recording touches only the chunks that overlap it.
"""
from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import delete, select

from annotation.errors import InputError
from storage.eye_event_repo import insert_event_set
from storage.models_gaze import Series, SeriesChunk
from storage.repository import Repository

CHUNK_ROWS = 4096
DTYPE = np.dtype("<f8")


@dataclass(frozen=True)
class SeriesInfo:
    id: int
    media_id: int
    kind: str
    name: str
    channels: tuple[str, ...]
    samples: int
    source: str = ""
    source_sha256: str = ""
    params: dict = field(default_factory=dict)
    annotator: str = ""
    created_at: float = 0.0
    updated_at: float = 0.0


def _info(r: Series) -> SeriesInfo:
    return SeriesInfo(r.id, r.media_id, r.kind, r.name, tuple(json.loads(r.channels)), r.samples, r.source,
                      r.source_sha256, json.loads(r.params), r.annotator, r.created_at, r.updated_at)


def _check(data: np.ndarray, channels: tuple[str, ...]) -> np.ndarray:
    data = np.asarray(data, DTYPE)
    if data.ndim != 2 or data.shape[1] != len(channels):
        raise ValueError(f"series data must be samples x {len(channels)} channels, got shape {data.shape}")
    if not channels or channels[0] != "t":
        raise ValueError("the first channel of a series is its time, 't'")
    if len(data) > 1 and not (np.diff(data[:, 0]) >= 0).all():
        raise ValueError("series samples must be in time order")
    return np.ascontiguousarray(data)


def _chunks(series_id: int, data: np.ndarray) -> list[dict]:
    return [{"series_id": series_id, "seq": k, "t0": float(block[0, 0]), "t1": float(block[-1, 0]),
             "rows": len(block), "data": block.tobytes()}
            for k, block in enumerate(data[i:i + CHUNK_ROWS] for i in range(0, len(data), CHUNK_ROWS))]


def data_digest(data: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(data, DTYPE).tobytes()).hexdigest()


class SeriesRepository(Repository):
    def add(self, media_id: int, kind: str, channels: tuple[str, ...], data: np.ndarray, name: str = "",
            source: str = "", source_sha256: str = "", params: dict | None = None, annotator: str = "",
            event_sets=(), action: str = "add series", series_id: int | None = None) -> SeriesInfo:
        """Store a series (and, in the same transaction, event sets found with it, e.g. a tracker's own
        fixations) with one audit entry; ``series_id`` puts a deleted series back under its id (a redo)."""
        channels = tuple(channels)
        data = _check(data, channels)
        if self.project.media.get(media_id) is None:
            raise InputError(f"no media {media_id} in the project", field="media")
        now = time.time()
        with self._write() as s:
            row = Series(id=series_id, media_id=media_id, kind=kind, name=name, channels=json.dumps(list(channels)), source=source,
                         source_sha256=source_sha256, params=json.dumps(params or {}), samples=len(data),
                         annotator=annotator or self.project.actor, created_at=now, updated_at=now)
            s.add(row)
            s.flush()
            if len(data):
                s.execute(SeriesChunk.__table__.insert(), _chunks(row.id, data))
            set_ids = [insert_event_set(s, row.id, events) for events in event_sets]
            self._log(s, action, f"series:{row.id}", {"media": media_id, "kind": kind, "name": name,
                                                       "samples": len(data), "source": source,
                                                       "source_sha256": source_sha256, "params": params or {},
                                                       "data_sha256": data_digest(data), "event_sets": set_ids})
            return _info(row)

    def replace_data(self, series_id: int, data: np.ndarray, params: dict | None = None,
                     action: str = "update series") -> SeriesInfo:
        """New samples for a series (a re-alignment, a second rating pass), in one transaction."""
        info = self.get(series_id)
        if info is None:
            raise InputError(f"no series {series_id} in the project", field="series")
        data = _check(data, info.channels)
        with self._write() as s:
            row = s.get(Series, series_id)
            s.execute(delete(SeriesChunk).where(SeriesChunk.series_id == series_id))
            if len(data):
                s.execute(SeriesChunk.__table__.insert(), _chunks(series_id, data))
            row.samples, row.updated_at = len(data), time.time()
            if params is not None:
                row.params = json.dumps(params)
            self._log(s, action, f"series:{series_id}", {"samples": len(data), "params": json.loads(row.params),
                                                          "data_sha256": data_digest(data)})
            return _info(row)

    def get(self, series_id: int) -> SeriesInfo | None:
        with self._read() as s:
            row = s.get(Series, series_id)
            return _info(row) if row else None

    def load(self, series_id: int, t0: float | None = None, t1: float | None = None) -> np.ndarray:
        """The samples (rows x channels), or only those with t0 <= t <= t1."""
        info = self.get(series_id)
        if info is None:
            raise InputError(f"no series {series_id} in the project", field="series")
        q = select(SeriesChunk.data).where(SeriesChunk.series_id == series_id)
        if t0 is not None:
            q = q.where(SeriesChunk.t1 >= t0)
        if t1 is not None:
            q = q.where(SeriesChunk.t0 <= t1)
        with self._read() as s:
            blobs = list(s.scalars(q.order_by(SeriesChunk.seq)))
        width = len(info.channels)
        data = np.frombuffer(b"".join(blobs), DTYPE).reshape(-1, width) if blobs else np.zeros((0, width))
        if t0 is not None or t1 is not None:
            t = data[:, 0]
            keep = (t >= (-np.inf if t0 is None else t0)) & (t <= (np.inf if t1 is None else t1))
            data = data[keep]
        return data.copy()  # writable, not tied to the blobs

    def columns(self, series_id: int) -> dict[str, np.ndarray]:
        """The samples as one array per channel name."""
        info = self.get(series_id)
        data = self.load(series_id)
        return {c: data[:, i] for i, c in enumerate(info.channels)}

    def for_media(self, media_id: int, kind: str | None = None) -> list[SeriesInfo]:
        q = select(Series).where(Series.media_id == media_id)
        if kind:
            q = q.where(Series.kind == kind)
        with self._read() as s:
            return [_info(r) for r in s.scalars(q.order_by(Series.id))]

    def all(self, kind: str | None = None) -> list[SeriesInfo]:
        q = select(Series).order_by(Series.id)
        if kind:
            q = q.where(Series.kind == kind)
        with self._read() as s:
            return [_info(r) for r in s.scalars(q)]

    def delete(self, series_id: int) -> None:
        with self._write() as s:
            row = s.get(Series, series_id)
            if row is None:
                raise InputError(f"no series {series_id} in the project", field="series")
            s.delete(row)  # chunks and event sets go with it (ON DELETE CASCADE)
            self._log(s, "delete series", f"series:{series_id}", {"media": row.media_id, "kind": row.kind})
