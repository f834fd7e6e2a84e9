"""Brush and eraser: paint into (or out of) a mask of the current label on this image or frame.

The stroke is previewed as a path and rasterised when the button is released, so each stroke is one
undoable edit (Esc or Ctrl+Z before the release drops the stroke). The mask painted is the selected mask if
one is selected, else the first mask of the current label here, else a new one. [ and ] change the brush size.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsPathItem

from annotation.commands import Add, Delete, Update
from annotation.model import Annotation
from annotation.shapes import Mask
from engine.segmentation.store import edited_by_hand
from gui.tools import Tool, ToolEvent, register_tool


def rasterize(path: QPainterPath, width: float, size: tuple[int, int]) -> np.ndarray:
    """The pixels a round brush of ``width`` covers along ``path``, as a boolean (height, width) array."""
    w, h = size
    image = QImage(w, h, QImage.Format_Grayscale8)
    image.fill(0)
    p = QPainter(image)
    pen = QPen(QColor(255, 255, 255), max(width, 1.0))
    pen.setCapStyle(Qt.RoundCap)
    pen.setJoinStyle(Qt.RoundJoin)
    p.setPen(pen)
    if path.elementCount() == 1:
        p.drawPoint(path.currentPosition())
    else:
        p.drawPath(path)
    p.end()
    bits = np.frombuffer(image.constBits(), np.uint8).reshape(h, image.bytesPerLine())
    return bits[:, :w] > 127


class PaintTool(Tool):
    erase = False
    help = (("Drag", "paint"), ("[ / ]", "smaller / larger brush"), ("Esc, Ctrl+Z while dragging", "drop the stroke"))
    draft_noun = "stroke"

    def __init__(self, window):
        super().__init__(window)
        self._path: QPainterPath | None = None
        self._stroke: QGraphicsPathItem | None = None
        self._ring: QGraphicsEllipseItem | None = None

    @property
    def size(self) -> float:
        return float(self.window.tools.brush_size)

    def deactivate(self) -> None:
        self._path, self._stroke, self._ring = None, None, None
        super().deactivate()

    def _color(self) -> QColor:
        if self.erase:
            return QColor(255, 255, 255, 150)
        c = QColor(self.window.label_color(self.window.current_label_id()))
        c.setAlpha(140)
        return c

    def mouse_press(self, e: ToolEvent) -> bool:
        if e.button != Qt.LeftButton:
            return False
        if not self.can_draw():
            return True
        self._path = QPainterPath(e.scene)
        self._stroke = QGraphicsPathItem()
        pen = QPen(self._color(), self.size)
        pen.setCapStyle(Qt.RoundCap)
        pen.setJoinStyle(Qt.RoundJoin)
        self._stroke.setPen(pen)
        self._stroke.setPath(self._path)
        self.canvas.tool_layer.add_item(self._stroke)
        self.draft_changed()
        return True

    def mouse_move(self, e: ToolEvent) -> bool:
        self._move_ring(e.scene)
        if self._path is not None and self._stroke is not None:
            self._path.lineTo(e.scene)
            self._stroke.setPath(self._path)
        return True

    def mouse_release(self, e: ToolEvent) -> bool:
        if self._path is None or e.button != Qt.LeftButton:
            return False
        path, self._path = self._path, None
        if self._stroke is not None and self._stroke.scene() is not None:
            self._stroke.scene().removeItem(self._stroke)
        self._stroke = None
        self.draft_changed()
        size = self.canvas.image_size()
        if size is not None:
            self.apply(rasterize(path, self.size, size))
        return True

    def has_draft(self) -> bool:
        return self._path is not None

    def leave(self) -> None:
        if self._ring is not None:
            self._ring.setVisible(False)

    def _move_ring(self, p: QPointF) -> None:
        if self._ring is None or self._ring.scene() is None:
            self._ring = QGraphicsEllipseItem()
            pen = QPen(QColor("white"), 1.5)
            pen.setCosmetic(True)
            self._ring.setPen(pen)
            self.canvas.tool_layer.add_item(self._ring)
        r = self.size / 2
        self._ring.setRect(QRectF(p.x() - r, p.y() - r, 2 * r, 2 * r))
        self._ring.setVisible(True)

    # --- the edit ------------------------------------------------------------------------------------------
    def target(self) -> Annotation | None:
        """The mask this stroke changes."""
        here = [a for a in self.window.annotations_here() if a.kind == "mask"]
        selected = [a for a in here if a.id in self.window.selected_ids]
        if len(selected) == 1:
            return selected[0]
        label = self.window.current_label_id()
        return next((a for a in here if a.label_id == label), None)

    def apply(self, stroke: np.ndarray) -> None:
        if not stroke.any():
            return
        target = self.target()
        if target is not None and tuple(target.shape.size) != stroke.shape:
            self.window.statusBar().showMessage("That mask has another size than this picture; not painted", 4000)
            return
        if self.erase:
            self._erase(target, stroke)
        elif target is None:
            self.window.push(Add(self.window.make_annotation(Mask.from_array(stroke)), "Paint mask"))
        else:
            old = target.shape.to_array()
            new = old | stroke
            if not np.array_equal(new, old):
                # A model's mask painted on becomes the user's, or the next propagation would paint over it.
                self.window.push(Update(target, edited_by_hand(target, Mask.from_array(new)), "Paint mask"))

    def _erase(self, target: Annotation | None, stroke: np.ndarray) -> None:
        if target is None:
            self.window.statusBar().showMessage("No mask of this label here to erase from", 3000)
            return
        old = target.shape.to_array()
        new = old & ~stroke
        if np.array_equal(new, old):
            return
        if not new.any():
            self.window.push(Delete(target, "Erase mask"))
        else:
            self.window.push(Update(target, edited_by_hand(target, Mask.from_array(new)), "Erase from mask"))


@register_tool
class BrushTool(PaintTool):
    key = "brush"
    name = "Brush"
    icon = "brush"
    shortcut = "M"
    tooltip = "Paint a mask of the current label ([ and ] change the size)"
    order = 60


@register_tool
class EraserTool(PaintTool):
    key = "eraser"
    name = "Eraser"
    icon = "eraser"
    shortcut = "X"
    tooltip = "Erase from the selected mask, or the current label's mask ([ and ] change the size)"
    order = 61
    erase = True
