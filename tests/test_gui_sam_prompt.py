"""Building a SAM prompt in a real window, as an annotator sees it (GrabCut: no weights needed): which click mode
is on, the preview in the colour of the label it will get, a word when nothing was found or the mask takes a
while, and the keyboard back on the canvas after a label is picked with the mouse."""
from __future__ import annotations

import threading

import numpy as np
from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from engine.worker import Priority
from gui.help import ShortcutsDialog
from gui.sam.controller import BUSY, sam_controller
from storage.media.importer import import_paths
from storage.project import Project
from tests.test_gui_sam import SLOW, window_with_random_sam2
from tests.test_gui_support import TIMEOUT, click, close_window, drag, grabcut_sam_window, make_window, press_keys, wait_picture


def _ready(qtbot, window):
    sam = sam_controller(window)
    qtbot.waitUntil(lambda: sam.status.get("kind") == "grabcut", timeout=TIMEOUT)
    window.set_media(1)
    wait_picture(qtbot, window)
    press_keys(qtbot, window, Qt.Key_S)
    return sam


def _edge_colour(layer, mask) -> QColor:
    """The preview's colour on the mask's outline (drawn opaque in the label's colour)."""
    inner = mask.copy()
    inner[1:, :] &= mask[:-1, :]
    ys, xs = np.nonzero(mask & ~inner)
    return layer.mask_item.pixmap().toImage().pixelColor(int(xs[0]), int(ys[0]))


