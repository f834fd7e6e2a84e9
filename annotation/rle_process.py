"""COCO RLE encoding in a helper process, so that storing a propagation's masks leaves Python's lock to the engine.

On a GPU the engine thread is a Python loop launching small kernels, and the mask writer thread beside it encodes
each frame's masks. Each moment the writer holds Python's lock (the GIL) the GPU waits for its next kernel, and a
detailed 1080p mask keeps ``annotation.rle`` busy for milliseconds, letting go of the lock only inside each of
its numpy passes. A helper process has a lock of its own: the writer hands it the mask's bytes through a pipe
and waits for the string with the lock released. Where no helper can start (a frozen build, a failed start) or
one stops answering, masks are encoded in the calling thread as before: the same string, nothing lost.

Over the helper's stdin and stdout: once started, the helper says ``READY`` (anything Python printed before it,
a sitecustomize's greeting say, is skipped); then a request is the mask's height and width (two little-endian
uint32) and its pixels read column by column, one byte each (0 or 1); the reply is the string's length (uint64)
and the string.
"""
from __future__ import annotations

import atexit
import struct
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np

from annotation import rle

_SIZE = struct.Struct("<II")
_LENGTH = struct.Struct("<Q")
_ROOT = Path(__file__).resolve().parents[1]
READY = b"\nFACELENS RLE HELPER READY 1\n"
_START_TEXT_LIMIT = 1 << 16  # what Python may print at start-up before the helper speaks, at most


class RleProcess:
    """``encode(mask)``: ``rle.encode(mask)``, computed in the helper process when there is one. Thread-safe."""

    def __init__(self):
        self.enabled = not getattr(sys, "frozen", False)  # a frozen app has no Python to start the helper with
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()

    def encode(self, mask: np.ndarray) -> str:
        if mask.ndim == 2 and self.enabled:
            with self._lock:
                try:
                    return self._ask(self._started(), mask)
                except (OSError, EOFError, ValueError):  # it could not start, or died: encode here from now on
                    self.enabled = False
                    self._stop()
        return rle.encode(mask)

    def close(self) -> None:
        with self._lock:
            self._stop()

    def _started(self) -> subprocess.Popen:
        if self._proc is None:
            code = f"import sys; sys.path.insert(0, {str(_ROOT)!r}); from annotation.rle_process import serve; serve()"
            self._proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL)
            wait_until_ready(self._proc.stdout, READY)
        return self._proc

    def _ask(self, proc: subprocess.Popen, mask: np.ndarray) -> str:
        columns = np.asfortranarray(mask != 0 if mask.dtype != np.bool_ else mask).T  # (W, H), C-contiguous
        proc.stdin.write(_SIZE.pack(*mask.shape))
        if columns.size:
            proc.stdin.write(memoryview(columns.view(np.uint8)).cast("B"))  # the pipe's write lets go of the lock
        proc.stdin.flush()
        n = _LENGTH.unpack(read_exactly(proc.stdout, _LENGTH.size))[0]
        return read_exactly(proc.stdout, n).decode("ascii")

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            stop_helper(proc)


def stop_helper(proc: subprocess.Popen) -> None:
    """End a helper process: it ends at the end of its input; killed if it does not within 2 s."""
    try:
        proc.stdin.close()
        proc.wait(timeout=2)
    except (OSError, subprocess.TimeoutExpired):
        proc.kill()


def wait_until_ready(stream, ready: bytes) -> None:
    """Read up to a helper's ``ready`` marker, skipping what Python printed before it."""
    seen = bytearray()
    while not seen.endswith(ready):
        byte = stream.read(1)
        if not byte or len(seen) > _START_TEXT_LIMIT:
            raise EOFError("the RLE helper process did not start")
        seen += byte


def read_exactly(stream, n: int) -> bytes:
    data = stream.read(n)
    if len(data) != n:
        raise EOFError("the helper process stopped")
    return data


def serve(stdin=None, stdout=None) -> None:
    """The helper's loop: masks in, COCO RLE strings out, until its input ends."""
    stdin, stdout = stdin or sys.stdin.buffer, stdout or sys.stdout.buffer
    stdout.write(READY)
    stdout.flush()
    while True:
        head = stdin.read(_SIZE.size)
        if len(head) < _SIZE.size:
            return
        height, width = _SIZE.unpack(head)
        pixels = read_exactly(stdin, height * width)
        counts = rle.compress(rle.run_lengths(np.frombuffer(pixels, np.bool_))).encode("ascii")
        stdout.write(_LENGTH.pack(len(counts)))
        stdout.write(counts)
        stdout.flush()


ENCODER = RleProcess()  # one helper for the whole app, started by the first mask it is given
atexit.register(ENCODER.close)
