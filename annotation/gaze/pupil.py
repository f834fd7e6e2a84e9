"""Pupil Player exports: ``gaze_positions.csv`` and ``fixations.csv``.

Pupil gives positions normalised to the world camera image with the origin at the BOTTOM left, so
y in pixels is ``(1 - norm_pos_y) * height``. Timestamps are Pupil time in seconds; ``world_index`` is the
world-camera frame each sample belongs to, which lines the gaze up with the world video when that is the
video the gaze is imported onto.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from annotation.errors import InputError
from annotation.gaze.events import EyeEvents, Fixation
from annotation.gaze.recording import Alignment, GazeSamples, ParsedGaze, sort_and_dedupe
from annotation.gaze.table import Table, read_table
from annotation.model import MediaItem

GAZE_COLUMNS = ("gaze_timestamp", "world_index", "confidence", "norm_pos_x", "norm_pos_y")
FIXATION_COLUMNS = ("start_timestamp", "duration", "norm_pos_x", "norm_pos_y")


def check_columns(table: Table) -> None:
    for name in GAZE_COLUMNS:
        table.need(name, what="(a Pupil Player gaze_positions.csv)")


def parse_pupil_gaze(path: str | Path, media: MediaItem, min_confidence: float = 0.6, **_) -> ParsedGaze:
    table = read_table(path, ",")
    check_columns(table)
    table.need_rows()
    t = table.numbers("gaze_timestamp")
    world = table.numbers("world_index", lo=0)
    conf = table.numbers("confidence", lo=0.0, hi=1.0)
    nx, ny = table.numbers("norm_pos_x"), table.numbers("norm_pos_y")
    keep = conf >= min_confidence
    if not keep.any():
        raise InputError(f"no sample has a confidence of at least {min_confidence} ({len(t)} samples read)",
                         path=str(path), field="confidence")
    samples = GazeSamples(t, nx * media.width, (1.0 - ny) * media.height, conf, np.full(len(t), np.nan))
    samples, repeated = sort_and_dedupe(samples.take(keep))
    alignment = None
    if media.fps:
        # A sample of world frame k falls, on average, in the middle of that frame's display time.
        alignment = Alignment(float(np.median((world[keep] + 0.5) / media.fps - t[keep])), 0.0, "world_index")
    return ParsedGaze(samples, int((~keep).sum()) + repeated, alignment=alignment,
                      params={"format": "pupil", "coordinates": "normalised, origin bottom left",
                              "min_confidence": min_confidence, "repeated_timestamps": repeated})


def parse_pupil_fixations(path: str | Path, media: MediaItem) -> EyeEvents:
    """Pupil Player's own fixations (``duration`` in milliseconds), on the Pupil clock."""
    table = read_table(path, ",")
    for name in FIXATION_COLUMNS:
        table.need(name, what="(a Pupil Player fixations.csv)")
    start = table.numbers("start_timestamp")
    duration = table.numbers("duration", lo=0.0) / 1000.0
    nx, ny = table.numbers("norm_pos_x"), table.numbers("norm_pos_y")
    disp = table.numbers("dispersion", required=False) if table.find("dispersion") else np.full(len(start), np.nan)
    fixations = [Fixation(float(s), float(s + d), float(x * media.width), float((1 - y) * media.height),
                          float(dp) if np.isfinite(dp) else 0.0)
                 for s, d, x, y, dp in zip(start, duration, nx, ny, disp)]
    fixations.sort(key=lambda f: f.start)
    return EyeEvents(fixations=fixations, method="tracker", params={"source": str(path), "format": "pupil"})
