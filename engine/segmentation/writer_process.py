"""Storing a propagation's masks in a helper process, so the process driving the GPU keeps Python's lock.

On a GPU, SAM 2's propagation is a Python loop on the engine thread launching small kernels; every torch call
lets go of Python's lock (the GIL) and takes it back. A mask writer thread in the same process (encoding COCO
RLE, building annotations, SQLAlchemy's commits) holds that lock for milliseconds at a time, and each time the
engine thread waits for it the GPU runs dry: measured on an H200, the app kept 0.75 of the tracking session's
speed while storing with a writer thread, even with the encoding already in a helper process. Here the whole
``MaskWriter`` (encoding and committing, the same code) runs in a helper process with a lock of its own; the
engine process only hands each frame's mask bytes to a sender thread, which writes them to a pipe with the lock
released.

Helpers are started ahead (``WRITERS.warm()``) and kept for the next propagation, one at a time each. Where no
helper can start (a frozen app has no Python to start one with) the writer thread stores the masks as before.

Over the helper's stdin and stdout: once started, the helper says ``READY`` (what Python printed before it is
skipped), and again after each propagation. A propagation sends a message (its settings, JSON), the helper answers one (``started``, or
``error``); then frames, each ``F``, its number and mask count, and per mask its track id, score (NaN: none),
height, width and pixels column by column, one byte each; at the end ``E``, answered by ``done`` (the counts)
or ``error``. A message is its length (uint64) and JSON. An error of the writer while frames come is sent at
once; the frames after it are read and dropped until ``E``.
"""
from __future__ import annotations

import atexit
import json
import math
import queue
import signal
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from annotation.errors import FaceLensError
from annotation.model import MediaItem
from annotation.rle_process import read_exactly, stop_helper, wait_until_ready
from engine.segmentation.store import MaskWriter
from engine.worker import one_line

_LENGTH = struct.Struct("<Q")
_FRAME = struct.Struct("<qI")  # frame, masks
_MASK = struct.Struct("<qdII")  # track id, score, height, width
_ROOT = Path(__file__).resolve().parents[2]
READY = b"\nFACELENS MASK WRITER READY 1\n"


class WriterFailed(FaceLensError):
    """The helper process stored no more (it stopped, or its writer met an error, said in the message)."""


class WriterProcesses:
    """Helper processes ready to store a propagation, one propagation at a time each. Thread-safe."""

    def __init__(self):
        self.enabled = not getattr(sys, "frozen", False)
        self._idle: list[subprocess.Popen] = []
        self._lock = threading.Lock()

    def warm(self) -> None:
        """Start a helper now (without waiting for it), so the next propagation's need not start one."""
        with self._lock:
            if self.enabled and not self._idle:
                try:
                    self._idle.append(_start())
                except OSError:
                    self.enabled = False

    def writer(self, project, item: MediaItem, source: str, labels: dict[int, int | None], **options):
        """A mask writer for one propagation: in a helper process where one starts, else ``MaskWriter``."""
        while self.enabled:
            with self._lock:
                idle = self._idle.pop() if self._idle else None
            try:
                proc = idle or _start()
            except OSError:
                self.enabled = False
                break
            try:
                return ProcessMaskWriter(proc, self, project, item, source, labels, **options)
            except (OSError, EOFError, ValueError):  # it died idle, or a fresh one did not start: this thread
                stop_helper(proc)
                if idle is None:
                    self.enabled = False
        return MaskWriter(project, item, source, labels, **options)

    def give_back(self, proc: subprocess.Popen) -> None:
        with self._lock:
            if proc.poll() is None and len(self._idle) < 1:
                self._idle.append(proc)
                return
        stop_helper(proc)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for proc in idle:
            stop_helper(proc)


