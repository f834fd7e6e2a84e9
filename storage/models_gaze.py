"""Schema of time series attached to a video: eye-tracker recordings, face-derived eye measures, ratings.

Samples are never one row each: a ``SeriesChunk`` holds a block of samples as a typed array (little-endian
float64, one column per channel), so an hour of 1,200 Hz gaze is a few hundred rows.
"""
from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class Series(Base):
    """A recording aligned to a video: gaze from a tracker, eye measures from the face, a continuous rating."""

    __tablename__ = "series"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(32))  # gaze | face_eyes | rating
    name: Mapped[str] = mapped_column(Text, default="")
    channels: Mapped[str] = mapped_column(Text)  # JSON list of column names; the first is "t" (video seconds)
    source: Mapped[str] = mapped_column(Text, default="")  # the imported file or the job that made it
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON: format, offset, drift, thresholds, ...
    samples: Mapped[int] = mapped_column(Integer, default=0)
    annotator: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)  # a re-alignment or a new rating pass rewrites the chunks


class SeriesChunk(Base):
    __tablename__ = "series_chunks"
    __table_args__ = (Index("chunks_by_series", "series_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    t0: Mapped[float] = mapped_column(Float)
    t1: Mapped[float] = mapped_column(Float)
    rows: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class EyeEventSet(Base):
    """The output of one fixation/saccade/blink detection, with the parameters that produced it."""

    __tablename__ = "eye_event_sets"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id", ondelete="CASCADE"), index=True)
    method: Mapped[str] = mapped_column(String(16))  # ivt | idt | tracker | face
    params: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[float] = mapped_column(Float)


class EyeEvent(Base):
    __tablename__ = "eye_events"
    __table_args__ = (Index("events_by_set", "set_id", "start"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("eye_event_sets.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # fixation | saccade | blink
    start: Mapped[float] = mapped_column(Float)  # video seconds
    end: Mapped[float] = mapped_column(Float)
    x: Mapped[float | None] = mapped_column(Float)  # video pixels (fixation centre, saccade end)
    y: Mapped[float | None] = mapped_column(Float)
    values: Mapped[str] = mapped_column(Text, default="{}")  # JSON: amplitude, peak velocity, dispersion, ...
