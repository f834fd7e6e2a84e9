"""The review queue panel: the run, the settings that flag samples, the queue sorted by risk, the face under
review and the verdict bar. Selecting a row shows its frame on the canvas."""
from __future__ import annotations

import time
from html import escape

import numpy as np
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDoubleSpinBox, QHBoxLayout, QHeaderView,
                               QLabel, QSizePolicy, QTableView, QToolButton, QVBoxLayout, QWidget)

from gui.audit.menu import install_audit_menu
from gui.audit.queue_model import COLUMNS, REASON_TEXT, QueueModel
from gui.audit.state import audit_state
from gui.audit.verdict_bar import VerdictBar

CROP_SIDE = 120
EMPTY = ("No detector runs yet. Import detector scores (Audit → Import detector scores…) or run a model "
         "(Audit → Run a detector…).")
EMPTY_LINKS = ("No detector runs yet.<br><br><a href='audit.import'>Import detector scores</a> "
               "(Audit → Import detector scores…)<br>or <a href='audit.detect'>run a model</a> "
               "(Audit → Run a detector…).")


def to_pixmap(rgb: np.ndarray, side: int) -> QPixmap:
    rgb = np.ascontiguousarray(rgb)
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()
    return QPixmap.fromImage(image).scaled(side, side, Qt.KeepAspectRatio, Qt.SmoothTransformation)


def _short_button(action, text: str) -> QToolButton:
    """A tool button for a menu action under a shorter name (kept when the action changes, e.g. is enabled)."""
    b = QToolButton()
    b.setDefaultAction(action)
    b.setText(text)
    action.changed.connect(lambda: b.setText(text))
    return b


class QueuePanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        install_audit_menu(window)
        self.state = audit_state(window)

        self.runs = QComboBox()
        self.runs.setToolTip("The detector run under review")
        self.runs.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)  # (a long model name)
        self.runs.setMinimumContentsLength(20)
        self.runs.currentIndexChanged.connect(self._run_picked)
        self.runs.currentTextChanged.connect(  # (its text is cut to the panel's width)
            lambda text: self.runs.setToolTip(f"The detector run under review: {text}" if text else
                                              "The detector run under review"))
        top = QHBoxLayout()
        top.addWidget(self.runs, 1)
        for key, text in (("audit.import", "Import…"), ("audit.detect", "Run…"), ("audit.report", "Export…")):
            top.addWidget(_short_button(window.action(key), text))

        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(-0.001, 1.0)
        self.threshold.setDecimals(3)
        self.threshold.setSingleStep(0.01)
        self.threshold.setSpecialValueText("auto")
        self.threshold.setValue(-0.001)
        self.threshold.setToolTip("Operating threshold: a score at or above it is called an attack (auto: the EER "
                                  "threshold of the dev split)")
        self.reject = QDoubleSpinBox()
        self.reject.setRange(0.0, 0.5)
        self.reject.setSingleStep(0.05)
        self.reject.setValue(0.10)
        self.reject.setToolTip("Share of samples flagged as outside the model's knowledge (lowest confidence)")
        self.band = QDoubleSpinBox()
        self.band.setRange(0.0, 0.5)
        self.band.setSingleStep(0.01)
        self.band.setValue(0.05)
        self.band.setToolTip("Samples whose score is this close to the threshold are flagged")
        self.reject.setValue(self.state.settings.reject)  # (kept from the last start)
        self.band.setValue(self.state.settings.band)
        for box in (self.threshold, self.reject, self.band):
            box.setKeyboardTracking(False)
            box.valueChanged.connect(self._settings_changed)
        form = QHBoxLayout()
        for text, box in (("Threshold", self.threshold), ("Reject", self.reject), ("Band ±", self.band)):
            label = QLabel(text)
            label.setToolTip(box.toolTip())
            form.addWidget(label)
            form.addWidget(box, 2 if box is self.threshold else 1)

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.empty = QLabel()  # in the table's place while there is nothing to review: what to do next
        self.empty.setObjectName("auditQueueEmpty")
        self.empty.setWordWrap(True)
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setMargin(24)
        self.empty.setStyleSheet("border: 1px dashed palette(mid); font-size: 110%")
        self.empty.linkActivated.connect(lambda key: window.action(key).trigger())
        self.model = QueueModel(self)
        self.table = QTableView()
        self.table.setObjectName("auditQueue")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        # the reasons (last) are elided rather than scrolled to: the tooltip and the details below spell them out
        self.table.horizontalHeader().setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.Stretch)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 6)  # more rows in view
        self.table.selectionModel().currentRowChanged.connect(self._row_picked)

        self.crop = QLabel()
        self.crop.setFixedSize(CROP_SIDE, CROP_SIDE)
        self.crop.setAlignment(Qt.AlignCenter)
        self.crop.setStyleSheet("border: 1px solid palette(mid)")
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.details.setTextInteractionFlags(Qt.TextSelectableByMouse)
        # a long name or a note without spaces cannot wrap: it is cut at the panel's edge (the tooltip has it all),
        # not let to widen the dock until the picture had no room left
        self.details.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        face = QHBoxLayout()
        face.addWidget(self.crop)
        face.addWidget(self.details, 1)
        self.verdict_bar = VerdictBar(window)

        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addLayout(form)
        lay.addWidget(self.status)
        lay.addWidget(self.table, 3)
        lay.addWidget(self.empty, 3)
        lay.addLayout(face)
        lay.addWidget(self.verdict_bar)

        s = self.state
        s.runsChanged.connect(self._show_runs)
        s.overviewChanged.connect(self._show_overview)
        s.loadFailed.connect(lambda text: self.status.setText(
            f"Cannot review this run: {text}" + (" (set a Threshold above)" if "threshold" in text else "")))
        s.currentChanged.connect(self._show_current)
        s.faceReady.connect(self._show_face)
        s.verdictRecorded.connect(self._verdict_recorded)
        s.verdictsChanged.connect(self._verdicts_changed)
        self.verdict_bar.done.connect(self.table.setFocus)
        s.message.connect(lambda text: window.statusBar().showMessage(text, 6000))
        window.projectChanged.connect(lambda _p: self.verdict_bar.refresh_reviewer())
        # toggled: a window that starts in Audit; triggered: a switch, which comes first (connected first), so the
        # default layout is in place to adjust
        window.action("workspace.audit").toggled.connect(self._audit_shown)
        window.action("workspace.audit").triggered.connect(lambda: self.state.show_current())  # (after the switch)
        window.action("workspace.audit").triggered.connect(lambda: self._audit_shown(True))
        window.action("workspace.reset").triggered.connect(
            lambda: self._audit_shown(window.action("workspace.audit").isChecked(), default=True))
        self._show_runs(s.runs)
        self._show_current(None)
        if window.project is not None and not s.runs:
            s.reload_runs()

    def _audit_shown(self, checked: bool, default: bool = False) -> None:
        """A default Audit layout puts the queue in front of the tabs it shares; a saved one keeps the user's tab."""
        if not (checked and (default or self.window.settings.get("workspace/audit/state") is None)):
            return
        if self.window.isVisible():
            self.window.docks["audit.queue"].raise_()
        else:  # a window that starts in Audit: its tab bars only exist once it is shown
            self.window.installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.window and event.type() == QEvent.Show:
            self.window.removeEventFilter(self)
            QTimer.singleShot(0, self.window.docks["audit.queue"].raise_)
        return False

    # --- runs and settings ---------------------------------------------------------------------------------
    def _show_runs(self, runs: list) -> None:
        self.runs.blockSignals(True)
        self.runs.clear()
        for r in runs:
            # (two imports of one file, with and without features, read alike: what tells them apart is said)
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created_at))
            self.runs.addItem(f"Run {r.id}: {r.model} {r.version}".strip() + f" ({r.rows} rows"
                              + (", features" if r.has_features else "") + f", {when})", r.id)
        if self.runs.findData(self.state.run_id) >= 0:  # (the list refilled: the run under review stays picked)
            self.runs.setCurrentIndex(self.runs.findData(self.state.run_id))
        self.runs.blockSignals(False)
        for w in (self.table, self.status):
            w.setVisible(bool(runs))
        self.empty.setVisible(not runs)
        if not runs:
            self.model.set_items([], {})
            self.status.setText("")
            self.empty.setText(EMPTY_LINKS if self.window.project else "Open a project to review detector results.")

    def _run_picked(self, index: int) -> None:
        run_id = self.runs.itemData(index)
        if run_id is not None and run_id != self.state.run_id:
            self.state.load(run_id)

    def _settings_changed(self, *_):
        t = self.threshold.value()
        self.state.set_settings(threshold=None if t < 0 else t, reject=self.reject.value(), band=self.band.value())

    # --- the queue -----------------------------------------------------------------------------------------
    def _show_overview(self, data) -> None:
        if data is None:
            self.model.set_items([], {})
            if self.state.run_id is not None:
                self.status.setText(f"Reading run {self.state.run_id}…")
            return
        threshold = self.state.settings.threshold  # this run's: set by hand for it, else auto
        self.threshold.blockSignals(True)
        self.threshold.setValue(-0.001 if threshold is None else threshold)
        self.threshold.blockSignals(False)
        i = self.runs.findData(data.run.id)
        if i >= 0 and i != self.runs.currentIndex():
            self.runs.blockSignals(True)
            self.runs.setCurrentIndex(i)
            self.runs.blockSignals(False)
        q = data.queue
        self.model.set_items(q.items, {m["id"]: m["path"] for m in data.media},
                             {m["id"] for m in data.media if m["kind"] == "video"})
        self._show_status()
        if q.items:  # where the reviewer was in this run, else the sample most at risk
            last = self.state.last_reviewed()
            self.table.selectRow(next((r for r, i in enumerate(q.items) if i.result_id == last), 0))

    def _show_status(self) -> None:
        q = self.state.overview.queue
        done = sum(1 for i in q.items if i.verdict is not None)
        how = {"given": "set above", "default": "no labels to choose one on"}.get(
            q.point.method, f"{q.point.method} on {q.point.chosen_on}")
        text = f"{len(q.items)} samples to review, {done} decided · threshold {q.point.threshold:.3f} ({how})"
        self.status.setText("\n".join([text] + [f"Note: {n}" for n in q.notes]))

    def _row_picked(self, current, _previous) -> None:
        item = self.model.item(current.row())
        if item is not None and (self.state.current is None or self.state.current.result_id != item.result_id):
            self.state.set_current(item)

    def step(self, delta: int) -> None:
        row = self.table.currentIndex().row()
        new = min(max(row + delta, 0), self.model.rowCount() - 1)
        if new >= 0:
            self.table.selectRow(new)

    def _verdict_recorded(self, v) -> None:
        self.model.verdict_changed(v.result_id)
        if self.state.overview is not None:
            self._show_status()
        if self.state.current is not None and self.state.current.result_id == v.result_id:
            self._show_details(self.state.current)
            nxt = next((r for r in range(self.table.currentIndex().row() + 1, self.model.rowCount())
                        if self.model.item(r).verdict is None), None)
            if nxt is not None:
                self.table.selectRow(nxt)

    def _verdicts_changed(self, verdicts: list) -> None:
        """Verdicts recorded elsewhere: shown, the reviewer staying on the sample they are looking at."""
        for v in verdicts:
            self.model.verdict_changed(v.result_id)
        self._show_status()
        current = self.state.current
        if current is not None and current.result_id in {v.result_id for v in verdicts}:
            self._show_details(current)

    # --- the sample under review ---------------------------------------------------------------------------
    def _show_current(self, item) -> None:
        self.crop.clear()
        if item is None:
            self.crop.setText("face")
            self.details.setText("Select a sample in the queue (Shift+Up / Shift+Down move through it).")
            return
        self.crop.setText("…")
        self._show_details(item)

    def _show_details(self, item) -> None:
        """The sample's score, truth, flags and verdict (a verdict just recorded leaves its face as it is: the
        face is asked for when a sample is selected, and it stayed "…" after a verdict)."""
        lines = [f"<b>Result {item.result_id}</b>: score {item.score:.3f}"
                 + (f", confidence {item.confidence:.2f} (nearest: {item.nearest})" if item.confidence is not None
                    else ""),
                 "Ground truth: " + (item.label or "unknown").replace("_", " ")
                 + (f" ({item.attack_type})" if item.attack_type else ""),
                 "Flagged: " + "; ".join(REASON_TEXT[r] for r in item.reasons)]
        if item.verdict is not None:
            v = item.verdict
            # (what a reviewer typed is text, not markup)
            lines.append(f"Verdict: <b>{v.verdict.replace('_', ' ')}</b> by {escape(v.reviewer)}"
                         + (f" — {escape(v.note)}" if v.note else ""))
        self.details.setText("<br>".join(lines))
        # (escaped inside a paragraph: a tooltip that looks like markup is read as markup, pictures and all)
        self.details.setToolTip(f"<p>Verdict by {escape(v.reviewer)}" + (f": {escape(v.note)}" if v.note else "")
                                + "</p>" if item.verdict is not None else "")

    def _show_face(self, view) -> None:
        self.crop.setPixmap(to_pixmap(view.crop, CROP_SIDE))
        self.crop.setToolTip(view.note.capitalize() if getattr(view, "note", "") else
                             "The face as the detector saw it" if view.box and not view.found_again else
                             "The face found again with mediapipe" if view.box else "No face found: the whole frame")