class ProcessMaskWriter:
    """``MaskWriter``'s interface (``add``, ``flush`` and the counts after it), the writing done in a helper."""

    def __init__(self, proc: subprocess.Popen, owner: WriterProcesses, project, item: MediaItem, source: str,
                 labels: dict[int, int | None], batch: int = 16, depth: int = 64, max_wait: float = 1.0,
                 prompted=()):
        self._proc, self._owner, self._audit, self._media_id = proc, owner, project.audit, item.id
        wait_until_ready(proc.stdout, READY)
        _send(proc.stdin, {"project": str(project.root), "media_id": item.id, "source": source,
                           "labels": [[t, lab] for t, lab in labels.items()], "prompted": [list(p) for p in prompted],
                           "batch": batch, "depth": depth, "max_wait": max_wait})
        reply = _receive(proc.stdout)
        if "error" in reply:  # (the helper is fine: the project is not, for it; say so here, as the thread would)
            owner.give_back(proc)
            raise WriterFailed(reply["error"])
        project.audit.helper_stores(item.id)  # a window showing the project takes its entries for its own
        self.written = self.kept = self.unchanged = self.removed = 0
        self.gone_tracks: set[int] = set()
        self.frames_written: list[int] = []
        self._error: str | None = None
        self._stopped = False  # the helper stopped answering: nothing more goes to it
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._sender = threading.Thread(target=self._send_frames, name="facelens-mask-sender", daemon=True)
        self._listener = threading.Thread(target=self._listen, name="facelens-mask-listener", daemon=True)
        self._sender.start()
        self._listener.start()

    def add(self, frame: int, masks: dict[int, tuple[np.ndarray, float | None]]) -> None:
        """One frame's masks: {track id: (mask, score)}; the masks must not change until they are sent."""
        self._raise()
        self._queue.put((frame, masks))

    def flush(self) -> int:
        """Everything handed over stored (the helper says so); returns how many masks went in overall."""
        self._queue.put(None)
        self._sender.join()
        self._listener.join()
        self._raise()
        return self.written

    def _raise(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise WriterFailed(error)

    def _send_frames(self) -> None:
        out = self._proc.stdin
        while True:
            item = self._queue.get()
            if self._stopped:  # drained, so add() never blocks on a dead helper
                if item is None:
                    return
                continue
            try:
                if item is None:
                    out.write(b"E")
                    out.flush()
                    return
                frame, masks = item
                out.write(b"F" + _FRAME.pack(frame, len(masks)))
                for track_id, (mask, score) in masks.items():
                    columns = np.asfortranarray(mask if mask.dtype == np.bool_ else mask != 0).T  # (W, H)
                    out.write(_MASK.pack(track_id, math.nan if score is None else score, *mask.shape))
                    if columns.size:
                        out.write(memoryview(columns.view(np.uint8)).cast("B"))  # the lock is let go meanwhile
                out.flush()
            except (OSError, ValueError):  # (ValueError: its pipe closed by the listener, which found it gone)
                self._lost()

    def _listen(self) -> None:
        try:
            while True:
                message = _receive(self._proc.stdout)
                if "error" in message:
                    self._error = message["error"]
                if "done" in message:
                    done = message["done"]
                    self.written, self.kept, self.unchanged = done["written"], done["kept"], done["unchanged"]
                    self.removed, self.gone_tracks = done["removed"], set(done["gone_tracks"])
                    self.frames_written = done["frames_written"]
                    self._audit.helper_stored(self._media_id, done["audit"])
                    self._owner.give_back(self._proc)
                    return
        except (OSError, EOFError, ValueError):
            self._lost()

    def _lost(self) -> None:
        if not self._stopped:
            self._stopped = True
            self._audit.helper_stored(self._media_id, ())  # (what it committed reads as another program's now)
            self._error = (f"the helper process storing the masks stopped (exit status {self._proc.poll()}); "
                           "the frames it had stored are kept, propagate again for the rest")
            stop_helper(self._proc)


def _start() -> subprocess.Popen:
    code = (f"import sys; sys.path.insert(0, {str(_ROOT)!r}); "
            "from engine.segmentation.writer_process import serve; serve()")
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=None)  # (a crash's traceback goes where the app's own would)


def _send(stream, message: dict) -> None:
    data = json.dumps(message).encode()
    stream.write(_LENGTH.pack(len(data)) + data)
    stream.flush()


def _receive(stream) -> dict:
    n = _LENGTH.unpack(read_exactly(stream, _LENGTH.size))[0]
    return json.loads(read_exactly(stream, n))


# --- the helper's side ---------------------------------------------------------------------------------------
def serve(stdin=None, stdout=None) -> None:
    """The helper's loop: one propagation's masks after another, until its input ends."""
    from annotation.rle_process import ENCODER
    from storage.project import Project

    ENCODER.enabled = False  # this process is the helper: encode here, not in one more
    # Ctrl+C in a terminal reaches the whole process group: the app cancels and keeps what was tracked, which
    # this helper must still store. It ends when its input does (the app ended, or closed it).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    try:
        while True:
            stdout.write(READY)  # before each propagation: the next writer reads up to it
            stdout.flush()
            head = stdin.read(_LENGTH.size)
            if len(head) < _LENGTH.size:
                return
            settings = json.loads(read_exactly(stdin, _LENGTH.unpack(head)[0]))
            try:
                project = Project.open(settings["project"])
            except Exception as e:
                _send(stdout, {"error": one_line(e)})
                continue
            try:
                _store(project, settings, stdin, stdout)
            finally:
                project.close()
    except (OSError, EOFError):  # the app went away (killed): what came is stored; nothing to say it to
        return


def _store(project, settings: dict, stdin, stdout) -> None:
    try:
        item = project.media.get(settings["media_id"])
        writer = MaskWriter(project, item, settings["source"], {t: lab for t, lab in settings["labels"]},
                            batch=settings["batch"], depth=settings["depth"], max_wait=settings["max_wait"],
                            prompted=[tuple(p) for p in settings["prompted"]])
    except Exception as e:
        _send(stdout, {"error": one_line(e)})
        return
    _send(stdout, {"started": True})
    failed = False
    while (frame := _read_frame(stdin)) is not None:
        if failed:
            continue
        try:
            writer.add(*frame)
        except Exception as e:
            failed = True
            _send(stdout, {"error": one_line(e)})
    try:
        writer.flush()
    except Exception as e:
        _send(stdout, {"error": one_line(e)})
    _send(stdout, {"done": {"written": writer.written, "kept": writer.kept, "unchanged": writer.unchanged,
                            "removed": writer.removed, "gone_tracks": sorted(writer.gone_tracks),
                            "frames_written": writer.frames_written,
                            "audit": sorted(project.audit.written_here())}})


def _read_frame(stdin) -> tuple[int, dict] | None:
    """The next frame's (number, {track id: (mask, score)}); None at the end, or where the app is gone mid-way
    (what came before is stored all the same)."""
    try:
        if read_exactly(stdin, 1) == b"E":
            return None
        frame, count = _FRAME.unpack(read_exactly(stdin, _FRAME.size))
        masks = {}
        for _ in range(count):
            track_id, score, height, width = _MASK.unpack(read_exactly(stdin, _MASK.size))
            pixels = np.frombuffer(read_exactly(stdin, height * width), np.bool_)
            masks[track_id] = (pixels.reshape(width, height).T, None if math.isnan(score) else score)
        return frame, masks
    except EOFError:
        return None


WRITERS = WriterProcesses()
atexit.register(WRITERS.close)
