"""Undo/redo: every change to a project's records goes through a command on an ``UndoStack``.

The stack does not know about databases: it talks to a ``RecordStore`` (the project implements one) that
adds, restores, updates and deletes records (annotations, tracks, time segments) and commits each change at
once. So the window and the CLI change a project the same way, and an undo is itself saved immediately.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections import deque
from typing import Callable, Iterable, Protocol, TypeVar

R = TypeVar("R")


class RecordStore(Protocol):
    def add(self, record: R) -> R:
        """Store a new record and return it with its id."""

    def restore(self, record: R) -> R:
        """Store a record again under the id it had (undo of a delete, redo of an add)."""

    def update(self, record: R) -> R:
        """Replace the stored record that has this id."""

    def delete(self, record: R) -> None:
        """Remove the stored record that has this id."""


class Command(ABC):
    text = ""

    @abstractmethod
    def do(self, store: RecordStore) -> None: ...

    @abstractmethod
    def undo(self, store: RecordStore) -> None: ...

    def records(self) -> list:
        """The records this command touches, so a view knows what to refresh."""
        return []


class Add(Command):
    def __init__(self, record, text: str = ""):
        self.record = record
        self.stored = None
        self.text = text or f"Add {type(record).__name__.lower()}"

    def do(self, store):
        # The first time the store gives the record its id; a redo puts it back under that same id.
        self.stored = store.restore(self.stored) if self.stored is not None else store.add(self.record)

    def undo(self, store):
        store.delete(self.stored)

    def records(self):
        return [self.stored if self.stored is not None else self.record]


class Delete(Command):
    def __init__(self, record, text: str = ""):
        if getattr(record, "id", None) is None:
            raise ValueError("only a stored record can be deleted")
        self.record = record
        self.text = text or f"Delete {type(record).__name__.lower()}"

    def do(self, store):
        store.delete(self.record)

    def undo(self, store):
        store.restore(self.record)

    def records(self):
        return [self.record]


class Update(Command):
    def __init__(self, before, after, text: str = ""):
        if before.id is None or before.id != after.id:
            raise ValueError("an update changes one stored record: before and after need the same id")
        self.before, self.after = before, after
        self.text = text or f"Edit {type(after).__name__.lower()}"

    def do(self, store):
        self.after = store.update(self.after)

    def undo(self, store):
        self.before = store.update(self.before)

    def records(self):
        return [self.after]


class RelabelTrack(Command):
    """An object's label on every frame: its track and all the annotations on it (the store's
    ``relabel_track``); undo puts each label back as it was."""

    def __init__(self, track, label_id: int | None, text: str = ""):
        self.track, self.label_id = track, label_id
        self.before: tuple[int | None, dict[int, int | None]] | None = None
        self.text = text or f"Relabel track {track.id}"

    def do(self, store):
        self.before = store.relabel_track(self.track.id, self.label_id)

    def undo(self, store):
        store.put_track_labels_back(self.track.id, *self.before)

    def records(self):
        return [self.track]


class Batch(Command):
    """Several commands that undo and redo as one step (a split segment, a multi-selection delete)."""

    def __init__(self, commands: Iterable[Command], text: str = ""):
        self.commands = list(commands)
        self.text = text or (self.commands[0].text if len(self.commands) == 1 else f"{len(self.commands)} edits")

    def do(self, store):
        done = []
        try:
            for c in self.commands:
                c.do(store)
                done.append(c)
        except Exception:
            for c in reversed(done):  # leave the project as it was before the batch
                c.undo(store)
            raise

    def undo(self, store):
        for c in reversed(self.commands):
            c.undo(store)

    def records(self):
        return [r for c in self.commands for r in c.records()]


class UndoStack:
    """A bounded history of commands; ``limit`` steps can be undone (10,000 by default)."""

    def __init__(self, store: RecordStore, limit: int = 10_000):
        self.store = store
        self._done: deque[Command] = deque(maxlen=limit)
        self._undone: list[Command] = []
        self._listeners: list[Callable[[Command, str], None]] = []

    def subscribe(self, listener: Callable[[Command, str], None]) -> None:
        """``listener(command, how)`` is called after each do, undo or redo (``how`` says which)."""
        self._listeners.append(listener)

    def _notify(self, command: Command, how: str) -> None:
        for listener in list(self._listeners):
            listener(command, how)

    def push(self, command: Command) -> Command:
        command.do(self.store)  # if this raises, nothing was changed and nothing is recorded
        self._done.append(command)
        self._undone.clear()
        self._notify(command, "do")
        return command

    def undo(self) -> Command | None:
        if not self._done:
            return None
        command = self._done.pop()
        try:
            command.undo(self.store)
        except Exception:
            self._done.append(command)
            raise
        self._undone.append(command)
        self._notify(command, "undo")
        return command

    def redo(self) -> Command | None:
        if not self._undone:
            return None
        command = self._undone.pop()
        try:
            command.do(self.store)
        except Exception:
            self._undone.append(command)
            raise
        self._done.append(command)
        self._notify(command, "redo")
        return command

    def upcoming(self, how: str) -> Command | None:
        """The step the next ``how`` ("undo" or "redo") would apply, left where it is."""
        steps = self._done if how == "undo" else self._undone
        return steps[-1] if steps else None

    def drop(self, how: str) -> Command | None:
        """Take the step the next ``how`` ("undo" or "redo") would apply off the stack, unapplied: one the project
        refuses for good (another program deleted what it changes), so the steps behind it can still be reached."""
        steps = self._done if how == "undo" else self._undone
        return steps.pop() if steps else None

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def undo_text(self) -> str:
        return self._done[-1].text if self._done else ""

    @property
    def redo_text(self) -> str:
        return self._undone[-1].text if self._undone else ""

    def __len__(self) -> int:
        return len(self._done)
