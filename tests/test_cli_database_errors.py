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
                                     "and create its -wal and -shm files beside it: check the folder's permissions"),
    ("database or disk is full", "cannot be written (database or disk is full); free some disk space"),
    ("database is locked", "is busy (database is locked); another program is writing to it"),
    ("file is not a database", "the file is damaged (file is not a database)"),
])
def test_database_problems_say_what_the_user_can_do(sqlite_says, user_reads):
    error = OperationalError("INSERT INTO annotations ...", {}, sqlite3.OperationalError(sqlite_says))
    assert database_problem(error).startswith(f"database: {user_reads}")
