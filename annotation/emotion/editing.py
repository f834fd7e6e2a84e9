"""Editing emotion segments on the timeline: every operation snaps to frame boundaries and returns an undoable
command (``annotation.commands``) for the project's undo stack, so the window and a script edit the same way.

Segments of one annotator on one tier do not overlap (as on an ELAN tier): moving or resizing stops at the
neighbours (``siblings``); at least one frame remains.
"""
from __future__ import annotations

import math

from annotation.commands import Add, Batch, Command, Delete, Update
from annotation.emotion.tracks import check_track, label_of, scope_of, whole_clip
from annotation.errors import InputError
from annotation.model import MediaItem, TimeSegment


def snap_time(t: float, fps: float) -> float:
    """The frame boundary nearest ``t`` (halves go up, not to the even frame as ``round`` would)."""
    return math.floor(t * fps + 0.5 + 1e-9) / fps


def snapped(seg: TimeSegment, fps: float, duration: float | None = None) -> TimeSegment:
    """``seg`` on frame boundaries, inside [0, duration], at least one frame long."""
    start, end = snap_time(seg.start, fps), snap_time(seg.end, fps)
    if duration is not None:
        start, end = min(max(start, 0.0), duration), min(max(end, 0.0), duration)
    if end - start < 1 / fps - 1e-9:
        end = start + 1 / fps
        if duration is not None and end > duration + 1e-9:  # the last frame, not a frame past the end
            start, end = max(duration - 1 / fps, 0.0), duration
    return seg.with_(start=start, end=end)


def check_times(start: float, end: float, duration: float | None, fps: float | None = None,
                names: tuple[str, str] = ("start", "end")) -> None:
    """Refuse a stretch that is not inside the video, as the segment table's import does (one frame of slack
    at the end, for a duration rounded down)."""
    start_name, end_name = names
    if not math.isfinite(start) or start < 0:
        raise InputError(f"expected seconds >= 0, got {start:g}", field=start_name)
    if not math.isfinite(end) or end <= start:
        raise InputError(f"must be after {start_name} ({start:g} s), got {end:g} s", field=end_name)
    if duration is None:
        return
    if start >= duration:
        raise InputError(f"{start:g} s is after the end of the video ({duration:g} s)", field=start_name)
    if end > duration + (1 / fps if fps else 0.0) + 1e-9:
        raise InputError(f"{end:g} s is after the end of the video ({duration:g} s)", field=end_name)


def _bounds(seg: TimeSegment, siblings: list[TimeSegment], duration: float | None) -> tuple[float, float]:
    """How far ``seg`` may extend: to the end of the segment before it and the start of the one after."""
    lo, hi = 0.0, math.inf if duration is None else duration
    for s in siblings:
        if s.id == seg.id or s.tier != seg.tier or s.annotator != seg.annotator or s.media_id != seg.media_id:
            continue
        if s.end <= seg.start + 1e-9:
            lo = max(lo, s.end)
        elif s.start >= seg.end - 1e-9:
            hi = min(hi, s.start)
    return lo, hi


def create(media_id: int, track: str, start: float, end: float, label: str, fps: float, annotator: str = "",
           siblings: list[TimeSegment] = (), duration: float | None = None, **values) -> Add:
    """A new segment, snapped to frames; refused where it leaves the video or covers a neighbour."""
    check_track(track)
    check_times(start, end, duration, fps)
    seg = snapped(TimeSegment(media_id, track, start, end, annotator,
                              {"label": label, **values}), fps, duration)
    for s in siblings:
        if s.tier == track and s.annotator == annotator and s.media_id == media_id and \
                s.start < seg.end - 1e-9 and s.end > seg.start + 1e-9:
            raise InputError(f"{track} segment {s.start:.3f}-{s.end:.3f} s of {annotator or 'this annotator'} "
                             f"already covers part of {seg.start:.3f}-{seg.end:.3f} s", field="start")
    return Add(seg, f"Add {track.upper()} segment")


def set_whole_label(media: MediaItem, track: str, label: str, annotator: str,
                    stored: list[TimeSegment]) -> tuple[Command | None, TimeSegment | None]:
    """Label a whole clip (or an image) on one tier for one annotator: (the command, the label it replaces).
    There is one such label per tier and annotator, as the window's box per tier shows and the segment
    table's import insists, so a second one relabels the first; None when it already has this label."""
    mine = [s for s in stored if (s.media_id, s.tier, s.annotator) == (media.id, track, annotator)
            and scope_of(s) != "time"]
    if not mine:
        return Add(whole_clip(media, track, label, annotator), f"Whole-clip {track.upper()}: {label}"), None
    first = mine[0]
    commands = [] if label_of(first) == label else [relabel(first, label)]
    commands += [Delete(s) for s in mine[1:]]  # extra ones that older versions stored
    if not commands:
        return None, first
    return Batch(commands, f"Whole-clip {track.upper()}: {label}"), first


def split(seg: TimeSegment, t: float, fps: float) -> Batch:
    """Two segments with the same values, cut at the frame boundary nearest ``t``."""
    cut = snap_time(t, fps)
    if not seg.start + 1 / fps - 1e-9 <= cut <= seg.end - 1 / fps + 1e-9:
        raise InputError(f"cannot split {seg.start:.3f}-{seg.end:.3f} s at {t:.3f} s: each part needs a frame",
                         field="time")
    left = seg.with_(end=cut)
    right = TimeSegment(seg.media_id, seg.tier, cut, seg.end, seg.annotator, dict(seg.values))
    return Batch([Update(seg, left), Add(right)], "Split segment")


def merge(segments: list[TimeSegment]) -> Batch:
    """One segment from the first to the last; it keeps the values of the first."""
    if len(segments) < 2:
        raise InputError("merging needs two or more segments")
    first = min(segments, key=lambda s: s.start)
    if any((s.media_id, s.tier, s.annotator) != (first.media_id, first.tier, first.annotator) for s in segments):
        raise InputError("only segments of one annotator on one tier of one video can be merged")
    merged = first.with_(end=max(s.end for s in segments))
    return Batch([Update(first, merged)] + [Delete(s) for s in segments if s.id != first.id], "Merge segments")


def move(seg: TimeSegment, delta: float, fps: float, siblings: list[TimeSegment] = (),
         duration: float | None = None) -> Update:
    lo, hi = _bounds(seg, siblings, duration)
    delta = snap_time(delta, fps)
    delta = min(max(delta, lo - seg.start), hi - seg.end)
    return Update(seg, seg.with_(start=seg.start + delta, end=seg.end + delta), "Move segment")


def resize(seg: TimeSegment, edge: str, t: float, fps: float, siblings: list[TimeSegment] = (),
           duration: float | None = None) -> Update:
    lo, hi = _bounds(seg, siblings, duration)
    t = snap_time(t, fps)
    if edge == "start":
        after = seg.with_(start=min(max(t, lo), seg.end - 1 / fps))
    elif edge == "end":
        after = seg.with_(end=max(min(t, hi), seg.start + 1 / fps))
    else:
        raise InputError(f"expected 'start' or 'end', got {edge!r}", field="edge")
    return Update(seg, after, "Resize segment")


def relabel(seg: TimeSegment, label: str) -> Update:
    return Update(seg, seg.with_(values={**seg.values, "label": label}), f"Label {label}")


def segment_at(segments: list[TimeSegment], t: float) -> TimeSegment | None:
    """The segment under time ``t`` (the later-starting one where several are)."""
    hits = [s for s in segments if s.start <= t < s.end]
    return max(hits, key=lambda s: s.start) if hits else None
