"""The tool registry: what the canvas does with the mouse and keys.

A tool is a class registered with ``@register_tool``; the window makes one instance of each, puts it in the
Tools menu and toolbar (checkable, with its shortcut), and hands it the canvas input while it is active::

    # gui/sam/tool.py
    from gui.tools import Tool, register_tool

    @register_tool
    class SamTool(Tool):
        key = "sam"                  # unique, remembered as the current tool between runs
        name = "SAM 2"
        icon = "point"               # a gui.icons name, or leave "" and set icon_text ("S")
        shortcut = "S"
        tooltip = "Click to segment; Shift-click to exclude"
        order = 50                   # place in the toolbar (select 10, box 20, polygon 30, point 40, brush 60)
        help = (("Q / E", "positive / negative point"), ("Enter", "accept"), ("Esc", "discard"))

        def mouse_press(self, e):    # e.scene: image pixel coordinates (QPointF); e.button, e.modifiers
            ...
            return True              # True: handled (the canvas does nothing else with it)

and append "gui.sam.tool" to ``TOOL_MODULES``. Keys Q, E, B, Enter and Esc are kept for the SAM 2 tool
(``RESERVED_KEYS``); menus never bind them, so ``key_press`` of the active tool gets them whenever the canvas
has focus (it takes focus when a tool is chosen and when the mouse moves onto it, unless the user is typing in
a text box). Draw previews in ``self.canvas.tool_layer`` (a ``CanvasLayer``), change the project only through
``self.window.push(command)`` (undoable, committed at once), and read ``self.window.current_media``,
``current_frame``, ``current_label`` and ``selected_ids``.

A shape being drawn and not yet committed is the tool's *draft* (a polygon's vertices, a box being dragged, a
brush stroke, a shape being moved). While there is one, Ctrl+Z and Ctrl+Shift+Z act on it, never on committed
work: ``undo_draft`` takes back its last step (or drops it), ``redo_draft`` puts a step back, and Esc drops
it (``cancel_draft``). A tool says it has one in ``has_draft`` and calls ``draft_changed()`` when one starts or
ends, so Edit → Undo says what it will do.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QKeyEvent

if TYPE_CHECKING:
    from gui.main_window import MainWindow

# Modules that register tools, imported when a window is built. Others append one line each.
TOOL_MODULES = [
    "gui.tools.select",
    "gui.tools.box",
    "gui.tools.polygon",
    "gui.tools.point",
    "gui.tools.brush",
    "gui.sam.tool",
]
RESERVED_KEYS = ("Q", "E", "B", "Return", "Enter", "Esc")  # for the SAM 2 tool (issue 3)
# How far inside the image's far edges (x == width, y == height) a click is kept. A point there lies on no pixel
# and the segmenters refuse it (0 <= x < width), so a click just off the image used to add a point every later
# click failed on. Every tool rounds coordinates to 0.01 px, so that much is the least that survives rounding;
# a box or polygon drawn to the border ends 0.01 px short of it (it covers the same pixels).
EDGE_INSET = 0.01


@dataclass(frozen=True)
class ToolEvent:
    scene: QPointF  # image pixel coordinates, sub-pixel
    button: Qt.MouseButton
    buttons: Qt.MouseButtons
    modifiers: Qt.KeyboardModifiers
    view: QPointF  # viewport coordinates


class Tool:
    key = ""
    name = ""
    icon = ""
    icon_text = ""
    shortcut = ""
    tooltip = ""
    order = 100
    cursor = Qt.CrossCursor
    help: tuple[tuple[str, str], ...] = ()  # (keys, what they do) inside the tool, for Help → Shortcuts
    draft_noun = "shape"  # what a draft of this tool is called in the status bar and Edit → Undo
    # Letters its ``key_press`` reads that no menu binds: they reach it also while a list or tree of the window
    # (a thumbnail just clicked: it took them for its type-to-find) or its menu bar has the keyboard.
    letter_keys: tuple[Qt.Key, ...] = ()

    def __init__(self, window: "MainWindow"):
        self.window = window

    @property
    def canvas(self):
        return self.window.canvas

    # --- life cycle ----------------------------------------------------------------------------------------
    def activate(self) -> None:
        self.canvas.viewport().setCursor(self.cursor)

    def picked_again(self) -> None:
        """Its key pressed (or its button clicked) while it is the tool already."""

    def deactivate(self) -> None:
        """Drop anything half-made (the tool is left, or the media or frame changed)."""
        self.canvas.tool_layer.clear()
        self.draft_changed()

    def reset(self) -> None:
        self.deactivate()

    # --- the draft: a shape being drawn, not committed yet ------------------------------------------------
    def has_draft(self) -> bool:
        return False

    def cancel_draft(self) -> bool:
        """Drop the draft (Esc); True when there was one."""
        if not self.has_draft():
            return False
        self.reset()
        self.window.statusBar().showMessage(f"{self.draft_noun.capitalize()} cancelled", 3000)
        return True

    def undo_draft(self) -> bool:
        """Ctrl+Z: take back the draft's last step, or drop it when it has only one; True when there was a draft
        (then committed work is left alone). A tool without ``has_draft`` whose Backspace takes back the last
        step of what it is building (the SAM 2 tool's clicks) gets its Backspace."""
        if self.has_draft():
            return self.cancel_draft()
        return bool(self.key_press(QKeyEvent(QEvent.KeyPress, Qt.Key_Backspace, Qt.NoModifier)))

    def can_redo_draft(self) -> bool:
        """Whether ``redo_draft`` has a step taken back by ``undo_draft`` to put back."""
        return False

    def redo_draft(self) -> bool:
        """Ctrl+Shift+Z: put back the step ``undo_draft`` took; True when there is a draft (then committed work
        is left alone, whether or not there was a step to put back)."""
        return self.has_draft()

    def undo_draft_text(self) -> str:
        """What Ctrl+Z does to the draft, for Edit → Undo ("polygon vertex")."""
        return self.draft_noun

    def draft_changed(self) -> None:
        """A draft started or ended: Edit → Undo and Redo follow it."""
        update = getattr(self.window, "update_undo_actions", None)
        if update is not None:
            update()

    # --- input: return True when handled ------------------------------------------------------------------
    def mouse_press(self, e: ToolEvent) -> bool:
        return False

    def mouse_move(self, e: ToolEvent) -> bool:
        return False

    def mouse_release(self, e: ToolEvent) -> bool:
        return False

    def mouse_double_click(self, e: ToolEvent) -> bool:
        return False

    def key_press(self, event) -> bool:
        """Esc drops the draft, in every tool that has one."""
        return event.key() == Qt.Key_Escape and self.cancel_draft()

    def leave(self) -> None:
        """The mouse left the canvas."""

    # --- helpers -------------------------------------------------------------------------------------------
    def can_draw(self) -> bool:
        """Whether there is a picture to draw on; says why not in the status bar."""
        w = self.window
        if w.project is None or w.current_media is None:
            w.statusBar().showMessage("Open a project and pick an image or video first", 4000)
            return False
        if self.canvas.image is None:  # (it said "pick an image or video" of the media picked, which cannot show)
            why = " ".join(self.canvas.message.split())
            w.statusBar().showMessage(f"{why} (nothing can be drawn on it)" if why else
                                      f"{w.current_media.name} is still being read; draw once it is shown", 8000)
            return False
        if w.rewriting_media is not None and w.rewriting_media == w.current_media.id:
            # Its masks are being replaced under the window's feet: an edit would go to a record already gone.
            w.say_propagating("edit it")
            return False
        return True

    def clamp(self, p: QPointF) -> QPointF:
        """``p`` moved onto the image: at most ``EDGE_INSET`` short of its far edges, on its last pixel."""
        size = self.canvas.image_size()
        if size is None:
            return p
        return QPointF(min(max(p.x(), 0.0), size[0] - EDGE_INSET), min(max(p.y(), 0.0), size[1] - EDGE_INSET))


TOOLS: dict[str, type[Tool]] = {}


def register_tool(cls: type[Tool]) -> type[Tool]:
    if not cls.key:
        raise ValueError(f"{cls.__name__} needs a key")
    for other in TOOLS.values():
        if other is not cls and other.key != cls.key and cls.shortcut and other.shortcut == cls.shortcut:
            raise ValueError(f"tool {cls.key!r} wants shortcut {cls.shortcut}, which {other.key!r} has")
    TOOLS[cls.key] = cls
    return cls


def load_tool_modules() -> list[type[Tool]]:
    for name in TOOL_MODULES:
        importlib.import_module(name)
    return sorted(TOOLS.values(), key=lambda t: (t.order, t.key))
