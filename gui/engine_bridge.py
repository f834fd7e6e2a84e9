"""The engine as the window sees it: ``engine.worker.Engine`` with its callbacks re-emitted as Qt signals.

The engine calls back on its own thread; the bridge lives in the GUI thread, so every signal below is queued
into the GUI thread and widgets may touch themselves in the slots.

    handle = window.engine.submit(fn, "Importing 3 files", on_done=lambda result: ...)

``fn(ctx)`` runs on the engine thread (``ctx.progress(done, total, message)``, ``ctx.check()``); a generator
function is a batch job that yields between items. ``on_done(JobResult)`` runs on the GUI thread. A job
that fails and has no ``on_error`` is reported through ``errorRaised`` (the window shows it). Once the window
has started closing (``wind_down``), ``submit`` does nothing and returns None.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QObject, Qt, Signal

from engine.worker import Engine, JobHandle, JobResult, Priority


@dataclass
class RunningJob:
    handle: JobHandle
    name: str
    shown: bool  # in the status bar
    done: float = 0.0
    total: float | None = None
    message: str = ""
    cancelling: bool = False  # Cancel asked for; the step in progress finishes first


class EngineBridge(QObject):
    jobStarted = Signal(int)  # job id
    jobProgress = Signal(int)  # job id (its numbers are in ``running``)
    jobFinished = Signal(object)  # JobResult
    jobCancelling = Signal(int)  # job id: Cancel was asked for (its current step finishes first)
    errorRaised = Signal(str, str)  # message, details
    _progressed = Signal(int, float, object, str)
    _finished = Signal(object)
    _began = Signal(int)

    def __init__(self, engine: Engine | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.engine = engine or Engine()
        self.running: dict[int, RunningJob] = {}
        self.stopped = False
        self._on_done: dict[int, tuple[Callable | None, Callable | None]] = {}
        self.at_work: int | None = None  # the shown job the engine ran last (the others wait in the queue)
        self._progressed.connect(self._on_progress, Qt.QueuedConnection)
        self._finished.connect(self._on_finished, Qt.QueuedConnection)
        self._began.connect(self._on_began, Qt.QueuedConnection)

    def submit(self, fn: Callable, name: str, priority: int = Priority.NORMAL,
               on_done: Callable[[JobResult], Any] | None = None,
               on_error: Callable[[JobResult], Any] | None = None, show: bool = True) -> JobHandle | None:
        """Queue ``fn(ctx)``. ``on_done`` gets every result; ``on_error`` (or the window) gets failures."""
        if self.stopped:
            return None  # the window is closing: late refreshes of panels start nothing
        handle = self.engine.submit(fn, name, priority, on_progress=self._progressed.emit,
                                    on_done=self._finished.emit, on_start=self._began.emit)
        self.running[handle.id] = RunningJob(handle, name, show)
        self._on_done[handle.id] = (on_done, on_error)
        self.jobStarted.emit(handle.id)
        return handle

    def cancel(self, job_id: int) -> None:
        job = self.running.get(job_id)
        if job:
            job.handle.cancel()
            job.cancelling = True
            self.jobCancelling.emit(job_id)

    def cancel_all(self) -> list[int]:
        """Cancel every running and queued job; returns their ids (each ends once its current step is done)."""
        ids = list(self.running)
        for job_id in ids:
            self.cancel(job_id)
        return ids

    def busy(self) -> bool:
        return bool(self.running)

    def wind_down(self) -> None:
        """The window is closing: start nothing new, and cancel every queued and running job. The running one
        stops at its next yield (a propagation keeps the frames it has done), so ``busy()`` turns false a little
        later (seconds: one SAM 2 frame on a CPU); the window closes then."""
        self.stopped = True
        self.cancel_all()

    def stop(self, timeout: float | None = None) -> None:
        """Cancel everything and wait for the engine thread to end. Called once ``busy()`` is false, this returns
        at once; ``timeout=None`` waits for the current item otherwise, since an interpreter that exits while the
        engine thread is inside torch aborts the process (and loses what the job had not written yet)."""
        self.wind_down()
        self.engine.stop(cancel_running=True, timeout=timeout)

    # --- engine thread → GUI thread ------------------------------------------------------------------------
    def _on_began(self, job_id: int) -> None:
        job = self.running.get(job_id)
        if job is not None and job.shown and self.at_work != job_id:
            self.at_work = job_id
            self.jobProgress.emit(job_id)

    def _on_progress(self, job_id: int, done: float, total, message: str) -> None:
        job = self.running.get(job_id)
        if job:
            job.done, job.total, job.message = done, total, message
            self.jobProgress.emit(job_id)

    def _on_finished(self, result: JobResult) -> None:
        self.running.pop(result.job_id, None)
        on_done, on_error = self._on_done.pop(result.job_id, (None, None))
        if result.error and on_error:
            on_error(result)
        elif result.error:
            self.errorRaised.emit(f"{result.name}: {result.error}", result.details or "")
        if on_done:
            on_done(result)
        self.jobFinished.emit(result)
