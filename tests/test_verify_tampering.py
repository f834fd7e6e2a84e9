"""Edits made behind FaceLens's back, the way someone with the database file and sqlite3 would make them: ``verify``,
``audit report`` and ``audit verify-report`` must each name what changed in one line (or refuse), never pass."""
from __future__ import annotations

import hashlib
import sqlite3

import pytest

from annotation.errors import InputError
from engine.audit.importer import import_scores
from engine.audit.review import build_queue
from storage.verify import verify_project
from tests.audit_factory import make_dataset
from tests.cli import run_cli
from tests.media_factory import photo


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


# --- media records -----------------------------------------------------------------------------------------------
def _media_import_entry(project) -> int:
    return next(e.seq for e in project.audit.entries() if (e.action, e.entity) == ("import", "media"))


def _photo_of_the_run(project, run_id):
    table = project.detectors.results(run_id)
    return next(m for m in project.media.all() if m.kind == "image" and m.id in set(table.media_id.tolist()))


def test_a_media_file_swapped_together_with_its_recorded_hash_and_size_is_caught(project, reviewed, tmp_path):
    item = _photo_of_the_run(project, reviewed)
    other = photo(tmp_path / "other.png", seed=99)  # another picture takes the file's place
    project.absolute_path(item.path).write_bytes(other.read_bytes())
    new = hashlib.sha256(other.read_bytes()).hexdigest()
    tamper(project, f"UPDATE media SET sha256 = '{new}', size_bytes = {other.stat().st_size} WHERE id = {item.id}")
    seq = _media_import_entry(project)
    assert verify_project(project) == [
        f"media {item.id} ({item.path}): changed after it was recorded: SHA-256 is {new[:12]}… (audit entry {seq} "
        f"says {item.sha256[:12]}…)"]


def test_a_removed_media_record_and_the_results_left_pointing_at_it_are_named(project, reviewed):
    item = _photo_of_the_run(project, reviewed)
    table = project.detectors.results(reviewed)
    n = int((table.media_id == item.id).sum())
    tamper(project, f"DELETE FROM media WHERE id = {item.id}")  # sqlite3 leaves foreign keys off
    seq = _media_import_entry(project)
    assert verify_project(project) == [
        f"detector run {reviewed}: {n} results point to media {item.id}, which is gone",
        f"media {item.id} ({item.path}): imported (audit entry {seq}) but no longer in the project"]


def test_a_media_record_added_behind_facelens_back_has_no_import_entry(project, reviewed, tmp_path):
    extra = photo(project.media_dir / "extra.png", seed=7)
    sha = hashlib.sha256(extra.read_bytes()).hexdigest()
    tamper(project, "INSERT INTO media (id, kind, path, sha256, size_bytes, width, height, imported_at) "
                    f"VALUES (999, 'image', 'media/extra.png', '{sha}', {extra.stat().st_size}, 64, 48, 0)")
    assert verify_project(project) == ["media 999 (media/extra.png): has no import entry in the audit log"]
