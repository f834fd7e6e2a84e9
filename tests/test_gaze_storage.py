"""Gaze recordings stored as chunked arrays, eye events with their parameters, and the CLI on top."""
import math
import sqlite3

import numpy as np

from annotation.gaze.events import Blink, EyeEvents, Fixation, Saccade
from storage.series_repo import CHUNK_ROWS
from tests.cli import run_cli
from tests.inprocess_cli import main_json
from tests.gaze_factory import synthetic_gaze


def test_samples_are_stored_in_chunks_not_rows(demo):
    n = 2 * CHUNK_ROWS + 10
    data = np.column_stack([np.arange(n) / 1000.0, np.random.default_rng(0).normal(size=(n, 2))])
    info = demo.series.add(2, "gaze", ("t", "x", "y"), data, name="test")
    con = sqlite3.connect(demo.db_path)
    assert con.execute("SELECT COUNT(*) FROM series_chunks WHERE series_id = ?", (info.id,)).fetchone()[0] == 3
    np.testing.assert_array_equal(demo.series.load(info.id), data)
    part = demo.series.load(info.id, 5.0, 5.5)
    np.testing.assert_array_equal(part, data[(data[:, 0] >= 5.0) & (data[:, 0] <= 5.5)])
    assert demo.audit.entries()[-1].action == "add series"


def test_eye_events_round_trip_with_their_parameters(demo):
    info = demo.series.add(2, "gaze", ("t", "x", "y"), np.zeros((1, 3)))
    events = EyeEvents([Fixation(0.1, 0.3, 10.0, 20.0, 4.0, 50)], [Saccade(0.3, 0.33, 10, 20, 200, 20, math.nan)],
                       [Blink(1.0, 1.2)], "idt", {"dispersion_px": 25.0})
    stored = demo.eye_events.add(info.id, events)
    assert stored.counts == {"fixations": 1, "saccades": 1, "blinks": 1}
    back = demo.eye_events.load(stored.id)
    assert back.fixations == events.fixations and back.blinks == events.blinks
    assert back.saccades[0].amplitude == 190 and math.isnan(back.saccades[0].peak_velocity)
    assert back.params == {"dispersion_px": 25.0} and back.method == "idt"
    demo.series.delete(info.id)  # its events go with it
    assert demo.eye_events.info(stored.id) is None


def test_cli_fixations_in_video_seconds_and_pixels(demo_dir, tmp_path, capsys):
    samples, truth = synthetic_gaze(rate=120, seed=2, n_fixations=6, blink_after=(2,))
    path = tmp_path / "gaze.csv"
    with open(path, "w") as f:  # the gaze clock starts 10 s before the video
        f.write("t,x,y,pupil,confidence\n")
        for t, x, y in zip(samples.t, samples.x, samples.y):
            f.write(f"{t + 10:.5f},{x / 2:.3f},{y / 2:.3f},3.1,0.98\n")
    imported = main_json(capsys, "gaze", "import", demo_dir, 2, path, "--offset", "-10")
    out = main_json(capsys, "gaze", "fixations", demo_dir, imported["recording_id"], "--method", "ivt",
                    "--velocity", "400")
    assert set(out) >= {"fixations", "saccades", "blinks", "params"}
    assert out["params"]["velocity_threshold_px_s"] == 400 and out["params"]["method"] == "ivt"
    assert out["blinks"] == 1
    first = out["fixations"][0]
    start, end, x, y = truth.fixations[0]
    assert abs(first["start"] - start) < 0.04 and abs(first["end"] - end) < 0.04
    assert abs(first["x"] - x / 2) < 2 and abs(first["y"] - y / 2) < 2
    idt = main_json(capsys, "gaze", "fixations", demo_dir, imported["recording_id"])
    assert idt["params"]["method"] == "idt" and idt["params"]["dispersion_px"] == 25
    listed = main_json(capsys, "gaze", "list", demo_dir)["recordings"][0]
    assert [e["method"] for e in listed["event_sets"]] == ["ivt", "idt"]
    p = run_cli("gaze", "fixations", demo_dir, 42, check=2)
    assert "no gaze recording 42" in p.stderr
