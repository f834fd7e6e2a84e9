"""The window's shell: shortcuts help, workspaces, settings kept between runs, start-up, errors."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from engine.worker import Priority
from gui.actions import add_action
from gui.app import start_target
from gui.settings import Settings
from gui.tools import RESERVED_KEYS
from storage.locations import default_demo_dir, settings_file
from tests.test_gui_support import close_window, make_window, photo_project, press_keys


def test_the_shortcuts_dialog_lists_every_menu_action_and_the_keys_inside_tools(qtbot, tmp_path):
    window = make_window(qtbot, photo_project(tmp_path))
    extra = add_action(window, window.menu("models", "&Models"), "models.check", "Check weights", lambda: None,
                       shortcut="Ctrl+Alt+W", tip="Added by another panel later")
    press_keys(qtbot, window, Qt.Key_F1)
    rows = window.shortcuts_dialog.rows()
    keys = {name: key for name, key, _ in rows}
    assert keys["Undo"] == "Ctrl+Z" and keys["Redo"] == "Ctrl+Shift+Z, Ctrl+Y"
    assert keys["Next media"] == "D" and keys["Previous media"] == "A"
    assert keys["Play"] == "Space" and keys["Next frame"] == "Right" and keys["Previous frame"] == "Left"
    assert keys["Delete"] == "Del" and keys["Box"] == "R" and keys["Check weights"] == "Ctrl+Alt+W"
    assert ("Polygon tool", "Backspace", "remove the last vertex") in rows
    for name, key in (("Undo", "Ctrl+Z"), ("Next media", "D"), ("Box", "R")):
        action = next(a for a in window.actions() if a.text() == name)
        assert f"({key})" in action.toolTip()
    assert "(Ctrl+Alt+W)" in extra.toolTip()


def test_no_menu_action_takes_the_keys_kept_for_the_sam_tool(qtbot):
    window = make_window(qtbot)
    reserved = {QKeySequence(k).toString() for k in RESERVED_KEYS} | {"Return", "Enter", "Esc"}
    bound = {s.toString() for a in window.findChildren(type(window.action("edit.undo"))) for s in a.shortcuts()}
    assert not reserved & bound
    assert all(t.shortcut not in ("Q", "E", "B") for t in window.tools.tools.values())


def test_workspaces_show_their_panels_and_remember_each_layout(qtbot, tmp_path):
    window = make_window(qtbot, photo_project(tmp_path))
    docks, tools_bar = window.docks, window.toolbars["toolbar:tools"]
    assert docks["labels"].isVisible() and docks["objects"].isVisible() and tools_bar.isVisible()
    docks["objects"].close()  # the user closes a panel in Annotate
    press_keys(qtbot, window, Qt.Key_3, Qt.ControlModifier)  # Audit
    assert window.layouts.current == "audit"
    assert not docks["labels"].isVisible() and docks["objects"].isVisible() and not tools_bar.isVisible()
    assert docks["media"].isVisible() and docks["timeline"].isVisible()
    press_keys(qtbot, window, Qt.Key_1, Qt.ControlModifier)  # back to Annotate: as the user left it
    assert docks["labels"].isVisible() and not docks["objects"].isVisible()
    window.action("workspace.emotion").trigger()
    close_window(window)

    again = make_window(qtbot)
    assert again.layouts.current == "emotion" and again.action("workspace.emotion").isChecked()
    again.action("workspace.annotate").trigger()
    assert not again.docks["objects"].isVisible()
    again.action("workspace.reset").trigger()
    assert again.docks["objects"].isVisible()


def test_tool_label_opacity_and_recent_projects_are_kept_between_runs(qtbot, tmp_path):
    root = photo_project(tmp_path)
    window = make_window(qtbot, root)
    window.tools.activate("polygon")
    window.set_overlay_opacity(0.7)
    drawn_with = window.labels[2]
    window.panel("labels").pick(drawn_with)
    close_window(window)
    assert settings_file().is_file()

    again = make_window(qtbot, root)
    assert again.tools.active.key == "polygon"
    assert again.current_label_id() == drawn_with.id  # the label too (it went back to the first one)
    assert abs(again.overlay_opacity - 0.7) < 1e-6
    assert Settings().recent_projects() == [str(root.resolve())]
    assert start_target(Settings(), None) == root.resolve()
    assert start_target(Settings(), tmp_path / "asked") == tmp_path / "asked"
    other = photo_project(tmp_path / "other")  # another project: its own first label, not one of that id
    again.open_project(other)
    qtbot.waitUntil(lambda: again.project.root == other.resolve(), timeout=10_000)
    assert again.current_label_id() == again.labels[0].id


def test_with_no_project_the_demo_is_built_in_the_background_and_opened(qtbot):
    assert start_target(Settings(), None) is None  # nothing opened yet: the demo
    window = make_window(qtbot)
    window.open_demo()
    assert window.job_status.isVisibleTo(window) and "demo" in window.job_status.label.text()
    assert window.canvas.message.startswith("Building the demo project")
    qtbot.waitUntil(lambda: window.project is not None, timeout=60_000)
    assert window.project.root == default_demo_dir().resolve()
    assert sorted(m.name for m in window.project.media.all()) == ["astronaut.png", "astronaut_head.mp4"]
    qtbot.waitUntil(lambda: window.canvas.image is not None, timeout=15_000)
    assert len(window.canvas.annotation_layer.items) == 1  # the demo photo's face box
    assert not window.job_status.isVisibleTo(window)


def test_a_folder_that_is_not_a_project_gives_a_short_message_with_details(qtbot, tmp_path):
    window = make_window(qtbot)
    (tmp_path / "plain").mkdir()
    window.open_project(tmp_path / "plain")
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=15_000)
    message, details = window.last_error
    assert "not a FaceLens project" in message and "Traceback" in details
    box = next(w for w in window.findChildren(QMessageBox) if w.isVisible())
    assert box.text() == message and box.detailedText() == details
    assert window.project is None and "No project is open" in window.canvas.message
    assert window.isEnabled()


def test_errors_in_a_row_gather_in_one_box_until_it_is_closed(qtbot, tmp_path):
    window = make_window(qtbot)
    for name in ("a.pt", "b.pt", "b.pt"):
        window.report_error(f"{name} is not a SAM 2 checkpoint", f"details of {name}")

    def open_boxes():
        return [w for w in window.findChildren(QMessageBox) if w.isVisible()]

    assert len(open_boxes()) == 1
    box = open_boxes()[0]
    assert box.text().startswith("3 errors, the latest first:")
    assert box.text().index("b.pt is not a SAM 2 checkpoint (×2)") < box.text().index("a.pt is not")
    assert "details of a.pt" in box.detailedText() and "details of b.pt" in box.detailedText()
    box.close()
    qtbot.waitUntil(lambda: not open_boxes(), timeout=5_000)
    window.report_error("c.pt is not a SAM 2 checkpoint", "")
    qtbot.waitUntil(lambda: len(open_boxes()) == 1, timeout=5_000)
    assert open_boxes()[0].text() == "c.pt is not a SAM 2 checkpoint"  # a fresh box, the closed ones' gone


def test_export_menu_lists_every_format_and_coco_export_and_verify_run_as_jobs(qtbot, demo_dir, tmp_path):
    import json

    from pycocotools.coco import COCO

    from gui.project_actions import export_to, verify
    from storage.export import EXPORTERS

    window = make_window(qtbot, demo_dir)
    listed = {a.objectName().removeprefix("action:file.export.") for a in window.menus["export"].actions()}
    assert listed == set(EXPORTERS)
    out = tmp_path / "demo.json"
    export_to(window, "coco", out)
    qtbot.waitUntil(lambda: getattr(window, "last_export", None) is not None, timeout=15_000)
    coco = COCO(str(out))
    assert len(coco.getAnnIds()) == 1 and json.loads(out.read_text())["images"][0]["file_name"].endswith(".png")
    assert window.statusBar().currentMessage().startswith(f"Wrote {out}")

    verify(window)
    qtbot.waitUntil(lambda: getattr(window, "verify_box", None) is not None, timeout=15_000)
    assert "holds" in window.verify_box.text()
    with open(demo_dir / "media" / "astronaut.png", "ab") as f:
        f.write(b"changed behind the project's back")
    window.verify_box = None
    verify(window)
    qtbot.waitUntil(lambda: window.verify_box is not None, timeout=15_000)
    assert "1 problem" in window.verify_box.text() and "astronaut.png" in window.verify_box.detailedText()


def test_the_status_bar_shows_a_running_job_and_its_cancel_button_stops_it(qtbot):
    import time

    window = make_window(qtbot)
    results = []

    def count(ctx):
        for i in range(2000):
            ctx.progress(i, 2000, f"item {i}")
            time.sleep(0.005)
            yield

    def export(ctx):  # a job that does not yield: what is queued behind it waits
        for i in range(2000):
            ctx.check()
            ctx.progress(i, 2000, f"clip {i}")
            time.sleep(0.005)

    window.engine.submit(count, "Counting", on_done=results.append)
    qtbot.waitUntil(lambda: window.job_status.bar.value() > 0, timeout=15_000)
    assert window.job_status.isVisibleTo(window) and window.job_status.label.text().startswith("Counting — item")
    qtbot.mouseClick(window.job_status.cancel, Qt.LeftButton)
    said = window.job_status.label.text()
    assert said.startswith("Counting — item") and said.endswith("— cancelling…")
    qtbot.waitUntil(lambda: bool(results), timeout=15_000)
    assert results[0].cancelled and not window.job_status.isVisibleTo(window)

    # A job queued behind the one running is not shown as running, and Cancel stops the one named (it showed the
    # newest, "Opening p2 (+1 queued)", over a running export, and its Cancel cancelled the open).
    window.engine.submit(export, "Exporting", Priority.NORMAL, on_done=results.append)
    qtbot.waitUntil(lambda: "clip" in window.job_status.label.text(), timeout=15_000)
    window.engine.submit(lambda ctx: "opened", "Opening p2", Priority.INTERACTIVE, on_done=results.append)
    qtbot.wait(100)
    assert window.job_status.label.text().startswith("Exporting — clip")
    assert window.job_status.label.text().endswith("(+1 waiting)")
    qtbot.mouseClick(window.job_status.cancel, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(results) == 3, timeout=15_000)
    assert results[1].name == "Exporting" and results[1].cancelled and results[2].value == "opened"


def test_a_long_job_line_is_cut_in_the_middle_and_a_long_message_can_be_read_whole(qtbot):
    import threading

    from gui.job_status import LABEL_WIDTH

    window = make_window(qtbot)
    go_on = threading.Event()
    name = "propagate a_very_long_video_name_from_the_field_recorder_2026-11-28_session_04_camera_B.mp4"

    def track(ctx):
        ctx.progress(1, 10, "frame 1234, on the way to the range from the prompt")
        go_on.wait(15)

    label = window.job_status.label
    window.engine.submit(track, name)
    qtbot.waitUntil(lambda: "frame 1234" in label.toolTip(), timeout=15_000)
    window.engine.submit(lambda ctx: None, "Importing 3 files")
    qtbot.waitUntil(lambda: "waiting" in label.text(), timeout=15_000)
    whole = f"{name} — frame 1234, on the way to the range from the prompt  (+1 waiting)"
    assert label.toolTip() == whole
    assert label.text().startswith("propagate a_very") and label.text().endswith("(+1 waiting)") and "…" in label.text()
    assert label.fontMetrics().horizontalAdvance(label.text()) <= LABEL_WIDTH
    message = "Propagated 120 frames of clip.mp4: 2 older masks removed where the object is no longer found, 1 kept"
    window.statusBar().showMessage(message)
    assert window.statusBar().toolTip() == message
    go_on.set()


def test_a_tool_gets_its_own_keys_once_chosen(qtbot, tmp_path):
    from gui.tools import TOOLS, Tool, register_tool

    pressed = []

    class Probe(Tool):
        key, name, shortcut = "probe", "Probe", "Ctrl+Alt+P"

        def key_press(self, event):
            pressed.append(event.key())
            return True

    register_tool(Probe)
    try:
        window = make_window(qtbot, photo_project(tmp_path))
        assert "probe" in window.tools.tools  # a registered tool joins the menu, the toolbar and the dialog
        window.activateWindow()
        window.panel("media").filter_box.setFocus()
        window.action("tool.probe").trigger()
        assert window.canvas.hasFocus()
        for key in (Qt.Key_Q, Qt.Key_E, Qt.Key_B, Qt.Key_Return, Qt.Key_Escape):
            qtbot.keyClick(window.canvas, key)
        assert pressed == [Qt.Key_Q, Qt.Key_E, Qt.Key_B, Qt.Key_Return, Qt.Key_Escape]
    finally:
        TOOLS.pop("probe", None)


def test_a_panel_registered_later_joins_saved_layouts_in_its_own_workspaces(qtbot):
    from PySide6.QtWidgets import QLabel

    from gui.panels import PANELS, PanelSpec, register_panel

    first = make_window(qtbot)
    first.docks["media"].close()  # a saved layout the new panel was not part of
    close_window(first)
    register_panel(PanelSpec("test.review", "Review queue", lambda w: QLabel("queue"), ("audit",),
                             Qt.RightDockWidgetArea))
    try:
        window = make_window(qtbot)
        assert not window.docks["media"].isVisible()  # the saved layout holds
        assert not window.docks["test.review"].isVisible()  # not an Annotate panel
        window.action("workspace.audit").trigger()
        assert window.docks["test.review"].isVisible() and window.panel("test.review").text() == "queue"
        assert window.dockWidgetArea(window.docks["test.review"]) == Qt.RightDockWidgetArea
    finally:
        PANELS.pop("test.review", None)
