"""Importing detector scores: paths imported as media, label words, JSON, and bad input refused whole."""
from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from annotation.errors import InputError
from engine.audit.importer import DuplicateImport, import_scores
from tests.audit_factory import make_dataset, write_csv


def _state(project):
    return (project.media.count(), len(project.detectors.runs()), len(project.audit.entries()))


def test_a_score_file_imports_with_its_media_features_and_audit_entry(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=6, unseen=3)
    run = import_scores(project, data.csv, data.features, model="xception", version="2.1", params={"c": 23})
    assert run.rows == len(data.rows) == 39
    assert run.media == 8 and len(run.new_media) == 8  # 3 photos and a video per split
    rec = project.detectors.run(run.run_id)
    assert (rec.model, rec.version, rec.params, rec.aggregation) == ("xception", "2.1", {"c": 23}, "mean")
    assert rec.has_features and len(rec.source_sha256) == 64 and len(rec.features_sha256) == 64
    t = project.detectors.results(run.run_id)
    assert t.row.tolist() == list(range(39))
    assert set(t.label.tolist()) == {0, 1}  # "live" and "spoof"
    assert t.score[0] == pytest.approx(float(data.rows[0]["score"]))
    video_rows = t.frame >= 0
    assert video_rows.sum() == 12 and t.frame[video_rows].max() == 5
    assert set(t.split) == {"dev", "test"}
    np.testing.assert_allclose(project.detectors.features(run.run_id), np.load(data.features), rtol=1e-6)
    entry = project.audit.entries()[-1]
    assert entry.action == "import" and entry.entity == f"detector_run:{run.run_id}" and entry.payload["rows"] == 39
    # a second import of the same scores (without the features) reuses the media already in the project (by path
    # and by hash), and says the scores are already there
    again = import_scores(project, data.csv)
    assert again.new_media == [] and again.media == 8
    assert again.notes == [f"the same scores are also run {run.run_id} (with features)"]


def test_the_same_file_imported_again_is_refused_naming_the_run_it_already_is(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=2, unseen=0)
    first = import_scores(project, data.csv, data.features, model="xception")
    before = _state(project)
    with pytest.raises(DuplicateImport) as e:
        import_scores(project, data.csv, data.features)
    assert str(e.value).startswith(f"{data.csv}: already imported as detector run {first.run_id} (xception, ")
    assert "the same scores and features (SHA-256 " in str(e.value) and str(e.value).endswith("nothing was imported")
    assert _state(project) == before
    # a copy under another name is the same file
    copy = tmp_path / "data" / "copy.csv"
    shutil.copy(data.csv, copy)
    with pytest.raises(DuplicateImport, match=f"already imported as detector run {first.run_id} "):
        import_scores(project, copy, data.features)
    # asked for, it is another run (to compare aggregations side by side, say), with a note
    second = import_scores(project, copy, data.features, aggregation="max", allow_duplicate=True)
    assert second.run_id != first.run_id and second.notes == [f"the same scores are also run {first.run_id}"]


def test_media_may_be_given_by_project_id_and_json_carries_the_model(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=2, unseen=0)
    first = import_scores(project, data.csv)
    ids = sorted({int(m) for m in project.detectors.results(first.run_id).media_id})
    doc = {"model": "effnet", "version": "b4", "params": {"frames": 32},
           "results": [{"media": ids[0], "score": 0.9, "label": "fake", "attack_type": "FaceSwap"},
                       {"media": ids[1], "score": 0.1, "label": 0},
                       {"media": ids[2], "score": 0.7, "label": "REAL"}]}
    path = tmp_path / "scores.json"
    path.write_text(json.dumps(doc, indent=2))
    run = import_scores(project, path)
    rec = project.detectors.run(run.run_id)
    assert (rec.model, rec.version, rec.params) == ("effnet", "b4", {"frames": 32})
    t = project.detectors.results(run.run_id)
    assert t.label.tolist() == [1, 0, 0] and t.attack_type.tolist() == ["FaceSwap", None, None]


def test_a_model_named_by_a_number_is_stored_as_logged_and_a_model_that_is_no_name_is_refused(project, tmp_path):
    """``"model": 5`` was logged as a number and stored as text: `verify` took the run for changed after it was
    recorded, on every run after, and its report was refused (found by a tester)."""
    data = make_dataset(tmp_path / "data", per_class=2, unseen=0)
    first = import_scores(project, data.csv)
    media = int(project.detectors.results(first.run_id).media_id[0])
    path = tmp_path / "numbered.json"
    path.write_text(json.dumps({"model": 5, "version": 2, "results": [{"media": media, "score": 0.3}]}))
    rec = project.detectors.run(import_scores(project, path).run_id)
    assert (rec.model, rec.version) == ("5", "2")
    assert project.detectors.check_runs() == [] and project.audit.verify() == []

    before = _state(project)
    path.write_text(json.dumps({"model": {"name": "x"}, "results": [{"media": media, "score": 0.3}]}))
    with pytest.raises(InputError, match=r"numbered.json, field 'model': expected the model as text, not "):
        import_scores(project, path)
    assert _state(project) == before


