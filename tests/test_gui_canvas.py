"""The canvas: zoom, pan, fit, mask overlays in the label colour, and the overlay-layer API others build on."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QGraphicsEllipseItem

from annotation.commands import Add
from annotation.shapes import Mask
from gui.canvas.layers import CanvasLayer
from tests.test_gui_support import drag, make_window, photo_project, press_keys, wait_picture


def _wheel(canvas, steps: int, at: QPointF):
    event = QWheelEvent(at, QPointF(canvas.viewport().mapToGlobal(at.toPoint())), QPoint(0, 0), QPoint(0, 120 * steps),
                        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(canvas.viewport(), event)


def test_wheel_zooms_around_the_cursor_middle_drag_pans_and_f_fits(qtbot, tmp_path):
    window = make_window(qtbot, photo_project(tmp_path))
    canvas = window.canvas
    fitted = canvas.zoom
    under = QPointF(canvas.mapFromScene(QPointF(100, 80)))
    _wheel(canvas, 2, under)
    assert abs(canvas.zoom - fitted * 1.25 ** 2) < 1e-6
    after = canvas.to_scene(under)
    assert abs(after.x() - 100) < 1 and abs(after.y() - 80) < 1  # the pixel under the cursor stays there
    before = canvas.to_scene(QPointF(10, 10))
    drag(canvas, [(100, 80), (90, 70), (80, 60)], button=Qt.MiddleButton)
    moved = canvas.to_scene(QPointF(10, 10))
    assert moved.x() > before.x() + 5 and moved.y() > before.y() + 5  # the picture followed the hand
    press_keys(qtbot, window, Qt.Key_F)
    assert abs(canvas.zoom - fitted) < 1e-6 and canvas.fit_mode
    press_keys(qtbot, window, Qt.Key_Minus)
    assert canvas.zoom < fitted


def test_a_mask_is_drawn_in_its_label_colour_at_the_overlay_opacity(qtbot, tmp_path):
    window = make_window(qtbot, photo_project(tmp_path))
    m = np.zeros((240, 320), bool)
    m[50:100, 60:160] = True
    eye = window.project.labels.by_name("eye")
    window.push(Add(window.make_annotation(Mask.from_array(m)).with_(label_id=eye.id)))
    [item] = window.canvas.annotation_layer.items.values()
    image = item.pixmap().toImage().convertToFormat(QImage.Format_ARGB32)
    inside, outside, edge = image.pixelColor(100, 75), image.pixelColor(10, 10), image.pixelColor(60, 75)
    assert np.allclose((inside.red(), inside.green(), inside.blue()), (0x43, 0x63, 0xd8), atol=2)  # #4363d8
    assert abs(inside.alphaF() - window.overlay_opacity) < 0.01 and outside.alpha() == 0 and edge.alpha() == 255
    window.set_overlay_opacity(0.9)
    [item] = window.canvas.annotation_layer.items.values()
    assert abs(item.pixmap().toImage().pixelColor(100, 75).alphaF() - 0.9) < 0.01
    press_keys(qtbot, window, Qt.Key_H)  # hide overlays
    assert not window.canvas.annotation_layer.visible


class _Marker(CanvasLayer):
    """A layer like a gaze overlay: one dot per frame, where the frame number says."""
    name = "marker"
    z = 200

    def __init__(self):
        super().__init__()
        self.seen = []

    def media_changed(self, media):
        self.clear()
        self.seen.append(("media", media.name if media else None))

    def frame_changed(self, frame):
        self.clear()
        self.seen.append(("frame", frame))
        self.add_item(QGraphicsEllipseItem(frame, frame, 4, 4))


def test_an_overlay_layer_is_told_the_media_and_frame_and_follows_visibility_and_opacity(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    layer = window.canvas.add_layer(_Marker())
    assert layer.seen == [("media", "astronaut.png"), ("frame", None)]  # told what is on screen when added
    video = window.project.media.all()[1]
    window.set_media(video)
    qtbot.waitUntil(lambda: window.playback.ready, timeout=15_000)
    window.seek(12)
    wait_picture(qtbot, window, 12)
    assert ("media", "astronaut_head.mp4") in layer.seen and layer.seen[-1] == ("frame", 12)
    [dot] = layer.root.childItems()
    assert dot.rect().x() == 12 and layer.root.zValue() == 200
    assert window.canvas.items(window.canvas.mapFromScene(QPointF(14, 14)))  # drawn where the frame said
    window.set_overlay_opacity(0.5)
    layer.set_opacity(0.5)
    assert abs(layer.root.opacity() - 0.25) < 1e-6
    layer.set_visible(False)
    assert not dot.isVisible()
    window.canvas.remove_layer(layer)
    assert layer.root.scene() is None
