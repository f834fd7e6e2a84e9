"""Small I/O off the GUI thread (reading an image, loading thumbnails, opening a video's decoder).

Model work goes to the engine thread (``gui.engine_bridge``); this pool is for file reads that must not wait
behind a long engine job. ``on_done(value, error)`` runs on the GUI thread.
"""
from __future__ import annotations

import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QThreadPool, Signal

_alive: set["_Delivery"] = set()  # keeps each delivery object alive until its answer reached the GUI thread


class _Delivery(QObject):
    done = Signal(object, object, object)  # value, error, details

    def __init__(self, on_done):
        super().__init__()
        self._on_done = on_done
        self.done.connect(self._deliver)

    def _deliver(self, value, error, details):
        _alive.discard(self)
        if error is not None:
            error.details = details  # the traceback, for "details"
        self._on_done(value, error)


def run_in_thread(fn: Callable[[], Any], on_done: Callable[[Any, Exception | None], None]) -> None:
    """Run ``fn()`` on the shared pool; ``on_done(value, error)`` is then called on the GUI thread."""
    delivery = _Delivery(on_done)  # created here, so it lives in the GUI thread and the signal is queued
    _alive.add(delivery)

    def work():
        try:
            value = fn()
        except Exception as e:  # handed to the GUI thread, never lost
            _deliver(delivery, None, e, traceback.format_exc())
            return
        _deliver(delivery, value, None, None)

    QThreadPool.globalInstance().start(work)


def _deliver(delivery: _Delivery, value, error, details) -> None:
    try:
        delivery.done.emit(value, error, details)
    except RuntimeError:  # the application quit while this ran: Qt deleted the receiver, nobody is waiting
        _alive.discard(delivery)
