"""Accepting a SAM object on a video as one undoable step: its track (new, or the one being corrected), its
prompt and its mask on that frame, replacing the track's earlier prompt and model mask there.

A propagation run after the accept keeps the accepted mask (an older FaceLens's replaced it with its own,
another id), and a new object's track gains masks on other frames. So undo takes back what stands for the step
now, read from the project:
for a new object, the track and everything of it; for a correction, its prompt and the model mask of the track
on that frame (the accepted one or the propagated one in its place; a mask edited by hand stays), and the
prompt and mask it replaced come back. Redo puts back exactly what undo took. A new object goes and comes
back whole in one transaction; a correction's few records are deleted only while there and restored only
while missing, so a step that failed part-way (the project changed meanwhile) can be tried again instead of
failing the same way for ever.
"""
from __future__ import annotations

from typing import Callable

from annotation.commands import Command
from annotation.model import Annotation, Track
from engine.segmentation.store import MANUAL, PROMPT
from storage.video_locks import rewriting_masks


class AcceptObject(Command):
    def __init__(self, track: Track, new_track: bool, make: Callable[[int], list[Annotation]],
                 replaced: list[Annotation], text: str = "SAM 2 object"):
        self.track, self.new_track, self.make, self.replaced = track, new_track, make, replaced
        self.added: list[Annotation] = []  # what the step put in the project (after an undo: what it took out)
        self.frame: int | None = None
        self.text = text

    def do(self, store) -> None:
        with self._video_free(store):
            self._do(store)

    def undo(self, store) -> None:
        with self._video_free(store):
            self._undo(store)

    def _video_free(self, store):
        """Another program propagating this video would track over the step (or leave two masks): refused."""
        return rewriting_masks(store.project, store.project.media.get(self.track.media_id),
                               "add or correct an object on it")

    def _do(self, store) -> None:
        project = store.project  # what stands now (a propagation may have replaced the mask)
        if self.new_track and self.added:  # a redo: the track and all the undo took, in one transaction
            project.tracks.restore_with_annotations(self.track, self.added)
            return
        if self.new_track:
            self.track = store.add(self.track)
        if self.added:  # a correction's redo: what stands for the track on that frame now makes way (a propagation
            # since the undo may have put a new mask there), and goes back on the next undo
            mine = {a.id for a in self.added}
            self.replaced = [a for a in self._standing(project) if a.id not in mine]
        for a in self.replaced:
            if project.annotations.get(a.id) is not None:
                store.delete(a)
        if self.added:
            for a in self.added:
                if project.annotations.get(a.id) is None:
                    store.restore(a)
        else:
            self.added = [store.add(a) for a in self.make(self.track.id)]
            self.frame = self.added[-1].frame

    def _undo(self, store) -> None:
        project = store.project  # what stands now (a propagation may have replaced the mask)
        if self.new_track:
            # The track and everything of it, propagated masks too: one transaction (one by one, a track over a
            # long video took minutes), and never half.
            gone = project.tracks.delete_with_annotations(self.track)
            self.added = sorted(gone, key=lambda a: (a.frame != self.frame, a.frame, a.id))  # this frame first
            return
        mine = {a.id for a in self.added}
        now = [a for a in self._standing(project) if a.id in mine or a.kind == "mask"]
        for a in now:
            store.delete(a)
        self.added = now
        for a in self.replaced:
            if project.annotations.get(a.id) is None:
                store.restore(a)

    def _standing(self, project) -> list[Annotation]:
        """The track's prompt and model masks on the step's frame as the project holds them now (a mask edited by
        hand is the user's and stays out of it)."""
        return sorted((a for a in project.annotations.for_media(self.track.media_id, self.frame)
                       if a.track_id == self.track.id and (a.attributes.get("role") == PROMPT
                                                           or a.kind == "mask" and a.source != MANUAL)),
                      key=lambda a: a.id)

    def records(self) -> list:
        return list(self.added) + list(self.replaced)
