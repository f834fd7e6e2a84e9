"""The Media menu: moving between media (D / A, as in CVAT and X-AnyLabeling) and through a video's frames."""
from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from gui import icons
from gui.actions import add_action

JUMP = 10  # frames for Shift+Left / Shift+Right


def install_media_actions(window, menu) -> None:
    pb = window.playback
    add_action(window, menu, "media.next", "Next media", lambda: window.step_media(1), shortcut="D",
               tip="Go to the next image or video in the media list")
    add_action(window, menu, "media.previous", "Previous media", lambda: window.step_media(-1), shortcut="A",
               tip="Go to the previous image or video in the media list")
    menu.addSeparator()
    play = add_action(window, menu, "media.play", "Play", pb.toggle, shortcut="Space", tip="Play or pause the video",
                      icon=icons.icon("play"))
    pb.playingChanged.connect(lambda on: (play.setText("Pause" if on else "Play"),
                                          play.setIcon(icons.icon("pause" if on else "play"))))
    add_action(window, menu, "media.step_forward", "Next frame", lambda: _step(window, 1), shortcut="Right",
               tip="One frame forward", icon=icons.icon("step-forward"))
    add_action(window, menu, "media.step_back", "Previous frame", lambda: _step(window, -1), shortcut="Left",
               tip="One frame back", icon=icons.icon("step-back"))
    add_action(window, menu, "media.jump_forward", f"{JUMP} frames forward", lambda: _step(window, JUMP),
               shortcut="Shift+Right", tip=f"Jump {JUMP} frames forward")
    add_action(window, menu, "media.jump_back", f"{JUMP} frames back", lambda: _step(window, -JUMP),
               shortcut="Shift+Left", tip=f"Jump {JUMP} frames back")
    add_action(window, menu, "media.first_frame", "First frame", lambda: _go(window, 0), shortcut="Home",
               tip="Go to the first frame", icon=icons.icon("first-frame"))
    add_action(window, menu, "media.last_frame", "Last frame", lambda: _go(window, pb.frame_count - 1),
               shortcut="End", tip="Go to the last frame", icon=icons.icon("last-frame"))
    add_action(window, menu, "media.go_to", "Go to frame…", lambda: _ask_frame(window), shortcut="Ctrl+G",
               tip="Type a frame number to go to")


def _step(window, delta: int) -> None:
    if window.current_media is not None and window.current_media.is_video:
        window.playback.pause()
        window.seek((window.playback.wanted or 0) + delta)


def _go(window, frame: int) -> None:
    if window.current_media is not None and window.current_media.is_video:
        window.playback.pause()
        window.seek(frame)


def _ask_frame(window) -> None:
    if window.current_media is None or not window.current_media.is_video:
        window.statusBar().showMessage("Go to frame works on a video", 3000)
        return
    last = max(window.playback.frame_count - 1, 0)
    n, ok = QInputDialog.getInt(window, "Go to frame", f"Frame (0 – {last}):", window.current_frame or 0, 0, last)
    if ok:
        _go(window, n)
