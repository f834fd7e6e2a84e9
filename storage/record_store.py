"""The project as the undo stack's ``RecordStore``: each record type goes to its repository."""
from __future__ import annotations

from typing import TYPE_CHECKING

from annotation.emotion.rating import Rating
from annotation.model import Annotation, TimeSegment, Track

if TYPE_CHECKING:
    from storage.project import Project


class ProjectStore:
    def __init__(self, project: "Project"):
        self.project = project  # for a step that reads what the project holds now (SAM 2's, after a propagation)
        self._repos = {Annotation: project.annotations, Track: project.tracks, TimeSegment: project.segments,
                       Rating: project.ratings}

    def _repo(self, record):
        try:
            return self._repos[type(record)]
        except KeyError:
            raise TypeError(f"a project does not store {type(record).__name__} records") from None

    def add(self, record):
        return self._repo(record).add(record)

    def restore(self, record):
        return self._repo(record).restore(record)

    def update(self, record):
        return self._repo(record).update(record)

    def delete(self, record):
        return self._repo(record).delete(record)

    def relabel_track(self, track_id: int, label_id: int | None) -> tuple[int | None, dict[int, int | None]]:
        return self.project.tracks.relabel(track_id, label_id)

    def put_track_labels_back(self, track_id: int, label_id: int | None, labels: dict[int, int | None]) -> None:
        self.project.tracks.put_labels_back(track_id, label_id, labels)
