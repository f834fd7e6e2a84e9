"""The engine: one long-lived worker thread that runs jobs from a priority queue.

* Interactive jobs (a click asking for a mask) go before normal and batch jobs.
* A batch job is a generator function: at each ``yield`` it hands the thread back, so a waiting job of higher
  priority runs first, then the batch job resumes where it was. Cancelling takes effect at the next
  ``yield`` (or ``ctx.check()``); what the job committed before stays.
* A job's error comes back as its result (``JobResult.error``); the thread never dies.
* The engine knows nothing of Qt: callbacks run on the engine thread; ``gui/`` re-emits them as signals.
"""
from __future__ import annotations

import heapq
import inspect
import itertools
import threading
import traceback
from concurrent.futures import Future
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Any, Callable

from annotation.errors import FaceLensError


class Priority(IntEnum):
    INTERACTIVE = 0
    NORMAL = 5
    BATCH = 10


class Cancelled(Exception):
    """Raised inside a job by ``ctx.check()`` once the job was cancelled."""


@dataclass
class JobResult:
    job_id: int
    name: str
    value: Any = None
    error: str | None = None  # one line for the user
    details: str | None = None  # the traceback, for "details"
    cancelled: bool = False
    exception: BaseException | None = None  # what was raised, for a caller that words some kinds itself

    @property
    def ok(self) -> bool:
        return self.error is None and not self.cancelled


class JobContext:
    """What a running job sees: progress reporting and its cancel flag."""

    def __init__(self, job: "Job"):
        self._job = job

    @property
    def cancelled(self) -> bool:
        return self._job.cancel_event.is_set()

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled()

    def progress(self, done: float, total: float | None = None, message: str = "") -> None:
        if self._job.on_progress:
            try:
                self._job.on_progress(self._job.id, done, total, message)
            except Exception:
                traceback.print_exc()  # a broken listener must not kill the job


@dataclass(order=True)
class _Entry:
    priority: int
    seq: int
    job: "Job" = field(compare=False)


class Job:
    def __init__(self, job_id: int, name: str, fn: Callable, priority: int, on_progress, on_done, on_start=None):
        self.id, self.name, self.fn, self.priority = job_id, name, fn, priority
        self.on_progress, self.on_done, self.on_start = on_progress, on_done, on_start
        self.cancel_event = threading.Event()
        self.future: Future = Future()
        self.generator = None  # a suspended batch job


class JobHandle:
    def __init__(self, job: Job):
        self._job = job

    @property
    def id(self) -> int:
        return self._job.id

    @property
    def name(self) -> str:
        return self._job.name

    def cancel(self) -> None:
        self._job.cancel_event.set()

    def result(self, timeout: float | None = None) -> JobResult:
        return self._job.future.result(timeout)

    def done(self) -> bool:
        return self._job.future.done()


# Python's thread switch interval stays at its default (5 ms). A propagation's engine thread lets go of the GIL
# at every kernel it launches; a shorter interval (0.5 ms, tried) made the mask writer and the frame reader take
# it back sooner, and the handovers cost more than they saved: on an H200, 3 objects tracked with SAM 2.1 tiny at
# 0.66 of the raw predictor's speed with 0.5 ms, 0.86 with 5 ms (benchmarks/gpu-runs/2026-11-28-h200-b).


