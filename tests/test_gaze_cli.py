"""``gaze import``, ``gaze fixations`` and ``gaze stats`` on the demo video (media 2: 150 frames at 25 fps, 6 s,
640x480), as a user runs them: what is stored, what is said, and one-line refusals that store nothing."""
import numpy as np

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
    run_main(capsys, "emotion", "label", demo_dir, 2, "--track", "fer", "--label", "anger", "--start", "1", "--end", "2")
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
