"""A shape being drawn (a draft) and the undo stack: Ctrl+Z and Esc take back the draft, never committed work;
and a redo after the command line added a shape puts the undone shape back under its own id."""
from __future__ import annotations

import json

import numpy as np
from PySide6.QtCore import QEvent, Qt

import main
from tests.test_gui_support import click, drag, make_window, mouse, photo_project, press_keys

CTRL_Z = (Qt.Key_Z, Qt.ControlModifier)
CTRL_SHIFT_Z = (Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)


def _here(window):
    return window.project.annotations.for_media(window.current_media.id)


def _box(window, x0=20, y0=20, x1=60, y1=60):
    window.tools.activate("box")
    drag(window.canvas, [(x0, y0), ((x0 + x1) / 2, (y0 + y1) / 2), (x1, y1)])


def _box_then_three_vertices(qtbot, tmp_path):
    """A window with a box committed and a polygon of three vertices being drawn."""
    window = make_window(qtbot, photo_project(tmp_path))
    _box(window)
    [box] = _here(window)
    window.tools.activate("polygon")
    for x, y in ((100, 100), (200, 100), (150, 180)):
        click(window.canvas, x, y)
    return window, box


def test_ctrl_z_while_drawing_a_polygon_takes_back_its_vertices_and_leaves_the_box_before_it(qtbot, tmp_path):
    window, box = _box_then_three_vertices(qtbot, tmp_path)
    polygon = window.tools.active
    assert window.action("edit.undo").text() == "Undo polygon vertex"

    press_keys(qtbot, window, *CTRL_Z)
    assert len(polygon.vertices) == 2
    assert _here(window) == [box]  # the committed box is untouched
    assert window.action("edit.redo").text() == "Redo polygon vertex"
    press_keys(qtbot, window, *CTRL_SHIFT_Z)  # the vertex comes back
    assert np.allclose([(p.x(), p.y()) for p in polygon.vertices], [(100, 100), (200, 100), (150, 180)], atol=0.6)
    assert not window.action("edit.redo").isEnabled()  # nothing more to put back, and no committed redo either

    press_keys(qtbot, window, *CTRL_Z)
    click(window.canvas, 120, 200)  # a better third vertex
    click(window.canvas, 100.5, 100.5)  # closes it
    [drawn] = [a for a in _here(window) if a.id != box.id]
    assert np.allclose(drawn.shape.points, [(100, 100), (200, 100), (120, 200)], atol=0.6)

    for x, y in ((10, 150), (60, 150)):
        click(window.canvas, x, y)
    for _ in range(2):  # the second Ctrl+Z takes the only vertex left: the draft is gone
        press_keys(qtbot, window, *CTRL_Z)
    assert polygon.vertices == [] and _tool_layer_empty(window)
    assert {a.id for a in _here(window)} == {box.id, drawn.id}
    assert window.action("edit.undo").text() == "Undo draw polygon"
    press_keys(qtbot, window, *CTRL_Z)  # no draft now: this undoes the polygon committed last
    assert _here(window) == [box]


def _tool_layer_empty(window):
    return window.canvas.tool_layer.root.childItems() == []


def test_esc_drops_a_polygon_being_drawn_and_the_next_clicks_start_a_new_one(qtbot, tmp_path):
    window, box = _box_then_three_vertices(qtbot, tmp_path)
    press_keys(qtbot, window, Qt.Key_Escape)
    assert window.tools.active.vertices == [] and _tool_layer_empty(window)
    assert window.statusBar().currentMessage() == "Polygon cancelled"
    assert _here(window) == [box]

    for x, y in ((10, 10), (50, 10), (30, 40)):
        click(window.canvas, x, y)
    click(window.canvas, 10, 10)
    [drawn] = [a for a in _here(window) if a.id != box.id]
    assert np.allclose(drawn.shape.points, [(10, 10), (50, 10), (30, 40)], atol=0.6)


