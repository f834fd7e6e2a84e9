"""Plots of everything timed on the video, stacked on one time axis (pyqtgraph): gaze x and y, velocity with
the detection threshold, pupil diameter, fixation/saccade/blink bands, eye openness, blinks and iris position
from the face, valence and arousal, and the ER and FER tracks. A cursor line in every plot follows the
timeline; dragging any of them moves the timeline (and the video) there.

Each plot keeps a readable height; when the dock is shorter than all of them the plots scroll rather than
squeeze. Their time axis starts where the tiers' does (``tiers.HEADER`` from the left, ``tiers.RIGHT`` from
the right), so a band in a plot sits under the segment it belongs to.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from annotation.emotion.tracks import label_of, scope_of
from gui.emotion.classes import class_taxonomies, classes_of
from gui.emotion.tiers import HEADER, RIGHT

BANDS = {"fixation": "#00a0e0", "saccade": "#f0a030", "blink": "#d03030"}
PLOT_HEIGHT = 64  # px a plot keeps at least
AXIS_HEIGHT = 34  # px of the time axis under the last plot
AXIS_WIDTH = 44  # px of each plot's value axis
TITLE_WIDTH = HEADER - AXIS_WIDTH - 6  # px of the titles (wrapped), so the plots start where the tiers do


def _title(text: str, curves=()) -> str:
    """A plot's title, with each curve's name in its colour."""
    names = " ".join(f"<span style='color:{color}'>{name}</span>" for color, name in curves if name)
    return f"<span style='font-size:8pt'>{text}<br>{names}</span>" if names else \
        f"<span style='font-size:8pt'>{text}</span>"


class EmotionPlots(QWidget):
    def __init__(self, window, state):
        super().__init__()
        self.window, self.state = window, state
        pg.setConfigOptions(antialias=False, background=None, foreground=self.palette().text().color())
        self.view = pg.GraphicsLayoutWidget()
        self.view.setToolTip("Click or drag the cursor line in any plot to move through the video; the wheel "
                             "zooms the time (the tiers follow), double-click shows the whole clip")
        self.view.ci.setContentsMargins(0, 0, RIGHT, 0)
        self.view.ci.setSpacing(0)
        self.scroll = QScrollArea()
        self.scroll.setWidget(self.view)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.view.installEventFilter(self)
        self.view.viewport().installEventFilter(self)
        self.empty = QLabel("Select a video: its gaze, eye measures, rating and ER/FER labels are plotted here, "
                            "on the video's time")
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setEnabled(False)  # drawn muted
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.empty)
        lay.addWidget(self.scroll)
        self.plots: dict[str, pg.PlotItem] = {}
        self.cursors: dict[str, pg.InfiniteLine] = {}
        self.titles: dict[str, pg.LabelItem] = {}
        self._tracks_item = None
        self._moving = False
        self._showing = False  # the plots are being set to the shared view (not a zoom by the user)
        self._align_timer = QTimer(self)
        self._align_timer.setSingleShot(True)
        self._align_timer.timeout.connect(self.align)
        state.changed.connect(self.rebuild)
        state.segmentsChanged.connect(self.update_tracks)
        state.viewChanged.connect(self.show_view)
        window.frameChanged.connect(self.follow)
        self.view.scene().sigMouseClicked.connect(self._clicked)
        self.rebuild()

    def sizeHint(self) -> QSize:
        return QSize(600, 4 * PLOT_HEIGHT + AXIS_HEIGHT)

    def minimumSizeHint(self) -> QSize:
        return QSize(300, PLOT_HEIGHT + AXIS_HEIGHT)

    # --- building ------------------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Show what the state holds. The same plots as before (a new detection, a saved rating) get their new
        data in place; making plots is what costs, so it happens only when the set of plots changes."""
        self.empty.setVisible(self.state.media is None)
        self.scroll.setVisible(self.state.media is not None)
        specs = self._specs() if self.state.media is not None else []
        if [key for key, _, _ in specs] != list(self.plots):
            self._make_plots(specs)
        for key, title, fill in specs:
            p = self.plots[key]
            p.clear()  # data, bands, threshold lines; the cursor goes back in
            p.addItem(self.cursors[key])
            if self.titles[key].text != title:
                self.titles[key].setText(title)
            fill(p)
        self._tracks_item = None
        self.update_tracks()
        if self.plots:
            self.show_view()
            self.follow(self.window.current_frame or 0)
            self._align_timer.start(0)

    def _specs(self) -> list:
        """(key, title, fill(plot)) of every plot the state has data for, top to bottom."""
        s, out = self.state, []

        def curves(key, title, lines, y_range=None, extra=None):
            def fill(p):
                for x, y, color, _ in lines:
                    item = p.plot(np.asarray(x), np.asarray(y), pen=pg.mkPen(color, width=1), connect="finite")
                    item.setDownsampling(auto=True, method="peak")
                    item.setClipToView(True)
                if y_range is not None:
                    p.setYRange(*y_range)
                else:
                    p.enableAutoRange(axis="y")
                if extra is not None:
                    extra(p)
            out.append((key, _title(title, [(color, name) for _, _, color, name in lines]), fill))

        if s.samples is not None and len(s.samples):
            curves("gaze", "gaze (px)", [(s.samples.t, s.samples.x, "#e6194b", "x"),
                                         (s.samples.t, s.samples.y, "#4363d8", "y")])
            if s.velocity is not None and len(s.velocity):
                threshold = s.events.params.get("velocity_threshold_px_s") if s.events and s.events.method == "ivt" \
                    else None

                def threshold_line(p):
                    if threshold:
                        p.addItem(pg.InfiniteLine(threshold, angle=0, pen=pg.mkPen("#d03030", style=Qt.DashLine),
                                                  label=f"{threshold:.0f} px/s"))
                curves("velocity", "velocity (px/s)", [(s.velocity.t, s.velocity.velocity, "#808080", "")],
                       extra=threshold_line)
            if np.isfinite(s.samples.pupil).any():
                curves("pupil", "pupil", [(s.samples.t, s.samples.pupil, "#911eb4", "")])
        if s.events is not None:
            rows = [(e, k) for k, items in (("fixation", s.events.fixations), ("saccade", s.events.saccades),
                                            ("blink", s.events.blinks)) for e in items]

            def events(p):
                self._set_bands(p, [(e.start, e.end, 2 - list(BANDS).index(k), BANDS[k]) for e, k in rows])
                p.setYRange(0, 3)
                p.getAxis("left").setTicks([[(2.4, "fix"), (1.4, "sac"), (0.4, "blink")]])
            out.append(("events", _title(f"eye events ({s.events.method})", [(c, k) for k, c in BANDS.items()]),
                        events))
        if s.face is not None:
            def blinks(p):
                for b in s.face_blinks:
                    p.addItem(pg.LinearRegionItem((b.start, b.end), movable=False, brush=pg.mkBrush("#d0303040")))
            curves("eyes", "eye openness (face)", [(s.face["t"], s.face["openness"], "#3cb44b", "")], extra=blinks)
            curves("iris_h", "iris across (0 outer, 1 inner)", [(s.face["t"], s.face["iris_h_left"], "#f58231", "left"),
                                                                (s.face["t"], s.face["iris_h_right"], "#008080",
                                                                 "right")])
            curves("iris_v", "iris up/down (eye widths)", [(s.face["t"], s.face["iris_v_left"], "#f58231", "left"),
                                                           (s.face["t"], s.face["iris_v_right"], "#008080", "right")])
        if s.rating is not None and s.rating.rated().any():
            r = s.rating.to_array()
            curves("rating", "rating", [(r[:, 0], r[:, 1], "#f58231", "valence"),
                                        (r[:, 0], r[:, 2], "#008080", "arousal")], y_range=(-1, 1))

        def tracks(p):
            p.setYRange(0, 2)
            p.getAxis("left").setTicks([[(1.4, "ER"), (0.4, "FER")]])
        out.append(("tracks", _title(f"labels ({s.annotator})"), tracks))
        return out

    def _make_plots(self, specs) -> None:
        self.view.clear()
        self.plots.clear()
        self.cursors.clear()
        self.titles.clear()
        if not specs:
            self.view.setMinimumHeight(0)
            return
        for key, title, _ in specs:
            self._plot(key, title)
        first = next(iter(self.plots.values()))
        last = list(self.plots.values())[-1]
        # The user zooming or panning the plots (the wheel, a drag) sets the time the tiers show too. Only the
        # mouse's changes count: the plots' own (being built, filled, resized) must not move the tiers.
        for p in self.plots.values():
            p.getViewBox().sigRangeChangedManually.connect(lambda _axes, vb=p.getViewBox(): self._zoomed(vb))
        # The plot area moves when the layout settles (a title's width, the axis' labels), with no resize of this
        # widget to say so: line it up with the tiers again then.
        first.getViewBox().sigResized.connect(lambda *_: self._align_timer.start(0))
        for p in self.plots.values():
            if p is not first:
                p.setXLink(first)
            p.showAxis("bottom", p is last)  # one time axis, under the last plot
        last.setLabel("bottom", "video time (s)")
        self.view.setMinimumHeight(len(self.plots) * PLOT_HEIGHT + AXIS_HEIGHT)

    def _plot(self, key: str, title: str) -> pg.PlotItem:
        row = len(self.plots)
        label = self.view.addLabel(title, row=row, col=0)
        label.item.setTextWidth(TITLE_WIDTH)
        option = label.item.document().defaultTextOption()
        option.setAlignment(Qt.AlignRight)
        label.item.document().setDefaultTextOption(option)
        label.updateMin()
        label.setMaximumWidth(TITLE_WIDTH)
        p = self.view.addPlot(row=row, col=1)
        p.showGrid(x=True, y=False, alpha=0.2)
        p.setMouseEnabled(y=False)
        p.setMenuEnabled(False)
        p.hideButtons()
        p.getAxis("left").setWidth(AXIS_WIDTH)
        p.setMinimumHeight(PLOT_HEIGHT - 8)
        line = pg.InfiniteLine(0.0, movable=True, pen=pg.mkPen("#ffb000", width=2))
        line.sigPositionChanged.connect(lambda l, k=key: self._dragged(k, l))
        self.plots[key], self.cursors[key], self.titles[key] = p, line, label
        return p

    @staticmethod
    def _set_bands(p: pg.PlotItem, bands, old=None):
        if old is not None:
            p.removeItem(old)
        if not bands:
            return None
        item = pg.BarGraphItem(x0=np.array([b[0] for b in bands]), width=np.array([b[1] - b[0] for b in bands]),
                               y0=np.array([b[2] for b in bands], float), height=0.8,
                               brushes=[b[3] for b in bands], pens=[None] * len(bands))
        p.addItem(item)
        return item

    def update_tracks(self) -> None:
        """The current annotator's ER and FER segments, ER above FER (redrawn alone on every labelling edit)."""
        p = self.plots.get("tracks")
        if p is None:
            return
        colors = {c.name: c.color for t in class_taxonomies(self.window.project).values() for c in classes_of(t)}
        me = self.state.annotator
        bands = [(s.start, s.end, 1 if s.tier == "er" else 0, colors.get(label_of(s), "#909090"))
                 for s in self.state.segments() if s.annotator == me and scope_of(s) == "time"]
        self._tracks_item = self._set_bands(p, bands, self._tracks_item)

    def show_view(self) -> None:
        if self.plots:
            t0, t1 = self.state.visible()
            self._showing = True
            try:
                next(iter(self.plots.values())).setXRange(t0, t1, padding=0)
            finally:
                self._showing = False

    def _zoomed(self, vb) -> None:
        if not self._showing:
            t0, t1 = vb.viewRange()[0]
            self.state.set_view((float(t0), float(t1)))

    # --- lining up with the tiers --------------------------------------------------------------------------
    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._align_timer.start(0)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Resize:  # the scroll bar came or went: the plots got narrower or wider
            self._align_timer.start(0)
        elif event.type() == QEvent.MouseButtonDblClick and watched is self.view.viewport():
            self.state.set_view(None)  # the whole clip again
        return False

    def align(self) -> None:
        """Put the plots' time axis ``HEADER`` px from this widget's left and ``RIGHT`` px from its right, as
        the tiers have theirs (the title column and the right margin take up the difference)."""
        if not self.plots:
            return
        vb = next(iter(self.plots.values())).getViewBox()
        rect = vb.sceneBoundingRect()
        left = self.view.mapTo(self, self.view.mapFromScene(rect.topLeft())).x()
        right = self.width() - self.view.mapTo(self, self.view.mapFromScene(rect.topRight())).x()
        layout = self.view.ci.layout
        column = next(iter(self.titles.values())).width()
        if abs(left - HEADER) > 0.5:
            width = max(10.0, column + HEADER - left)
            layout.setColumnFixedWidth(0, width)
            for label in self.titles.values():
                label.setMaximumWidth(width)
        margins = self.view.ci.layout.getContentsMargins()
        if abs(right - RIGHT) > 0.5:
            self.view.ci.setContentsMargins(0, 0, max(0.0, margins[2] + RIGHT - right), 0)

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

    def _clicked(self, event) -> None:
        """A click in a plot goes to that time, as a click on the tiers does."""
        if event.button() != Qt.LeftButton or event.double() or event.isAccepted():
            return  # (a double-click shows the whole clip; an accepted click was the cursor line's own)
        for p in self.plots.values():
            vb = p.getViewBox()
            if vb.sceneBoundingRect().contains(event.scenePos()):
                t = float(vb.mapSceneToView(event.scenePos()).x())
                self.window.seek(self.state.frame_at(t))
                return
