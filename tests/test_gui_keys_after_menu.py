"""The window's keys after a menu was opened and closed with Esc: the menu bar keeps the keyboard then, and the
Emotion menu's tier keys (the digits, S, M, [ ], Del: the tiers' own while they have focus) were taken as the
window's too, so Qt found two actions for the key and ran neither ("Ambiguous shortcut overload")."""
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.test_gui_support import make_window, photo_project


def test_a_label_key_and_a_tool_key_work_with_the_menu_bar_holding_the_keyboard(qtbot, tmp_path):
    window = make_window(qtbot, photo_project(tmp_path))
    labels = [l for l in window.labels if l.id != window.current_label.id]
    assert labels, "the new project has more than one label"
    second = window.labels.index(labels[0]) + 1  # its key is its place in the list
    bar = window.menuBar()
    window.activateWindow()
    bar.setFocus(Qt.ShortcutFocusReason)  # where Esc out of a menu leaves the keyboard
    qtbot.waitUntil(lambda: QApplication.focusWidget() is bar)

    qtbot.keyClick(bar, str(second))
    assert window.current_label.id == labels[0].id

    assert window.tools.active.key != "sam"
    qtbot.keyClick(bar, "s")
    assert window.tools.active.key == "sam"
    # The SAM tool's own letters, which no menu binds, reach it too (the bar ignored them).
    from gui.sam.controller import sam_controller

    qtbot.keyClick(bar, "b")
    assert sam_controller(window).mode == "box"
