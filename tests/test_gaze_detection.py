"""Fixations, saccades and blinks found in synthetic gaze whose truth is known, by both methods."""
import math

import numpy as np
import pytest

from engine.gaze.detect import detect_events
from engine.gaze.fixation_map import fixation_map
from engine.gaze.geometry import ViewingGeometry
from engine.gaze.params import DetectionParams
from tests.gaze_factory import synthetic_gaze


def expected_fixations(truth, min_duration):
    """The true fixations, cut where a blink interrupts them, keeping the parts long enough to count."""
    out = []
    for start, end, x, y in truth.fixations:
        parts = [(start, end)]
        for b0, b1 in truth.blinks:
            parts = [p for s, e in parts for p in ((s, b0), (b1, e)) if p[1] > p[0]] \
                if start < b0 < end else parts
        out += [(s, e, x, y) for s, e in parts if e - s >= min_duration]
    return out


@pytest.mark.parametrize("method, params", [
    ("ivt", DetectionParams()),
    ("idt", DetectionParams()),
])
@pytest.mark.parametrize("seed", [0, 1])
def test_detected_events_match_the_truth(method, params, seed):
    samples, truth = synthetic_gaze(rate=250, noise_px=0.8, seed=seed)
    events = detect_events(samples, method, params)
    step = 1 / 250
    tolerance = 0.03  # s: the velocity window and the I-DT window blur the edges by a few samples
    must = expected_fixations(truth, events.params["min_fixation_s"] + tolerance)
    may = expected_fixations(truth, events.params["min_fixation_s"] - tolerance)
    found = events.fixations

    def near(f, part):
        return abs(f.start - part[0]) <= tolerance and abs(f.end - part[1]) <= tolerance

    # every clear true fixation found once, in time and in place
    for part in must:
        hits = [f for f in found if near(f, part)]
        assert len(hits) == 1, (method, part, [(f.start, f.end) for f in found])
        assert math.hypot(hits[0].x - part[2], hits[0].y - part[3]) < 3.0  # I-DT may take in a saccade onset
    # and nothing else: every fixation found is a true one (borderline short ones may or may not count)
    for f in found:
        assert [part for part in may if near(f, part)], (method, f)
    for s0, s1 in truth.saccades:
        assert not [f for f in found if f.start < s0 + (s1 - s0) / 2 < f.end]
    # blinks: the stretches of missing samples, to a sample
    assert len(events.blinks) == len(truth.blinks)
    for b, (b0, b1) in zip(events.blinks, truth.blinks):
        assert abs(b.start - b0) <= step and abs(b.end - b1) <= step
    # saccades join fixations that follow each other without a blink between
    assert len(events.saccades) == len(found) - 1 - len(truth.blinks)
    for s in events.saccades:
        assert s.amplitude > 150 and s.peak_velocity > params.velocity_threshold_px
    assert events.params["method"] == method


def test_noise_larger_than_the_threshold_is_not_a_fixation():
    samples, truth = synthetic_gaze(rate=250, noise_px=0.8, seed=3)
    rng = np.random.default_rng(0)
    samples.x[:] = rng.uniform(0, 1280, len(samples.x))  # pure noise: the eye is not tracked
    for method in ("ivt", "idt"):
        assert detect_events(samples, method).fixations == []


def test_low_confidence_samples_count_as_a_blink():
    samples, truth = synthetic_gaze(rate=250, seed=4, blink_after=())
    middle = (samples.t > 1.0) & (samples.t < 1.12)
    samples.confidence[middle] = 0.1
    (blink,) = detect_events(samples, "idt").blinks
    assert abs(blink.start - 1.0) < 0.01 and abs(blink.end - 1.12) < 0.01


def test_thresholds_in_degrees_follow_the_viewing_geometry():
    g = ViewingGeometry(video_width_px=1920, display_width_mm=530, distance_mm=650)
    assert g.px_per_degree == pytest.approx(1920 / 530 * 2 * 650 * math.tan(math.radians(0.5)))
    resolved = DetectionParams(px_per_degree=g.px_per_degree).resolved("ivt")
    assert resolved["velocity_threshold_px_s"] == pytest.approx(30 * g.px_per_degree)
    assert resolved["velocity_threshold_deg_s"] == 30
    idt = DetectionParams(px_per_degree=g.px_per_degree).resolved("idt")
    assert idt["dispersion_px"] == pytest.approx(g.px_per_degree) and idt["min_fixation_s"] == 0.1


def test_near_fixations_are_merged():
    samples, _ = synthetic_gaze(rate=250, seed=5, n_fixations=1, blink_after=())
    samples.x[50:53] += 60  # a three-sample spike in the middle of one fixation
    merged = detect_events(samples, "ivt")
    split = detect_events(samples, "ivt", DetectionParams(merge_max_gap=0.001))
    assert len(merged.fixations) == 1 and len(split.fixations) == 2


def test_fixation_map_peaks_where_the_eyes_dwelt():
    samples, truth = synthetic_gaze(rate=250, seed=0)
    events = detect_events(samples, "idt")
    heat = fixation_map(events.fixations, 1280, 720, sigma_px=30, scale=0.25)
    assert heat.shape == (180, 320) and heat.max() == pytest.approx(1.0)
    longest = max(events.fixations, key=lambda f: f.duration)
    y, x = np.unravel_index(np.argmax(heat), heat.shape)
    assert math.hypot((x + 0.5) * 4 - longest.x, (y + 0.5) * 4 - longest.y) < 60
    first = events.fixations[0]
    only_first = fixation_map(events.fixations, 1280, 720, 30, 0.25, start=0, end=first.end)
    y, x = np.unravel_index(np.argmax(only_first), only_first.shape)
    assert math.hypot((x + 0.5) * 4 - first.x, (y + 0.5) * 4 - first.y) < 4
    # a segment that starts just after a long fixation began: that fixation still dominates its map
    second = events.fixations[1]
    late = fixation_map(events.fixations, 1280, 720, 30, 0.25, start=first.start + 0.02, end=second.start + 0.01)
    y, x = np.unravel_index(np.argmax(late), late.shape)
    assert math.hypot((x + 0.5) * 4 - first.x, (y + 0.5) * 4 - first.y) < 4
