"""The metrics dock: the run's numbers at frame and video level, and its plots (score histograms by class and
attack type, ROC, DET, risk-coverage), drawn with pyqtgraph from what the engine computed."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout, QWidget
from scipy.stats import norm

from engine.audit.metrics import roc
from engine.audit.pad import attack_types
from engine.audit.report.plots import BINS
from engine.audit.report.tables import METRIC_NAMES, fmt
from engine.audit.samples import frame_samples
from gui.audit.plot_style import styled_plot
from gui.audit.state import audit_state

EMPTY = ("No detector runs yet. Import detector scores (Audit → Import detector scores…) or run a model "
         "(Audit → Run a detector…); the metrics of a run with labelled samples appear here.")
DET_TICKS = (0.001, 0.01, 0.05, 0.2, 0.5, 0.8)  # fewer than the report's: the dock is narrow
COLORS = ["#1f77b4", "#ff7f0e", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]


class MetricsPanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.state = audit_state(window)
        self.table = QTableWidget(0, 1)
        self.table.setObjectName("auditMetrics")
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(20)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.empty = QLabel(EMPTY)
        self.empty.setWordWrap(True)
        self.hist = styled_plot(self, "Scores by class and attack type", "score", "samples")
        self.roc = styled_plot(self, "ROC", "BPCER", "1 - APCER")
        self.det = styled_plot(self, "DET", "BPCER", "APCER")
        self.risk = styled_plot(self, "Risk-coverage", "coverage", "risk")
        self.plots = QTabWidget()
        for w, name in ((self.hist, "Histogram"), (self.roc, "ROC"), (self.det, "DET"), (self.risk, "Risk")):
            self.plots.addTab(w, name)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.empty)
        lay.addWidget(self.table, 2)
        lay.addWidget(self.plots, 3)
        self.state.overviewChanged.connect(self.show_overview)
        self.state.runsChanged.connect(lambda _runs: self.show_overview(self.state.overview))
        self.show_overview(self.state.overview)

    def show_overview(self, data) -> None:
        for w in (self.hist, self.roc, self.det, self.risk):
            w.clear()
        evaluations = data.evaluations if data is not None else {}
        self.empty.setVisible(not evaluations)
        self.empty.setText(EMPTY if not self.state.runs else "Choose a detector run in the review queue."
                           if data is None else "This run has no labelled bona fide and attack samples: no metrics.")
        self._fill_table(evaluations)
        if data is None:
            return
        threshold = data.queue.point.threshold
        frame = data.samples.get("frame")
        self._histogram(frame if frame is not None else frame_samples(data.table), threshold)  # unlabelled too
        for i, (level, s) in enumerate(data.samples.items()):
            self._curves(level, s.labelled(), COLORS[i])
        conf = data.queue.confidence
        if conf is not None:
            for i, (name, (coverage, risk)) in enumerate(conf.curves.items()):
                aurc = conf.aurc_score if name == "score margin" else conf.aurc_mahalanobis
                self.risk.plot(coverage, risk, pen=pg.mkPen(COLORS[i], width=2),
                               name=f"reject by {name} (AURC {aurc:.4f})")

    def _fill_table(self, evaluations: dict) -> None:
        levels = list(evaluations)
        rows = [(name, [evaluations[lvl].to_json(extended=True).get(key) for lvl in levels])
                for key, name, _ci in METRIC_NAMES]
        types = sorted({t for ev in evaluations.values() for t in ev.values["apcer"]})
        rows += [(f"APCER {t}", [evaluations[lvl].values["apcer"].get(t) for lvl in levels]) for t in types]
        self.table.clear()
        self.table.setColumnCount(1 + len(levels))
        self.table.setHorizontalHeaderLabels(["metric"] + [f"{lvl} ({evaluations[lvl].split or 'all'})"
                                                           for lvl in levels])
        self.table.setRowCount(len(rows) if levels else 0)
        for r, (name, values) in enumerate(rows if levels else []):
            self.table.setItem(r, 0, QTableWidgetItem(name))
            for c, v in enumerate(values, 1):
                self.table.setItem(r, c, QTableWidgetItem(fmt(v)))
        self.table.resizeColumnsToContents()

    def value(self, metric: str, level: str = "frame") -> str:
        """The text shown for a metric (by its name in the table) at a level."""
        header = [self.table.horizontalHeaderItem(c).text() for c in range(self.table.columnCount())]
        col = next(c for c, h in enumerate(header) if h.startswith(level))
        row = next(r for r in range(self.table.rowCount()) if self.table.item(r, 0).text() == metric)
        return self.table.item(row, col).text()

    def _histogram(self, s, threshold: float) -> None:
        groups = [("bona fide", s.score[s.y == 0], "#7f7f7f")]
        kinds = attack_types(s.y, s.attack_type)
        attacks = s.score[s.y == 1]
        groups += [(k, attacks[kinds == k], COLORS[i % len(COLORS)]) for i, k in enumerate(sorted(set(kinds)))]
        if (s.y < 0).any():
            groups.append(("no label", s.score[s.y < 0], "#bcbd22"))
        for name, scores, color in groups:
            if len(scores):
                counts, _ = np.histogram(scores, BINS)
                self.hist.plot(BINS, counts, stepMode="center", pen=pg.mkPen(color, width=2),
                               name=f"{name} ({len(scores)})")
        self.hist.addItem(pg.InfiniteLine(threshold, angle=90, pen=pg.mkPen("#d62728", style=Qt.DashLine)))

    def _curves(self, level: str, s, color: str) -> None:
        if not ((s.y == 0).any() and (s.y == 1).any()):
            return
        r = roc(s.score, s.y)
        self.roc.plot(r.fpr, r.tpr, pen=pg.mkPen(color, width=2), name=f"{level} level")
        lo = 0.0005
        self.det.plot(norm.ppf(np.clip(r.fpr, lo, 1 - lo)), norm.ppf(np.clip(1 - r.tpr, lo, 1 - lo)),
                      pen=pg.mkPen(color, width=2), name=f"{level} level")
        ticks = [[(float(norm.ppf(t)), f"{100 * t:g}%") for t in DET_TICKS]]
        self.det.getAxis("bottom").setTicks(ticks)
        self.det.getAxis("left").setTicks(ticks)
        # the report's ranges: the curves' ends at 0 and 100% lie off the normal-deviate scale
        self.det.setRange(xRange=(norm.ppf(lo), norm.ppf(0.95)), yRange=(norm.ppf(lo), norm.ppf(0.95)), padding=0)
        self.roc.setRange(xRange=(0, 1), yRange=(0, 1), padding=0.03)  # a curve along y = 1 stays off the frame