class Engine:
    def __init__(self, name: str = "facelens-engine"):
        self._queue: list[_Entry] = []
        self._cv = threading.Condition()
        self._seq = itertools.count()
        self._ids = itertools.count(1)
        self._stopping = False
        self._running: Job | None = None
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    # --- submitting --------------------------------------------------------------------------------------
    def submit(self, fn: Callable[[JobContext], Any], name: str = "", priority: int = Priority.NORMAL,
               on_progress: Callable[[int, float, float | None, str], None] | None = None,
               on_done: Callable[[JobResult], None] | None = None,
               on_start: Callable[[int], None] | None = None) -> JobHandle:
        """Queue ``fn(ctx)``. A generator function is a batch job that yields between items. ``on_start(job id)``
        is called on the engine thread each time the job starts or resumes (it is the one running then)."""
        job = Job(next(self._ids), name or getattr(fn, "__name__", "job"), fn, int(priority), on_progress, on_done,
                  on_start)
        self._push(job)
        return JobHandle(job)

    def run(self, fn: Callable[[JobContext], Any], name: str = "", priority: int = Priority.NORMAL,
            on_progress=None) -> JobResult:
        """Submit and wait (the CLI's way)."""
        return self.submit(fn, name, priority, on_progress).result()

    def _push(self, job: Job) -> None:
        with self._cv:
            if self._stopping:
                raise RuntimeError("the engine is stopped")
            heapq.heappush(self._queue, _Entry(job.priority, next(self._seq), job))
            self._cv.notify()

    def pending(self) -> int:
        with self._cv:
            return len(self._queue) + (1 if self._running else 0)

    def stop(self, cancel_running: bool = True, timeout: float | None = 10) -> None:
        with self._cv:
            self._stopping = True
            if cancel_running:
                for e in self._queue:
                    e.job.cancel_event.set()
                if self._running:
                    self._running.cancel_event.set()
            self._cv.notify()
        self._thread.join(timeout)

    # --- the worker thread ---------------------------------------------------------------------------------
    def _waiting(self, priority: int) -> bool:
        """Whether a job as urgent as ``priority`` or more is waiting."""
        with self._cv:
            return bool(self._queue) and self._queue[0].priority <= priority

    def _loop(self) -> None:
        while True:
            with self._cv:
                while not self._queue and not self._stopping:
                    self._cv.wait()
                if not self._queue and self._stopping:
                    return
                job = heapq.heappop(self._queue).job
                self._running = job
            try:
                self._step(job)
            finally:
                with self._cv:
                    self._running = None

    def _step(self, job: Job) -> None:
        """Run a job, or resume a batch job, until it finishes or, at a yield, finds another job waiting that is
        as urgent or more (it goes back in the queue behind it)."""
        ctx = JobContext(job)
        if job.on_start is not None:
            try:
                job.on_start(job.id)
            except Exception:
                traceback.print_exc()
        try:
            if job.cancel_event.is_set() and job.generator is None:
                raise Cancelled()
            if job.generator is None:
                out = job.fn(ctx)
                if not inspect.isgenerator(out):
                    return self._finish(job, JobResult(job.id, job.name, value=out))
                job.generator = out
            while True:
                next(job.generator)
                if job.cancel_event.is_set():
                    job.generator.close()
                    raise Cancelled()
                if self._waiting(job.priority):
                    # Behind the urgent jobs, and behind its peers too: batch jobs take turns item by item (ahead
                    # of its peers, a propagation that the window's small jobs interrupt after every frame kept an
                    # import waiting for all of it, minutes to hours).
                    with self._cv:
                        heapq.heappush(self._queue, _Entry(job.priority, next(self._seq), job))
                    return
        except StopIteration as stop:
            self._finish(job, JobResult(job.id, job.name, value=stop.value))
        except Cancelled:
            self._finish(job, JobResult(job.id, job.name, cancelled=True))
        except Exception as e:  # errors are results, never a dead thread
            self._finish(job, JobResult(job.id, job.name, error=one_line(e), details=traceback.format_exc(),
                                        exception=e))

    def _finish(self, job: Job, result: JobResult) -> None:
        job.generator = None
        job.future.set_result(result)
        if job.on_done:
            try:
                job.on_done(result)
            except Exception:
                traceback.print_exc()


def one_line(e: BaseException) -> str:
    """An error as the user reads it: its first line, after its kind unless it is one of ours; SQLite's words
    for a database that cannot be written in the user's."""
    text = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
    if "attempt to write a readonly database" in text:  # a project opened read-only
        return "the project is open read-only (its folder cannot be written): nothing was changed"
    if "database or disk is full" in text or "No space left on device" in text:  # (the disk filled up meanwhile)
        return "the project's disk is full: nothing was changed; free some disk space and do it again"
    return text if isinstance(e, FaceLensError) else f"{type(e).__name__}: {text}"
