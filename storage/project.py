"""A FaceLens project: a folder with ``project.db``, ``media/``, ``cache/`` and ``exports/``.

``Project.create`` makes one; ``Project.open`` opens one, and if it was made by an older FaceLens, first copies
the database to ``backups/`` and then upgrades it. Every repository method commits before it returns: there
is no "Save", and a crash loses at most the edit in flight.
"""
from __future__ import annotations

import getpass
import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine

from annotation.errors import ProjectError
from storage import schema
from storage.annotation_repo import AnnotationRepository
from storage.audit_repo import AuditRepository
from storage.db import database_engine, sqlite_reader, write_session
from storage.detector_repo import DetectorRepository
from storage.eye_event_repo import EyeEventRepository
from storage.label_repo import LabelRepository
from storage.media_repo import MediaRepository
from storage.record_store import ProjectStore
from storage.segment_repo import SegmentRepository
from storage.series_repo import SeriesRepository
from storage.rating_repo import RatingRepository
from storage.settings_repo import SettingsRepository
from storage.track_repo import TrackRepository

DB_NAME = "project.db"
FOLDERS = ("media", "cache", "exports")


READ_ONLY_MEDIA, DISK_FULL = "read-only media or a write-protected folder", "its disk is full"  # why read-only


def read_only_remedy(why: str, to: str) -> str:
    """What to do about a project opened read-only for ``why``, to ``to`` ("edit it")."""
    if why == DISK_FULL:
        return "free some disk space, then open the project again" + ("" if to == "open it" else f" to {to}")
    return f"copy the project folder somewhere writable and {to} there (the original stays as it is)"


