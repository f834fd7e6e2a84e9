"""The face under review, outlined on the canvas over its frame, with its score."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsSimpleTextItem

from gui.canvas.layers import CanvasLayer

VERDICT_COLORS = {None: "#ffb000", "bona_fide": "#2ca02c", "attack": "#d62728", "deepfake": "#9467bd",
                  "unsure": "#7f7f7f"}


class FaceBoxLayer(CanvasLayer):
    name = "audit face"
    z = 250
    follows_overlay_opacity = False

    def __init__(self, state):
        super().__init__()
        self.state = state
        self.view = None
        state.currentChanged.connect(lambda _i: self.show(None))
        state.faceReady.connect(self.show)
        state.verdictRecorded.connect(lambda _v: self.show(self.view))
        state.verdictsChanged.connect(lambda _v: self.show(self.view))

    def media_changed(self, media):
        self.redraw()

    def frame_changed(self, frame):
        self.redraw()

    def show(self, view) -> None:
        self.view = view
        self.redraw()

    def redraw(self) -> None:
        self.clear()
        item, view = self.state.current, self.view
        if item is None or view is None or view.box is None or view.result_id != item.result_id:
            return
        w = self.state.window
        if w.current_media is None or w.current_media.id != item.media_id:
            return
        if item.frame is not None and w.current_frame != item.frame:
            return
        color = QColor(VERDICT_COLORS.get(item.verdict.verdict if item.verdict else None, "#ffb000"))
        x0, y0, x1, y1 = view.box
        rect = QGraphicsRectItem(QRectF(x0, y0, x1 - x0, y1 - y0))
        pen = QPen(color, 2)
        pen.setCosmetic(True)
        pen.setStyle(Qt.DashLine if view.found_again else Qt.SolidLine)
        rect.setPen(pen)
        self.add_item(rect)
        text = QGraphicsSimpleTextItem(f"{item.score:.2f}" + (f" · {item.verdict.verdict}" if item.verdict else ""))
        text.setBrush(color)
        text.setPos(x0, max(0, y0 - 16))
        text.setFlag(QGraphicsSimpleTextItem.ItemIgnoresTransformations, True)
        self.add_item(text)
