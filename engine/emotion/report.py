"""The emotion report of a project: the ER-versus-FER gap, and agreement between the annotators of each track,
measured over video frames (see ``annotation.emotion.timeline``).

* ER and FER are compared through each track's consensus (the label most of its annotators gave a frame).
* ``kappa`` per track: Cohen's for two annotators, Fleiss' for more (frames all of them labelled);
  ``alpha``: Krippendorff's nominal alpha (frames any two labelled). Frames of all videos are pooled.
* ``alpha_interval``: Krippendorff's interval alpha of the continuous valence and arousal ratings.
* ``clips``: whole-clip and image labels, compared per media.
"""
from __future__ import annotations

import math
from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np

from annotation.emotion.rating import RatingTrace
from annotation.emotion.timeline import consensus, frame_labels
from annotation.emotion.tracks import TRACKS, label_of, scope_of
from engine.emotion.agreement import agreement, krippendorff_alpha
from engine.emotion.gap import GapTally

if TYPE_CHECKING:
    from storage.project import Project


def _nan_to_none(v):
    return None if isinstance(v, float) and math.isnan(v) else v


def emotion_report(project: "Project", media_ids: list[int] | None = None) -> dict:
    media = {m.id: m for m in project.media.all()}
    wanted = media_ids if media_ids is not None else sorted(media)
    segments = [s for s in project.segments.all() if s.tier in TRACKS and s.media_id in wanted]
    annotators = {t: sorted({s.annotator for s in segments if s.tier == t and scope_of(s) == "time"})
                  for t in TRACKS}
    rows = {t: {a: [] for a in annotators[t]} for t in TRACKS}  # per track, per annotator: frames of all videos
    gap = GapTally()
    frames_total = 0
    for mid in wanted:
        item = media.get(mid)
        timed = [s for s in segments if s.media_id == mid and scope_of(s) == "time"]
        if item is None or not item.is_video or not timed or not item.fps:
            continue
        n = int(item.frame_count or round((item.duration or 0) * item.fps))
        frames_total += n
        tracks = {}
        for t in TRACKS:
            by_annotator = {a: frame_labels([s for s in timed if s.tier == t and s.annotator == a], item.fps, n)
                            for a in annotators[t]}
            for a, labels in by_annotator.items():
                rows[t][a].append(labels)
            labelled = [labels for labels in by_annotator.values() if any(v is not None for v in labels)]
            tracks[t] = consensus(labelled) if labelled else np.full(n, None, dtype=object)
        gap.add_frames(tracks["er"], tracks["fer"], item.fps)
        gap.add_segments([s for s in timed if s.tier == "er"], tracks["fer"], item.fps)
    kappa, alpha, methods = {}, {}, {}
    for t in TRACKS:
        track_rows = [np.concatenate(r) if r else np.zeros(0, dtype=object) for r in rows[t].values()]
        a = agreement(track_rows) if len(track_rows) >= 2 else {"kappa": math.nan, "alpha": math.nan,
                                                                   "kappa_method": None}
        kappa[t], alpha[t], methods[t] = _nan_to_none(a["kappa"]), _nan_to_none(a["alpha"]), a["kappa_method"]
    out = gap.result()
    out.update({"kappa": kappa, "alpha": alpha, "kappa_method": methods, "annotators": annotators,
                "frames": frames_total, "alpha_interval": rating_agreement(project, wanted, media),
                "clips": clip_comparison([s for s in segments if scope_of(s) != "time"])})
    return out


def rating_agreement(project: "Project", media_ids: list[int], media: dict) -> dict:
    """Krippendorff's interval alpha of valence and of arousal between raters, over frames."""
    per_rater: dict[str, list[np.ndarray]] = defaultdict(list)
    raters = sorted({s.annotator for mid in media_ids for s in project.series.for_media(mid, "rating")})
    if len(raters) < 2:
        return {"valence": None, "arousal": None, "raters": raters}
    for mid in media_ids:
        item = media.get(mid)
        series = project.series.for_media(mid, "rating")
        if not series or item is None or not item.fps:
            continue
        n = int(item.frame_count or 0)
        for r in raters:
            mine = [s for s in series if s.annotator == r]
            trace = RatingTrace(item.fps, n, project.series.load(mine[-1].id) if mine else None)
            per_rater[r].append(trace.values)
    stacked = {r: np.concatenate(v) for r, v in per_rater.items()}
    out = {}
    for k, name in enumerate(("valence", "arousal")):
        data = [[None if math.isnan(x) else float(x) for x in stacked[r][:, k]] for r in raters]
        out[name] = _nan_to_none(krippendorff_alpha(data, "interval"))
    out["raters"] = raters
    return out


def clip_comparison(segments) -> dict:
    """Whole-clip and image labels: per media, the ER and FER consensus, and how often they differ."""
    by_media: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for s in segments:
        if label_of(s) is not None:
            by_media[s.media_id][s.tier].append(label_of(s))
    confusion: dict[str, dict[str, int]] = {}
    compared = differ = 0
    for tracks in by_media.values():
        er = consensus([np.array([v], dtype=object) for v in tracks.get("er", [])])
        fer = consensus([np.array([v], dtype=object) for v in tracks.get("fer", [])])
        if len(er) and len(fer) and er[0] is not None and fer[0] is not None:
            compared += 1
            differ += er[0] != fer[0]
            row = confusion.setdefault(er[0], {})
            row[fer[0]] = row.get(fer[0], 0) + 1
    return {"compared": compared, "differ": differ, "confusion": confusion}
