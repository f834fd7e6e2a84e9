"""A database that cannot be written (read-only file or folder, full disk, another writer) is said in one line
that names project.db and what to do, also when the failing write happens inside an engine job (segment,
track), where it was a bare "OperationalError: (sqlite3.OperationalError) ..."."""
import sqlite3

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from engine.cli_support import wait_for
from engine.worker import Engine
from storage.project import Project
from storage.verify import database_problem


def test_a_database_error_inside_a_job_reaches_the_cli_as_itself(tmp_path):
    engine = Engine()
    try:
        with Project.create(tmp_path / "proj") as project:
            def job(ctx):
                with project.engine.begin() as conn:
                    conn.execute(text("INSERT INTO no_such_table VALUES (1)"))

            with pytest.raises(OperationalError):  # main() turns it into its one line naming project.db
                wait_for(engine.submit(job))
    finally:
        engine.stop()


@pytest.mark.parametrize("sqlite_says, user_reads", [
    ("attempt to write a readonly database", "cannot be written (attempt to write a readonly database); check the "
                                             "permissions of project.db and its folder"),
    ("unable to open database file", "cannot be opened (unable to open database file); SQLite must read project.db "
                                     "and create its -wal and -shm files beside it: check that the folder can be "
                                     "written (its permissions, or a read-only disk or share"),
    ("database or disk is full", "cannot be written (database or disk is full); free some disk space"),
    ("database is locked", "is busy (database is locked); another program is writing to it"),
    ("file is not a database", "the file is damaged (file is not a database)"),
])
def test_database_problems_say_what_the_user_can_do(sqlite_says, user_reads):
    error = OperationalError("INSERT INTO annotations ...", {}, sqlite3.OperationalError(sqlite_says))
    assert database_problem(error).startswith(f"database: {user_reads}")


@pytest.mark.parametrize("command", [("segment", "--point", "10,10"), ("track",)])
def test_segment_and_track_refuse_a_read_only_project_before_the_model_work(tmp_path, monkeypatch, capsys, command):
    """The write is refused first, not after seconds of loading weights (here a checkpoint that is not there:
    had the model come first, the error would be about it) and minutes of propagation."""
    from sqlalchemy import event

    from storage.media.importer import import_paths
    from tests.inprocess_cli import run_main
    from tests.media_factory import indexed_video

    with Project.create(tmp_path / "proj") as project:
        import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=3)])
    opened = Project.open

    def read_only(root):  # what a read-only project.db gives every connection
        project = opened(root)
        event.listen(project.engine, "connect", lambda conn, _rec: conn.execute("PRAGMA query_only = ON"))
        project.engine.dispose()  # (the connection opening read the schema with)
        return project

    monkeypatch.setattr(Project, "open", staticmethod(read_only))
    err = run_main(capsys, command[0], tmp_path / "proj", 1, *command[1:], "--checkpoint", tmp_path / "none.pt",
                   code=2).err
    assert err.strip() == (f"facelens: error: {tmp_path / 'proj' / 'project.db'}: cannot be written (attempt to "
                           f"write a readonly database); check the permissions of project.db and its folder")


@pytest.mark.parametrize("free, user_reads", [
    (12 * 1024, "cannot be used (disk I/O error): its disk is full (12 KB free); free some disk space"),
    (900 * 2 ** 20, "cannot be used (disk I/O error): the disk failed a read or write though 900 MB are free; check "
                    "the disk, then run 'verify'"),
])
def test_a_bare_disk_io_error_says_whether_the_disk_is_full(tmp_path, monkeypatch, free, user_reads):
    """What SQLite says of a full disk when it cannot even make its -shm file ("disk I/O error", no word of
    space): the project's disk is looked at (its free space given here: a disk cannot be filled in a test)."""
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda folder: usage(10 ** 12, 10 ** 12 - free, free))
    error = OperationalError("PRAGMA journal_mode", {}, sqlite3.OperationalError("disk I/O error"))
    assert database_problem(error, tmp_path) == f"database: {user_reads}"
    assert database_problem(error) == "database: cannot be read (disk I/O error)"  # (where the folder is unknown)
