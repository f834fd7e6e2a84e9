"""Eye events: fixations, saccades and blinks, in video seconds and video pixels.

An ``EyeEvents`` is one detection's result; ``method`` and ``params`` say exactly how it was made, so a
number in a report can always be traced back to the thresholds that produced it.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Fixation:
    start: float
    end: float
    x: float
    y: float
    dispersion: float = 0.0  # px: (max x - min x) + (max y - min y) of its samples
    samples: int = 0

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass(frozen=True)
class Saccade:
    start: float
    end: float
    x0: float
    y0: float
    x: float  # where it lands
    y: float
    peak_velocity: float = math.nan  # px/s

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def amplitude(self) -> float:
        return math.hypot(self.x - self.x0, self.y - self.y0)


@dataclass(frozen=True)
class Blink:
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


EVENT_KINDS = {"fixation": Fixation, "saccade": Saccade, "blink": Blink}


@dataclass
class EyeEvents:
    fixations: list[Fixation] = field(default_factory=list)
    saccades: list[Saccade] = field(default_factory=list)
    blinks: list[Blink] = field(default_factory=list)
    method: str = ""
    params: dict = field(default_factory=dict)

    def all(self) -> list[tuple[str, object]]:
        """Every event as (kind, event), in time order."""
        out = [("fixation", e) for e in self.fixations] + [("saccade", e) for e in self.saccades] + \
              [("blink", e) for e in self.blinks]
        return sorted(out, key=lambda ke: ke[1].start)

    def shifted(self, to_video) -> "EyeEvents":
        """The same events with times mapped by ``to_video`` (gaze clock to video clock)."""
        def move(e):
            d = asdict(e)
            d["start"], d["end"] = float(to_video(e.start)), float(to_video(e.end))
            return type(e)(**d)
        return EyeEvents([move(e) for e in self.fixations], [move(e) for e in self.saccades],
                         [move(e) for e in self.blinks], self.method, dict(self.params))

    def summary(self) -> dict:
        return {"fixations": len(self.fixations), "saccades": len(self.saccades), "blinks": len(self.blinks)}
