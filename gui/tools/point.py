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
        size = self.canvas.image_size()
        if size is not None and not (0 <= e.scene.x() <= size[0] and 0 <= e.scene.y() <= size[1]):
            # (a click on the grey around the picture, to focus or deselect, stored a point on its edge)
            self.window.statusBar().showMessage("A point goes on the picture: this click was beside it", 4000)
            return True
        p = self.clamp(e.scene)
        point = Points(((round(p.x(), 2), round(p.y(), 2)),))
        self.window.push(Add(self.window.make_annotation(point), "Place point"))
        return True
