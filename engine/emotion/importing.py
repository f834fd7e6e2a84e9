"""Bringing emotion labels into a project: the segment table (CSV) and continuous ratings from other tools.
Everything is checked first and written in one transaction, so a bad file changes nothing."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from annotation.emotion.csv_format import read_emotion_csv
from annotation.emotion.labels import known_labels
from annotation.emotion.rating import RATING_CHANNELS, Rating, RatingTrace
from annotation.emotion.tracks import TRACKS
from annotation.errors import InputError
from annotation.gaze.table import read_table
from annotation.model import MediaItem

if TYPE_CHECKING:
    from storage.project import Project


def media_resolver(project: "Project"):
    """Find a media item by id, by its stored path, by an absolute path, or by file name when that is unique."""
    items = project.media.all()
    by_id = {str(m.id): m for m in items}
    by_path = {m.path: m for m in items}
    by_abs = {str(project.absolute_path(m.path).resolve()): m for m in items}
    names: dict[str, list[MediaItem]] = {}
    for m in items:
        names.setdefault(m.name, []).append(m)

    def resolve(text: str) -> MediaItem | None:
        if not text:
            return None
        if text in by_id:
            return by_id[text]
        if text in by_path:
            return by_path[text]
        try:
            hit = by_abs.get(str(Path(text).expanduser().resolve()))
        except OSError:
            hit = None
        if hit:
            return hit
        same_name = names.get(Path(text).name, [])
        return same_name[0] if len(same_name) == 1 else None

    return resolve


def import_emotion_csv(project: "Project", path: str | Path) -> dict:
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=str(path))
    taxonomies = [t for t in (project.labels.taxonomy(n) for n in project.labels.taxonomy_names()) if t]
    existing = [s for s in project.segments.all() if s.tier in TRACKS]
    segments = read_emotion_csv(path, media_resolver(project), known_labels(taxonomies), existing,
                                default_annotator=project.actor)
    count = project.segments.add_many(segments, action="import emotion")
    tracks = {t: sum(1 for s in segments if s.tier == t) for t in TRACKS}
    return {"path": str(path), "segments": count, "tracks": tracks,
            "annotators": sorted({s.annotator for s in segments}), "media": sorted({s.media_id for s in segments})}


def save_rating(project: "Project", media_id: int, trace: RatingTrace, annotator: str = "",
                source: str = "rating control") -> int:
    """Store (or replace) an annotator's valence/arousal rating of a video; returns the series id."""
    return project.ratings.save(Rating(media_id, annotator or project.actor, trace), source).id


def load_rating(project: "Project", media: MediaItem, annotator: str = "") -> RatingTrace:
    stored = project.ratings.stored(media.id, annotator or project.actor)
    return stored.trace if stored else RatingTrace(media.fps or 25.0, int(media.frame_count or 1))


def import_rating_csv(project: "Project", media_id: int, path: str | Path, annotator: str = "") -> dict:
    """A rating from a CSV with columns t (seconds), valence, arousal, resampled at the video's frame rate."""
    media = project.media.get(media_id)
    if media is None or not media.is_video:
        raise InputError(f"no video {media_id} in the project", field="media")
    table = read_table(path)
    for name in RATING_CHANNELS:
        table.need(name, what="(a rating CSV: t, valence, arousal)")
    t = table.numbers("t", lo=0.0)
    valence, arousal = table.numbers("valence", lo=-1, hi=1), table.numbers("arousal", lo=-1, hi=1)
    if len(t) < 1:
        raise InputError("no rows", path=str(path), line=2)
    bad = np.flatnonzero(np.diff(t) <= 0)
    if len(bad):
        raise InputError("times must increase", path=str(path), line=table.lines[bad[0] + 1], field="t")
    trace = RatingTrace.resampled(t, valence, arousal, media.fps, int(media.frame_count))
    if not trace.rated().any():  # an empty series would be stored and reported as a rating
        duration = media.duration or media.frame_count / media.fps
        raise InputError(f"no frame of the video lies within the rated span, {t[0]:g} to {t[-1]:g} s (the video runs "
                         f"from 0 to {duration:g} s, a frame every {1 / media.fps:g} s)", path=str(path), field="t")
    series_id = save_rating(project, media_id, trace, annotator, source=str(Path(path).resolve()))
    return {"rating_id": series_id, "frames": int(trace.rated().sum()), "annotator": annotator or project.actor}
