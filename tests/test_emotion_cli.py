"""``emotion label`` and ``emotion rate`` on the demo video (media 2: 150 frames at 25 fps, 6 s): what a user types,
what is stored, and one-line refusals that leave the project as it was."""
import pytest

from tests.cli import run_cli
from tests.inprocess_cli import main_json, run_main


def stored_segments(capsys, demo_dir) -> int:
    return main_json(capsys, "info", demo_dir)["segments"]


@pytest.mark.parametrize("times, field, message", [
    (("10", "12"), "--start", "10 s is after the end of the video (6 s)"),
    (("-5", "-1"), "--start", "expected seconds >= 0, got -5"),
    (("3", "2"), "--end", "must be after --start (3 s), got 2 s"),
    (("2", "2"), "--end", "must be after --start (2 s), got 2 s"),
    (("5", "6.5"), "--end", "6.5 s is after the end of the video (6 s)"),
])
def test_label_times_outside_the_video_or_backwards_are_refused(demo_dir, capsys, times, field, message):
    start, end = times
    err = run_main(capsys, "emotion", "label", demo_dir, 2, "--track", "fer", "--label", "anger",
                   "--start", start, "--end", end, code=2).err
    assert f"field '{field}': {message}" in err
    assert stored_segments(capsys, demo_dir) == 0


def test_label_times_refusal_is_one_line_from_the_real_process(demo_dir, capsys):
    p = run_cli("emotion", "label", demo_dir, 2, "--track", "fer", "--label", "anger", "--start", "10", "--end", "12",
                check=2)
    assert p.stderr.count("\n") == 1 and "after the end of the video (6 s)" in p.stderr and "Traceback" not in p.stderr


def test_a_label_on_the_last_frame_stays_inside_the_video(demo_dir, capsys):
    out = main_json(capsys, "emotion", "label", demo_dir, 2, "--track", "fer", "--label", "anger",
                    "--start", "5.99", "--end", "6")
    assert (out["start"], out["end"]) == (pytest.approx(5.96), 6.0)  # frame 149, not 6.00-6.04


@pytest.mark.parametrize("media, scope", [(2, "clip"), (1, "image")])
def test_a_second_whole_clip_label_relabels_the_first(demo_dir, capsys, media, scope):
    """One whole-clip (or image) label per annotator and tier, as the window's box per tier and emotion import
    have it: labelling again is the annotator changing their mind."""
    first = main_json(capsys, "emotion", "label", demo_dir, media, "--track", "er", "--label", "happiness",
                      "--annotator", "alice")
    main_json(capsys, "emotion", "label", demo_dir, media, "--track", "er", "--label", "fear", "--annotator", "bob")
    out = run_main(capsys, "emotion", "label", demo_dir, media, "--track", "er", "--label", "sadness",
                   "--annotator", "alice").out
    assert "ER sadness" in out and f"({scope}) by alice: segment {first['id']}, replacing happiness" in out
    again = main_json(capsys, "emotion", "label", demo_dir, media, "--track", "er", "--label", "sadness",
                      "--annotator", "alice")
    assert again["id"] == first["id"] and again["replaced"] == "sadness"
    assert stored_segments(capsys, demo_dir) == 2  # alice's one label and bob's
    export = demo_dir / "labels.csv"
    run_main(capsys, "export", demo_dir, "--format", "emotion-csv", "--out", export)
    rows = sorted(line.split(",")[5:8] for line in export.read_text().splitlines()[1:])
    assert rows == [["er", "fear", "bob"], ["er", "sadness", "alice"]]


def test_a_rating_that_misses_the_video_is_refused(demo_dir, tmp_path, capsys):
    path = tmp_path / "late.csv"
    path.write_text("t,valence,arousal\n10,0.1,0.2\n11,0.5,0.2\n12,0.3,0.1\n")
    p = run_cli("emotion", "rate", demo_dir, 2, path, check=2)
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert f"{path}, field 't': no frame of the video lies within the rated span, 10 to 12 s (the video runs from " \
           "0 to 6 s" in p.stderr
    assert main_json(capsys, "emotion", "report", demo_dir)["alpha_interval"]["raters"] == []
    path.write_text("t,valence,arousal\n5,0.1,0.2\n12,0.3,0.1\n")  # partly on the video: its frames are rated
    assert main_json(capsys, "emotion", "rate", demo_dir, 2, path)["frames"] == 25
