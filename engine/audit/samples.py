"""What the metrics look at: scored samples at frame level (each result row) or video level (one per media,
its frames' scores aggregated as the run says)."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from annotation.errors import FaceLensError
from engine.audit.aggregate import AGGREGATIONS
from storage.detector_repo import ResultTable

LEVELS = ("frame", "video")


@dataclass
class Samples:
    key: np.ndarray  # result id (frame level) or media id (video level)
    media_id: np.ndarray
    score: np.ndarray
    y: np.ndarray  # 1 attack, 0 bona fide, -1 unknown
    attack_type: np.ndarray  # object
    split: np.ndarray  # object

    def __len__(self) -> int:
        return len(self.key)

    def where(self, mask) -> "Samples":
        return Samples(self.key[mask], self.media_id[mask], self.score[mask], self.y[mask], self.attack_type[mask],
                       self.split[mask])

    def split_of(self, split: str | None) -> "Samples":
        return self if split is None else self.where(self.split == split)

    def labelled(self) -> "Samples":
        return self.where(self.y >= 0)

    def has_split(self, split: str) -> bool:
        return bool(np.any(self.split == split))


def frame_samples(t: ResultTable) -> Samples:
    return Samples(t.id, t.media_id, t.score, t.label.astype(np.int8), t.attack_type, t.split)


def video_samples(t: ResultTable, method: str) -> Samples:
    """One sample per media: the aggregated score; attack if any of its rows is (with their commonest type)."""
    agg = AGGREGATIONS[method]
    media = np.unique(t.media_id)
    score, y, kind, split = [], [], [], []
    for m in media:
        rows = t.media_id == m
        score.append(float(agg(t.score[rows])))
        labels = t.label[rows]
        y.append(1 if (labels == 1).any() else (0 if (labels == 0).any() else -1))
        types = [a for a, lab in zip(t.attack_type[rows], labels) if lab == 1 and a is not None]
        kind.append(Counter(types).most_common(1)[0][0] if types else None)
        splits = set(t.split[rows])
        if len(splits) > 1:
            raise FaceLensError(f"media {m} has rows in more than one split ({', '.join(map(str, splits))}); "
                                "video-level metrics need one split per video")
        split.append(splits.pop())
    return Samples(media, media, np.array(score), np.array(y, np.int8), np.array(kind, dtype=object),
                   np.array(split, dtype=object))


def samples(t: ResultTable, level: str, aggregation: str) -> Samples:
    if level not in LEVELS:
        raise FaceLensError(f"level {level!r} is not one of {', '.join(LEVELS)}")
    return frame_samples(t) if level == "frame" else video_samples(t, aggregation)
