"""Accepting a SAM object on a video as one undoable step: its track (new, or the one being corrected), its
prompt and its mask on that frame, replacing the track's earlier prompt and model mask there."""
from __future__ import annotations

from typing import Callable

from annotation.commands import Command
from annotation.model import Annotation, Track


class AcceptObject(Command):
    def __init__(self, track: Track, new_track: bool, make: Callable[[int], list[Annotation]],
                 replaced: list[Annotation], text: str = "SAM 2 object"):
        self.track, self.new_track, self.make, self.replaced = track, new_track, make, replaced
        self.added: list[Annotation] = []
        self.text = text

    def do(self, store) -> None:
        if self.new_track:
            # The first time the store gives the track its id; a redo puts it back under that same id.
            self.track = store.restore(self.track) if self.track.id is not None else store.add(self.track)
        for a in self.replaced:
            store.delete(a)
        if self.added:
            self.added = [store.restore(a) for a in self.added]
        else:
            self.added = [store.add(a) for a in self.make(self.track.id)]

    def undo(self, store) -> None:
        for a in reversed(self.added):
            store.delete(a)
        for a in self.replaced:
            store.restore(a)
        if self.new_track:
            store.delete(self.track)

    def records(self) -> list:
        return list(self.added) + list(self.replaced)
