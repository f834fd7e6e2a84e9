"""Box: drag a rectangle; it becomes a box of the current label on this image or frame. Esc or Ctrl+Z during
the drag drops it."""
from __future__ import annotations

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsLineItem, QGraphicsRectItem

from annotation.commands import Add
from annotation.shapes import Box
from gui.tools import Tool, ToolEvent, register_tool

MIN_SIZE = 2.0  # image pixels: anything smaller was a click, not a box


@register_tool
class BoxTool(Tool):
    key = "box"
    name = "Box"
    icon = "box"
    shortcut = "R"
    tooltip = "Drag to draw a box of the current label"
    order = 20
    help = (("Drag", "draw a box"), ("Esc, Ctrl+Z while dragging", "drop the box"))
    draft_noun = "box"

    def __init__(self, window):
        super().__init__(window)
        self._start = None
        self._rect: QGraphicsRectItem | None = None
        self._guides: list[QGraphicsLineItem] = []

    def deactivate(self) -> None:
        self._start, self._rect, self._guides = None, None, []
        super().deactivate()

    def _pen(self, dashed=False) -> QPen:
        pen = QPen(QColor(self.window.label_color(self.window.current_label_id())), 2)
        pen.setCosmetic(True)
        if dashed:
            pen.setStyle(Qt.DashLine)
        return pen

    def mouse_press(self, e: ToolEvent) -> bool:
        if e.button != Qt.LeftButton:
            return False
        if not self.can_draw():
            return True
        self._start = self.clamp(e.scene)
        self._rect = QGraphicsRectItem(QRectF(self._start, self._start))
        self._rect.setPen(self._pen())
        self.canvas.tool_layer.add_item(self._rect)
        self.draft_changed()
        return True

    def mouse_move(self, e: ToolEvent) -> bool:
        self._update_guides(e)
        if self._start is not None and self._rect is not None:
            self._rect.setRect(QRectF(self._start, self.clamp(e.scene)).normalized())
        return True

    def mouse_release(self, e: ToolEvent) -> bool:
        if self._start is None or e.button != Qt.LeftButton:
            return False
        start, end = self._start, self.clamp(e.scene)
        self._start = None
        if self._rect is not None and self._rect.scene() is not None:
            self._rect.scene().removeItem(self._rect)
        self._rect = None
        self.draft_changed()
        if abs(end.x() - start.x()) < MIN_SIZE or abs(end.y() - start.y()) < MIN_SIZE:
            return True
        box = Box(round(start.x(), 2), round(start.y(), 2), round(end.x(), 2), round(end.y(), 2))
        self.window.push(Add(self.window.make_annotation(box), "Draw box"))
        return True

    def has_draft(self) -> bool:
        return self._start is not None

    def leave(self) -> None:
        for g in self._guides:
            g.setVisible(False)

    def _update_guides(self, e: ToolEvent) -> None:
        """Crosshair lines across the image, as in CVAT, to line a box up with an edge."""
        size = self.canvas.image_size()
        if size is None:
            return
        if not self._guides or self._guides[0].scene() is None:
            self._guides = [QGraphicsLineItem(), QGraphicsLineItem()]
            for g in self._guides:
                g.setPen(self._pen(dashed=True))
                g.setOpacity(0.6)
                self.canvas.tool_layer.add_item(g)
        p = self.clamp(e.scene)
        self._guides[0].setLine(QLineF(0, p.y(), size[0], p.y()))
        self._guides[1].setLine(QLineF(p.x(), 0, p.x(), size[1]))
        for g in self._guides:
            g.setVisible(True)
