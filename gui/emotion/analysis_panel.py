"""The gap and agreement panel: the ER-versus-FER confusion (seconds), how often they differ, FER scored
against ER (WAR, UAR), agreement between annotators (kappa, alpha), and gaze statistics per emotion. Computed on the engine thread after
every labelling change (a moment after the last one), never in the GUI thread."""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from annotation.errors import InputError
from engine.emotion.recognition import score_frames
from engine.emotion.report import emotion_report
from engine.gaze.stats import gaze_statistics
from gui.emotion.scrolling import scrolling_panel
from gui.emotion.state import emotion_state


def _num(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


class AnalysisPanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.state = emotion_state(window)
        self.summary = QLabel("Label ER and FER segments to see the gap.")
        self.summary.setWordWrap(True)
        self.confusion = QTableWidget()
        self.confusion.setToolTip("Seconds each felt emotion (row, ER) was shown as each expression (column, FER)")
        self.gaze = QTableWidget()
        self.gaze.setToolTip("Gaze per emotion (current annotator's ER and FER segments on this video)")
        for table in (self.confusion, self.gaze):
            table.setMinimumHeight(90)
            table.verticalHeader().setDefaultSectionSize(22)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeToContents)
        self.gaze.verticalHeader().hide()
        refresh = QPushButton("Refresh")
        refresh.clicked.connect(self.refresh)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.addWidget(self.summary)
        lay.addWidget(QLabel("ER (rows) × FER (columns), seconds"))
        lay.addWidget(self.confusion, 1)
        lay.addWidget(QLabel("Gaze per emotion"))
        lay.addWidget(self.gaze, 1)
        lay.addWidget(refresh)
        scrolling_panel(self, body)  # a short dock scrolls the panel rather than squeezing the tables
        self.report: dict | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(400)
        self._timer.timeout.connect(self.refresh)
        self.state.segmentsChanged.connect(self._timer.start)
        self.state.changed.connect(self._timer.start)

    def refresh(self) -> None:
        project = self.window.project
        if project is None:
            return
        samples, events = self.state.samples, self.state.events
        segments = [s for s in self.state.segments() if s.annotator == self.state.annotator]

        def job(ctx):
            report = emotion_report(project)
            gaze = gaze_statistics(samples, events, segments) if samples is not None and events is not None else None
            try:  # how well the face shows the felt emotion: FER scored against ER, both by consensus
                report["fer_vs_er"] = score_frames(project, ("er", None), ("fer", None))
            except InputError:  # a track without labels yet
                report["fer_vs_er"] = None
            return report, gaze

        self.window.engine.submit(job, "Emotion report", show=False,
                                  on_done=lambda r: self._show(*r.value) if r.ok else None)

    def _show(self, report: dict, gaze: dict | None) -> None:
        self.report = report
        lines = [f"ER and FER differ {_num(report['disagreement_share'])} of {report['seconds_compared']:.1f} s "
                 f"and in {_num(report['segment_disagreement_share'])} of {report['segments_compared']} ER segments."]
        for track in ("er", "fer"):
            lines.append(f"{track.upper()}: {len(report['annotators'][track])} annotators, kappa "
                         f"({report['kappa_method'][track] or '-'}) {_num(report['kappa'][track])}, "
                         f"alpha {_num(report['alpha'][track])}")
        ai = report["alpha_interval"]
        lines.append(f"Valence / arousal ratings: alpha {_num(ai['valence'])} / {_num(ai['arousal'])}")
        score = report.get("fer_vs_er")
        if score and score["units"]:
            lines.append(f"FER against ER: WAR {_num(score['war'])}, UAR {_num(score['uar'])} over "
                         f"{score['units']} frames")
        self.summary.setText("\n".join(lines))
        rows = sorted(report["confusion"])
        cols = sorted({f for row in report["confusion"].values() for f in row})
        self.confusion.setRowCount(len(rows))
        self.confusion.setColumnCount(len(cols))
        self.confusion.setVerticalHeaderLabels(rows)
        self.confusion.setHorizontalHeaderLabels(cols)
        for i, e in enumerate(rows):
            for j, f in enumerate(cols):
                self.confusion.setItem(i, j, QTableWidgetItem(f"{report['confusion'][e].get(f, 0.0):.2f}"))
        heads = ["track", "emotion", "seconds", "fixations", "mean fix. ms", "saccade px", "pupil", "blinks/min"]
        items = [(t, label, v) for t, labels in (gaze or {}).get("emotions", {}).items() for label, v in labels.items()]
        self.gaze.setColumnCount(len(heads))
        self.gaze.setHorizontalHeaderLabels(heads)
        self.gaze.setRowCount(len(items))
        for i, (t, label, v) in enumerate(items):
            cells = [t.upper(), label, f"{v['seconds']:.2f}", str(v["fixations"]),
                     _num(v["fixation_duration_mean"] and v["fixation_duration_mean"] * 1000),
                     _num(v["saccade_amplitude_mean"]), _num(v["pupil_mean"]), _num(v["blink_rate_per_min"])]
            for j, c in enumerate(cells):
                self.gaze.setItem(i, j, QTableWidgetItem(c))
