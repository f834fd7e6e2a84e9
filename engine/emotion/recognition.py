"""How well one label source matches a reference (a model against the annotators, one annotator against the
consensus, FER against ER): WAR, the weighted average recall (overall accuracy), and UAR, the unweighted
average recall (mean of the per-class recalls over the classes of the reference)."""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Sequence

import numpy as np

from annotation.emotion.timeline import consensus, frame_labels
from annotation.emotion.tracks import scope_of
from annotation.errors import InputError

if TYPE_CHECKING:
    from storage.project import Project


def war_uar(reference: Sequence, predicted: Sequence) -> dict:
    pairs = [(r, p) for r, p in zip(reference, predicted) if r is not None and p is not None]
    if not pairs:
        return {"war": math.nan, "uar": math.nan, "recall": {}, "support": {}, "units": 0}
    support: dict = {}
    hits: dict = {}
    for r, p in pairs:
        support[r] = support.get(r, 0) + 1
        hits[r] = hits.get(r, 0) + (r == p)
    recall = {c: hits[c] / support[c] for c in sorted(support, key=str)}
    return {"war": sum(hits.values()) / len(pairs), "uar": sum(recall.values()) / len(recall),
            "recall": recall, "support": {c: support[c] for c in recall}, "units": len(pairs)}


def score_frames(project: "Project", reference: tuple[str, str | None], source: tuple[str, str | None]) -> dict:
    """WAR and UAR of ``source`` against ``reference`` over the frames of every video; each is (track,
    annotator), an annotator of None meaning the consensus of the track's annotators."""
    for flag, (track, annotator) in (("reference", reference), ("source", source)):
        known = sorted({s.annotator for s in project.segments.all() if s.tier == track and scope_of(s) == "time"})
        if not known or (annotator is not None and annotator not in known):
            who = f" by {annotator!r}" if annotator is not None else ""
            raise InputError(f"no {track.upper()} segments{who} in the project (annotators of {track.upper()}: "
                             f"{', '.join(known) or 'none'})", field=flag)
    ref, pred = [], []
    for media in project.media.all("video"):
        n = int(media.frame_count or 0)
        labels = []
        for track, annotator in (reference, source):
            segs = [s for s in project.segments.for_media(media.id, track) if scope_of(s) == "time"]
            names = sorted({s.annotator for s in segs}) if annotator is None else [annotator]
            rows = [frame_labels([s for s in segs if s.annotator == a], media.fps, n) for a in names]
            labels.append(consensus(rows) if rows else np.full(n, None, dtype=object))
        ref += list(labels[0])
        pred += list(labels[1])
    return war_uar(ref, pred)