class Project:
    def __init__(self, root: Path, engine: Engine, read_only: str = ""):
        self.root = root
        self.engine = engine
        # why it was opened without writing anything (``open_for_reading``): read-only media, a full disk; "" if not
        self.read_only = read_only
        self.settings = SettingsRepository(self)
        self.audit = AuditRepository(self)
        self.media = MediaRepository(self)
        self.labels = LabelRepository(self)
        self.tracks = TrackRepository(self)
        self.annotations = AnnotationRepository(self)
        self.segments = SegmentRepository(self)
        self.series = SeriesRepository(self)
        self.ratings = RatingRepository(self)
        self.eye_events = EyeEventRepository(self)
        self.detectors = DetectorRepository(self)
        self.store = ProjectStore(self)

    # --- opening -------------------------------------------------------------------------------------------
    @classmethod
    def create(cls, root: str | Path, taxonomies: tuple[str, ...] = ("faces",)) -> "Project":
        root = Path(root).expanduser().resolve()
        if (root / DB_NAME).exists():
            raise ProjectError(f"{root}: already a FaceLens project (it has {DB_NAME})")
        if root.exists() and not root.is_dir():
            raise ProjectError(f"{root}: exists and is not a folder")
        try:
            root.mkdir(parents=True, exist_ok=True)
            for name in FOLDERS:
                (root / name).mkdir(exist_ok=True)
        except OSError as e:
            raise ProjectError(f"{root}: cannot create the project folder ({e.strerror})") from None
        engine = database_engine(str(root / DB_NAME))
        schema.upgrade(engine)
        project = cls(root, engine)
        with write_session(engine) as s:
            project.audit.append_in(s, "create", "project", {"schema": schema.HEAD})
        for name in taxonomies:
            project.labels.add_builtin_taxonomy(name)
        return project

    @classmethod
    def open(cls, root: str | Path) -> "Project":
        root = Path(root).expanduser().resolve()
        db = root / DB_NAME
        if not root.is_dir():
            raise ProjectError(f"{root}: no such project folder")
        if not db.is_file():
            raise ProjectError(f"{root}: not a FaceLens project (no {DB_NAME} in it)")
        if not _is_sqlite(db):
            raise ProjectError(f"{db}: not an SQLite database")
        engine = database_engine(str(db))
        current = schema.current_revision(engine)
        if current != schema.HEAD:
            revisions = schema.all_revisions()
            if current not in revisions:
                engine.dispose()
                raise ProjectError(f"{db}: schema {current!r} is not one this FaceLens knows "
                                   f"(it knows {', '.join(revisions)}); was it made by a newer version?")
            backup_database(db, root / "backups" / f"project-{current}-{time.strftime('%Y%m%d-%H%M%S')}.db")
            schema.upgrade(engine)
        project = cls(root, engine)
        if current != schema.HEAD:
            with write_session(engine) as s:
                project.audit.append_in(s, "upgrade", "project", {"from": current, "to": schema.HEAD})
        for name in FOLDERS:
            (root / name).mkdir(exist_ok=True)
        return project

    @classmethod
    def open_for_reading(cls, root: str | Path) -> "Project":
        """Open a project for commands that only read it (``info``, ``verify``): as ``open`` where the project can
        be written; where it cannot (read-only media, a write-protected folder), read as it is, writing nothing.
        A reviewer handed the project on a disc can verify its evidence chain there."""
        from sqlalchemy.exc import DatabaseError

        from storage.verify import disk_is_full

        root = Path(root).expanduser().resolve()
        db = root / DB_NAME
        why = READ_ONLY_MEDIA
        if not db.is_file() or (os.access(root, os.W_OK) and os.access(db, os.W_OK)):
            try:
                return cls.open(root)
            except DatabaseError as e:  # a full disk: SQLite cannot even make its -shm file; read where it lies
                if not disk_is_full(e, root):
                    raise
                why = DISK_FULL
        if not _is_sqlite(db):
            raise ProjectError(f"{db}: not an SQLite database")
        wal = root / f"{DB_NAME}-wal"
        if wal.is_file() and wal.stat().st_size > 0:
            raise ProjectError(f"{wal}: holds changes not yet written into {DB_NAME}, and {root} cannot be written "
                               f"({why}) to merge them: {read_only_remedy(why, 'open it')}")
        engine = sqlite_reader(str(db))
        current = schema.current_revision(engine)
        if current != schema.HEAD:
            engine.dispose()
            if current not in schema.all_revisions():
                raise ProjectError(f"{db}: schema {current!r} is not one this FaceLens knows; was it made by a newer "
                                   "version?")
            raise ProjectError(f"{db}: schema {current!r} is older than this FaceLens's {schema.HEAD!r}, and {root} "
                               f"cannot be written ({why}) to upgrade it: {read_only_remedy(why, 'open it')}")
        return cls(root, engine, read_only=why)

    def close(self) -> None:
        self.engine.dispose()

    def refuse_if_read_only(self, doing: str = "change it") -> None:
        """Raise, saying why, where this project was opened read-only (no file of it may be written)."""
        if self.read_only:
            raise ProjectError(f"{self.root} is open read-only ({self.read_only}): cannot {doing}; "
                               f"{read_only_remedy(self.read_only, 'edit it')}")

    def check_writable(self) -> None:
        """Raise the database's own error now if project.db cannot be written (a read-only file, folder or
        connection): commands that spend seconds to minutes on a model before they store anything ask first."""
        self.refuse_if_read_only()
        with self.engine.connect() as conn:
            trans = conn.begin()
            try:  # a write that changes nothing still takes the write lock, which a read-only database refuses
                conn.exec_driver_sql("DELETE FROM annotations WHERE 0")
            finally:
                trans.rollback()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- places --------------------------------------------------------------------------------------------
    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def media_dir(self) -> Path:
        return self.root / "media"

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    def schema_version(self) -> str | None:
        return schema.current_revision(self.engine)

    @property
    def actor(self) -> str:
        """Who is making changes: the annotator name set in the project or the environment, else the OS user."""
        name = os.environ.get("FACELENS_USER") or self.settings.get("annotator")
        if name:
            return str(name)
        try:
            return getpass.getuser()
        except Exception:
            return "unknown"

    def stored_path(self, path: str | Path) -> str:
        """How a media path is stored: relative to the project when the file is inside it, else absolute."""
        p = Path(path).resolve()
        try:
            return p.relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()

    def absolute_path(self, stored: str) -> Path:
        p = Path(stored)
        return p if p.is_absolute() else self.root / p


def _is_sqlite(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(16) == b"SQLite format 3\x00"


def backup_database(db: Path, target: Path) -> Path:
    """A consistent copy (WAL included) made with SQLite's online backup."""
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(str(db))
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target
