"""Continuous valence/arousal rating, CARMA-style: while the video plays the annotator moves a cursor (mouse
or keys) and the rating is sampled once per video frame.

A ``RatingTrace`` holds one value pair per frame (NaN where the frame was not rated); playing a stretch again
overwrites those frames only. Stored as a series of kind ``rating`` with channels t, valence, arousal.
"""
from __future__ import annotations

import numpy as np

from annotation.errors import InputError

RATING_CHANNELS = ("t", "valence", "arousal")
RANGE = (-1.0, 1.0)


class RatingTrace:
    def __init__(self, fps: float, frame_count: int, data: np.ndarray | None = None):
        if not fps > 0 or frame_count < 1:
            raise InputError(f"a rating needs a video (fps {fps}, {frame_count} frames)", field="media")
        self.fps, self.frame_count = float(fps), int(frame_count)
        self.values = np.full((frame_count, 2), np.nan)
        if data is not None and len(data):
            frames = np.clip(np.round(data[:, 0] * self.fps).astype(int), 0, frame_count - 1)
            self.values[frames] = data[:, 1:3]

    def set(self, frame: int, valence: float, arousal: float) -> None:
        """The rating at a frame (values are clipped to [-1, 1], as the rating control is)."""
        if 0 <= frame < self.frame_count:
            self.values[frame] = np.clip([valence, arousal], *RANGE)

    def set_span(self, first: int, last: int, valence: float, arousal: float) -> None:
        """Frames ``first..last`` rated the same (the cursor did not move while playback skipped frames)."""
        lo, hi = max(0, min(first, last)), min(self.frame_count - 1, max(first, last))
        self.values[lo:hi + 1] = np.clip([valence, arousal], *RANGE)

    def rated(self) -> np.ndarray:
        return np.isfinite(self.values).all(axis=1)

    def to_array(self) -> np.ndarray:
        """Rows (t, valence, arousal) for the rated frames, t at each frame's start."""
        keep = self.rated()
        t = np.flatnonzero(keep) / self.fps
        return np.column_stack([t, self.values[keep]])

    @classmethod
    def resampled(cls, t: np.ndarray, valence: np.ndarray, arousal: np.ndarray, fps: float,
                  frame_count: int) -> "RatingTrace":
        """A trace from samples at any times (a CSV from another tool): linear interpolation at the frame
        times inside the sampled span."""
        trace = cls(fps, frame_count)
        frames = np.arange(frame_count) / fps
        inside = (frames >= t[0]) & (frames <= t[-1])
        trace.values[inside, 0] = np.interp(frames[inside], t, valence)
        trace.values[inside, 1] = np.interp(frames[inside], t, arousal)
        trace.values = np.clip(trace.values, *RANGE)
        return trace


class Rating:
    """An annotator's stored rating of a video, as the undo stack handles it: a rating pass is an ``Add`` (the
    first) or an ``Update`` of this record, so Ctrl+Z takes a pass back like any other edit. ``id`` is the
    series that holds it (None until stored)."""

    def __init__(self, media_id: int, annotator: str, trace: RatingTrace, id: int | None = None):
        self.media_id, self.annotator, self.id = media_id, annotator, id
        self.trace = RatingTrace(trace.fps, trace.frame_count)
        self.trace.values = trace.values.copy()  # a snapshot: the panel's trace goes on changing

    def with_id(self, id: int) -> "Rating":
        return Rating(self.media_id, self.annotator, self.trace, id)
