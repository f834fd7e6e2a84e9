"""Without an eye tracker: the face-mesh job measures the eyes on every frame of the demo video, in which the
eyes blink at 1.2 s and 3.8 s for 0.24 s each (storage/demo.py)."""
import json

import numpy as np

from engine.gaze.face_blinks import detect_blinks
from engine.gaze.face_eyes import FACE_EYE_CHANNELS
from storage.demo import BLINKS, FPS
from tests.cli import run_cli


def test_face_mesh_job_finds_the_demo_blinks_and_stores_the_series(demo_dir, demo):
    done = run_cli("eyes", demo_dir, 2, "--json")
    assert done.stderr == ""  # mediapipe's native log lines do not reach the user
    out = json.loads(done.stdout)
    assert out["frames"] == 150 and out["face_frames"] == 150
    assert len(out["blinks"]) == len(BLINKS)
    for found, (start, length) in zip(out["blinks"], BLINKS):
        # the lids move along a half sine, so the first and last frames of a blink are barely closed
        assert abs(found["start"] - start) <= 2 / FPS and abs(found["end"] - (start + length)) <= 2 / FPS
    assert out["blink_rate_per_min"] == 20.0  # 2 blinks in 6 s
    info = demo.series.get(out["series_id"])
    assert info.kind == "face_eyes" and info.channels == FACE_EYE_CHANNELS and info.samples == 150
    data = demo.series.load(info.id)
    openness = data[:, FACE_EYE_CHANNELS.index("openness")]
    t = data[:, 0]
    during = (t >= 1.28) & (t <= 1.36)
    assert openness[during].mean() < 0.5 * np.median(openness)
    # the iris sits between the corners (0 outer, 1 inner) and a little below their line
    for side in ("left", "right"):
        h = data[~during, FACE_EYE_CHANNELS.index(f"iris_h_{side}")]
        assert 0.3 < np.median(h) < 0.7
    (events,) = demo.eye_events.sets(info.id)
    assert events.method == "face" and events.counts["blinks"] == 2 and events.params["closed_ratio"] == 0.6


def test_blink_detector_joins_a_flutter_and_ignores_eyes_kept_shut():
    t = np.arange(250) / 25.0
    openness = np.full(250, 0.3)
    openness[[50, 51, 53]] = 0.05  # one blink with a half-open frame in it
    openness[150:200] = 0.05  # two seconds shut: not a blink
    blinks, _ = detect_blinks(t, openness, 25.0)
    assert [(b.start, b.end) for b in blinks] == [(2.0, 2.16)]
