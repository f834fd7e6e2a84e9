"""The gaze file formats FaceLens reads, by name, and telling them apart by their header."""
from __future__ import annotations

from pathlib import Path

from annotation.errors import InputError
from annotation.gaze import generic, pupil, tobii
from annotation.gaze.generic import parse_generic
from annotation.gaze.pupil import parse_pupil_gaze
from annotation.gaze.table import read_table
from annotation.gaze.tobii import parse_tobii

# name -> parse(path, media, min_confidence=..., **options) -> ParsedGaze
GAZE_FORMATS = {
    "pupil": parse_pupil_gaze,
    "tobii": parse_tobii,
    "csv": parse_generic,
}

# name -> a header test, tried in this order
_SIGNATURES = {
    "pupil": lambda h: "gaze_timestamp" in h and "norm_pos_x" in h,
    "tobii": lambda h: any(c.startswith("Recording timestamp") for c in h),
    "csv": lambda h: {"t", "x", "y"} <= set(h),
}


# name -> (a header test for a file of that format missing a column it needs, the check that names the column)
_LOOKS_LIKE = {
    "pupil": (lambda h: bool({"gaze_timestamp", "world_index", "norm_pos_x", "norm_pos_y"} & set(h)),
              pupil.check_columns),
    "tobii": (lambda h: any(c.startswith(("Recording timestamp", "Gaze point X", "Gaze point Y")) for c in h),
              tobii.check_columns),
    "csv": (lambda h: len({"t", "x", "y"} & set(h)) >= 2 or _time_and_position(h), generic.check_columns),
}


def _time_and_position(header: list[str]) -> bool:
    return bool({"timestamp", "time"} & set(header)) and bool({"x", "y"} & set(header))

FORMAT_TITLES = {"pupil": "Pupil Player gaze_positions.csv", "tobii": "Tobii Pro Lab TSV export",
                 "csv": "generic gaze CSV (t, x, y)"}


def known_format(path: str | Path) -> str | None:
    """The format the header says, or None."""
    header = read_table(path).header
    return next((name for name, matches in _SIGNATURES.items() if matches(header)), None)


def detect_format(path: str | Path) -> str:
    """The format the header says; a header that looks like one format but lacks a column it needs gets that
    format's missing-column error, not "not a gaze file"."""
    found = known_format(path)
    if found is not None:
        return found
    table = read_table(path)
    for looks_like, check_columns in _LOOKS_LIKE.values():
        if looks_like(table.header):
            check_columns(table)
    raise InputError("not a gaze file FaceLens knows: expected a Pupil Player gaze_positions.csv, a Tobii Pro Lab "
                     "TSV export or a CSV with t, x, y columns", path=str(path), line=1)
