"""Help: the shortcuts dialog (built from the menus, so every action anyone adds is listed) and About."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QLineEdit, QMessageBox, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout)

from gui.actions import add_action, menu_actions, menu_text, shortcut_text

# Input the canvas itself understands (not menu actions).
CANVAS_INPUT = (("Mouse wheel", "zoom around the cursor"), ("Middle-button drag", "pan"),
                ("1 – 9", "pick a label (and relabel the selection)"))


def install_help(window, menu) -> None:
    add_action(window, menu, "help.shortcuts", "&Keyboard shortcuts", lambda: show_shortcuts(window),
               shortcut="F1", tip="Every action, its shortcut, and the keys inside each tool")
    add_action(window, menu, "help.about", "&About FaceLens", lambda: _about(window), tip="Version and purpose")


class ShortcutsDialog(QDialog):
    def __init__(self, window):
        super().__init__(window)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(1180, 700)  # the descriptions in full on one line (a tree view elides, it does not wrap)
        self.filter = QLineEdit()
        self.filter.setPlaceholderText("Filter by action or key…")
        self.filter.setClearButtonEnabled(True)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Action", "Shortcut", "What it does"])
        self.tree.setRootIsDecorated(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setStretchLastSection(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.Interactive)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.filter)
        lay.addWidget(self.tree)
        lay.addWidget(buttons)
        self._fill(window)
        self.filter.textChanged.connect(self._apply_filter)

    def _fill(self, window) -> None:
        for menu_action in window.menuBar().actions():
            menu = menu_action.menu()
            if menu is None:
                continue
            group = QTreeWidgetItem(self.tree, [menu.title().replace("&", "")])
            for path, act in menu_actions(menu):
                name = " › ".join(path[1:] + (menu_text(act),))
                QTreeWidgetItem(group, [name, shortcut_text(act), act.statusTip()])
        tools = QTreeWidgetItem(self.tree, ["Inside tools"])
        for tool in window.tools.tools.values():
            for keys, what in tool.help:
                QTreeWidgetItem(tools, [f"{tool.name} tool", keys, what])
        canvas = QTreeWidgetItem(self.tree, ["Canvas"])
        for keys, what in CANVAS_INPUT:
            QTreeWidgetItem(canvas, ["", keys, what])
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                for column in (0, 2):  # the whole text where a narrow column cuts it
                    group.child(j).setToolTip(column, group.child(j).text(column))
        self.tree.expandAll()
        self.tree.resizeColumnToContents(0)  # the actions in full (a model's path is long), up to a point
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), 480))

    def rows(self) -> list[tuple[str, str, str]]:
        """(action, shortcut, description) of every row, for tests and for copying."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                item = group.child(j)
                out.append((item.text(0), item.text(1), item.text(2)))
        return out

    def _apply_filter(self, text: str) -> None:
        text = text.lower()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            shown = 0
            for j in range(group.childCount()):
                item = group.child(j)
                match = not text or any(text in item.text(c).lower() for c in range(3))
                item.setHidden(not match)
                shown += match
            group.setHidden(shown == 0)


def show_shortcuts(window) -> ShortcutsDialog:
    dialog = ShortcutsDialog(window)
    dialog.setAttribute(Qt.WA_DeleteOnClose)
    dialog.show()
    window.shortcuts_dialog = dialog
    return dialog


def _about(window) -> None:
    box = QMessageBox(QMessageBox.Information, "About FaceLens",
                      "<b>FaceLens</b><br>A workstation for face- and human-centric visual data: "
                      "annotation with SAM 2, emotion and gaze, forensic audit and dataset curation.<br><br>"
                      "Every edit is saved as it is made and written to a hash-chained audit log.",
                      QMessageBox.Ok, window)
    box.setModal(False)
    box.show()
    window.about_box = box
