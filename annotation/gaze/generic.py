"""A generic gaze CSV: ``t`` (seconds), ``x``, ``y``, and optionally ``pupil`` and ``confidence``.

Coordinates are video pixels, or normalised to [0, 1] with the origin at the TOP left (``coordinates="norm"``);
``"auto"`` takes them as normalised when nearly all points lie in [0, 1] and none far outside (a glance past
the edge of the screen is still normalised), else as pixels.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from annotation.errors import InputError
from annotation.gaze.recording import GazeSamples, ParsedGaze, sort_and_dedupe
from annotation.gaze.table import Table, read_table
from annotation.model import MediaItem

COORDINATES = ("auto", "px", "norm")
NORM_SHARE = 0.95  # of the points in [0, 1] for "auto" to call them normalised...
NORM_LIMITS = (-0.5, 1.5)  # ...and none outside these (pixels all this close to 0 would be gaze on one corner)


def guess_coordinates(x: np.ndarray, y: np.ndarray) -> str:
    """"norm" or "px" for the finite points (x, y)."""
    finite = np.isfinite(x) & np.isfinite(y)
    if not finite.any():
        return "px"
    x, y = x[finite], y[finite]
    inside = (x >= 0) & (x <= 1) & (y >= 0) & (y <= 1)
    lo, hi = NORM_LIMITS
    near = (x >= lo) & (x <= hi) & (y >= lo) & (y <= hi)
    return "norm" if near.all() and inside.mean() >= NORM_SHARE else "px"


def check_columns(table: Table) -> None:
    for name in ("t", "x", "y"):
        table.need(name, what="(a generic gaze CSV: t, x, y[, pupil, confidence])")


def parse_generic(path: str | Path, media: MediaItem, min_confidence: float = 0.6, coordinates: str = "auto",
                  **_) -> ParsedGaze:
    if coordinates not in COORDINATES:
        raise InputError(f"expected one of {', '.join(COORDINATES)}, got {coordinates!r}", field="coordinates")
    table = read_table(path)
    check_columns(table)
    table.need_rows()
    t, x, y = table.numbers("t"), table.numbers("x", required=False), table.numbers("y", required=False)
    conf = table.numbers("confidence", lo=0.0, hi=1.0) if table.find("confidence") else np.ones(len(t))
    pupil = table.numbers("pupil", required=False, lo=0.0) if table.find("pupil") else np.full(len(t), np.nan)
    keep = np.isfinite(x) & np.isfinite(y) & (conf >= min_confidence)
    if not keep.any():
        raise InputError(f"no sample has a gaze point with confidence of at least {min_confidence}",
                         path=str(path), field="confidence")
    guessed = coordinates == "auto"
    if guessed:  # from the samples kept: a tracker's low-confidence points may be anywhere
        coordinates = guess_coordinates(x[keep], y[keep])
    if coordinates == "norm":
        x, y = x * media.width, y * media.height
    samples, repeated = sort_and_dedupe(GazeSamples(t, x, y, conf, pupil).take(keep))
    return ParsedGaze(samples, int((~keep).sum()) + repeated,
                      params={"format": "csv", "coordinates": coordinates, "coordinates_guessed": guessed,
                              "min_confidence": min_confidence, "repeated_timestamps": repeated})
