"""A click or drag just off the image lands on it: on its last pixel for a point (SAM 2 takes points only on a
pixel, 0 <= x < width), on its border for a box. A SAM 2 click just below a video used to add a point on the
bottom edge (y == height), and every later click failed with "lies outside the 640x480 image" until Esc."""
from __future__ import annotations

from PySide6.QtCore import Qt

from tests.test_gui_support import TIMEOUT, click, close_window, drag, grabcut_sam_window, make_window, press_keys


def test_sam_clicks_just_off_the_video_stay_on_it(qtbot, demo_dir):
    window, sam = grabcut_sam_window(qtbot, demo_dir, 2)  # the demo video
    width, height = window.canvas.image_size()
    press_keys(qtbot, window, Qt.Key_Q)
    layer = window.canvas.layer("sam preview")

    click(window.canvas, width * 0.5, height + 4)  # the grey area just below the picture
    x, y = sam.points[-1]
    assert 0 <= x < width and 0 <= y < height and y > height - 1  # on the last row
    qtbot.waitUntil(lambda: sam.clicked is not None, timeout=TIMEOUT)  # a mask came back, no error
    assert layer.mask_item is not None
    click(window.canvas, width + 4, height * 0.5)  # and just right of it: the next click works as well
    assert sam.points[-1][0] < width
    qtbot.waitUntil(lambda: len(sam.clicked.prompt.points) == 2, timeout=TIMEOUT)
    assert "outside" not in window.statusBar().currentMessage()
    close_window(window)


def test_a_box_dragged_past_the_image_ends_at_its_border(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    width, height = window.canvas.image_size()
    window.action("tool.box").trigger()
    before = {a.id for a in window.annotations_here()}
    drag(window.canvas, [(width - 60, height - 50), (width + 20, height + 20), (width + 30, height + 30)])
    boxes = [a for a in window.annotations_here() if a.id not in before]
    assert len(boxes) == 1 and boxes[0].kind == "box"
    b = boxes[0].shape
    assert abs(b.x0 - (width - 60)) < 1 and abs(b.y0 - (height - 50)) < 1  # (a screen pixel is > an image pixel)
    assert width - 0.01 <= b.x1 <= width and height - 0.01 <= b.y1 <= height  # to the border, not a pixel short
    close_window(window)