@pytest.mark.parametrize("change, message, line", [
    ({"score": "1.3"}, "field 'score': '1.3' is outside [0, 1]", 5),
    ({"score": "high"}, "field 'score': expected a number in [0, 1]", 5),
    ({"label": "maybe"}, "field 'label': unknown label 'maybe'", 5),
    ({"split": "train"}, "field 'split': unknown split 'train'", 5),
    ({"media": "nowhere.mp4"}, "field 'media': no such media file 'nowhere.mp4'", 5),
    ({"media": "999"}, "field 'media': no media with id 999", 5),
])
def test_a_bad_row_names_the_file_and_line_and_nothing_is_imported(project, tmp_path, change, message, line):
    data = make_dataset(tmp_path / "data", per_class=2, unseen=0)
    rows = [dict(r) for r in data.rows]
    rows[3].update(change)  # data row 3 is on line 5 (the header is line 1)
    bad = write_csv(tmp_path / "data" / "bad.csv", rows)
    before = _state(project)
    with pytest.raises(InputError) as e:
        import_scores(project, bad)
    assert str(e.value).startswith(f"{bad}, line {line}, {message}")
    assert _state(project) == before


def test_a_feature_file_of_another_length_is_refused(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=2, unseen=0)
    short = tmp_path / "short.npy"
    np.save(short, np.load(data.features)[:-2])
    before = _state(project)
    with pytest.raises(InputError) as e:
        import_scores(project, data.csv, short)
    text = str(e.value)
    assert text.startswith(str(short)) and "10 feature rows, but scores.csv has 12 data rows" in text
    assert "scores.csv, line 12 has no feature vector" in text
    assert _state(project) == before


def test_a_features_file_that_is_not_a_npy_array_of_numbers_is_named_for_what_it_is(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=2, unseen=0)
    objects, archive, cut = tmp_path / "objects.npy", tmp_path / "arrays.npz", tmp_path / "cut.npy"
    np.save(objects, np.array([{"x": 1}] * 12, dtype=object), allow_pickle=True)
    np.savez(archive, features=np.load(data.features))
    np.save(cut, np.load(data.features))
    cut.write_bytes(cut.read_bytes()[:-40])
    expected = "(expected an N x D float array saved with numpy.save)"
    before = _state(project)
    for path, message in ((data.csv, f"not a NumPy .npy file {expected}"),  # the score file given twice
                          (archive, f"not a NumPy .npy file {expected}"),
                          (objects, f"holds Python objects, not numbers {expected}"),
                          (cut, "a damaged .npy file: cut short or corrupt")):
        with pytest.raises(InputError) as e:
            import_scores(project, data.csv, path)
        assert str(e.value).startswith(f"{path}: {message}") and "pickle" not in str(e.value)
    assert _state(project) == before


def test_frames_past_the_end_and_repeated_samples_are_refused(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=2, unseen=0)
    rows = [dict(r) for r in data.rows]
    video_row = next(i for i, r in enumerate(rows) if r["frame"] != "")
    rows[video_row]["frame"] = 500
    with pytest.raises(InputError, match=rf"line {video_row + 2}, field 'frame': frame 500 is past the end"):
        import_scores(project, write_csv(tmp_path / "data" / "late.csv", rows))
    rows = [dict(r) for r in data.rows] + [dict(data.rows[0])]
    with pytest.raises(InputError, match=rf"line {len(rows) + 1}: the same sample .* is already on line 2"):
        import_scores(project, write_csv(tmp_path / "data" / "twice.csv", rows))
    # a copy of a photo under another name is the same media (same SHA-256): its row repeats the sample too
    shutil.copy(tmp_path / "data" / rows[0]["media"], tmp_path / "data" / "copy.png")
    rows = [dict(r) for r in data.rows] + [{**data.rows[0], "media": "copy.png"}]
    with pytest.raises(InputError, match=rf"line {len(rows) + 1}: the same sample .* is already on line 2"):
        import_scores(project, write_csv(tmp_path / "data" / "copied.csv", rows))
    assert project.media.count() == 0


