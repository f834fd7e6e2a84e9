"""Accepting a SAM object on a video as one undoable step: its track (new, or the one being corrected), its
prompt and its mask on that frame, replacing the track's earlier prompt and model mask there.

A propagation run after the accept replaces the accepted mask with its own (another id), and a new object's
track gains masks on other frames. So undo takes back what stands for the step now, read from the project:
for a new object, the track and everything of it; for a correction, its prompt and the model mask of the track
on that frame (the accepted one or the propagated one in its place; a mask edited by hand stays), and the
prompt and mask it replaced come back. Redo puts back exactly what undo took. Each step only deletes what is
still there and restores what is not, so one that failed part-way (the project changed meanwhile) can be
tried again instead of failing the same way for ever.
"""
from __future__ import annotations

from typing import Callable

from annotation.commands import Command
from annotation.model import Annotation, Track
from engine.segmentation.store import MANUAL


class AcceptObject(Command):
    def __init__(self, track: Track, new_track: bool, make: Callable[[int], list[Annotation]],
                 replaced: list[Annotation], text: str = "SAM 2 object"):
        self.track, self.new_track, self.make, self.replaced = track, new_track, make, replaced
        self.added: list[Annotation] = []  # what the step put in the project (after an undo: what it took out)
        self.frame: int | None = None
        self.text = text

    def do(self, store) -> None:
        annotations = store.project.annotations  # what stands now (a propagation may have replaced the mask)
        if self.new_track:
            # The first time the store gives the track its id; a redo puts it back under that same id.
            self.track = store.restore(self.track) if self.track.id is not None else store.add(self.track)
        for a in self.replaced:
            if annotations.get(a.id) is not None:
                store.delete(a)
        if self.added:  # a redo: what the undo took out (a track's thousands of masks: one transaction)
            there = {a.id for a in annotations.for_track(self.track.id)}
            store.restore_many([a for a in self.added if a.id not in there])
        else:
            self.added = [store.add(a) for a in self.make(self.track.id)]
            self.frame = self.added[-1].frame

    def undo(self, store) -> None:
        annotations = store.project.annotations  # what stands now (a propagation may have replaced the mask)
        if self.new_track:
            now = annotations.for_track(self.track.id)  # the object's prompt and masks, propagated ones too
        else:
            mine = {a.id for a in self.added}
            now = [a for a in annotations.for_media(self.track.media_id, self.frame) if a.track_id == self.track.id
                   and (a.id in mine or a.kind == "mask" and a.source != MANUAL)]
        now.sort(key=lambda a: (a.frame != self.frame, a.frame, a.id))  # this frame first: undo shows it
        store.delete_many(now)  # one transaction (one by one, a track over a long video took minutes)
        self.added = now
        for a in self.replaced:
            if annotations.get(a.id) is None:
                store.restore(a)
        if self.new_track:
            store.delete(self.track)

    def records(self) -> list:
        return list(self.added) + list(self.replaced)
