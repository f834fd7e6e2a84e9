"""Score over time: the detector's score on every scored frame of the video under review, the operating
threshold, and a cursor that follows the frame on screen. Clicking the plot goes to that frame."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.audit.plot_style import styled_plot
from gui.audit.state import audit_state


class ScorePlot(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.state = audit_state(window)
        self.plot = styled_plot(self, x="frame", y="score", legend=False)
        self.plot.setObjectName("auditScorePlot")
        self.plot.setYRange(0, 1)
        self.plot.getAxis("left").setTicks([[(0.0, "0"), (0.5, "0.5"), (1.0, "1")]])  # all three, even when short
        self.curve = self.plot.plot([], [], pen=pg.mkPen("#1f77b4", width=2), symbol="o", symbolSize=4)
        self.threshold = pg.InfiniteLine(0.5, angle=0, pen=pg.mkPen("#d62728", style=Qt.DashLine))
        self.cursor = pg.InfiniteLine(0, angle=90, pen=pg.mkPen("#ffb000", width=2))
        self.plot.addItem(self.threshold)
        self.plot.addItem(self.cursor)
        self.hint = QLabel("The score over time of the video under review appears here.")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.hint)
        lay.addWidget(self.plot, 1)
        self.frames = np.zeros(0)
        self.scores = np.zeros(0)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.state.currentChanged.connect(self.show_item)
        window.frameChanged.connect(self._frame)

    def show_item(self, item) -> None:
        data = self.state.overview
        kinds = {m["id"]: m["kind"] for m in data.media} if data is not None else {}
        if item is None or item.frame is None or kinds.get(item.media_id) != "video":  # a photo's frame 0: no time
            self.frames, self.scores = np.zeros(0), np.zeros(0)
            self.curve.setData([], [])
            self.plot.setVisible(False)
            self.hint.setText("The score over time of a video under review appears here." if item is None else
                              "An image: one score, no time axis.")
            return
        t = data.table
        keep = (t.media_id == item.media_id) & (t.frame >= 0)
        if item.face is not None:
            keep &= t.face == item.face
        order = np.argsort(t.frame[keep], kind="mergesort")
        self.frames, self.scores = t.frame[keep][order], t.score[keep][order]
        self.curve.setData(self.frames, self.scores)
        self.plot.setVisible(True)
        self.threshold.setValue(data.queue.point.threshold)
        self.cursor.setValue(item.frame)
        self.hint.setText(f"{len(self.frames)} scored frames of this video (face {item.face or 0})")

    def _frame(self, frame: int) -> None:
        if len(self.frames):
            self.cursor.setValue(frame)

    def _clicked(self, event) -> None:
        if not len(self.frames):
            return
        x = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos()).x()
        self.window.seek(int(self.frames[np.argmin(np.abs(self.frames - x))]))
