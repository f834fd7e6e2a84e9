"""Edits made behind FaceLens's back, the way someone with the database file and sqlite3 would make them: ``verify``,
``audit report`` and ``audit verify-report`` must each name what changed in one line (or refuse), never pass."""
from __future__ import annotations

import hashlib
import sqlite3

import numpy as np
import pytest

from annotation.errors import FaceLensError, InputError
from engine.audit.importer import import_scores
from engine.audit.report import run_problems, write_report
from engine.audit.review import build_queue
from storage.repository import digest
from storage.verify import verify_project
from tests.audit_factory import make_dataset, tamper
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


def test_other_commands_on_a_damaged_database_say_so_in_one_line(project, reviewed):
    project.close()
    page = sqlite3.connect(project.db_path).execute("SELECT rootpage FROM sqlite_master WHERE name = 'media'")
    offset = (page.fetchone()[0] - 1) * 4096  # the media table's first page (pages are 4 kB)
    with open(project.db_path, "r+b") as f:
        f.seek(offset)
        data = f.read(200)
        f.seek(offset)
        f.write(bytes(b ^ 0x5A for b in data))
    for command in (("info", project.root), ("audit", "queue", project.root, reviewed)):
        p = run_cli(*command, check=2)
        assert p.stderr == (f"facelens: error: {project.db_path}: the file is damaged (database disk image is "
                            f"malformed); 'verify' checks the whole project\n"), command


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


# --- detector runs -----------------------------------------------------------------------------------------------
def _run_import_entry(project, run_id) -> int:
    return next(e.seq for e in project.audit.entries() if (e.action, e.entity) == ("import", f"detector_run:{run_id}"))


def test_edited_feature_vectors_are_caught(project, reviewed):
    tamper(project, f"UPDATE detector_features SET data = zeroblob(length(data)) WHERE run_id = {reviewed}")
    assert verify_project(project) == [f"detector run {reviewed}: its feature vectors were changed after they were "
                                       "imported (they no longer match the audit log)"]


def test_features_under_an_older_import_entry_are_checked_against_the_npy_it_hashed(project, reviewed, tmp_path):
    """An older FaceLens recorded only the .npy file's SHA-256: the stored vectors still answer for it."""
    feats = project.detectors.features(reviewed)
    npy = tmp_path / "old.npy"
    np.save(npy, feats)
    sha = hashlib.sha256(npy.read_bytes()).hexdigest()
    tamper(project, "INSERT INTO detector_runs (id, model, version, params, source, source_sha256, features_source, "
                    f"features_sha256, aggregation, created_at) VALUES (50, 'old', '', '{{}}', '', '', '{npy}', "
                    f"'{sha}', 'mean', 0)",
           "INSERT INTO detector_features (run_id, first_row, rows, dim, dtype, data) SELECT 50, first_row, rows, "
           f"dim, dtype, data FROM detector_features WHERE run_id = {reviewed}")
    project.audit.append("import", "detector_run:50", {"model": "old", "version": "", "source": "",
                                                       "source_sha256": "", "features_sha256": sha, "rows": 0,
                                                       "media": [], "results_digest": digest([])})
    assert verify_project(project) == []
    npy.unlink()  # rebuilt from the stored rows, the .npy is not needed
    assert verify_project(project) == []
    tamper(project, "UPDATE detector_features SET data = zeroblob(length(data)) WHERE run_id = 50")
    assert verify_project(project) == ["detector run 50: its feature vectors cannot be checked (its import entry "
                                       f"keeps only the SHA-256 of {npy}, which is gone or changed, and they are not "
                                       "stored as that file was)"]
    np.save(npy, feats)  # the file imported is back: it tells that the stored vectors differ
    assert verify_project(project) == ["detector run 50: its feature vectors were changed after they were imported "
                                       "(they no longer match the audit log)"]


def test_edited_run_columns_are_named_with_the_entries_they_contradict(project, reviewed):
    seq = _run_import_entry(project, reviewed)
    tamper(project, f"UPDATE detector_runs SET aggregation = 'max', model = 'other', source_sha256 = '00' "
                    f"WHERE id = {reviewed}")
    sha = project.detectors.run(reviewed).source_sha256
    logged = next(e.payload for e in project.audit.entries() if e.seq == seq)["source_sha256"]
    assert sha == "00" and verify_project(project) == [
        f"detector run {reviewed}: changed after it was recorded: model is 'other' (audit entry {seq} says "
        f"'xception'); source_sha256 is '00' (audit entry {seq} says {logged[:12]}…); aggregation is 'max' (audit "
        f"entry {seq} says 'mean')"]


def test_a_later_aggregation_is_checked_against_its_own_entry(project, reviewed):
    project.detectors.set_aggregation(reviewed, "median")
    assert verify_project(project) == []
    seq = project.audit.entries()[-1].seq
    tamper(project, f"UPDATE detector_runs SET aggregation = 'max' WHERE id = {reviewed}")
    assert verify_project(project) == [f"detector run {reviewed}: changed after it was recorded: aggregation is 'max' "
                                       f"(audit entry {seq} says 'median')"]


def test_a_deleted_run_is_named_with_its_import_entry(project, reviewed):
    seq = _run_import_entry(project, reviewed)
    rows = len(project.detectors.results(reviewed))
    (verdict,) = project.detectors.verdicts(reviewed)
    tamper(project, f"DELETE FROM verdicts WHERE result_id IN (SELECT id FROM detector_results WHERE run_id = "
                    f"{reviewed})",
           f"DELETE FROM detector_features WHERE run_id = {reviewed}",
           f"DELETE FROM detector_results WHERE run_id = {reviewed}",
           f"DELETE FROM detector_runs WHERE id = {reviewed}")
    assert verify_project(project) == [
        f"detector run {reviewed}: imported (audit entry {seq}, model 'xception', {rows} results) but no longer in "
        "the project",
        f"verdict {verdict.id}: recorded in the audit log but missing from the project"]


def test_a_result_pointed_at_media_that_never_existed_is_named_and_stops_a_report(project, reviewed, tmp_path):
    rid = int(project.detectors.results(reviewed).id[0])
    tamper(project, f"UPDATE detector_results SET media_id = 999 WHERE id = {rid}")
    assert verify_project(project) == [
        f"detector run {reviewed}: 1 result points to media 999, which is gone",
        f"detector run {reviewed}: its results were changed after they were imported (they no longer match the "
        "digest in the audit log)"]
    with pytest.raises(FaceLensError, match=f"detector run {reviewed}: no report written, because the run no longer "
                                            "matches the audit log: its results were changed"):
        write_report(project, reviewed, tmp_path / "report.html")
    assert run_problems(project, reviewed)[-1] == "media 999: neither in the project nor in the audit log"
