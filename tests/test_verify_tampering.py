"""Edits made behind FaceLens's back, the way someone with the database file and sqlite3 would make them: ``verify``,
``audit report`` and ``audit verify-report`` must each name what changed in one line (or refuse), never pass."""
from __future__ import annotations

import sqlite3

import pytest

from annotation.errors import InputError
from engine.audit.importer import import_scores
from engine.audit.review import build_queue
from storage.verify import verify_project
from tests.audit_factory import make_dataset
from tests.cli import run_cli


@pytest.fixture
def reviewed(project, tmp_path):
    """A project with imported media, a detector run with features, and one verdict."""
    data = make_dataset(tmp_path / "data", per_class=12, unseen=4)
    run_id = import_scores(project, data.csv, data.features, model="xception").run_id
    item = build_queue(project, run_id).items[0]
    project.detectors.add_verdict(item.result_id, "attack", "printed photo", reviewer="ada")
    assert verify_project(project) == []
    return run_id


def tamper(project, *sql: str) -> None:
    """Run SQL on the project's file as sqlite3 would: foreign keys off, no triggers of ours dropped unless asked."""
    db = sqlite3.connect(project.db_path)
    for statement in sql:
        db.execute(statement)
    db.commit()
    db.close()


# --- who recorded it -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["", "   ", "\t"])
def test_a_blank_reviewer_is_refused_and_nothing_is_recorded(project, reviewed, name):
    before = len(project.audit.entries())
    result_id = int(project.detectors.results(reviewed).id[0])
    with pytest.raises(InputError, match="field 'reviewer': .*blank"):
        project.detectors.add_verdict(result_id, "attack", reviewer=name)
    assert len(project.audit.entries()) == before


# --- a damaged database file -----------------------------------------------------------------------------------
@pytest.mark.parametrize("offset", [8192, 4096])  # a table's page; the page that holds the schema version
def test_verify_reports_a_damaged_database_in_one_line_without_a_traceback(project, reviewed, offset):
    project.close()
    with open(project.db_path, "r+b") as f:  # flip 200 bytes, as a failing disk would
        f.seek(offset)
        data = f.read(200)
        f.seek(offset)
        f.write(bytes(b ^ 0x5A for b in data))
    p = run_cli("verify", project.root, check=1)
    assert "Traceback" not in p.stderr and "sqlalchemy" not in p.stderr
    assert "database: the file is damaged (database disk image is malformed)" in p.stdout.splitlines()
    assert all(line.startswith(("database: ", "media ", "audit ", "detector ", "verdict ")) for line in
               p.stdout.splitlines())
