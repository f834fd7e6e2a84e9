"""The review queue (flagged samples by risk) and reviewers' verdicts in the hash-chained audit log."""
from __future__ import annotations

import sqlite3

import pytest

import main
from annotation.errors import FaceLensError, InputError
from engine.audit.crops import face_view
from engine.audit.importer import import_scores
from engine.audit.review import QueueSettings, build_queue, score_series
from storage.demo import FACE_BOX
from storage.project import Project
from tests.audit_factory import make_dataset, write_csv


@pytest.fixture
def run(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=30, unseen=10)
    return import_scores(project, data.csv, data.features).run_id, data


def test_the_queue_holds_the_flagged_test_samples_most_at_risk_first(project, run):
    run_id, data = run
    q = build_queue(project, run_id)
    t = project.detectors.results(run_id)
    thr = q.point.threshold
    assert q.point.method == "eer" and q.point.chosen_on == "dev"
    risks = [i.risk for i in q.items]
    assert risks == sorted(risks, reverse=True) and risks[-1] > 0
    by_id = {i.result_id: i for i in q.items}
    assert all(i.split == "test" for i in q.items)  # dev rows calibrate; they are not under review
    # every unseen mask attack is in the queue as outside the model's knowledge
    for r in data.unseen_rows:
        assert "outside_knowledge" in by_id[int(t.id[r])].reasons
    # every test sample the model gets wrong contradicts its label; every one within the band is near the threshold
    for i in range(len(t)):
        if t.split[i] != "test":
            continue
        wrong = (t.score[i] >= thr) != (t.label[i] == 1)
        near = abs(t.score[i] - thr) < 0.05
        item = by_id.get(int(t.id[i]))
        assert (item is not None and "contradicts_label" in item.reasons) == wrong
        assert (item is not None and "near_threshold" in item.reasons) == near
    # a wider band flags more
    assert len(build_queue(project, run_id, QueueSettings(band=0.2)).items) > len(q.items)


def test_a_verdict_is_kept_with_reviewer_and_time_and_is_an_audit_entry(project, run):
    run_id, _ = run
    item = build_queue(project, run_id).items[0]
    v = project.detectors.add_verdict(item.result_id, "deepfake", "blending seam along the jaw", reviewer="ada")
    assert (v.verdict, v.note, v.reviewer) == ("deepfake", "blending seam along the jaw", "ada") and v.created_at > 0
    entry = project.audit.entries()[-1]
    assert entry.action == "verdict" and entry.entity == f"verdict:{v.id}" and entry.actor == "tester"
    assert entry.payload["verdict"] == "deepfake" and entry.payload["run_id"] == run_id
    # a later verdict on the same sample is what the queue shows; both stay in the history
    v2 = project.detectors.add_verdict(item.result_id, "unsure")
    assert v2.reviewer == "tester"
    again = {i.result_id: i for i in build_queue(project, run_id).items}[item.result_id]
    assert again.verdict.verdict == "unsure"
    assert [x.verdict for x in project.detectors.verdicts(run_id)] == ["deepfake", "unsure"]
    assert project.detectors.check_verdicts() == [] and project.audit.verify() == []


def test_an_edit_behind_the_applications_back_is_caught(project, run):
    run_id, _ = run
    item = build_queue(project, run_id).items[0]
    v = project.detectors.add_verdict(item.result_id, "attack", "printed photo", reviewer="ada")
    db = sqlite3.connect(project.db_path)
    db.execute("UPDATE verdicts SET verdict = 'bona_fide' WHERE id = ?", (v.id,))
    db.commit()
    assert project.detectors.check_verdicts(run_id) == [
        f"verdict {v.id} on result {item.result_id}: changed after it was recorded (verdict differs from its audit "
        "entry)"]
    # covering the tracks in the audit log (once its append-only guard is dropped) breaks the chain instead
    db.execute("DROP TRIGGER audit_log_no_update")
    db.execute("UPDATE audit_log SET payload = replace(payload, '\"attack\"', '\"bona_fide\"') "
               "WHERE action = 'verdict'")
    db.commit()
    db.close()
    problems = project.audit.verify()
    assert any("verdict" in p and "content was changed" in p for p in problems)


def test_verify_catches_an_edited_verdict_and_an_edited_score(project, run):
    from storage.verify import verify_project

    run_id, _ = run
    item = build_queue(project, run_id).items[0]
    v = project.detectors.add_verdict(item.result_id, "attack", "printed photo", reviewer="ada")
    assert verify_project(project) == []
    db = sqlite3.connect(project.db_path)
    db.execute("UPDATE verdicts SET note = 'nothing seen' WHERE id = ?", (v.id,))
    db.execute("UPDATE detector_results SET score = 0.01 WHERE id = ?", (item.result_id,))
    db.commit()
    db.close()
    assert verify_project(project) == [
        f"detector run {run_id}: its results were changed after they were imported (they no longer match the digest "
        "in the audit log)",
        f"verdict {v.id} on result {item.result_id}: changed after it was recorded (note differs from its audit entry)"]


