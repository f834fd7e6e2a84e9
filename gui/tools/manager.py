"""One instance of each registered tool per window, the Tools menu and toolbar, and the brush size."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QActionGroup, QFont, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QApplication, QMenu, QMenuBar, QToolBar

from gui import icons
from gui.actions import add_action
from gui.settings import Settings
from gui.tools import Tool, load_tool_modules

BRUSH_SIZES = (1, 2, 3, 5, 8, 12, 16, 24, 32, 48, 64, 96, 128)


def text_icon(text: str) -> QIcon:
    pm = QPixmap(24, 24)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(QApplication.palette().color(QPalette.WindowText))
    font = QFont(p.font())
    font.setBold(True)
    font.setPixelSize(13)
    p.setFont(font)
    p.drawText(pm.rect(), Qt.AlignCenter, text[:2])
    p.end()
    return QIcon(pm)


class ToolManager(QObject):
    toolChanged = Signal(str)
    brushSizeChanged = Signal(int)

    def __init__(self, window, settings: Settings):
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.tools: dict[str, Tool] = {cls.key: cls(window) for cls in load_tool_modules()}
        self.actions = {}
        self.group = QActionGroup(self)
        self.group.setExclusive(True)
        self.active: Tool | None = None
        self.brush_size = settings.get_int("tools/brush_size", 16)

    def install(self, menu: QMenu, toolbar: QToolBar) -> None:
        for key, tool in self.tools.items():
            icon = tool.icon if tool.icon in icons.PAINTERS else text_icon(tool.icon_text or tool.name)
            act = add_action(self.window, menu, f"tool.{key}", tool.name, lambda _=False, k=key: self.activate(k),
                             shortcut=tool.shortcut, tip=tool.tooltip, icon=icon, checkable=True)
            self.group.addAction(act)
            toolbar.addAction(act)
            self.actions[key] = act
        menu.addSeparator()
        add_action(self.window, menu, "tool.brush_smaller", "Smaller brush", lambda: self.step_brush(-1),
                   shortcut="[", tip="Make the brush and eraser smaller")
        add_action(self.window, menu, "tool.brush_larger", "Larger brush", lambda: self.step_brush(1),
                   shortcut="]", tip="Make the brush and eraser larger")

    def activate(self, key: str) -> None:
        if key not in self.tools:
            key = "select"
        tool = self.tools[key]
        if self.active is tool:
            self.actions[key].setChecked(True)
            tool.picked_again()
            return
        bar = self.window.statusBar()
        said = bar.currentMessage()
        if self.active is not None:
            self.active.deactivate()
        left_word = bar.currentMessage() != said  # what leaving it dropped, say: that stays, not the new tool's hint
        self.active = tool
        app = QApplication.instance()
        app.removeEventFilter(self)
        if tool.letter_keys:  # (only then: a filter on the application sees every event)
            app.installEventFilter(self)
        tool.activate()
        self.window.canvas.setFocus(Qt.OtherFocusReason)  # so the tool's own keys reach it
        self.actions[key].setChecked(True)
        self.settings.set("tools/current", key)
        if not left_word:
            bar.showMessage(f"{tool.name}: {tool.tooltip}", 4000)
        self.toolChanged.emit(key)

    def eventFilter(self, watched, event) -> bool:
        """The active tool's letters pressed in one of the window's lists or trees (see ``Tool.letter_keys``), or
        on its menu bar (where Esc out of a menu leaves the keyboard): after a thumbnail was clicked, B before a
        drag gave a point, and E made the next click a positive one."""
        if event.type() != QEvent.KeyPress or not isinstance(watched, (QAbstractItemView, QMenuBar)) \
                or event.key() not in self.active.letter_keys or event.modifiers() != Qt.NoModifier \
                or watched.window() is not self.window:
            return False
        return self.active.key_press(event)

    def restore(self) -> None:
        self.activate(str(self.settings.get("tools/current") or "select"))

    def reset_active(self) -> None:
        """Drop a half-drawn shape (the media or frame changed under it)."""
        if self.active is not None:
            self.active.reset()

    def draft_tool(self) -> Tool | None:
        """The active tool when it has a shape in progress (see ``Tool.has_draft``)."""
        return self.active if self.active is not None and self.active.has_draft() else None

    def undo_draft(self) -> bool:
        """Ctrl+Z: True when the active tool's draft took it (committed work is then left alone)."""
        return self.active is not None and self.active.undo_draft()

    def redo_draft(self) -> bool:
        """Ctrl+Shift+Z: True when the active tool's draft took it (committed work is then left alone)."""
        return self.active is not None and self.active.redo_draft()

    def set_brush_size(self, size: int) -> None:
        self.brush_size = int(max(1, min(512, size)))
        self.settings.set("tools/brush_size", self.brush_size)
        self.brushSizeChanged.emit(self.brush_size)

    def step_brush(self, direction: int) -> None:
        bigger = [s for s in BRUSH_SIZES if s > self.brush_size]
        smaller = [s for s in BRUSH_SIZES if s < self.brush_size]
        if direction > 0:
            self.set_brush_size(bigger[0] if bigger else self.brush_size)
        else:
            self.set_brush_size(smaller[-1] if smaller else self.brush_size)
        self.window.statusBar().showMessage(f"Brush size {self.brush_size} px", 2000)


