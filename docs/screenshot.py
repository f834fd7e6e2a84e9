"""Make docs/screenshot.png: the window on a fresh demo project, annotated with the real tools.

    python docs/screenshot.py [OUT.png]

It runs offscreen (no display needed) with its own FaceLens home, so it never touches a user's settings or
demo project. The annotations are drawn with mouse events through the same tools a user has: a face box on
several frames of the video (the timeline shows their markers), eye points, a hair mask painted with the
brush and a mouth polygon, then the face box is selected.
"""
from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WIDTH, HEIGHT = 1440, 900


def _offscreen(tmp: Path) -> None:
    """A virtual screen big enough for the window (the offscreen platform's default is 800 x 600)."""
    if os.environ.get("QT_QPA_PLATFORM"):
        return
    config = tmp / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "shot", "x": 0, "y": 0, "width": 1920, "height": 1200,
                                               "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def main(out: Path) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="facelens-shot-"))
    _offscreen(tmp)
    os.environ["FACELENS_HOME"] = str(tmp / "home")
    os.environ.setdefault("FACELENS_USER", "demo")
    sys.path.insert(0, str(ROOT))
    from PySide6.QtCore import QEvent, QPointF, Qt
    from PySide6.QtGui import QMouseEvent
    from PySide6.QtWidgets import QApplication

    from gui.app import make_application
    from gui.main_window import MainWindow
    from storage.demo import build_demo

    build_demo(tmp / "demo").close()
    app = make_application()
    window = MainWindow()
    window.resize(WIDTH, HEIGHT)
    window.show()

    def wait(condition, seconds=30.0):
        end = time.time() + seconds
        while not condition():
            if time.time() > end:
                raise RuntimeError("the window did not get there in time")
            app.processEvents()
            time.sleep(0.01)

    def settle(seconds=0.3):
        end = time.time() + seconds
        while time.time() < end:
            app.processEvents()
            time.sleep(0.01)

    def send(kind, x, y, button=Qt.LeftButton):
        pos = QPointF(window.canvas.mapFromScene(QPointF(x, y)))
        buttons = Qt.NoButton if kind == QEvent.MouseButtonRelease else button
        QApplication.sendEvent(window.canvas.viewport(),
                               QMouseEvent(kind, pos, pos, button if kind != QEvent.MouseMove else Qt.NoButton,
                                           buttons, Qt.NoModifier))

    def drag(points):
        send(QEvent.MouseButtonPress, *points[0])
        for p in points[1:]:
            send(QEvent.MouseMove, *p)
        send(QEvent.MouseButtonRelease, *points[-1])

    def click(x, y):
        send(QEvent.MouseButtonPress, x, y)
        send(QEvent.MouseButtonRelease, x, y)

    def label(name):
        window.panel("labels").pick(window.project.labels.by_name(name))

    def show_frame(n):
        window.seek(n)
        wait(lambda: window.canvas.shown_frame == n)

    window.open_project(tmp / "demo")
    wait(lambda: window.project is not None and window.canvas.image is not None)
    video = next(m for m in window.project.media.all() if m.is_video)
    window.set_media(video)
    wait(lambda: window.playback.ready and window.canvas.shown_frame is not None)

    # The head sways a few pixels; one face box every 10 frames is close enough for a picture.
    label("face")
    window.tools.activate("box")
    for n in range(0, 150, 10):
        show_frame(n)
        drag([(236, 140), (330, 250), (420, 356)])
    show_frame(40)
    label("eye")
    window.tools.activate("point")
    click(283, 204)
    click(368, 210)
    label("hair")
    window.tools.activate("brush")
    window.tools.set_brush_size(30)
    for stroke in (((290, 82), (370, 82)), ((250, 100), (330, 88), (410, 100)), ((225, 125), (330, 112), (440, 128)),
                   ((212, 195), (215, 150), (240, 135)), ((450, 195), (448, 150), (425, 135))):
        drag(list(stroke))
    label("mouth")
    window.tools.activate("polygon")
    for p in ((292, 288), (328, 296), (366, 288), (356, 312), (328, 322), (300, 312)):
        click(*p)
    click(292, 288)
    label("face")
    window.tools.activate("select")
    click(250, 330)
    settle(1.0)
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    print(f"wrote {out} ({window.width()} x {window.height()})")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshot.png"))