def test_esc_or_ctrl_z_during_a_drag_drops_the_box_stroke_or_move_and_nothing_committed_changes(qtbot, tmp_path):
    window = make_window(qtbot, photo_project(tmp_path))
    _box(window)
    [box] = _here(window)
    canvas = window.canvas
    for keys in ((Qt.Key_Escape,), CTRL_Z):
        mouse(canvas, QEvent.MouseButtonPress, 100, 100)
        mouse(canvas, QEvent.MouseMove, 150, 150, buttons=Qt.LeftButton)
        assert window.action("edit.undo").text() == "Undo box"
        press_keys(qtbot, window, *keys)
        mouse(canvas, QEvent.MouseButtonRelease, 160, 160)
        assert _here(window) == [box], keys
        assert _tool_layer_empty(window)

    window.tools.activate("brush")
    mouse(canvas, QEvent.MouseButtonPress, 200, 100)
    mouse(canvas, QEvent.MouseMove, 250, 100, buttons=Qt.LeftButton)
    press_keys(qtbot, window, *CTRL_Z)
    mouse(canvas, QEvent.MouseButtonRelease, 260, 100)
    assert _here(window) == [box]

    window.tools.activate("select")
    mouse(canvas, QEvent.MouseButtonPress, 40, 40)
    mouse(canvas, QEvent.MouseMove, 80, 80, buttons=Qt.LeftButton)
    press_keys(qtbot, window, Qt.Key_Escape)
    mouse(canvas, QEvent.MouseButtonRelease, 90, 90)
    assert _here(window) == [box]
    assert canvas.annotation_layer.items[box.id].isVisible()
    press_keys(qtbot, window, *CTRL_Z)  # no drag now: the box itself is undone
    assert _here(window) == []


def test_redo_after_the_cli_segmented_puts_the_undone_polygon_back_under_its_own_id(qtbot, demo_dir, capsys):
    window = make_window(qtbot, demo_dir)
    assert window.current_media.name == "astronaut.png"
    window.tools.activate("polygon")
    for x, y in ((300, 300), (400, 300), (350, 380)):
        click(window.canvas, x, y)
    click(window.canvas, 300, 300)
    [polygon] = [a for a in _here(window) if a.kind == "polygon"]
    press_keys(qtbot, window, *CTRL_Z)
    assert polygon.id not in {a.id for a in _here(window)}

    assert main.main(["segment", str(demo_dir), str(window.current_media.id), "--point", "200,450", "--json"]) == 0
    segmented = json.loads(capsys.readouterr().out)["annotation_id"]
    assert segmented != polygon.id

    press_keys(qtbot, window, *CTRL_SHIFT_Z)
    assert window.last_error is None
    assert window.saved_indicator.text() == "saved ✓"
    shapes = {a.id: a for a in _here(window)}
    assert shapes[polygon.id].shape == polygon.shape and shapes[segmented].kind == "mask"
    assert window.project.audit.verify() == []
    restored = [e for e in window.project.audit.entries() if e.entity == f"annotation:{polygon.id}"]
    assert [e.action for e in restored] == ["add", "delete", "restore"]


def test_a_redo_that_cannot_be_done_says_what_happened(qtbot, tmp_path):
    window = make_window(qtbot, photo_project(tmp_path))
    _box(window)
    [box] = _here(window)
    press_keys(qtbot, window, *CTRL_Z)
    window.project.annotations.restore(box)  # another window put it back first
    press_keys(qtbot, window, *CTRL_SHIFT_Z)
    message, _details = window.last_error
    assert message == (f"Could not redo draw box: annotation {box.id} cannot be put back: an annotation with id "
                       f"{box.id} is already in the project (another window or the command line put it back?); "
                       "nothing was changed. That step is off the redo list now.")
    assert window.saved_indicator.text() != "not saved ⚠"  # nothing the user made was lost
    assert not window.action("edit.redo").isEnabled()  # it would be refused again every time
