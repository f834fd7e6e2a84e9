"""Valence/arousal ratings as undoable records: each is one series of kind ``rating`` per annotator and video."""
from __future__ import annotations

from typing import TYPE_CHECKING

from annotation.emotion.rating import RATING_CHANNELS, Rating, RatingTrace

if TYPE_CHECKING:
    from storage.project import Project


class RatingRepository:
    def __init__(self, project: "Project"):
        self.project = project

    def stored(self, media_id: int, annotator: str) -> Rating | None:
        mine = [s for s in self.project.series.for_media(media_id, "rating") if s.annotator == annotator]
        if not mine:
            return None
        info = mine[-1]
        media = self.project.media.get(media_id)
        fps = info.params.get("fps") or media.fps or 25.0
        frames = int(info.params.get("frames") or media.frame_count or 1)
        return Rating(media_id, annotator, RatingTrace(fps, frames, self.project.series.load(info.id)), info.id)

    def save(self, record: Rating, source: str = "rating control") -> Rating:
        """Store the annotator's rating of the video: the first, or in place of the one stored."""
        stored = self.stored(record.media_id, record.annotator)
        return self.update(record.with_id(stored.id)) if stored else self.add(record, source)

    def add(self, record: Rating, source: str = "rating control") -> Rating:
        info = self.project.series.add(record.media_id, "rating", RATING_CHANNELS, record.trace.to_array(),
                                       name=f"rating by {record.annotator}", source=source,
                                       params=_params(record), annotator=record.annotator, action="rate",
                                       series_id=record.id)
        return record.with_id(info.id)

    def restore(self, record: Rating) -> Rating:
        return self.add(record)  # under its id: a later pass's update refers to it

    def update(self, record: Rating) -> Rating:
        self.project.series.replace_data(record.id, record.trace.to_array(), _params(record), action="rate")
        return record

    def delete(self, record: Rating) -> None:
        self.project.series.delete(record.id)


def _params(record: Rating) -> dict:
    trace = record.trace
    return {"fps": trace.fps, "frames": trace.frame_count, "rated_frames": int(trace.rated().sum())}
