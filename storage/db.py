"""Connecting to a project database.

SQLite is the embedded default: WAL so the window can read while the engine writes, foreign keys on, a busy
timeout so two writers wait instead of failing, and ``synchronous=FULL`` so a committed edit survives a crash
or power loss. Write transactions start with ``BEGIN IMMEDIATE``: they take the write lock up front, so the
audit chain's "read the last hash, append the next entry" can never interleave with another writer.
"""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from typing import Iterator
from urllib.parse import quote

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session

BUSY_TIMEOUT_MS = 10_000


def sqlite_engine(db_path: str) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}")

    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (see _begin)
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection):
        conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("facelens_write") else "BEGIN")

    return engine


def sqlite_reader(db_path: str) -> Engine:
    """A project database on media that cannot be written (a disc, a write-protected share, evidence received):
    read without writing anything, not even SQLite's -wal and -shm files beside it. ``immutable`` tells SQLite
    that no one changes the file meanwhile, which is what such media guarantee, so it needs no shared lock file."""
    uri = f"file:{quote(db_path)}?mode=ro&immutable=1"
    engine = create_engine(f"sqlite:///{db_path}", creator=lambda: sqlite3.connect(uri, uri=True,
                                                                                  check_same_thread=False))

    @event.listens_for(engine, "connect")
    def _configure(dbapi_conn, _record):
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys = ON")

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection):
        conn.exec_driver_sql("BEGIN")

    return engine


def database_engine(url_or_path: str) -> Engine:
    """A project database: a path means SQLite; a URL (postgresql://...) a shared server."""
    if "://" in url_or_path:
        return create_engine(url_or_path, pool_pre_ping=True)
    return sqlite_engine(url_or_path)


@contextmanager
def write_session(engine: Engine) -> Iterator[Session]:
    """A session whose transaction holds the write lock and commits when the block ends without error."""
    with Session(engine.execution_options(facelens_write=True), expire_on_commit=False) as s:
        with s.begin():
            yield s


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as s:
        yield s