def test_the_click_mode_is_shown_and_each_new_object_starts_with_a_positive_click(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    sam = _ready(qtbot, window)
    mode = window.panel("sam").mode
    assert mode.text() == "Now: left click adds a positive point"
    click(window.canvas, 222, 125)  # the face
    press_keys(qtbot, window, Qt.Key_E)
    assert mode.text() == "Now: left click adds a negative point"
    click(window.canvas, 20, 480)  # the background
    assert sam.labels == [1, 0]
    layer = window.canvas.layer("sam preview")
    qtbot.waitUntil(lambda: sam.clicked is not None and len(sam.clicked.prompt.points) == 2 and not sam._in_flight,
                    timeout=TIMEOUT)
    before = window.project.annotations.count()
    press_keys(qtbot, window, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.project.annotations.count() == before + 1, timeout=TIMEOUT)
    # The next object starts with a positive click, as the panel says (it stayed negative, unseen).
    assert mode.text() == "Now: left click adds a positive point"
    click(window.canvas, 300, 300)
    assert sam.labels == [1]
    # A click beside the picture (to give the canvas the keys) adds nothing: it put a point on the picture's edge.
    click(window.canvas, -40, 200)
    assert sam.labels == [1] and len(sam.points) == 1
    assert window.statusBar().currentMessage().startswith("SAM 2 points go on the picture: that click was beside it")

    # The preview is drawn in the label it will be stored with, also when the label changes mid-prompt.
    qtbot.waitUntil(lambda: layer.mask_item is not None and not sam._in_flight, timeout=TIMEOUT)
    other = next(label for label in window.labels if label.id != window.current_label_id())
    window.set_current_label(other)
    colour = _edge_colour(layer, sam.clicked.result.mask)
    assert colour.rgb() == QColor(window.label_color(other.id)).rgb()

    press_keys(qtbot, window, Qt.Key_Escape)
    # E (or B) pressed and then thought better of, with nothing clicked yet: Esc drops the mode too.
    press_keys(qtbot, window, Qt.Key_E)
    press_keys(qtbot, window, Qt.Key_Escape)
    assert mode.text() == "Now: left click adds a positive point"

    # A new object that starts with a negative click: nothing is added, and the status bar says why (the window
    # stored "everything but here" as an object, which the CLI refuses: a new object needs a positive point).
    press_keys(qtbot, window, Qt.Key_E)
    before = window.project.annotations.count()
    click(window.canvas, 20, 480)
    assert not sam.prompting and sam.clicked is None
    assert window.statusBar().currentMessage().startswith("A new object starts with a positive click (Q) or a box (B)")
    press_keys(qtbot, window, Qt.Key_Return)
    assert window.project.annotations.count() == before
    press_keys(qtbot, window, Qt.Key_Q)
    click(window.canvas, 222, 125)  # the face, then where it is not: as before
    press_keys(qtbot, window, Qt.Key_E)
    click(window.canvas, 20, 480)
    assert sam.labels == [1, 0]
    qtbot.waitUntil(lambda: not sam._in_flight, timeout=TIMEOUT)
    press_keys(qtbot, window, Qt.Key_Escape)

    # The SAM tool's keys in Help → Shortcuts include Ctrl+Z for taking a click back.
    rows = ShortcutsDialog(window).rows()
    assert ("SAM 2 tool", "Backspace, Ctrl+Z", "take the last click back") in rows
    close_window(window)


def test_a_label_picked_with_the_mouse_leaves_the_keyboard_on_the_canvas(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    sam = _ready(qtbot, window)
    click(window.canvas, 222, 125)
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    labels = window.panel("labels").list
    item = labels.item(1)
    qtbot.mouseClick(labels.viewport(), Qt.LeftButton, pos=labels.visualItemRect(item).center())
    assert window.current_label_id() == item.data(Qt.UserRole)
    assert QApplication.focusWidget() is window.canvas
    before = window.project.annotations.count()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Return)  # Enter, where the keyboard now is
    qtbot.waitUntil(lambda: window.project.annotations.count() == before + 1, timeout=TIMEOUT)
    assert window.project.annotations.for_media(1)[-1].label_id == item.data(Qt.UserRole)
    close_window(window)


def test_the_click_mode_keys_work_right_after_a_thumbnail_is_clicked(qtbot, demo_dir):
    """The media list kept the keyboard after a click on a thumbnail, and took Q, E and B for its type-to-find:
    B and a drag gave a positive point, not a box (found by a tester)."""
    window = make_window(qtbot, demo_dir)
    sam = _ready(qtbot, window)
    media = window.panel("media").view
    row = media.model().index(1, 0)  # the video
    qtbot.mouseClick(media.viewport(), Qt.LeftButton, pos=media.visualRect(row).center())
    qtbot.waitUntil(lambda: window.current_media.id == 2, timeout=TIMEOUT)
    assert QApplication.focusWidget() is media
    for key, mode in ((Qt.Key_B, "box"), (Qt.Key_E, "negative"), (Qt.Key_Q, "positive"), (Qt.Key_B, "box")):
        qtbot.keyClick(media, key)
        assert sam.mode == mode
    assert window.current_media.id == 2 and media.currentIndex().row() == 1  # nothing else was picked
    wait_picture(qtbot, window)
    drag(window.canvas, [(200, 150), (300, 260), (440, 330)])
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    assert sam.box is not None and sam.points == []
    close_window(window)


def test_hide_overlays_hides_the_preview_too(qtbot, demo_dir):
    """H showed the picture under the annotations, and left the SAM preview over it (found by a tester)."""
    window = make_window(qtbot, demo_dir)
    sam = _ready(qtbot, window)
    click(window.canvas, 222, 125)
    preview, annotations = window.canvas.layer("sam preview"), window.canvas.annotation_layer
    qtbot.waitUntil(lambda: preview.mask_item is not None and not sam._in_flight, timeout=TIMEOUT)
    gaze, heat_map = window.canvas.layer("gaze point"), window.canvas.layer("fixation map")
    assert gaze.visible and not heat_map.visible  # (the heat map is off until asked for)
    press_keys(qtbot, window, Qt.Key_H)
    assert not preview.visible and not annotations.visible and not gaze.visible  # the gaze stayed too
    press_keys(qtbot, window, Qt.Key_H)
    assert preview.visible and annotations.visible and preview.mask_item is not None  # the prompt is still there
    assert gaze.visible and not heat_map.visible  # each overlay as it was: H does not turn the heat map on
    close_window(window)


def test_a_blob_from_a_click_on_a_shaded_object_says_that_a_box_helps(qtbot, demo_dir):
    """A click on the astronaut's suit (orange in many shades) gave GrabCut a blob of a few hundred pixels, and
    nothing said what would do better (found by a tester); a box around the suit gives the suit."""
    window = make_window(qtbot, demo_dir)
    sam = _ready(qtbot, window)
    click(window.canvas, 166, 287)
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    assert 0 < sam.clicked.result.mask.sum() < 1000
    assert window.statusBar().currentMessage().startswith("GrabCut found only ")
    assert window.statusBar().currentMessage().endswith(" pixels around the click: for a larger object of many "
                                                         "shades, draw a box around it (B)")
    press_keys(qtbot, window, Qt.Key_Escape)
    press_keys(qtbot, window, Qt.Key_B)
    drag(window.canvas, [(20, 210), (200, 400), (360, 505)])
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    assert sam.clicked.result.mask.sum() > 30_000 and not window.statusBar().currentMessage().startswith("GrabCut")
    close_window(window)


def test_the_status_bar_says_when_nothing_was_found_and_while_a_mask_is_being_computed(qtbot, tmp_path):
    Image.fromarray(np.full((240, 320, 3), 120, np.uint8)).save(tmp_path / "grey.png")
    with Project.create(tmp_path / "proj") as project:
        import_paths(project, [tmp_path / "grey.png"])
    window = make_window(qtbot, tmp_path / "proj")
    sam = _ready(qtbot, window)
    bar = window.statusBar()
    press_keys(qtbot, window, Qt.Key_B)
    drag(window.canvas, [(50, 50), (100, 100), (150, 150)])  # a box over nothing but grey
    qtbot.waitUntil(lambda: sam.clicked is not None, timeout=TIMEOUT)
    assert not sam.clicked.result.mask.any()
    assert bar.currentMessage().startswith("GrabCut found no object at this prompt")
    press_keys(qtbot, window, Qt.Key_Escape)

    # A mask that takes a while (here the engine is busy with something else first) is said to be coming.
    release = threading.Event()
    window.engine.submit(lambda ctx: release.wait(TIMEOUT / 1000), "something first", Priority.INTERACTIVE,
                         show=False)
    click(window.canvas, 100, 100)
    qtbot.waitUntil(lambda: bar.currentMessage() == BUSY, timeout=TIMEOUT)
    release.set()
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    assert bar.currentMessage() != BUSY
    close_window(window)


def test_the_frames_chosen_to_propagate_over_stay_with_their_video(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    panel = window.panel("sam")
    window.set_media(2, 0)
    wait_picture(qtbot, window, 0)
    panel.first.setValue(60)
    panel.last.setValue(70)
    window.set_media(1)  # a look at the photo (during a propagation, say) and back
    wait_picture(qtbot, window)
    window.set_media(2)
    qtbot.waitUntil(lambda: window.current_media.id == 2, timeout=TIMEOUT)
    assert (panel.first.value(), panel.last.value()) == (60, 70)  # it showed 0..149 again
    close_window(window)


def test_an_object_not_yet_accepted_is_dropped_with_a_word_when_the_frame_changes(qtbot, demo_dir):
    """It went without a word, and the Enter that followed on the new frame did nothing."""
    window, sam = grabcut_sam_window(qtbot, demo_dir, 2, 0)
    click(window.canvas, 320, 230)
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    window.seek(1)
    wait_picture(qtbot, window, 1)
    assert sam.clicked is None and not sam.prompting
    assert window.statusBar().currentMessage().startswith("The SAM 2 object not yet accepted was dropped: a prompt "
                                                          "belongs to its frame and tool")
    click(window.canvas, 320, 230)  # and to another media
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    window.set_media(1)
    wait_picture(qtbot, window)
    assert window.statusBar().currentMessage().startswith("The SAM 2 object not yet accepted was dropped")
    window.statusBar().clearMessage()
    click(window.canvas, 222, 125)  # and to another tool: the box tool's hint does not hide it
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    press_keys(qtbot, window, Qt.Key_R)
    assert window.tools.active.name == "Box" and not sam.prompting
    assert window.statusBar().currentMessage().startswith("The SAM 2 object not yet accepted was dropped")
    press_keys(qtbot, window, Qt.Key_S)  # with nothing dropped, the tool's hint as before
    assert window.statusBar().currentMessage().startswith("SAM")
    close_window(window)


def test_ctrl_z_takes_back_the_last_step_a_box_included_and_ctrl_shift_z_puts_it_back(qtbot, demo_dir):
    """A box drawn after two clicks: Ctrl+Z took the negative click back and left the box, and Ctrl+Shift+Z put
    nothing back."""
    window = make_window(qtbot, demo_dir)
    sam = _ready(qtbot, window)
    click(window.canvas, 222, 125)
    press_keys(qtbot, window, Qt.Key_E)
    click(window.canvas, 20, 480)
    press_keys(qtbot, window, Qt.Key_B)
    drag(window.canvas, [(150, 60), (250, 150), (300, 220)])
    assert sam.box is not None and len(sam.points) == 2
    assert window.action("edit.undo").text() == "Undo SAM 2 box"
    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert sam.box is None and sam.labels == [1, 0]
    press_keys(qtbot, window, Qt.Key_Z, Qt.ShiftModifier | Qt.ControlModifier)
    assert sam.box is not None and sam.labels == [1, 0]
    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert sam.box is None and sam.labels == [1]
    press_keys(qtbot, window, Qt.Key_Escape)
    close_window(window)


def test_from_this_frame_within_a_range_given_backwards_and_the_keys_back_on_the_canvas(qtbot, demo_dir, tmp_path):
    """Frames 30 to 25 propagate 25..30 with Propagate; "From this frame" on 27 said 27 was outside "30–25". And
    with an object not accepted yet, the panel's buttons say to accept it first: Enter and Esc then reach it."""
    window, sam = window_with_random_sam2(qtbot, demo_dir, tmp_path, frame=27)
    panel = window.panel("sam")
    panel.first.setValue(30)
    panel.last.setValue(25)
    assert panel._range() == (25, 30)
    press_keys(qtbot, window, Qt.Key_S)
    click(window.canvas, 320, 200)
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=SLOW)
    press_keys(qtbot, window, Qt.Key_Return)  # an object to propagate
    qtbot.waitUntil(lambda: panel.from_here.isEnabled(), timeout=TIMEOUT)
    click(window.canvas, 200, 100)  # the next one, not accepted yet
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=SLOW)
    qtbot.mouseClick(panel.from_here, Qt.LeftButton)
    assert window.statusBar().currentMessage() == "Accept (Enter) or discard (Esc) the object being prompted first"
    assert QApplication.focusWidget() is window.canvas
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key_Escape)
    assert not sam.prompting
    close_window(window)


