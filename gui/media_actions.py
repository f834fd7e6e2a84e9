"""The Media menu: moving between media (D / A, as in CVAT and X-AnyLabeling) and through a video's frames."""
from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from engine.worker import Priority
from gui.actions import add_action, set_themed_icon
from storage.media.proxy import build_proxy_steps, proxy_for

JUMP = 10  # frames for Shift+Left / Shift+Right


def install_media_actions(window, menu) -> None:
    pb = window.playback
    add_action(window, menu, "media.next", "Next media", lambda: window.step_media(1), shortcut="D",
               tip="Go to the next image or video in the media list")
    add_action(window, menu, "media.previous", "Previous media", lambda: window.step_media(-1), shortcut="A",
               tip="Go to the previous image or video in the media list")
    menu.addSeparator()
    play = add_action(window, menu, "media.play", "Play", pb.toggle, shortcut="Space", tip="Play or pause the video",
                      icon="play")
    pb.playingChanged.connect(lambda on: (play.setText("Pause" if on else "Play"),
                                          set_themed_icon(play, "pause" if on else "play")))
    add_action(window, menu, "media.step_forward", "Next frame", lambda: _step(window, 1), shortcut="Right",
               tip="One frame forward", icon="step-forward")
    add_action(window, menu, "media.step_back", "Previous frame", lambda: _step(window, -1), shortcut="Left",
               tip="One frame back", icon="step-back")
    add_action(window, menu, "media.jump_forward", f"{JUMP} frames forward", lambda: _step(window, JUMP),
               shortcut="Shift+Right", tip=f"Jump {JUMP} frames forward")
    add_action(window, menu, "media.jump_back", f"{JUMP} frames back", lambda: _step(window, -JUMP),
               shortcut="Shift+Left", tip=f"Jump {JUMP} frames back")
    add_action(window, menu, "media.first_frame", "First frame", lambda: _go(window, 0), shortcut="Home",
               tip="Go to the first frame", icon="first-frame")
    add_action(window, menu, "media.last_frame", "Last frame", lambda: _go(window, pb.frame_count - 1),
               shortcut="End", tip="Go to the last frame", icon="last-frame")
    add_action(window, menu, "media.go_to", "Go to frame…", lambda: _ask_frame(window), shortcut="Ctrl+G",
               tip="Type a frame number to go to")
    menu.addSeparator()
    add_action(window, menu, "media.build_proxy", "Build fast-seek proxy", lambda: build_proxy(window),
               tip="Encode a short-GOP copy of this video in cache/ so jumps and scrubbing are quick")


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


def build_proxy(window) -> None:
    item = window.current_media
    if item is None or not item.is_video or window.project is None:
        window.statusBar().showMessage("Pick a video first: a proxy is a fast-seek copy of a video", 4000)
        return
    if proxy_for(window.project, item) is not None:
        window.statusBar().showMessage(f"{item.name} already has a fast-seek proxy", 4000)
        return
    project = window.project
    window.engine.submit(lambda ctx: build_proxy_steps(project, item, progress=ctx.progress,
                                                       cancelled=lambda: ctx.cancelled),
                         f"Fast-seek proxy of {item.name}", Priority.BATCH,
                         on_done=lambda r: _proxy_built(window, item, r))


def _proxy_built(window, item, result) -> None:
    if not result.ok or result.value is None:
        return
    window.statusBar().showMessage(f"Fast-seek proxy of {item.name} ready: jumps now read it", 8000)
    if window.current_media is not None and window.current_media.id == item.id:
        window.reopen_media()
