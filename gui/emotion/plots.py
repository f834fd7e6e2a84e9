"""Plots of everything timed on the video, stacked on one time axis (pyqtgraph): gaze x and y, velocity with
the detection threshold, pupil diameter, fixation/saccade/blink bands, eye openness and blinks from the face,
valence and arousal, and the ER and FER tracks. A cursor line in every plot follows the timeline; dragging
any of them moves the timeline (and the video) there."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QVBoxLayout, QWidget

from annotation.emotion.tracks import label_of, scope_of
from gui.emotion.classes import class_taxonomies, classes_of

BANDS = {"fixation": "#00a0e0", "saccade": "#f0a030", "blink": "#d03030"}


class EmotionPlots(QWidget):
    def __init__(self, window, state):
        super().__init__()
        self.window, self.state = window, state
        pg.setConfigOptions(antialias=False, background=None, foreground=self.palette().text().color())
        self.view = pg.GraphicsLayoutWidget()
        self.view.setToolTip("Drag the cursor line in any plot to move through the video")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.view)
        self.plots: dict[str, pg.PlotItem] = {}
        self.cursors: dict[str, pg.InfiniteLine] = {}
        self._moving = False
        state.changed.connect(self.rebuild)
        state.segmentsChanged.connect(self.rebuild)
        window.frameChanged.connect(self.follow)
        self.rebuild()

    # --- building ------------------------------------------------------------------------------------------
    def rebuild(self) -> None:
        self.view.clear()
        self.plots.clear()
        self.cursors.clear()
        if self.state.media is None:
            return
        s = self.state
        if s.samples is not None and len(s.samples):
            self._curves("gaze", "gaze x, y (px)", [(s.samples.t, s.samples.x, "#e6194b", "x"),
                                                    (s.samples.t, s.samples.y, "#4363d8", "y")])
            if s.velocity is not None and len(s.velocity):
                p = self._curves("velocity", "velocity (px/s)", [(s.velocity.t, s.velocity.velocity, "#808080", "")])
                threshold = s.events.params.get("velocity_threshold_px_s") if s.events and s.events.method == "ivt" \
                    else None
                if threshold:
                    p.addItem(pg.InfiniteLine(threshold, angle=0, pen=pg.mkPen("#d03030", style=Qt.DashLine),
                                              label=f"{threshold:.0f} px/s"))
            if np.isfinite(s.samples.pupil).any():
                self._curves("pupil", "pupil", [(s.samples.t, s.samples.pupil, "#911eb4", "")])
        if s.events is not None:
            rows = [(e, k) for k, items in (("fixation", s.events.fixations), ("saccade", s.events.saccades),
                                            ("blink", s.events.blinks)) for e in items]
            p = self._bands("events", "eye events",
                            [(e.start, e.end, 2 - list(BANDS).index(k), BANDS[k]) for e, k in rows])
            p.getAxis("left").setTicks([[(2.4, "fixation"), (1.4, "saccade"), (0.4, "blink")]])
        if s.face is not None:
            p = self._curves("eyes", "eye openness (face)", [(s.face["t"], s.face["openness"], "#3cb44b", "")])
            for b in s.face_blinks:
                p.addItem(pg.LinearRegionItem((b.start, b.end), movable=False, brush=pg.mkBrush("#d0303040")))
        if s.rating is not None and s.rating.rated().any():
            r = s.rating.to_array()
            self._curves("rating", "valence, arousal", [(r[:, 0], r[:, 1], "#f58231", "valence"),
                                                        (r[:, 0], r[:, 2], "#008080", "arousal")])
        self._tracks()
        first = next(iter(self.plots.values()), None)
        last = list(self.plots.values())[-1] if self.plots else None
        for p in self.plots.values():
            if p is not first:
                p.setXLink(first)
            p.showAxis("bottom", p is last)  # one time axis, under the last plot
        if last is not None:
            last.setLabel("bottom", "video time (s)")
        if first is not None:
            first.setXRange(0, s.duration, padding=0.01)
        self.follow(self.window.current_frame or 0)

    def _plot(self, key: str, title: str) -> pg.PlotItem:
        p = self.view.addPlot(row=len(self.plots), col=0)
        p.setLabel("left", title)
        p.showGrid(x=True, y=False, alpha=0.2)
        p.setMouseEnabled(y=False)
        p.setMenuEnabled(False)
        p.getAxis("left").setWidth(70)
        line = pg.InfiniteLine(0.0, movable=True, pen=pg.mkPen("#ffb000", width=2))
        line.sigPositionChanged.connect(lambda l, k=key: self._dragged(k, l))
        p.addItem(line)
        self.plots[key], self.cursors[key] = p, line
        return p

    def _curves(self, key, title, curves) -> pg.PlotItem:
        p = self._plot(key, title)
        for x, y, color, name in curves:
            item = p.plot(np.asarray(x), np.asarray(y), pen=pg.mkPen(color, width=1), name=name or None,
                          connect="finite")
            item.setDownsampling(auto=True, method="peak")
            item.setClipToView(True)
        return p

    def _bands(self, key, title, bands) -> pg.PlotItem:
        p = self._plot(key, title)
        if bands:
            x0 = np.array([b[0] for b in bands])
            p.addItem(pg.BarGraphItem(x0=x0, width=np.array([b[1] - b[0] for b in bands]),
                                      y0=np.array([b[2] for b in bands], float), height=0.8,
                                      brushes=[b[3] for b in bands], pens=[None] * len(bands)))
        p.setYRange(0, 3)
        return p

    def _tracks(self) -> None:
        """The current annotator's ER and FER segments, ER above FER."""
        taxonomies = class_taxonomies(self.window.project)
        colors = {c.name: c.color for t in taxonomies.values() for c in classes_of(t)}
        me = self.state.annotator
        bands = [(s.start, s.end, 1 if s.tier == "er" else 0, colors.get(label_of(s), "#909090"))
                 for s in self.state.segments() if s.annotator == me and scope_of(s) == "time"]
        p = self._bands("tracks", f"labels ({me})", bands)
        p.setYRange(0, 2)
        p.getAxis("left").setTicks([[(1.4, "ER"), (0.4, "FER")]])

    # --- the cursor, both ways -----------------------------------------------------------------------------
    def follow(self, frame: int) -> None:
        t = self.state.time_of(frame)
        self._moving = True
        try:
            for line in self.cursors.values():
                line.setValue(t)
        finally:
            self._moving = False

    def _dragged(self, key: str, line) -> None:
        if self._moving:
            return
        t = float(line.value())
        self._moving = True
        try:
            for k, other in self.cursors.items():
                if k != key:
                    other.setValue(t)
        finally:
            self._moving = False
        self.window.seek(self.state.frame_at(t))
