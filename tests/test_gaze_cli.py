"""``gaze import``, ``gaze fixations`` and ``gaze stats`` on the demo video (media 2: 150 frames at 25 fps, 6 s,
640x480), as a user runs them: what is stored, what is said, and one-line refusals that store nothing."""
import numpy as np
import pytest

from tests.cli import run_cli
from tests.inprocess_cli import main_json, run_main


def gaze_csv(path, t0=0.0, rate=100, seconds=6.0, sep=",", decimal="."):
    """Gaze that rests half a second at each of 12 places across the frame, in pixels, from gaze time ``t0``."""
    t = np.arange(0, seconds, 1 / rate)
    x = 60 + 40 * np.floor(t / 0.5)
    y = 240 + 0 * t

    def num(v, fmt):
        return fmt.format(v).replace(".", decimal)

    rows = [sep.join((num(a + t0, "{:.3f}"), num(b, "{:.2f}"), num(c, "{:.2f}"))) for a, b, c in zip(t, x, y)]
    path.write_text(sep.join("txy") + "\n" + "\n".join(rows) + "\n")
    return path


def recordings(capsys, demo_dir) -> list[dict]:
    return main_json(capsys, "gaze", "list", demo_dir)["recordings"]


def test_stats_count_only_labelled_stretches_of_time_not_whole_clip_labels(demo_dir, tmp_path, capsys):
    rec = main_json(capsys, "gaze", "import", demo_dir, 2, gaze_csv(tmp_path / "gaze.csv"))["recording_id"]
    run_main(capsys, "gaze", "fixations", demo_dir, rec)
    run_main(capsys, "emotion", "label", demo_dir, 2, "--track", "fer", "--label", "anger", "--start", 1, "--end", 2)
    run_main(capsys, "emotion", "label", demo_dir, 2, "--track", "fer", "--label", "happiness")  # the whole clip
    run_main(capsys, "emotion", "label", demo_dir, 2, "--track", "er", "--label", "sadness")
    stats = main_json(capsys, "gaze", "stats", demo_dir, rec)
    assert [(s["track"], s["label"], s["seconds"]) for s in stats["segments"]] == [("fer", "anger", 1.0)]
    assert {track: list(labels) for track, labels in stats["emotions"].items()} == {"fer": ["anger"]}
    assert stats["emotions"]["fer"]["anger"]["fixations"] == 2  # the rests at 1.0-1.5 s and 1.5-2.0 s
    text = run_main(capsys, "gaze", "stats", demo_dir, rec).out
    assert "anger" in text and "happiness" not in text and "sadness" not in text


def test_import_says_which_coordinates_it_assumed(demo_dir, tmp_path, capsys):
    t = np.arange(0, 6, 0.02)
    x, y = 0.5 + 0.3 * np.sin(t), 0.5 + 0.2 * np.cos(t)
    x[100] = 1.03  # normalised data with one sample slightly off the screen
    path = tmp_path / "norm.csv"
    path.write_text("t,x,y\n" + "\n".join(f"{a:.2f},{b:.4f},{c:.4f}" for a, b, c in zip(t, x, y)) + "\n")
    out = main_json(capsys, "gaze", "import", demo_dir, 2, path)
    assert (out["coordinates"], out["coordinates_guessed"]) == ("norm", True)
    stored = main_json(capsys, "gaze", "list", demo_dir)["recordings"][0]
    assert stored["params"]["coordinates"] == "norm"
    text = run_main(capsys, "gaze", "import", demo_dir, 2, path).out
    assert "coordinates normalised (origin top left), guessed from the values (--coordinates px if they are not)" \
        in text
    text = run_main(capsys, "gaze", "import", demo_dir, 2, gaze_csv(tmp_path / "px.csv")).out
    assert "coordinates pixels, guessed from the values (--coordinates norm if they are not)" in text
    given = main_json(capsys, "gaze", "import", demo_dir, 2, path, "--coordinates", "px")
    assert (given["coordinates"], given["coordinates_guessed"]) == ("px", False)


