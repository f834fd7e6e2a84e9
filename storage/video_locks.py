"""Which program is rewriting a video's masks: a lock file per video in the project's cache, held while it
propagates. Two propagations of one video from two programs (the window and ``track``) each replaced the masks
they had read at their start, and the frames both reached ended with two masks per object; an object accepted
from a second program meanwhile could be tracked over by the first.

The lock is the operating system's (``flock``, or ``msvcrt.locking`` on Windows), so a program that dies lets go
of it; a note beside it says who holds it.
"""
from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from annotation.errors import BusyElsewhere
from annotation.model import MediaItem

if TYPE_CHECKING:
    from storage.project import Project

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None
    import msvcrt


def _lock(f) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:
            f.seek(0)  # (msvcrt locks bytes from the file's position)
            msvcrt.locking(f.fileno(), msvcrt.LK_NBLCK, 1)
        return True
    except OSError:
        return False


def _unlock(f) -> None:
    if fcntl is not None:
        fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    else:
        f.seek(0)
        msvcrt.locking(f.fileno(), msvcrt.LK_UNLCK, 1)


def _paths(project: "Project", item: MediaItem) -> tuple[Path, Path]:
    folder = project.cache_dir / "locks"
    return folder / f"media-{item.id}.lock", folder / f"media-{item.id}.who"


# Which FaceLens this is, so that "cancel it there" says where: "a FaceLens window", or the command
# ("`main.py track`"); set once where the program starts.
PROGRAM = ["FaceLens"]


def check_free(project: "Project", item: MediaItem, doing: str) -> None:
    """Refuse at once, as ``rewriting_masks`` would, where another program propagates ``item`` (before minutes of
    work that could not be stored)."""
    with rewriting_masks(project, item, doing):
        pass


def held_by(project: "Project", item: MediaItem) -> str | None:
    """Who propagates ``item`` now ("`main.py track` (process N on host, since 01:24)", "a FaceLens window"), or None
    while no one does (asked without waiting, and let go at once)."""
    project.refuse_if_read_only("look at its locks")
    lock, who = _paths(project, item)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as f:
        if _lock(f):
            _unlock(f)
            return None
    return _holder(who)


def _holder(who: Path) -> str:
    try:
        return who.read_text(encoding="utf-8").strip() or "another program"
    except OSError:
        return "another program"


@contextmanager
def rewriting_masks(project: "Project", item: MediaItem, doing: str) -> Iterator[None]:
    """Hold ``item``'s lock while ``doing`` (say "propagate it"); refused, naming the holder, while another
    program holds it."""
    project.refuse_if_read_only(doing)  # (its lock file could not be made there either)
    lock, who = _paths(project, item)
    lock.parent.mkdir(parents=True, exist_ok=True)
    with open(lock, "a+b") as f:
        if not _lock(f):
            raise BusyElsewhere(f"media {item.id} ({item.name}) is being propagated by {_holder(who)}: "
                             f"{doing} once that is done, or cancel it there",
                             path=str(project.absolute_path(item.path)))
        try:
            who.write_text(f"{PROGRAM[0]} (process {os.getpid()} on {socket.gethostname()}, since "
                           f"{time.strftime('%H:%M')})", encoding="utf-8")
            yield
        finally:
            _unlock(f)
