"""Polygon: click the vertices; close it by clicking the first vertex again or by double-clicking.
Backspace or Ctrl+Z takes back the last vertex (the last one: the polygon is dropped), Ctrl+Shift+Z puts it
back, Esc drops the polygon; none of them touches committed shapes while one is being drawn. (Enter is kept
for the SAM 2 tool.)"""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem

from annotation.commands import Add
from annotation.shapes import Polygon
from gui.tools import Tool, ToolEvent, register_tool

CLOSE_REACH = 8.0  # screen pixels around the first vertex that close the polygon
VERTEX = 4.0


@register_tool
class PolygonTool(Tool):
    key = "polygon"
    name = "Polygon"
    icon = "polygon"
    shortcut = "P"
    tooltip = "Click vertices; click the first one or double-click to close"
    order = 30
    help = (("Click", "add a vertex"), ("Click the first vertex / double-click", "close the polygon"),
            ("Backspace", "remove the last vertex"),
            ("Ctrl+Z / Ctrl+Shift+Z while drawing", "take back / put back a vertex"), ("Esc", "drop the polygon"))
    draft_noun = "polygon"

    def __init__(self, window):
        super().__init__(window)
        self.vertices: list[QPointF] = []
        self._outline: QGraphicsPathItem | None = None
        self._dots: list[QGraphicsItem] = []
        self._cursor: QPointF | None = None
        self._taken_back: list[QPointF] = []  # vertices Ctrl+Z took back, for Ctrl+Shift+Z

    def deactivate(self) -> None:
        self.vertices, self._outline, self._dots, self._cursor = [], None, [], None
        self._taken_back = []
        super().deactivate()

    # --- the draft -----------------------------------------------------------------------------------------
    def has_draft(self) -> bool:
        return bool(self.vertices)

    def undo_draft(self) -> bool:
        if not self.vertices:
            return False
        if len(self.vertices) == 1:
            return self.cancel_draft()
        self._taken_back.append(self.vertices.pop())
        self._redraw()
        self.draft_changed()
        self.window.statusBar().showMessage(f"Vertex taken back ({len(self.vertices)} left)", 2000)
        return True

    def can_redo_draft(self) -> bool:
        return bool(self.vertices and self._taken_back)

    def redo_draft(self) -> bool:
        if not self.vertices:
            return False
        if self._taken_back:
            self.vertices.append(self._taken_back.pop())
            self._redraw()
            self.draft_changed()
        return True

    def undo_draft_text(self) -> str:
        return "polygon vertex" if len(self.vertices) > 1 else "polygon"

    def mouse_press(self, e: ToolEvent) -> bool:
        if e.button != Qt.LeftButton:
            return False
        if not self.can_draw():
            return True
        p = self.clamp(e.scene)
        if len(self.vertices) >= 3 and self._near_first(p):
            self.finish()
            return True
        self.vertices.append(p)
        self._taken_back = []
        self._redraw()
        self.draft_changed()
        return True

    def mouse_move(self, e: ToolEvent) -> bool:
        self._cursor = self.clamp(e.scene)
        if self.vertices:
            self._redraw()
        return True

    def mouse_release(self, e: ToolEvent) -> bool:
        return e.button == Qt.LeftButton

    def mouse_double_click(self, e: ToolEvent) -> bool:
        if e.button != Qt.LeftButton:
            return False
        # The double-click's first press already added a vertex here; a second one would be a duplicate.
        p = self.clamp(e.scene)
        if self.vertices and _close(self.vertices[-1], p, self.canvas.pixels(2)):
            pass
        else:
            self.vertices.append(p)
        self.finish()
        return True

    def key_press(self, event) -> bool:
        if event.key() == Qt.Key_Backspace:
            return self.undo_draft()
        if event.key() == Qt.Key_Escape:
            return self.cancel_draft()
        return False

    def finish(self) -> None:
        points = _without_repeats(self.vertices)
        self.deactivate()
        if len(points) < 3:
            self.window.statusBar().showMessage("A polygon needs at least 3 vertices", 3000)
            return
        shape = Polygon(tuple((round(p.x(), 2), round(p.y(), 2)) for p in points))
        self.window.push(Add(self.window.make_annotation(shape), "Draw polygon"))

    # --- preview -------------------------------------------------------------------------------------------
    def _near_first(self, p: QPointF) -> bool:
        return _close(self.vertices[0], p, self.canvas.pixels(CLOSE_REACH))

    def _redraw(self) -> None:
        layer = self.canvas.tool_layer
        color = QColor(self.window.label_color(self.window.current_label_id()))
        if self._outline is None or self._outline.scene() is None:
            self._outline = QGraphicsPathItem()
            pen = QPen(color, 2)
            pen.setCosmetic(True)
            self._outline.setPen(pen)
            layer.add_item(self._outline)
        path = QPainterPath()
        if self.vertices:
            path.moveTo(self.vertices[0])
            for v in self.vertices[1:]:
                path.lineTo(v)
            if self._cursor is not None:
                path.lineTo(self._cursor)
        self._outline.setPath(path)
        for d in self._dots:
            if d.scene() is not None:
                d.scene().removeItem(d)
        self._dots = []
        for i, v in enumerate(self.vertices):
            r = VERTEX * (1.6 if i == 0 and len(self.vertices) >= 3 else 1.0)
            dot = QGraphicsEllipseItem(QRectF(-r, -r, 2 * r, 2 * r))
            dot.setPos(v)
            dot.setFlag(QGraphicsItem.ItemIgnoresTransformations, True)
            dot.setPen(QPen(QColor("white"), 1))
            dot.setBrush(QBrush(color))
            layer.add_item(dot)
            self._dots.append(dot)


def _close(a: QPointF, b: QPointF, reach: float) -> bool:
    return abs(a.x() - b.x()) <= reach and abs(a.y() - b.y()) <= reach


def _without_repeats(points: list[QPointF]) -> list[QPointF]:
    out: list[QPointF] = []
    for p in points:
        if not out or not _close(out[-1], p, 0.01):
            out.append(p)
    return out
