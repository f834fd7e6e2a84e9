"""The project database schema (SQLAlchemy 2.x typed models).

The Alembic migrations in ``storage/migrations`` create exactly these tables; a test checks that the two agree.
Geometry, attributes and payloads are JSON text written by the repositories; times of edits are UNIX seconds.
"""
from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """Project-wide settings, one JSON value per key."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Media(Base):
    __tablename__ = "media"
    __table_args__ = (CheckConstraint("kind IN ('image', 'video')", name="media_kind"),
                      CheckConstraint("rotation IN (0, 90, 180, 270)", name="media_rotation"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    size_bytes: Mapped[int] = mapped_column(Integer)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    fps: Mapped[float | None] = mapped_column(Float)
    frame_count: Mapped[int | None] = mapped_column(Integer)
    duration: Mapped[float | None] = mapped_column(Float)
    codec: Mapped[str | None] = mapped_column(String(32))
    rotation: Mapped[int] = mapped_column(Integer, server_default="0")  # degrees clockwise a video is shown turned
    imported_at: Mapped[float] = mapped_column(Float)


class Taxonomy(Base):
    __tablename__ = "taxonomies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    title: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))
    definition: Mapped[str] = mapped_column(Text)  # the taxonomy file's JSON, so a project is self-contained
    source: Mapped[str] = mapped_column(Text)


class Label(Base):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("taxonomy_id", "name", name="label_name_in_taxonomy"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    taxonomy_id: Mapped[int] = mapped_column(ForeignKey("taxonomies.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(128))
    color: Mapped[str] = mapped_column(String(7))
    key: Mapped[str] = mapped_column(String(8), default="")
    position: Mapped[int] = mapped_column(Integer)


# Ids of tracks, annotations and time segments are never handed out twice (SQLite's AUTOINCREMENT; migration
# 0005): undo and redo put a record back under the id it had, and the audit log names records by id.
NEVER_REUSE_IDS = {"sqlite_autoincrement": True}


class Track(Base):
    __tablename__ = "tracks"
    __table_args__ = (NEVER_REUSE_IDS,)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="RESTRICT"), index=True)
    label_id: Mapped[int | None] = mapped_column(ForeignKey("labels.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[float] = mapped_column(Float)


class Annotation(Base):
    __tablename__ = "annotations"
    __table_args__ = (
        CheckConstraint("kind IN ('box', 'polygon', 'mask', 'points', 'keypoints', 'tag')", name="annotation_kind"),
        Index("annotations_by_frame", "media_id", "frame"),
        Index("annotations_by_track", "track_id"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="RESTRICT"))
    frame: Mapped[int | None] = mapped_column(Integer)
    track_id: Mapped[int | None] = mapped_column(ForeignKey("tracks.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(16))
    label_id: Mapped[int | None] = mapped_column(ForeignKey("labels.id", ondelete="RESTRICT"))
    attributes: Mapped[str] = mapped_column(Text, default="{}")
    geometry: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(128), default="manual")
    annotator: Mapped[str] = mapped_column(String(128), default="")
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)


class TimeSegment(Base):
    __tablename__ = "time_segments"
    __table_args__ = (
        CheckConstraint('"end" >= start', name="segment_order"),
        Index("segments_by_tier", "media_id", "tier", "annotator", "start"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="RESTRICT"))
    tier: Mapped[str] = mapped_column(String(64))
    annotator: Mapped[str] = mapped_column(String(128), default="")
    start: Mapped[float] = mapped_column(Float)
    end: Mapped[float] = mapped_column(Float)
    values: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[float] = mapped_column(Float)


class AuditEntry(Base):
    """One entry of the append-only, hash-chained audit log (see ``storage.audit``)."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    time: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(128))
    action: Mapped[str] = mapped_column(String(64))
    entity: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


# The tables of each capability live in their own module; importing them here puts them in Base.metadata.
from storage import models_audit, models_gaze  # noqa: E402,F401
