"""Emotion labels on the frame grid: what each frame of a video is labelled, per tier and annotator.

Agreement and the ER-versus-FER gap are measured over frames: frame ``n`` shows from ``n / fps`` to
``(n + 1) / fps`` and carries the label of the segment that covers its middle (the later-starting one where
segments of one annotator overlap).
"""
from __future__ import annotations

from collections import Counter

import numpy as np

from annotation.emotion.tracks import label_of, scope_of
from annotation.model import TimeSegment


def frame_labels(segments: list[TimeSegment], fps: float, frame_count: int) -> np.ndarray:
    """An object array of ``frame_count`` labels (None where no segment covers the frame)."""
    out = np.full(frame_count, None, dtype=object)
    mid = (np.arange(frame_count) + 0.5) / fps
    for s in sorted(segments, key=lambda s: s.start):
        if scope_of(s) != "time" or label_of(s) is None:
            continue
        i, j = np.searchsorted(mid, [s.start, s.end], side="left")
        out[i:j] = label_of(s)
    return out


def consensus(rows: list[np.ndarray]) -> np.ndarray:
    """Per frame, the label most annotators gave (None on a tie or where nobody labelled the frame)."""
    if not rows:
        return np.zeros(0, dtype=object)
    out = np.full(len(rows[0]), None, dtype=object)
    for n in range(len(out)):
        votes = Counter(r[n] for r in rows if r[n] is not None).most_common(2)
        if votes and (len(votes) == 1 or votes[0][1] > votes[1][1]):
            out[n] = votes[0][0]
    return out


def dominant_label(labels: np.ndarray, start: float, end: float, fps: float):
    """The label covering most frames between ``start`` and ``end`` (None if none)."""
    mid = (np.arange(len(labels)) + 0.5) / fps
    i, j = np.searchsorted(mid, [start, end], side="left")
    votes = Counter(l for l in labels[i:j] if l is not None).most_common(1)
    return votes[0][0] if votes else None
