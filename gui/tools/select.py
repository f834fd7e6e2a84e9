"""Select: click picks an annotation (Ctrl adds), dragging moves it or one of its handles, dragging empty
space pans. Each finished drag is one undoable Update; Esc or Ctrl+Z before the release puts the shape back."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from annotation.commands import Update
from gui.canvas import geometry
from gui.canvas.shape_items import make_item
from gui.tools import Tool, ToolEvent, register_tool

HANDLE_REACH = 6.0  # screen pixels


@register_tool
class SelectTool(Tool):
    key = "select"
    name = "Select"
    icon = "select"
    shortcut = "V"
    tooltip = "Select, move and reshape annotations; drag empty space to pan"
    order = 10
    cursor = Qt.ArrowCursor
    help = (("Click", "select an annotation (Ctrl+click adds or removes)"),
            ("Drag a shape", "move it"), ("Drag a corner or vertex", "reshape"),
            ("Drag empty space", "pan"), ("Delete", "delete the selection"),
            ("Esc, Ctrl+Z while dragging", "put the shape back where it was"))
    draft_noun = "move"

    def __init__(self, window):
        super().__init__(window)
        self._drag = None  # ("pan", last view pos) | ("move", annotation, start) | ("handle", annotation, i)
        self._preview = None

    def deactivate(self) -> None:
        self._end_drag()
        super().deactivate()

    def mouse_press(self, e: ToolEvent) -> bool:
        if e.button != Qt.LeftButton:
            return False
        layer, w = self.canvas.annotation_layer, self.window
        hit = layer.handle_at(e.scene, self.canvas.pixels(HANDLE_REACH))
        if hit is not None:
            self._drag = ("handle", hit[0], hit[1], e.scene)
            self.draft_changed()
            return True
        a = layer.annotation_at(e.view.toPoint())
        ctrl = bool(e.modifiers & Qt.ControlModifier)
        self._say_if_propagating(a, e)
        if a is None:
            if not ctrl:
                w.set_selection(set())
            self._drag = ("pan", e.view)
            self.canvas.viewport().setCursor(Qt.ClosedHandCursor)
            return True
        if ctrl:
            w.set_selection(w.selected_ids ^ {a.id})
            return True
        if a.id not in w.selected_ids:
            w.set_selection({a.id})
        if geometry.editable(a.shape):
            self._drag = ("move", a, e.scene)
            self.draft_changed()
        return True

    def mouse_move(self, e: ToolEvent) -> bool:
        if self._drag is None:
            self._hover(e)
            return True
        if self._drag[0] == "pan":
            self.canvas.pan_by(e.view - self._drag[1])
            self._drag = ("pan", e.view)
            return True
        a, shape = self._dragged_shape(e)
        self._show_preview(a, shape)
        return True

    def mouse_release(self, e: ToolEvent) -> bool:
        if self._drag is None or e.button != Qt.LeftButton:
            return self._drag is not None
        if self._drag[0] != "pan":
            a, shape = self._dragged_shape(e)
            if shape != a.shape:
                what = "Reshape" if self._drag[0] == "handle" else "Move"
                self._end_drag()
                self.window.push(Update(a, a.with_(shape=shape), f"{what} {a.kind}"))
                return True
        self._end_drag()
        self.canvas.viewport().setCursor(self.cursor)
        return True

    def has_draft(self) -> bool:
        return self._drag is not None and self._drag[0] in ("move", "handle")

    def undo_draft_text(self) -> str:
        return "reshape" if self._drag and self._drag[0] == "handle" else "move"

    # --- helpers -------------------------------------------------------------------------------------------
    def _say_if_propagating(self, a, e: ToolEvent) -> None:
        """A click on an annotation (``a``) or a mask just tracked, of the video SAM 2 is propagating: its edits
        wait (a mask just tracked is not even selectable: the window reads it back when the propagation ends),
        and without a word a label key or a drag after the click did nothing."""
        from gui.sam.controller import sam_controller  # (the SAM tool's package imports the tools)

        w = self.window
        if w.rewriting_media is None or w.current_media is None or w.rewriting_media != w.current_media.id:
            return
        if a is not None or sam_controller(w).tracked_at(e.scene.x(), e.scene.y()) is not None:
            w.say_propagating("edit its annotations")

    def _dragged_shape(self, e: ToolEvent):
        kind, a = self._drag[0], self._drag[1]
        p = self.clamp(e.scene)
        if kind == "handle":
            return a, geometry.move_handle(a.shape, self._drag[2], p.x(), p.y())
        start = self._drag[2]
        x, y, bw, bh = a.shape.bbox()
        size = self.canvas.image_size() or (float("inf"), float("inf"))
        # Keep the whole shape on the image while it moves.
        dx = min(max(e.scene.x() - start.x(), -x), size[0] - (x + bw))
        dy = min(max(e.scene.y() - start.y(), -y), size[1] - (y + bh))
        return a, geometry.translate(a.shape, dx, dy)

    def _show_preview(self, a, shape) -> None:
        original = self.canvas.annotation_layer.items.get(a.id)
        if original is not None:
            original.setVisible(False)
        if self._preview is not None and self._preview.scene() is not None:
            self._preview.scene().removeItem(self._preview)
        self._preview = make_item(a.with_(shape=shape), QColor(self.window.label_color(a.label_id)),
                                  self.window.overlay_opacity, True)
        if self._preview is not None:
            self.canvas.tool_layer.add_item(self._preview)

    def _end_drag(self) -> None:
        if self._drag and self._drag[0] in ("move", "handle"):
            original = self.canvas.annotation_layer.items.get(self._drag[1].id)
            if original is not None:
                original.setVisible(True)
        drafting, self._drag = self.has_draft(), None
        if self._preview is not None and self._preview.scene() is not None:
            self._preview.scene().removeItem(self._preview)
        self._preview = None
        if drafting:
            self.draft_changed()

    def _hover(self, e: ToolEvent) -> None:
        layer = self.canvas.annotation_layer
        if layer.handle_at(e.scene, self.canvas.pixels(HANDLE_REACH)) is not None:
            cursor = Qt.SizeAllCursor
        elif layer.annotation_at(e.view.toPoint()) is not None:
            cursor = Qt.PointingHandCursor
        else:
            cursor = self.cursor
        self.canvas.viewport().setCursor(cursor)