def pupil_export(path, t0=1234.5, seconds=6.0):
    """A Pupil Player gaze_positions.csv whose world camera is the demo video (25 fps): 200 Hz, world_index."""
    t = np.arange(0, seconds, 0.005)
    rows = [f"{t0 + a:.4f},{int(a * 25)},0.98,{0.3 + 0.05 * np.floor(a):.4f},0.5" for a in t]
    path.write_text("gaze_timestamp,world_index,confidence,norm_pos_x,norm_pos_y\n" + "\n".join(rows) + "\n")
    return path


def test_pupil_world_index_alignment_refuses_a_drift_it_would_ignore(demo_dir, tmp_path, capsys):
    path = pupil_export(tmp_path / "gaze_positions.csv")
    err = run_main(capsys, "gaze", "import", demo_dir, 2, path, "--drift", "0.001", code=2).err
    assert "field '--drift': would be ignored: this file is aligned by its world_index" in err
    assert "give --offset with --drift" in err
    assert recordings(capsys, demo_dir) == []
    out = main_json(capsys, "gaze", "import", demo_dir, 2, path, "--offset", "-1234.5", "--drift", "0.001")
    assert (out["alignment"], out["drift"]) == ("manual", 0.001)  # by hand, both are honoured
    assert main_json(capsys, "gaze", "import", demo_dir, 2, path)["alignment"] == "world_index"


@pytest.mark.parametrize("options, field, message", [
    (("--drift", "0.001", "--sync", "0:0.5", "--sync", "5:5.5"), "--drift",
     "would be ignored: two or more --sync events measure the drift themselves"),
    (("--offset", "1", "--sync", "0:0.5"), "--sync", "would be ignored: --offset aligns by hand"),
])
def test_alignment_options_that_would_be_ignored_are_refused(demo_dir, tmp_path, capsys, options, field, message):
    err = run_main(capsys, "gaze", "import", demo_dir, 2, gaze_csv(tmp_path / "g.csv"), *options, code=2).err
    assert f"field '{field}': {message}" in err
    assert recordings(capsys, demo_dir) == []


def test_one_sync_event_with_a_drift_honours_both(demo_dir, tmp_path, capsys):
    out = main_json(capsys, "gaze", "import", demo_dir, 2, gaze_csv(tmp_path / "g.csv", t0=100),
                    "--sync", "101:1", "--drift", "0.001")
    assert out["alignment"] == "sync events" and out["drift"] == 0.001
    assert out["offset"] + 1.001 * 101 == pytest.approx(1.0)  # gaze 101 s is the video's 1 s


@pytest.mark.parametrize("options, span", [
    (("--offset", "100"), "they span 100.000 to 105.990 s of video time"),
    (("--offset", "-100"), "they span -100.000 to -94.010 s of video time"),
    (("--sync", "0:50"), "they span 50.000 to 55.990 s of video time"),
])
def test_a_recording_that_misses_the_video_is_refused(demo_dir, tmp_path, capsys, options, span):
    path = gaze_csv(tmp_path / "g.csv")
    p = run_cli("gaze", "import", demo_dir, 2, path, *options, check=2)
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert f"{path}, field '--offset': no sample falls on the video" in p.stderr
    assert span in p.stderr and "the video runs from 0 to 6 s" in p.stderr
    assert recordings(capsys, demo_dir) == []
    partly = main_json(capsys, "gaze", "import", demo_dir, 2, path, "--offset", "3")  # half of it is on the video
    assert partly["outside_video"] == 299 and len(recordings(capsys, demo_dir)) == 1  # 6.01 to 8.99 s