def test_a_click_made_after_esc_while_the_dropped_prompts_mask_was_coming_gets_its_mask(qtbot, demo_dir):
    """Esc while the first click's mask was being computed, then a click: its mask never came, and Enter said
    "still being computed" for good (found by a tester); and the blob hint of a dropped prompt stayed."""
    window = make_window(qtbot, demo_dir)
    sam = _ready(qtbot, window)
    release = threading.Event()  # the engine busy, as with a first embedding: the click's mask takes a while
    window.engine.submit(lambda ctx: release.wait(TIMEOUT / 1000), "an embedding", Priority.INTERACTIVE, show=False)
    click(window.canvas, 100, 100)
    press_keys(qtbot, window, Qt.Key_Escape)
    click(window.canvas, 222, 125)
    release.set()
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    [(x, y)] = sam.clicked.prompt.points  # the second click's
    assert abs(x - 222) < 1 and abs(y - 125) < 1 and sam.clicked.result.mask.any()
    press_keys(qtbot, window, Qt.Key_Escape)

    click(window.canvas, 166, 287)  # the suit: a blob, and the hint about a box
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    assert window.statusBar().currentMessage().startswith("GrabCut found only ")
    press_keys(qtbot, window, Qt.Key_Escape)
    assert window.statusBar().currentMessage() == ""
    close_window(window)


def test_an_object_dropped_before_its_first_mask_came_leaves_the_video(qtbot, demo_dir, tmp_path):
    """Esc before a video click's mask came left its object in SAM 2's session: every later propagation tracked
    it and called a track that never existed "deleted during the propagation (by another program)" (found by a
    tester)."""
    window, sam = window_with_random_sam2(qtbot, demo_dir, tmp_path)
    press_keys(qtbot, window, Qt.Key_S)
    release = threading.Event()
    window.engine.submit(lambda ctx: release.wait(TIMEOUT / 1000), "an embedding", Priority.INTERACTIVE, show=False)
    click(window.canvas, 320, 200)
    press_keys(qtbot, window, Qt.Key_Escape)
    release.set()
    qtbot.waitUntil(lambda: not sam._in_flight and not window.engine.busy(), timeout=SLOW)
    session = sam.seg._sessions[window.current_media.id]
    assert session.state["obj_id_to_idx"] == {} and session.prompts == {}
    close_window(window)
