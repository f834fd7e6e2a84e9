"""A generic gaze CSV: ``t`` (seconds), ``x``, ``y``, and optionally ``pupil`` and ``confidence``.

Coordinates are video pixels, or normalised to [0, 1] with the origin at the TOP left (``coordinates="norm"``);
``"auto"`` takes them as normalised when every x and y lies in [0, 1].
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from annotation.errors import InputError
from annotation.gaze.recording import GazeSamples, ParsedGaze, sort_and_dedupe
from annotation.gaze.table import read_table
from annotation.model import MediaItem

COORDINATES = ("auto", "px", "norm")


def parse_generic(path: str | Path, media: MediaItem, min_confidence: float = 0.6, coordinates: str = "auto",
                  **_) -> ParsedGaze:
    if coordinates not in COORDINATES:
        raise InputError(f"expected one of {', '.join(COORDINATES)}, got {coordinates!r}", field="coordinates")
    table = read_table(path)
    for name in ("t", "x", "y"):
        table.need(name, what="(a generic gaze CSV: t, x, y[, pupil, confidence])")
    t, x, y = table.numbers("t"), table.numbers("x", required=False), table.numbers("y", required=False)
    conf = table.numbers("confidence", lo=0.0, hi=1.0) if table.find("confidence") else np.ones(len(t))
    pupil = table.numbers("pupil", required=False, lo=0.0) if table.find("pupil") else np.full(len(t), np.nan)
    finite = np.isfinite(x) & np.isfinite(y)
    if coordinates == "auto":
        inside = finite & (x >= 0) & (x <= 1) & (y >= 0) & (y <= 1)
        coordinates = "norm" if finite.any() and inside[finite].all() else "px"
    if coordinates == "norm":
        x, y = x * media.width, y * media.height
    keep = finite & (conf >= min_confidence)
    if not keep.any():
        raise InputError(f"no sample has a gaze point with confidence of at least {min_confidence}",
                         path=str(path), field="confidence")
    samples, repeated = sort_and_dedupe(GazeSamples(t, x, y, conf, pupil).take(keep))
    return ParsedGaze(samples, int((~keep).sum()) + repeated,
                      params={"format": "csv", "coordinates": coordinates, "min_confidence": min_confidence,
                              "repeated_timestamps": repeated})
