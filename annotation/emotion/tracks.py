"""The two emotion tracks and how their labels are kept as time segments.

* ER, the emotion the person felt (self-report after a stimulus), and FER, the expression the face shows, are
  two tiers, ``"er"`` and ``"fer"``; each annotator has their own segments on each.
* A label is ``values["label"]``, a class NAME (never a dataset's class index); ``valence``, ``arousal`` (in
  [-1, 1]) and ``intensity`` (0-3) may ride along.
* ``values["scope"]`` says what a segment covers: absent for a stretch of time; ``"clip"`` for a whole-clip
  label (the segment spans the whole video); ``"image"`` for a static FER label on an image (a zero-length
  segment at 0). Frame timelines and ELAN time tiers use only stretches of time.
"""
from __future__ import annotations

from annotation.errors import InputError
from annotation.model import MediaItem, TimeSegment

TRACKS = {"er": "ER (felt emotion)", "fer": "FER (displayed expression)"}
SCOPES = ("time", "clip", "image")


def scope_of(segment: TimeSegment) -> str:
    return segment.values.get("scope", "time")


def label_of(segment: TimeSegment) -> str | None:
    return segment.values.get("label")


def is_emotion(segment: TimeSegment) -> bool:
    return segment.tier in TRACKS


def whole_clip(media: MediaItem, track: str, label: str, annotator: str = "", **values) -> TimeSegment:
    """A label for a whole video, or a static label for an image."""
    check_track(track)
    if media.is_video:
        return TimeSegment(media.id, track, 0.0, float(media.duration or 0.0), annotator,
                           {"label": label, "scope": "clip", **values})
    return TimeSegment(media.id, track, 0.0, 0.0, annotator, {"label": label, "scope": "image", **values})


def check_track(track: str) -> str:
    if track not in TRACKS:
        raise InputError(f"expected one of {', '.join(TRACKS)}, got {track!r}", field="track")
    return track