def test_a_run_without_labels_is_reviewed_at_one_half_until_a_threshold_is_set(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=5, unseen=2)
    rows = [{"media": r["media"], "frame": r["frame"], "face": r["face"], "score": r["score"]} for r in data.rows]
    run_id = import_scores(project, write_csv(tmp_path / "data" / "unlabelled.csv", rows)).run_id
    q = build_queue(project, run_id)
    assert (q.point.threshold, q.point.method) == (0.5, "default")
    assert q.notes[0] == "no labelled samples to choose a threshold on: 0.5 until you set one"
    near = [float(r["score"]) for r in rows if abs(float(r["score"]) - 0.5) < 0.05]
    assert sorted(i.score for i in q.items) == sorted(near)
    assert build_queue(project, run_id, QueueSettings(threshold=0.3)).point.method == "given"
    rows[0]["label"] = "live"  # some ground truth, but no attack to choose a threshold against: say so
    other = import_scores(project, write_csv(tmp_path / "data" / "partly.csv", rows)).run_id
    with pytest.raises(FaceLensError, match=f"run {other}: choosing a threshold needs .*; give a threshold"):
        build_queue(project, other)


def test_bad_verdicts_are_refused(project, run):
    run_id, _ = run
    with pytest.raises(InputError, match="verdict 'probably' is not one of bona_fide, attack, deepfake, unsure"):
        project.detectors.add_verdict(1, "probably")
    with pytest.raises(FaceLensError, match="no detector result 99999"):
        project.detectors.add_verdict(99999, "attack")
    assert project.detectors.verdicts(run_id) == []


def test_score_over_time_of_a_video(project, run):
    run_id, data = run
    t = project.detectors.results(run_id)
    video = int(t.media_id[t.frame >= 0][0])
    frames, scores = score_series(project, run_id, video)
    assert frames.tolist() == list(range(30))
    rows = [float(r["score"]) for r in data.rows if r["split"] == "dev" and r["attack_type"] == "replay"]
    assert scores.tolist() == pytest.approx(rows)


def test_the_face_under_review_is_the_one_the_result_names_or_else_the_whole_frame(demo_dir, tmp_path, capsys):
    with Project.open(demo_dir) as demo:
        photo = next(m for m in demo.media.all() if not m.is_video)  # the astronaut: one face
        rows = [{"media": photo.id, "face": 0, "score": 0.9, "label": "attack"},
                {"media": photo.id, "face": 1, "score": 0.2, "label": "attack"}]
        run_id = import_scores(demo, write_csv(tmp_path / "faces.csv", rows)).run_id
        first, second = demo.detectors.results(run_id).id.tolist()
        found = face_view(demo, first)
        x0, y0, x1, y1 = found.box
        assert x0 < FACE_BOX[0] and y0 < FACE_BOX[1] and x1 > FACE_BOX[2] and found.found_again
        missing = face_view(demo, second)  # mediapipe finds one face: face 1 is not there, face 0 must not stand in
        assert missing.box is None and not missing.found_again
        assert missing.crop.shape == missing.frame.shape == (512, 512, 3)
        assert missing.note == "face 1 was not found (mediapipe finds 1 face here): the whole frame is shown"
        assert found.note == ""
    # the queue says which face of the photo it means
    assert main.main(["audit", "queue", str(demo_dir), str(run_id), "--threshold", "0.5"]) == 0
    line = next(t for t in capsys.readouterr().out.splitlines() if t.strip().startswith(f"result {second:>5}"))
    assert "astronaut.png face 1  [contradicts the ground truth]" in line


@pytest.mark.parametrize("name, said", [("r" * 129, "129 characters long: expected at most 128"),
                                        ("ada\nbob", "holds a line break or control character")])
def test_a_reviewer_name_is_one_line_of_a_names_length(project, run, name, said):
    """A 300-character name (the column holds 128) and one with a line break were taken, and the window's details
    grew until the picture had no room (found by a tester)."""
    run_id, _ = run
    item = build_queue(project, run_id).items[0]
    entries = len(project.audit.entries())
    with pytest.raises(InputError, match=said):
        project.detectors.add_verdict(item.result_id, "attack", reviewer=name)
    assert project.detectors.verdicts(run_id) == [] and len(project.audit.entries()) == entries
