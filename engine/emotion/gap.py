"""The ER-versus-FER gap on one video's frames: how long each felt emotion was shown as each expression, and
how often (in time and in segments) the face did not show what the person felt."""
from __future__ import annotations

import numpy as np

from annotation.emotion.timeline import dominant_label
from annotation.model import TimeSegment


class GapTally:
    """Sums the gap over several videos; ``result()`` gives the numbers the report prints."""

    def __init__(self):
        self.confusion: dict[str, dict[str, float]] = {}
        self.seconds_both = 0.0
        self.seconds_differ = 0.0
        self.segments_compared = 0
        self.segments_differ = 0
        self.by_class: dict[str, dict[str, float]] = {}

    def add_frames(self, er: np.ndarray, fer: np.ndarray, fps: float) -> None:
        dt = 1.0 / fps
        for e, f in zip(er, fer):
            if e is None or f is None:
                continue
            row = self.confusion.setdefault(e, {})
            row[f] = row.get(f, 0.0) + dt
            self.seconds_both += dt
            c = self.by_class.setdefault(e, {"seconds": 0.0, "differ_seconds": 0.0, "segments": 0,
                                             "segments_differ": 0})
            c["seconds"] += dt
            if e != f:
                self.seconds_differ += dt
                c["differ_seconds"] += dt

    def add_segments(self, er_segments: list[TimeSegment], fer: np.ndarray, fps: float) -> None:
        """Each ER segment against the FER label shown over most of its frames."""
        for s in er_segments:
            shown = dominant_label(fer, s.start, s.end, fps)
            if shown is None:
                continue
            felt = s.values.get("label")
            self.segments_compared += 1
            c = self.by_class.setdefault(felt, {"seconds": 0.0, "differ_seconds": 0.0, "segments": 0,
                                                "segments_differ": 0})
            c["segments"] += 1
            if shown != felt:
                self.segments_differ += 1
                c["segments_differ"] += 1

    def result(self) -> dict:
        share = self.seconds_differ / self.seconds_both if self.seconds_both else None
        seg_share = self.segments_differ / self.segments_compared if self.segments_compared else None
        per_class = {
            k: {"seconds": round(v["seconds"], 6),
                "disagreement_share": v["differ_seconds"] / v["seconds"] if v["seconds"] else None,
                "segments": v["segments"],
                "segment_disagreement_share": v["segments_differ"] / v["segments"] if v["segments"] else None}
            for k, v in sorted(self.by_class.items())}
        return {"confusion": {e: {f: round(s, 6) for f, s in sorted(row.items())}
                              for e, row in sorted(self.confusion.items())},
                "disagreement_share": share, "segment_disagreement_share": seg_share,
                "seconds_compared": round(self.seconds_both, 6), "segments_compared": self.segments_compared,
                "per_class": per_class}
