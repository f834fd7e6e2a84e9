"""The SAM 2 tool: clicks and a box become a mask, previewed live; Enter keeps it, Esc drops it.

Q: left clicks add positive points (the default); E: negative points; B: the next drag draws a box; W shows
SAM's next mask for a single click (its multimask choice: the part or the whole).
Shift-click or a right click adds a negative point whatever the mode; Backspace (or Ctrl+Z) takes the last
click back. Accepting or dropping the prompt sets the mode back to positive points.
On a video the accepted object becomes a track; clicking on a frame it was tracked through, after a double-click
on it in the SAM 2 panel, corrects it there. Without SAM 2 weights the same clicks go to GrabCut.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QGraphicsRectItem

from gui.sam.controller import sam_controller
from gui.sam.preview_layer import box_outline
from gui.tools import Tool, ToolEvent, register_tool

MODES = {Qt.Key_Q: "positive", Qt.Key_E: "negative", Qt.Key_B: "box"}
MIN_BOX = 3.0  # image pixels
NEAR_EDGE_PX = 12  # screen pixels beside the picture within which a click still lands on its edge


@register_tool
class SamTool(Tool):
    key = "sam"
    name = "SAM 2"
    icon = ""
    icon_text = "S2"
    shortcut = "S"
    tooltip = "Click to segment (Q positive, E negative, B box, W next mask; Enter accept, Esc discard)"
    letter_keys = (*MODES, Qt.Key_W)
    order = 50
    help = (("Q / E", "positive / negative points"), ("B", "draw a box"), ("Shift-click, right click", "negative point"),
            ("W", "SAM's next mask for a single click"), ("Backspace, Ctrl+Z", "take the last click back"),
            ("Enter", "accept the mask"), ("Esc", "discard it"))

    draft_noun = "SAM 2 click"

    def __init__(self, window):
        super().__init__(window)
        self._drag_from = None
        self._rects: list[QGraphicsRectItem] = []  # the box being dragged (its two outlines)
        self._following_prompt = False

    # The prompt being built is this tool's draft: Ctrl+Z takes its last click or box back, Ctrl+Shift+Z puts it
    # back, and committed work is left alone, even when nothing committed is there to undo.
    def has_draft(self) -> bool:
        return self.sam.prompting

    def undo_draft(self) -> bool:
        if not self.sam.prompting:
            return False
        self.sam.undo_step()
        return True

    def can_redo_draft(self) -> bool:
        return self.sam.can_redo_step

    def redo_draft(self) -> bool:
        if not self.sam.prompting:
            return False
        self.sam.redo_step()
        return True

    def undo_draft_text(self) -> str:
        return "SAM 2 box" if self.sam.last_step_is_box else self.draft_noun

    @property
    def sam(self):
        return sam_controller(self.window)

    def activate(self) -> None:
        super().activate()
        if not self._following_prompt:  # Edit → Undo follows the prompt as it is built and dropped
            self.sam.previewChanged.connect(self.draft_changed)
            self._following_prompt = True
        self.picked_again()
        self.sam.prefetch()

    def picked_again(self) -> None:
        if self.sam.status and self.sam.status.get("kind") != "sam2":  # (once the first look has been made)
            self.sam.recheck()  # a checkpoint put back since: SAM 2, not GrabCut

    def deactivate(self) -> None:
        """Leaving the tool (or the frame or media changing) drops the prompt being built."""
        self._drag_from, self._rects = None, []
        if self.sam.prompting:
            self.sam.discard()
            # (said: the Enter that followed on the next frame did nothing, and nothing told why)
            self.window.statusBar().showMessage("The SAM 2 object not yet accepted was dropped: a prompt belongs "
                                                "to its frame and tool (Enter accepts it before you move on)", 6000)
        super().deactivate()

    def mouse_press(self, e: ToolEvent) -> bool:
        if e.button not in (Qt.LeftButton, Qt.RightButton):
            return False
        if not self.can_draw():
            return True
        p = self.clamp(e.scene)
        if self.sam.mode == "box" and e.button == Qt.LeftButton:
            self._drag_from = p
            self._rects = box_outline(QRectF(p, p))
            for item in self._rects:
                self.canvas.tool_layer.add_item(item)
            return True
        # A click just off the picture's edge means the edge (it stays on it); one well beside the picture (to give
        # the canvas the keys, say) put a point on the edge all the same, and a mask came: now it adds nothing.
        off = max(abs(p.x() - e.scene.x()), abs(p.y() - e.scene.y())) * (self.canvas.transform().m11() or 1.0)
        if off > NEAR_EDGE_PX:
            self.window.statusBar().showMessage("SAM 2 points go on the picture: that click was beside it, nothing "
                                                "was added (a box may start beside it)", 4000)
            return True
        negative = e.button == Qt.RightButton or bool(e.modifiers & Qt.ShiftModifier) or self.sam.mode == "negative"
        self.sam.add_point(p.x(), p.y(), positive=not negative)
        return True

    def mouse_move(self, e: ToolEvent) -> bool:
        if self._drag_from is not None and self._rects:
            for item in self._rects:
                item.setRect(QRectF(self._drag_from, self.clamp(e.scene)).normalized())
            return True
        return False

    def mouse_release(self, e: ToolEvent) -> bool:
        if self._drag_from is None:
            return e.button in (Qt.LeftButton, Qt.RightButton)
        start, end = self._drag_from, self.clamp(e.scene)
        self._drag_from = None
        self.canvas.tool_layer.clear()
        self._rects = []
        if abs(end.x() - start.x()) >= MIN_BOX and abs(end.y() - start.y()) >= MIN_BOX:
            self.sam.set_box(start.x(), start.y(), end.x(), end.y())
            self.sam.mode = "positive"  # after the box, clicks refine it
            self._said_mode()
        return True

    def _said_mode(self) -> None:
        """The status bar's word on the mode follows it (it said "drag draws a box" after the box was drawn)."""
        bar = self.window.statusBar()
        if bar.currentMessage().startswith("SAM 2: left "):
            bar.showMessage(f"SAM 2: {self.sam.mode_words} (Q positive, E negative, B box)", 3000)

    def key_press(self, event) -> bool:
        key = event.key()
        if key in MODES:
            self.sam.mode = MODES[key]  # the SAM 2 panel shows it until the prompt is accepted or dropped
            self.window.statusBar().showMessage(f"SAM 2: {self.sam.mode_words} (Q positive, E negative, B box)", 3000)
            return True
        if key == Qt.Key_W and self.sam.prompting:
            self.sam.next_candidate()
            return True
        if key in (Qt.Key_Return, Qt.Key_Enter, Qt.Key_Escape) and not self.sam.prompting \
                and self.sam.mode != "positive":  # nothing to accept or drop: the mode chosen for it is dropped
            self.sam.mode = "positive"
            self._said_mode()
            return True
        if key in (Qt.Key_Return, Qt.Key_Enter):
            return self.sam.accept() or self.sam.prompting
        if key == Qt.Key_Escape:
            if not self.sam.prompting:
                return False
            self.sam.discard()
            return True
        if key == Qt.Key_Backspace and self.sam.prompting:
            self.sam.undo_step()
            return True
        return False
