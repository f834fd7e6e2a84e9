"""Detected eye events (fixations, saccades, blinks), one set per detection run with the parameters used."""
from __future__ import annotations

import json
import math
import time
from dataclasses import asdict, dataclass, field

from sqlalchemy import delete, func, insert, select

from annotation.errors import InputError
from annotation.gaze.events import EVENT_KINDS, EyeEvents
from storage.models_gaze import EyeEvent, EyeEventSet
from storage.repository import Repository

_LISTS = {"fixation": "fixations", "saccade": "saccades", "blink": "blinks"}


@dataclass(frozen=True)
class EyeEventSetInfo:
    id: int
    series_id: int
    method: str
    params: dict = field(default_factory=dict)
    created_at: float = 0.0
    counts: dict = field(default_factory=dict)


def _clean(v):
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _row(set_id: int, kind: str, event) -> dict:
    d = asdict(event)
    start, end = d.pop("start"), d.pop("end")
    x, y = _clean(d.pop("x", None)), _clean(d.pop("y", None))
    return {"set_id": set_id, "kind": kind, "start": start, "end": end, "x": x, "y": y,
            "values": json.dumps({k: _clean(v) for k, v in d.items()})}


def _event(r: EyeEvent):
    values = {k: (math.nan if v is None else v) for k, v in json.loads(r.values).items()}
    if r.kind != "blink":
        values["x"] = math.nan if r.x is None else r.x
        values["y"] = math.nan if r.y is None else r.y
    return EVENT_KINDS[r.kind](start=r.start, end=r.end, **values)


def insert_event_set(session, series_id: int, events: EyeEvents) -> int:
    """Write one set inside the caller's transaction; returns its id."""
    set_id = session.execute(insert(EyeEventSet).values(
        series_id=series_id, method=events.method, params=json.dumps(events.params, default=str),
        created_at=time.time()).returning(EyeEventSet.id)).scalar_one()
    rows = [_row(set_id, kind, e) for kind, e in events.all()]
    if rows:
        session.execute(insert(EyeEvent), rows)
    return set_id


class EyeEventRepository(Repository):
    def add(self, series_id: int, events: EyeEvents) -> EyeEventSetInfo:
        if self.project.series.get(series_id) is None:
            raise InputError(f"no recording {series_id} in the project", field="recording")
        with self._write() as s:
            set_id = insert_event_set(s, series_id, events)
            self._log(s, "detect eye events", f"eye_events:{set_id}",
                      {"series": series_id, "method": events.method, "params": events.params, **events.summary()})
        return self.info(set_id)

    def info(self, set_id: int) -> EyeEventSetInfo | None:
        with self._read() as s:
            row = s.get(EyeEventSet, set_id)
            if row is None:
                return None
            counts = dict(s.execute(select(EyeEvent.kind, func.count(EyeEvent.id))
                                    .where(EyeEvent.set_id == set_id).group_by(EyeEvent.kind)).all())
            return EyeEventSetInfo(row.id, row.series_id, row.method, json.loads(row.params), row.created_at,
                                   {_LISTS[k]: counts.get(k, 0) for k in _LISTS})

    def sets(self, series_id: int, method: str | None = None) -> list[EyeEventSetInfo]:
        q = select(EyeEventSet.id).where(EyeEventSet.series_id == series_id)
        if method:
            q = q.where(EyeEventSet.method == method)
        with self._read() as s:
            ids = list(s.scalars(q.order_by(EyeEventSet.id)))
        return [self.info(i) for i in ids]

    def load(self, set_id: int) -> EyeEvents:
        info = self.info(set_id)
        if info is None:
            raise InputError(f"no eye-event set {set_id} in the project", field="events")
        out = EyeEvents(method=info.method, params=info.params)
        with self._read() as s:
            for r in s.scalars(select(EyeEvent).where(EyeEvent.set_id == set_id).order_by(EyeEvent.start)):
                getattr(out, _LISTS[r.kind]).append(_event(r))
        return out

    def latest(self, series_id: int, method: str | None = None) -> EyeEvents | None:
        sets = self.sets(series_id, method)
        return self.load(sets[-1].id) if sets else None

    def delete(self, set_id: int) -> None:
        with self._write() as s:
            if not s.execute(delete(EyeEventSet).where(EyeEventSet.id == set_id)).rowcount:
                raise InputError(f"no eye-event set {set_id} in the project", field="events")
            self._log(s, "delete eye events", f"eye_events:{set_id}", {})
