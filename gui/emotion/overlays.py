"""Gaze overlays on the canvas, in step with the frame on screen: the gaze point with a short trail, the
scanpath (numbered fixations sized by duration, joined along the saccades) and the fixation map (for the
segment under the cursor or the whole clip). Each is a canvas layer, so it can be hidden and faded alone.
Everything is drawn from the samples and events ``EmotionState`` holds in memory."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QImage, QPainterPath, QPen, QPixmap, QTransform
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsLineItem, QGraphicsPathItem, QGraphicsPixmapItem,
                               QGraphicsSimpleTextItem)

from annotation.emotion.editing import segment_at
from annotation.emotion.tracks import scope_of
from engine.gaze.fixation_map import fixation_map
from engine.gaze.importing import gaze_at
from gui.canvas.layers import Z, CanvasLayer

GAZE_COLOR = QColor("#ff3b30")
SCAN_COLOR = QColor("#00c8ff")


def _pen(color: QColor, width: float) -> QPen:
    pen = QPen(color, width)
    pen.setCosmetic(True)
    return pen


class _StateLayer(CanvasLayer):
    """A layer that redraws when the frame, the media or the loaded eye data change (its items are moved or
    rebuilt by ``redraw``, never cleared behind its back)."""

    def __init__(self, state):
        super().__init__()
        self.state = state
        state.changed.connect(self.redraw)
        state.segmentsChanged.connect(self.redraw)

    def media_changed(self, media) -> None:
        self.redraw()

    def frame_changed(self, frame) -> None:
        self.redraw()

    def redraw(self) -> None:
        raise NotImplementedError


class GazePointLayer(_StateLayer):
    name = "gaze point"
    z = Z["gaze"] + 2
    trail_seconds = 0.5

    def __init__(self, state):
        self.point = QGraphicsEllipseItem(QRectF(-9, -9, 18, 18))
        self.trail = QGraphicsPathItem()
        super().__init__(state)
        self.point.setPen(_pen(QColor("white"), 2))
        self.point.setBrush(QBrush(GAZE_COLOR))
        self.point.setFlag(QGraphicsEllipseItem.ItemIgnoresTransformations, True)
        self.trail.setPen(_pen(GAZE_COLOR, 2))
        self.point.setParentItem(self.root)
        self.trail.setParentItem(self.root)
        self.current: tuple[float, float, float] | None = None  # (t, x, y) drawn

    def redraw(self) -> None:
        samples = self.state.samples
        rows = gaze_at(samples, self.state.now, self.trail_seconds) if samples is not None and \
            self.state.media is not None else np.zeros((0, 3))
        # the newest sample must be near now: no point while the eye was lost (a blink)
        if len(rows) == 0 or self.state.now - rows[-1, 0] > 2.5 / self.state.fps:
            self.current = None
            self.point.hide()
            self.trail.setPath(QPainterPath())
            return
        self.current = tuple(float(v) for v in rows[-1])
        self.point.setPos(QPointF(rows[-1, 1], rows[-1, 2]))
        self.point.show()
        path = QPainterPath(QPointF(rows[0, 1], rows[0, 2]))
        for _, x, y in rows[1:]:
            path.lineTo(QPointF(x, y))
        self.trail.setPath(path)


class ScanpathLayer(_StateLayer):
    name = "scanpath"
    z = Z["gaze"] + 1
    span_seconds = 3.0

    def __init__(self, state):
        super().__init__(state)
        self.shown: list = []  # the fixations drawn, in order
        self._key = None

    def redraw(self) -> None:
        events, now = self.state.events, self.state.now
        chosen = [f for f in events.fixations if now - self.span_seconds <= f.start <= now] \
            if events is not None and self.state.media is not None else []
        key = tuple((f.start, f.end) for f in chosen)
        if key == self._key:
            return
        self._key = key
        self.clear()
        self.shown = chosen
        for a, b in zip(chosen, chosen[1:]):
            line = QGraphicsLineItem(a.x, a.y, b.x, b.y)
            line.setPen(_pen(SCAN_COLOR, 2))
            self.add_item(line)
        font = QFont()
        font.setBold(True)
        font.setPointSize(11)
        for i, f in enumerate(chosen, start=1):
            r = 6 + 24 * math.sqrt(max(f.duration, 0.0))  # image pixels: area grows with dwell time
            disc = QGraphicsEllipseItem(QRectF(f.x - r, f.y - r, 2 * r, 2 * r))
            fill = QColor(SCAN_COLOR)
            fill.setAlphaF(0.35)
            disc.setBrush(QBrush(fill))
            disc.setPen(_pen(SCAN_COLOR, 2))
            disc.setToolTip(f"fixation {i}: {f.duration * 1000:.0f} ms at ({f.x:.0f}, {f.y:.0f})")
            self.add_item(disc)
            text = QGraphicsSimpleTextItem(str(i))
            text.setFont(font)
            text.setBrush(QBrush(QColor("white")))
            text.setPen(QPen(QColor(0, 0, 0, 220), 1))  # an outline: readable on skin, hair and background
            text.setFlag(QGraphicsSimpleTextItem.ItemIgnoresTransformations, True)  # same size at any zoom
            rect = text.boundingRect()
            text.setPos(f.x, f.y)
            text.setTransform(QTransform.fromTranslate(-rect.width() / 2, -rect.height() / 2))
            self.add_item(text)


def heat_lut() -> np.ndarray:
    """256 RGBA colours from clear blue through cyan and yellow to red."""
    stops = np.array([[0, 0, 255, 0], [0, 200, 255, 120], [255, 230, 0, 190], [255, 0, 0, 230]], np.float64)
    x = np.linspace(0, 1, 256)
    pos = np.linspace(0, 1, len(stops))
    return np.stack([np.interp(x, pos, stops[:, c]) for c in range(4)], axis=1).astype(np.uint8)


LUT = heat_lut()


class FixationMapLayer(_StateLayer):
    name = "fixation map"
    z = Z["gaze"]
    scale = 0.25

    def __init__(self, state):
        self.pixmap = QGraphicsPixmapItem()
        super().__init__(state)
        self.pixmap.setParentItem(self.root)
        self.pixmap.setTransformationMode(Qt.SmoothTransformation)
        self.scope = "segment"  # or "clip"
        self.span: tuple[float, float] | None = None
        self.heat: np.ndarray | None = None
        self._key = None

    def set_scope(self, scope: str) -> None:
        self.scope = scope
        self.redraw()

    def current_span(self) -> tuple[float, float]:
        """The ER (else FER) segment of the annotator under the cursor, or the whole clip."""
        if self.scope == "segment":
            for track in ("er", "fer"):
                mine = [s for s in self.state.segments() if s.tier == track and scope_of(s) == "time"
                        and s.annotator == self.state.annotator]
                seg = segment_at(mine, self.state.now + 0.5 / self.state.fps)
                if seg is not None:
                    return seg.start, seg.end
        return 0.0, max(self.state.duration, 1e-9)

    def redraw(self) -> None:
        events, media = self.state.events, self.state.media
        if events is None or media is None:
            self.pixmap.hide()
            self.heat, self._key = None, None
            return
        self.span = self.current_span()
        key = (id(events), media.id, self.span)
        if key == self._key:
            return
        self._key = key
        sigma = float(events.params.get("dispersion_px") or 25.0)  # about 1° where the geometry is known
        self.heat = fixation_map(events.fixations, media.width, media.height, sigma, self.scale, *self.span)
        rgba = np.ascontiguousarray(LUT[(self.heat * 255).astype(np.uint8)])
        h, w = self.heat.shape
        image = QImage(rgba.data, w, h, 4 * w, QImage.Format_RGBA8888).copy()
        self.pixmap.setPixmap(QPixmap.fromImage(image))
        self.pixmap.setScale(media.width / w)
        self.pixmap.show()


def install_gaze_layers(window, state) -> dict:
    layers = {"point": GazePointLayer(state), "scanpath": ScanpathLayer(state), "map": FixationMapLayer(state)}
    for layer in layers.values():
        window.canvas.add_layer(layer)
    layers["map"].set_visible(False)  # the heat map is asked for; the point and scanpath are on by default
    return layers
