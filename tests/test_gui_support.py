"""Helpers for the GUI tests (no tests here): a real window on a real project, and real input events."""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QMessageBox

from storage.media.importer import import_paths
from storage.project import Project
from tests.media_factory import photo

TIMEOUT = 15_000  # ms; generous for a loaded 2-core CI machine
CLOSE_S = 300  # a window closes once its running job finishes its step: a SAM 2 frame takes seconds on a CPU
OPEN_WINDOWS: list = []  # the windows a test opened; conftest closes what is left of them after each test


def make_window(qtbot, project_dir: Path | None = None, wait: bool = True):
    from gui.app import make_application
    from gui.main_window import MainWindow

    make_application()
    window = MainWindow()
    OPEN_WINDOWS.append(window)  # (closed by conftest after the test, waiting for its engine: not by qtbot)
    window.resize(1280, 800)
    window.show()
    qtbot.waitExposed(window)
    if project_dir is not None:
        window.open_project(project_dir)
        qtbot.waitUntil(lambda: window.project is not None, timeout=TIMEOUT)
        if wait and window.current_media is not None:
            wait_picture(qtbot, window)
    return window


def wait_picture(qtbot, window, frame: int | None = None):
    def shown():
        if window.canvas.image is None:
            return False
        return frame is None or window.canvas.shown_frame == frame

    qtbot.waitUntil(shown, timeout=TIMEOUT)


def grabcut_sam_window(qtbot, project_dir: Path, media: int, frame: int | None = None):
    """A window on ``media`` (at ``frame``) with the SAM tool chosen, segmenting with GrabCut (no weights here)."""
    from gui.sam.controller import sam_controller

    window = make_window(qtbot, project_dir)
    sam = sam_controller(window)
    qtbot.waitUntil(lambda: sam.status.get("kind") == "grabcut", timeout=TIMEOUT)
    window.set_media(media, frame)
    wait_picture(qtbot, window, frame)
    press_keys(qtbot, window, Qt.Key_S)
    return window, sam


def close_window(window) -> None:
    """Close the window as the user does, and wait until it has: with a job running it closes once the job has
    finished its current step. Left open, its engine thread could still be inside torch when the tests end,
    and an interpreter that exits then aborts. During a propagation the window asks first: the test cancels it."""
    if window.rewriting_media is not None and not getattr(window, "_closing", False):
        answer_message_box(None, "Cancel it and close", [])
    window.close()
    deadline = time.monotonic() + CLOSE_S
    while not getattr(window, "_closed", False) and time.monotonic() < deadline:
        QApplication.processEvents()
        time.sleep(0.005)
    if not getattr(window, "_closed", False):
        window.shut_down()  # waits for the engine's current item


def photo_project(tmp_path: Path, width=320, height=240) -> Path:
    """A project with one photo in it, closed again so the window opens it as a user would."""
    root = tmp_path / "photos"
    with Project.create(root) as p:
        import_paths(p, [photo(tmp_path / "face.png", width, height)])
    return root


# --- input ------------------------------------------------------------------------------------------------
def view_point(canvas, x: float, y: float) -> QPointF:
    """Where image pixel coordinate (x, y) is on the canvas viewport."""
    return QPointF(canvas.mapFromScene(QPointF(x, y)))


def mouse(canvas, kind: QEvent.Type, x: float, y: float, button=Qt.LeftButton, buttons=None, modifiers=Qt.NoModifier):
    pos = view_point(canvas, x, y)
    if buttons is None:
        buttons = Qt.NoButton if kind == QEvent.MouseButtonRelease else button
    global_pos = QPointF(canvas.viewport().mapToGlobal(pos.toPoint()))
    event = QMouseEvent(kind, pos, global_pos, button if kind != QEvent.MouseMove else Qt.NoButton, buttons,
                        modifiers)
    QApplication.sendEvent(canvas.viewport(), event)


def click(canvas, x, y, modifiers=Qt.NoModifier):
    mouse(canvas, QEvent.MouseButtonPress, x, y, modifiers=modifiers)
    mouse(canvas, QEvent.MouseButtonRelease, x, y, modifiers=modifiers)


def double_click(canvas, x, y):
    click(canvas, x, y)
    mouse(canvas, QEvent.MouseButtonDblClick, x, y)
    mouse(canvas, QEvent.MouseButtonRelease, x, y)


def drag(canvas, points, button=Qt.LeftButton, modifiers=Qt.NoModifier):
    (x0, y0), rest = points[0], points[1:]
    mouse(canvas, QEvent.MouseButtonPress, x0, y0, button=button, modifiers=modifiers)
    for x, y in rest:
        mouse(canvas, QEvent.MouseMove, x, y, button=button, buttons=button, modifiers=modifiers)
    x1, y1 = points[-1]
    mouse(canvas, QEvent.MouseButtonRelease, x1, y1, button=button, modifiers=modifiers)


def press_keys(qtbot, window, keys: str, modifiers=Qt.NoModifier) -> None:
    """Type a shortcut the way a user does: a key event to the focused canvas, so QShortcut handling runs."""
    window.activateWindow()
    window.canvas.setFocus()
    qtbot.keyClick(window.canvas, keys, modifiers)


def answer_message_box(qtbot, button: str, seen: list, within_ms: int = TIMEOUT) -> None:
    """Press ``button`` in the next message box to open within ``within_ms``, noting what it said."""
    deadline = time.monotonic() + within_ms / 1000

    def press():
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            if time.monotonic() < deadline:  # (none came: a later test's box is not this one's to answer)
                QTimer.singleShot(20, press)
            return
        seen.append(f"{box.text()} {box.informativeText()}")
        next(b for b in box.buttons() if b.text().replace("&", "") == button).click()
    QTimer.singleShot(0, press)
