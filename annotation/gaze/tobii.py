"""Tobii Pro Lab data exports (TSV).

Columns are found by prefix because Pro Lab appends units and coordinate systems to the names
(``Recording timestamp [μs]``, ``Gaze point X [DACS px]``). Gaze is taken in the media coordinate system
(``[MCS px]``: the pixels of the stimulus video, what an overlay on that video needs) when the export has it,
else in the one it has (``[DACS px]``: the pixels of the screen's display area). Timestamps are µs or ms: the
unit in the header decides, else the sampling interval does (eye trackers sample at 30 Hz or faster, so an
interval of 200 or more can only be µs). Rows without a gaze point (eyes not found, event rows) are dropped and counted.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from annotation.errors import InputError
from annotation.gaze.events import EyeEvents, Fixation, Saccade
from annotation.gaze.recording import GazeSamples, ParsedGaze, sort_and_dedupe
from annotation.gaze.table import Table, read_table
from annotation.model import MediaItem

TIME = "Recording timestamp"
REQUIRED = (TIME, "Gaze point X", "Gaze point Y")
UNITS = {"μs": 1e-6, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
MEDIA = " [MCS px]"
SYSTEMS = {" [MCS px]": "media pixels (MCS)", " [DACS px]": "screen pixels (DACS)"}
WHAT = "(a Tobii Pro Lab data export)"


def check_columns(table: Table) -> None:
    _gaze_columns(table)


def _gaze_columns(table: Table) -> dict[str, str]:
    """The time column and the gaze X and Y columns of one coordinate system, the media's when there."""
    cols = {TIME: table.need(TIME, prefix=True, what=WHAT)}
    if all(f"Gaze point {axis}{MEDIA}" in table.header for axis in "XY"):
        return {**cols, "Gaze point X": f"Gaze point X{MEDIA}", "Gaze point Y": f"Gaze point Y{MEDIA}"}
    return {**cols, **{name: table.need(name, prefix=True, what=WHAT) for name in REQUIRED[1:]}}


def _time_scale(table: Table, column: str, t: np.ndarray) -> tuple[float, str]:
    unit = column[len(TIME):].strip(" []")
    if unit in UNITS:
        return UNITS[unit], unit
    steps = np.diff(t[np.isfinite(t)])
    step = float(np.median(steps[steps > 0])) if (steps > 0).any() else 0.0
    return (1e-6, "µs (guessed from the sampling interval)") if step >= 200 else (1e-3, "ms (guessed)")


def parse_tobii(path: str | Path, media: MediaItem, min_confidence: float = 0.6, **_) -> ParsedGaze:
    table = read_table(path, "\t")
    cols = _gaze_columns(table)
    table.need_rows()
    system = cols["Gaze point X"][len("Gaze point X"):]  # " [MCS px]", " [DACS px]" or ""
    t_raw = table.numbers(cols[TIME])
    x = table.numbers(cols["Gaze point X"], required=False)
    y = table.numbers(cols["Gaze point Y"], required=False)
    scale, unit = _time_scale(table, cols[TIME], t_raw)
    t = t_raw * scale
    pupils = [table.numbers(c, required=False, lo=0.0) for c in
              (table.find("Pupil diameter left", True), table.find("Pupil diameter right", True)) if c]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # rows with neither pupil are NaN, as they should be
        pupil = np.nanmean(np.vstack(pupils), axis=0) if pupils else np.full(len(t), np.nan)
    conf = _validity(table)
    keep = np.isfinite(x) & np.isfinite(y) & (conf >= min_confidence)
    if not keep.any():
        raise InputError(f"no row has a gaze point ({len(t)} rows read)", path=str(path), field=cols["Gaze point X"])
    samples, repeated = sort_and_dedupe(GazeSamples(t, x, y, conf, pupil).take(keep))
    return ParsedGaze(samples, int((~keep).sum()) + repeated, events=_tracker_events(table, t, system, x, y),
                      params={"format": "tobii", "time_unit": unit, "coordinates": SYSTEMS.get(system, "pixels"),
                              "columns": {k: v for k, v in cols.items()}, "min_confidence": min_confidence,
                              "repeated_timestamps": repeated})


def _validity(table: Table) -> np.ndarray:
    """1 where either eye is valid (or the export has no validity columns), else 0."""
    cols = [c for c in (table.find("Validity left", True), table.find("Validity right", True)) if c]
    if not cols:
        return np.ones(len(table.rows))
    valid = np.zeros(len(table.rows), bool)
    for c in cols:
        valid |= np.array([v.strip().lower() == "valid" for v in table.text(c)])
    return valid.astype(np.float64)


def _fixation_points(table: Table, system: str, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Tobii's fixation point in the gaze's coordinate system; where the export has it only in another, the
    gaze itself (each fixation then sits at the mean of its samples), so fixations and gaze never disagree."""
    fx_col, fy_col = f"Fixation point X{system}", f"Fixation point Y{system}"
    if fx_col in table.header and fy_col in table.header:
        return table.numbers(fx_col, required=False), table.numbers(fy_col, required=False)
    return x, y


def _tracker_events(table: Table, t: np.ndarray, system: str, x: np.ndarray, y: np.ndarray) -> EyeEvents | None:
    """The fixations and saccades Tobii's own filter classified (``Eye movement type``), on the tracker clock."""
    kind_col = table.find("Eye movement type")
    if kind_col is None:
        return None
    kinds = [k.strip() for k in table.text(kind_col)]
    fx, fy = _fixation_points(table, system, x, y)
    index_col = table.find("Eye movement type index")
    index = table.text(index_col) if index_col else [""] * len(t)
    events = EyeEvents(method="tracker", params={"source": table.path, "format": "tobii"})
    # Event rows (a key press, a stimulus starting) carry no eye movement type: they sit between the samples
    # of a fixation without ending it.
    rows = np.array([k for k, kind in enumerate(kinds) if kind], int)
    run_start = 0
    for r in range(1, len(rows) + 1):
        first = rows[run_start]
        if r < len(rows) and kinds[rows[r]] == kinds[first] and index[rows[r]] == index[first]:
            continue
        kind, members, last = kinds[first], rows[run_start:r], rows[r - 1]
        if kind == "Fixation" and np.isfinite(fx[members]).any():
            events.fixations.append(Fixation(float(t[first]), float(t[last]), float(np.nanmean(fx[members])),
                                             float(np.nanmean(fy[members])), samples=len(members)))
        elif kind == "Saccade":
            events.saccades.append(Saccade(float(t[first]), float(t[last]), np.nan, np.nan, np.nan, np.nan))
        run_start = r
    return events
