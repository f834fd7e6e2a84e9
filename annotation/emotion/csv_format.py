"""The emotion segment table (CSV): what ``emotion import`` reads and the ``emotion-csv`` export writes.

Columns: ``media`` (a media id or path), ``start``, ``end`` (seconds of video time), ``track`` (er or fer),
``label`` (a class name), ``annotator``; optional ``scope`` (empty, ``clip`` or ``image``), ``valence``,
``arousal`` (in [-1, 1]) and ``intensity`` (0-3). A clip or image row may leave start and end empty.
"""
from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Callable

from annotation.emotion.labels import VALUE_RANGES, unknown_label
from annotation.emotion.tracks import TRACKS, scope_of
from annotation.errors import InputError
from annotation.gaze.table import parse_number, read_table
from annotation.model import MediaItem, TimeSegment

REQUIRED = ("media", "start", "end", "track", "label", "annotator")
OPTIONAL = ("scope", "valence", "arousal", "intensity")


def read_emotion_csv(path: str | Path, resolve_media: Callable[[str], MediaItem | None], labels: set[str],
                     existing: list[TimeSegment] = (), default_annotator: str = "") -> list[TimeSegment]:
    """Every row as a segment, or an ``InputError`` naming the file, line and column of the first bad value.
    A row may not overlap another row or a stored segment of the same annotator on the same track."""
    table = read_table(path)  # commas, or semicolons from a spreadsheet on a decimal-comma system
    for name in REQUIRED:
        table.need(name, what="(an emotion segment table: media, start, end, track, label, annotator)")
    out: list[tuple[int, TimeSegment]] = []
    idx = {h: i for i, h in enumerate(table.header)}

    def cell(row, name):
        i = idx.get(name)
        return row[i].strip() if i is not None and i < len(row) else ""

    for row, line in zip(table.rows, table.lines):
        def bad(name, message):
            return InputError(message, path=str(path), line=line, field=name)

        media = resolve_media(cell(row, "media"))
        if media is None:
            raise bad("media", f"no media {cell(row, 'media')!r} in the project; give its id or its path")
        track = cell(row, "track").lower()
        if track not in TRACKS:
            raise bad("track", f"expected one of {', '.join(TRACKS)}, got {cell(row, 'track')!r}")
        label = cell(row, "label")
        if label not in labels:
            raise bad("label", unknown_label(label, labels))
        scope = cell(row, "scope").lower() or ("time" if media.is_video else "image")
        if scope not in ("time", "clip", "image"):
            raise bad("scope", f"expected empty, clip or image, got {cell(row, 'scope')!r}")
        values = {"label": label}
        if scope != "time":
            values["scope"] = scope
        for name, (lo, hi) in VALUE_RANGES.items():
            text = cell(row, name)
            if text:
                v = parse_number(text)
                if v is None or not lo <= v <= hi:
                    raise bad(name, f"expected a number in [{lo:g}, {hi:g}], got {text!r}")
                values[name] = int(v) if name == "intensity" else v
        start, end = _times(media, scope, cell(row, "start"), cell(row, "end"), bad)
        seg = TimeSegment(media.id, track, start, end, cell(row, "annotator") or default_annotator, values)
        for other_line, other in out:
            if _overlap(seg, other):
                raise bad("start", f"overlaps the {track} segment of line {other_line} "
                                   f"({other.start:g}-{other.end:g} s, same annotator)")
        for other in existing:
            if _overlap(seg, other):
                raise bad("start", f"overlaps a stored {track} segment ({other.start:g}-{other.end:g} s, "
                                   f"annotator {other.annotator!r}, id {other.id})")
        out.append((line, seg))
    return [seg for _, seg in out]


def _times(media: MediaItem, scope: str, start_text: str, end_text: str, bad) -> tuple[float, float]:
    if scope == "image":
        return 0.0, 0.0
    if scope == "clip" and not start_text and not end_text:
        return 0.0, float(media.duration or 0.0)
    if not media.is_video:
        raise bad("start", f"media {media.id} is an image: give scope 'image' and no times")
    start, end = parse_number(start_text), parse_number(end_text)
    if start is None or not math.isfinite(start) or start < 0:
        raise bad("start", f"expected seconds >= 0, got {start_text!r}")
    if end is None or not math.isfinite(end) or end <= start:
        raise bad("end", f"expected seconds after start ({start:g}), got {end_text!r}")
    slack = 1.0 / media.fps if media.fps else 0.0
    if media.duration is not None and end > media.duration + slack:
        raise bad("end", f"{end:g} s is after the end of the video ({media.duration:g} s)")
    return start, min(end, media.duration) if media.duration is not None else end


def _overlap(a: TimeSegment, b: TimeSegment) -> bool:
    if (a.media_id, a.tier, a.annotator) != (b.media_id, b.tier, b.annotator) or scope_of(a) != scope_of(b):
        return False
    if scope_of(a) != "time":
        return True  # one whole-clip label per annotator and track
    return a.start < b.end and b.start < a.end


def write_emotion_csv(rows: list[tuple[MediaItem, TimeSegment]]) -> str:
    """The segment table as CSV text, one row per segment (media path, times, track, label, values)."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["media_id", "media", "start", "end", "duration", "track", "label", "annotator", "scope",
                "valence", "arousal", "intensity", "segment_id"])
    for media, s in rows:
        w.writerow([media.id, media.path, f"{s.start:.6f}", f"{s.end:.6f}", f"{s.duration:.6f}", s.tier,
                    s.values.get("label", ""), s.annotator, s.values.get("scope", ""),
                    *(s.values.get(k, "") for k in ("valence", "arousal", "intensity")), s.id])
    return buf.getvalue()
