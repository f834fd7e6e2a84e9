"""Gaze samples and how their clock lines up with the video's.

A ``GazeRecording`` is what FaceLens keeps of an eye-tracker file: samples in video time and video pixels,
stored as arrays (see ``storage.series_repo``), plus the alignment and parser decisions that produced them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from annotation.errors import InputError

GAZE_CHANNELS = ("t", "x", "y", "confidence", "pupil")


@dataclass(frozen=True)
class Alignment:
    """video time = offset + (1 + drift) * gaze time. ``drift`` is the extra video seconds per gaze second
    (a tracker clock running 50 ppm slow has drift 5e-5)."""

    offset: float = 0.0
    drift: float = 0.0
    source: str = "manual"  # manual | sync events | world_index

    def to_video(self, t):
        return self.offset + (1.0 + self.drift) * np.asarray(t, np.float64)

    def to_gaze(self, t):
        return (np.asarray(t, np.float64) - self.offset) / (1.0 + self.drift)

    @classmethod
    def from_sync(cls, pairs: list[tuple[float, float]]) -> "Alignment":
        """From sync events seen on both clocks, as (gaze time, video time): one gives the offset, two or more
        the offset and the drift (least squares)."""
        if not pairs:
            raise InputError("a sync needs at least one (gaze time, video time) pair", field="sync")
        g = np.array([p[0] for p in pairs], np.float64)
        v = np.array([p[1] for p in pairs], np.float64)
        if len(pairs) == 1:
            return cls(float(v[0] - g[0]), 0.0, "sync events")
        if np.ptp(g) <= 0:
            raise InputError("sync events need different gaze times to measure a drift", field="sync")
        scale, offset = np.polyfit(g, v, 1)
        return cls(float(offset), float(scale - 1.0), "sync events")

    def to_dict(self) -> dict:
        return {"offset": self.offset, "drift": self.drift, "alignment": self.source}


@dataclass
class GazeSamples:
    """Samples in time order: ``t`` in seconds, ``x``/``y`` in video pixels (origin top left), ``confidence`` in
    [0, 1] (1 where the file gives none) and ``pupil`` diameter (mm, or the file's unit; NaN where none)."""

    t: np.ndarray
    x: np.ndarray
    y: np.ndarray
    confidence: np.ndarray
    pupil: np.ndarray

    def __post_init__(self):
        n = len(self.t)
        for name in GAZE_CHANNELS[1:]:
            if len(getattr(self, name)) != n:
                raise ValueError(f"gaze channel {name} has {len(getattr(self, name))} samples, t has {n}")

    def __len__(self) -> int:
        return len(self.t)

    @property
    def duration(self) -> float:
        return float(self.t[-1] - self.t[0]) if len(self.t) else 0.0

    def to_array(self) -> np.ndarray:
        return np.column_stack([getattr(self, c) for c in GAZE_CHANNELS]).astype(np.float64)

    @classmethod
    def from_array(cls, a: np.ndarray, channels: tuple[str, ...] = GAZE_CHANNELS) -> "GazeSamples":
        cols = {c: a[:, i] for i, c in enumerate(channels)}
        n = len(a)
        return cls(cols["t"], cols["x"], cols["y"], cols.get("confidence", np.ones(n)),
                   cols.get("pupil", np.full(n, np.nan)))

    def take(self, keep: np.ndarray) -> "GazeSamples":
        return GazeSamples(*(getattr(self, c)[keep] for c in GAZE_CHANNELS))

    def aligned(self, alignment: Alignment) -> "GazeSamples":
        return GazeSamples(alignment.to_video(self.t), self.x, self.y, self.confidence, self.pupil)

    def between(self, t0: float, t1: float) -> "GazeSamples":
        i, j = np.searchsorted(self.t, [t0, t1], side="left")
        return self.take(slice(i, j))

    def at(self, t: float) -> int | None:
        """Index of the last sample at or before ``t`` (None before the first)."""
        i = int(np.searchsorted(self.t, t, side="right")) - 1
        return i if i >= 0 else None


@dataclass
class ParsedGaze:
    """What a parser read from a file, still on the tracker's clock."""

    samples: GazeSamples
    dropped: int  # below the confidence threshold or without a gaze point
    params: dict = field(default_factory=dict)  # what the parser decided (time unit, coordinates, columns)
    events: object = None  # EyeEvents the tracker itself classified (Tobii eye movement type, Pupil fixations)
    alignment: Alignment | None = None  # one the file itself implies (Pupil's world_index)


def sort_and_dedupe(samples: GazeSamples) -> tuple[GazeSamples, int]:
    """Samples in time order with repeated timestamps dropped (the first kept); returns how many were dropped."""
    order = np.argsort(samples.t, kind="stable")
    s = samples.take(order)
    keep = np.ones(len(s), bool)
    keep[1:] = np.diff(s.t) > 0
    return s.take(keep), int((~keep).sum())