def test_a_semicolon_csv_with_decimal_commas_imports_like_its_comma_twin(demo_dir, tmp_path, capsys):
    """What Excel saves as CSV on a German or French system: t;x;y with 0,125 for 0.125."""
    comma = main_json(capsys, "gaze", "import", demo_dir, 2, gaze_csv(tmp_path / "en.csv"))
    semicolon = main_json(capsys, "gaze", "import", demo_dir, 2, gaze_csv(tmp_path / "de.csv", sep=";", decimal=","))
    assert (semicolon["format"], semicolon["samples"], semicolon["duration"]) == ("csv", 600, comma["duration"])
    first, second = (main_json(capsys, "gaze", "fixations", demo_dir, r["recording_id"])["fixations"]
                     for r in (comma, semicolon))
    assert second == first and len(first) == 12


def test_a_gaze_csv_without_y_is_told_so(demo_dir, tmp_path, capsys):
    path = tmp_path / "g.csv"
    path.write_text("t,x\n0,320\n0.01,321\n")
    p = run_cli("gaze", "import", demo_dir, 2, path, check=2)
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert f"{path}, line 1, field 'y': missing column; expected a column 'y' (a generic gaze CSV" in p.stderr
    assert recordings(capsys, demo_dir) == []


@pytest.mark.parametrize("given, missing", [(("--display-width-mm", "500"), "--distance-mm"),
                                            (("--distance-mm", "600"), "--display-width-mm")])
def test_fixations_in_degrees_need_both_the_display_width_and_the_distance(demo_dir, tmp_path, capsys, given, missing):
    rec = main_json(capsys, "gaze", "import", demo_dir, 2, gaze_csv(tmp_path / "g.csv"))["recording_id"]
    err = run_main(capsys, "gaze", "fixations", demo_dir, rec, *given, code=2).err
    assert f"field '{missing}': {given[0]} needs {missing} too" in err and "got 0" not in err
    assert recordings(capsys, demo_dir)[0]["event_sets"] == []
    both = main_json(capsys, "gaze", "fixations", demo_dir, rec, "--display-width-mm", "500", "--distance-mm", "600")
    assert both["params"]["px_per_degree"] == pytest.approx(2 * 600 * np.tan(np.radians(0.5)) * 640 / 500)


def test_a_recording_imported_wrongly_is_removed_with_its_fixations_and_the_removal_is_logged(demo_dir, tmp_path,
                                                                                          capsys):
    from storage.project import Project

    path = gaze_csv(tmp_path / "gaze.csv")
    said = run_main(capsys, "gaze", "import", demo_dir, 2, path, "--offset", 2).out
    assert "video time = gaze time + 2 s, aligned by hand;" in said  # (it said ", manual;")
    wrong = recordings(capsys, demo_dir)[-1]["recording_id"]
    main_json(capsys, "gaze", "fixations", demo_dir, wrong)
    right = main_json(capsys, "gaze", "import", demo_dir, 2, path)["recording_id"]
    out = main_json(capsys, "gaze", "remove", demo_dir, wrong)
    assert (out["recording_id"], out["samples"], out["event_sets"]) == (wrong, 600, 1)
    assert [r["recording_id"] for r in recordings(capsys, demo_dir)] == [right]
    with Project.open(demo_dir) as p:
        assert p.audit.entries()[-1].action == "delete series" and p.eye_events.sets(wrong) == []
        assert p.audit.verify() == []
    # Refused in one line, nothing removed: a recording that is not there, a rating (not gaze)
    err = run_main(capsys, "gaze", "remove", demo_dir, wrong, code=2).err
    assert err.strip() == f"facelens: error: field 'recording': no gaze recording {wrong} in the project " \
                          f"(recordings: {right})"
    run_main(capsys, "emotion", "rate", demo_dir, 2, _rating_csv(tmp_path))
    with Project.open(demo_dir) as p:
        rating = p.series.for_media(2, "rating")[0].id
    assert "no gaze recording" in run_main(capsys, "gaze", "remove", demo_dir, rating, code=2).err
    assert [r["recording_id"] for r in recordings(capsys, demo_dir)] == [right]


def _rating_csv(tmp_path):
    path = tmp_path / "rating.csv"
    path.write_text("t,valence,arousal\n0,0.1,0.2\n5,0.3,0.4\n")
    return path
