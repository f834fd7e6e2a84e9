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
