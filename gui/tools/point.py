"""Point: each click adds a point of the current label."""
from __future__ import annotations

from PySide6.QtCore import Qt

from annotation.commands import Add
from annotation.shapes import Points
from gui.tools import Tool, ToolEvent, register_tool


@register_tool
class PointTool(Tool):
    key = "point"
    name = "Point"
    icon = "point"
    shortcut = "K"
    tooltip = "Click to place a point of the current label"
    order = 40
    help = (("Click", "place a point"),)

    def mouse_press(self, e: ToolEvent) -> bool:
        if e.button != Qt.LeftButton:
            return False
        if not self.can_draw():
            return True
        p = self.clamp(e.scene)
        point = Points(((round(p.x(), 2), round(p.y(), 2)),))
        self.window.push(Add(self.window.make_annotation(point), "Place point"))
        return True
