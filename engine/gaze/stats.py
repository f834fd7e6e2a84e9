"""Gaze statistics per labelled segment and per emotion: fixation count and duration, saccade amplitude, pupil
size and blink rate. An event belongs to the segment that holds its midpoint."""
from __future__ import annotations

import math

import numpy as np

from annotation.emotion.tracks import label_of, scope_of
from annotation.gaze.events import EyeEvents
from annotation.gaze.recording import GazeSamples
from annotation.model import TimeSegment


class _Tally:
    def __init__(self):
        self.seconds = 0.0
        self.fix_durations: list[float] = []
        self.amplitudes: list[float] = []
        self.blinks = 0
        self.pupil_sum = 0.0
        self.pupil_n = 0

    def add(self, start: float, end: float, samples: GazeSamples, events: EyeEvents) -> None:
        self.seconds += end - start

        def inside(e):
            return start <= (e.start + e.end) / 2 < end

        self.fix_durations += [f.duration for f in events.fixations if inside(f)]
        self.amplitudes += [s.amplitude for s in events.saccades if inside(s) and math.isfinite(s.amplitude)]
        self.blinks += sum(1 for b in events.blinks if inside(b))
        pupil = samples.between(start, end).pupil
        pupil = pupil[np.isfinite(pupil)]
        self.pupil_sum += float(pupil.sum())
        self.pupil_n += len(pupil)

    def result(self) -> dict:
        def mean(v):
            return round(float(np.mean(v)), 6) if len(v) else None

        return {"seconds": round(self.seconds, 6), "fixations": len(self.fix_durations),
                "fixation_duration_mean": mean(self.fix_durations),
                "fixation_duration_total": round(float(sum(self.fix_durations)), 6),
                "saccades": len(self.amplitudes), "saccade_amplitude_mean": mean(self.amplitudes),
                "pupil_mean": round(self.pupil_sum / self.pupil_n, 6) if self.pupil_n else None,
                "blinks": self.blinks,
                "blink_rate_per_min": round(self.blinks / self.seconds * 60, 3) if self.seconds > 0 else None}


def gaze_statistics(samples: GazeSamples, events: EyeEvents, segments: list[TimeSegment]) -> dict:
    """``{"segments": [...], "emotions": {track: {label: {...}}}}`` over the stretches of time labelled (whole-clip
    and image labels are left out)."""
    per_segment, per_emotion = [], {}
    for s in sorted(segments, key=lambda s: (s.tier, s.annotator, s.start)):
        if scope_of(s) != "time" or label_of(s) is None or s.duration <= 0:
            continue  # a whole-clip label says nothing about when the emotion was felt or shown
        one = _Tally()
        one.add(s.start, s.end, samples, events)
        per_segment.append({"id": s.id, "track": s.tier, "annotator": s.annotator, "label": label_of(s),
                            "start": s.start, "end": s.end, **one.result()})
        per_emotion.setdefault(s.tier, {}).setdefault(label_of(s), _Tally()).add(s.start, s.end, samples, events)
    return {"segments": per_segment,
            "emotions": {t: {label: tally.result() for label, tally in sorted(labels.items())}
                         for t, labels in sorted(per_emotion.items())}}
