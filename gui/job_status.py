"""The status bar's right side: what the engine is running (name, progress, Cancel) and "saved ✓".

Every edit is committed as it is made; the indicator says so after each one, and turns into a warning when
a change could not be written.
"""
from __future__ import annotations

import time

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QStyle, QToolButton, QWidget

from gui.engine_bridge import EngineBridge


LABEL_WIDTH = 380  # pixels for the running job's line at most


class JobStatus(QWidget):
    """Shows the job the engine is running (the newest one until it starts); ``+N`` when more wait. Its Cancel
    cancelled the newest job, queued behind the one named ("Opening p2" shown over a running export)."""

    def __init__(self, bridge: EngineBridge, parent: QWidget | None = None):
        super().__init__(parent)
        self.bridge = bridge
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setFixedWidth(160)
        self.bar.setMaximumHeight(16)
        self.bar.setTextVisible(False)
        self.cancel = QToolButton()
        self.cancel.setIcon(self.style().standardIcon(QStyle.SP_DialogCancelButton))
        self.cancel.setText("Cancel")
        self.cancel.setToolTip("Cancel this job (what it finished stays)")
        self.cancel.setAutoRaise(True)
        self.cancel.clicked.connect(self._cancel)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 6, 0)
        lay.addWidget(self.label)
        lay.addWidget(self.bar)
        lay.addWidget(self.cancel)
        self._job_id: int | None = None
        bridge.jobStarted.connect(self._refresh)
        bridge.jobProgress.connect(self._refresh)
        bridge.jobFinished.connect(lambda _r: self._refresh())
        self._refresh()

    def current(self):
        running = self.bridge.running
        if self.bridge.at_work in running:
            return self.bridge.at_work, running[self.bridge.at_work]
        shown = [(i, j) for i, j in running.items() if j.shown]
        return shown[-1] if shown else (None, None)

    def _refresh(self, *_):
        job_id, job = self.current()
        self._job_id = job_id
        self.setVisible(job is not None)
        if job is None:
            return
        more = sum(1 for j in self.bridge.running.values() if j.shown) - 1
        text = (job.name + (f" — {job.message}" if job.message else "") + (" — cancelling…" if job.cancelling else "")
                + (f"  (+{more} waiting)" if more > 0 else ""))
        # Elided in the middle, so the job's name and "(+N waiting)" stay in sight and the status bar keeps room
        # for its messages; the whole line is the tooltip.
        self.label.setText(self.label.fontMetrics().elidedText(text, Qt.ElideMiddle, LABEL_WIDTH))
        self.label.setToolTip(text if self.label.text() != text else "")
        if job.total:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(1000 * min(job.done / job.total, 1.0)))
            self.bar.setToolTip(f"{job.done:g} of {job.total:g}")
        else:
            self.bar.setRange(0, 0)  # busy, no known end
            self.bar.setToolTip("working…")

    def _cancel(self):
        if self._job_id is not None:
            self.bridge.cancel(self._job_id)
            self._refresh()


class SavedIndicator(QLabel):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setAlignment(Qt.AlignRight | Qt.AlignVCenter)
        self.setMinimumWidth(90)
        self.setText("")
        self.state = ""

    def saved(self, what: str = "") -> None:
        self.state = "saved"
        self.setText("saved ✓")
        self.setStyleSheet("")
        self.setToolTip(f"{what or 'Edit'} committed to the project at {time.strftime('%H:%M:%S')}. "
                        "There is no Save: every edit is written as it is made.")

    def read_only(self, why: str) -> None:
        self.state = "read-only"
        self.setText("read-only")
        self.setStyleSheet("color: #b8860b; font-weight: bold")
        self.setToolTip(why)

    def clear(self) -> None:
        self.state = ""
        self.setText("")
        self.setStyleSheet("")
        self.setToolTip("")

    def failed(self, message: str) -> None:
        self.state = "failed"
        self.setText("not saved ⚠")
        self.setStyleSheet("color: #d9534f; font-weight: bold")
        self.setToolTip(message)
