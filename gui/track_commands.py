"""Deleting a video's track, with its annotations on every frame, as one undoable step.

The track and its annotations go and come back in one transaction each (``TrackRepository``), so a track
propagated over thousands of frames is deleted at once, never half, and an undo restores the same ids.
"""
from __future__ import annotations

from annotation.commands import Command
from annotation.model import Annotation, Track


class DeleteTrack(Command):
    def __init__(self, track: Track, text: str = ""):
        self.track = track
        self.gone: list[Annotation] = []
        self.text = text or f"Delete track {track.id}"

    def do(self, store) -> None:  # (``store``: the undo stack's ``ProjectStore``)
        self.gone = store.project.tracks.delete_with_annotations(self.track)

    def undo(self, store) -> None:
        store.project.tracks.restore_with_annotations(self.track, self.gone)

    def records(self) -> list:
        return [*self.gone, self.track]