def test_an_images_empty_frame_and_frame_0_are_one_sample(project, tmp_path):
    data = make_dataset(tmp_path / "data", per_class=2, unseen=0)
    photo = next(r for r in data.rows if r["frame"] == "")
    rows = [dict(photo), {**photo, "frame": 0}]
    path = write_csv(tmp_path / "data" / "twice.csv", rows)
    before = _state(project)
    with pytest.raises(InputError, match=rf"{path}, line 3: the same sample \(media {photo['media']}, frame 0, "
                                         rf"face {photo['face']}\) is already on line 2"):
        import_scores(project, path)
    assert _state(project) == before
    # on a video, no frame and frame 0 stay two samples (the whole video's score and its first frame's)
    video = next(r for r in data.rows if r["frame"] != "")
    run = import_scores(project, write_csv(tmp_path / "data" / "video.csv", [{**video, "frame": ""}, video]))
    assert run.rows == 2


def test_json_errors_name_the_line_of_the_row(project, tmp_path):
    path = tmp_path / "s.json"
    path.write_text('[\n  {"media": 1, "score": 0.5},\n  {"media": 1,\n   "score": -0.1}\n]\n')
    with pytest.raises(InputError, match=r"s.json, line 3, field 'score': -0.1 is outside \[0, 1\]"):
        import_scores(project, path)
    path.write_text('{"results": [\n {"score": 0.5}\n]}')
    with pytest.raises(InputError, match=r"line 2, field 'media': missing 'media'"):
        import_scores(project, path)
    path.write_text('[{"media": 1, "score": 0.5},')
    with pytest.raises(InputError, match=r"s.json, line 1: not valid JSON"):
        import_scores(project, path)


def test_json_errors_in_a_one_line_file_name_the_row_too(project, tmp_path):
    make_dataset(tmp_path / "data", per_class=2, unseen=0)
    path = tmp_path / "data" / "s.json"
    path.write_text(json.dumps({"results": [{"media": "dev0.png", "score": 0.1}, {"media": "dev1.png", "score": 0.2},
                                            {"media": "dev2.png", "score": "high"}]}))
    with pytest.raises(InputError, match=r"s.json, line 1, field 'results\[2\].score': expected a number in \[0, 1\]"):
        import_scores(project, path)
    rows = [{"media": "dev0.png", "score": 0.1}, {"media": "nowhere.png", "score": 0.2}]
    path.write_text(json.dumps(rows))  # a list of rows: its rows are [0], [1], ...
    with pytest.raises(InputError, match=r"s.json, line 1, field '\[1\].media': no such media file 'nowhere.png'"):
        import_scores(project, path)
    path.write_text(json.dumps([{"media": "dev0.png", "score": 0.1}, {"media": "dev1.png", "score": 0.2},
                                {"media": "dev0.png", "score": 0.3}]))
    with pytest.raises(InputError, match=r"s.json, line 1, field '\[2\]': the same sample \(media dev0.png\) is "
                                         r"already on line 1 \(\[0\]\)"):
        import_scores(project, path)
    short = tmp_path / "short.npy"
    np.save(short, np.zeros((2, 4), np.float32))
    with pytest.raises(InputError, match=r"2 feature rows, but s.json has 3 data rows; s.json, line 1 \(\[2\]\) has "
                                         "no feature vector"):
        import_scores(project, path, short)
    assert project.media.count() == 0


def test_a_csv_without_the_score_column_says_which_columns_it_has(project, tmp_path):
    path = tmp_path / "s.csv"
    path.write_text("media,prob\na.png,0.3\n")
    with pytest.raises(InputError, match=r"s.csv, line 1: missing column 'score' \(the header has 'media', 'prob'"):
        import_scores(project, path)


@pytest.mark.parametrize("sep, named", [(";", "';'"), ("\t", "a tab")])
def test_a_csv_separated_by_something_else_says_so(project, tmp_path, sep, named):
    """A semicolon CSV (a spreadsheet's export in many locales) said only that 'media' and 'score' were missing."""
    path = tmp_path / "s.csv"
    path.write_text(f"media{sep}score\na.png{sep}0.3\n")
    with pytest.raises(InputError, match=f"its columns look separated by {named}: FaceLens reads comma-separated"):
        import_scores(project, path)


def test_parameters_with_nan_or_infinity_are_refused_by_name(project, tmp_path, capsys):
    """They reached the audit log's strict JSON and ended in a traceback (found by a tester)."""
    from tests.inprocess_cli import run_main

    data = make_dataset(tmp_path / "data", per_class=2, unseen=0)
    before = _state(project)
    path = tmp_path / "nan.json"
    path.write_text('{"params": {"t": NaN}, "results": [{"media": "x.png", "score": 0.3}]}')
    with pytest.raises(InputError, match=r"nan.json, field 'params': NaN and Infinity cannot be stored"):
        import_scores(project, path)
    err = run_main(capsys, "audit", "import", project.root, data.csv, "--params", '{"f": Infinity}', code=2).err
    assert err.strip().endswith("--params: NaN and Infinity cannot be stored as parameters (the audit log "
                                "is strict JSON): give them as text, such as \"nan\"")
    assert _state(project) == before
