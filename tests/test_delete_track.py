"""Deleting a track with its annotations on every frame: from the Objects and tracks panel (Del or the context
menu, after a confirmation that says what goes; Ctrl+Z brings back the same ids), and with
``facelens tracks delete``. There was no way to: Del did nothing, and the track's masks stayed on other frames."""
from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu

from annotation.model import ROLE_PROMPT, Annotation, Track
from annotation.shapes import Box, Points
from storage.project import Project
from tests.inprocess_cli import main_json, run_main
from tests.test_gui_support import TIMEOUT, answer_message_box, close_window, make_window, press_keys, wait_picture


def _tracks(demo_dir):
    """Track "mouth" with a prompt on frame 0 and masks on frames 0, 1, 2 and 5; track "eye" on frame 0."""
    with Project.open(demo_dir) as p:
        video = next(m for m in p.media.all() if m.is_video)
        label = p.labels.all()[0].id
        mouth = p.tracks.add(Track(media_id=video.id, label_id=label, name="mouth"))
        eye = p.tracks.add(Track(media_id=video.id, label_id=label, name="eye"))
        a = [Annotation(media_id=video.id, frame=0, track_id=mouth.id, label_id=label, shape=Points(((50, 60),)),
                        attributes={"role": ROLE_PROMPT})]
        a += [Annotation(media_id=video.id, frame=f, track_id=mouth.id, label_id=label, shape=Box(40, 50, 90, 80),
                         source="sam2") for f in (0, 1, 2, 5)]
        a += [Annotation(media_id=video.id, frame=0, track_id=eye.id, label_id=label, shape=Box(10, 10, 30, 20))]
        p.annotations.add_many(a)
        return video.id, mouth.id, eye.id, sorted(x.id for x in p.annotations.for_track(mouth.id))


def _track_row(panel, track_id):
    rows = [panel.tree.topLevelItem(i).child(j) for i in range(panel.tree.topLevelItemCount())
            for j in range(panel.tree.topLevelItem(i).childCount())]
    return next((r for r in rows if r.text(1) == "track" and r.text(0).split(" · ")[0] == f"track {track_id}"), None)


def _objects_on(qtbot, demo_dir, video: int, frame: int):
    """A window on ``frame`` of the video, and its Objects and tracks panel."""
    window = make_window(qtbot, demo_dir)
    window.set_media(video, frame)
    wait_picture(qtbot, window, frame)
    return window, window.panel("objects")


def _sam_lists(window, track_id) -> bool:
    objects = window.panel("sam").objects
    return any(objects.topLevelItem(i).data(0, Qt.UserRole) == track_id for i in range(objects.topLevelItemCount()))


def test_del_on_a_track_deletes_it_on_every_frame_and_ctrl_z_brings_it_back(qtbot, demo_dir):
    video, mouth, eye, mouth_ids = _tracks(demo_dir)
    window, panel = _objects_on(qtbot, demo_dir, video, 2)
    qtbot.waitUntil(lambda: _track_row(panel, mouth) is not None and _sam_lists(window, mouth), timeout=TIMEOUT)

    def select_and_delete(answer: str) -> list:
        seen = []
        window.activateWindow()
        panel.tree.setFocus()
        panel.tree.clearSelection()
        _track_row(panel, mouth).setSelected(True)
        answer_message_box(qtbot, answer, seen)
        qtbot.keyClick(panel.tree, Qt.Key_Delete)
        window.activateWindow()  # (the offscreen platform does not give it back when the message box closes)
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=TIMEOUT)
        return seen

    seen = select_and_delete("Cancel")
    assert seen and "track" in seen[0]
    assert window.project.tracks.get(mouth) is not None and len(window.project.annotations.for_track(mouth)) == 5

    seen = select_and_delete("Delete")
    assert f"Delete track {mouth}" in seen[0] and "5 annotations on 4 frames go with it" in seen[0]
    assert window.project.tracks.get(mouth) is None
    assert window.project.annotations.for_track(mouth) == []  # its prompt and masks, on every frame
    assert [a.id for a in window.project.annotations.for_track(eye)]  # the other track stays
    assert _track_row(panel, mouth) is None and _track_row(panel, eye) is not None
    qtbot.waitUntil(lambda: not _sam_lists(window, mouth), timeout=TIMEOUT)
    assert window.action("edit.undo").text() == f"Undo delete track {mouth}"

    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert window.project.tracks.get(mouth).name == "mouth"
    assert sorted(a.id for a in window.project.annotations.for_track(mouth)) == mouth_ids  # the same ids
    qtbot.waitUntil(lambda: _track_row(panel, mouth) is not None and _sam_lists(window, mouth), timeout=TIMEOUT)
    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)  # and redo deletes it again
    assert window.project.tracks.get(mouth) is None and window.project.annotations.for_track(mouth) == []
    close_window(window)


def test_the_context_menu_deletes_a_track(qtbot, demo_dir):
    video, mouth, eye, _ = _tracks(demo_dir)
    window, panel = _objects_on(qtbot, demo_dir, video, 0)
    qtbot.waitUntil(lambda: _track_row(panel, eye) is not None, timeout=TIMEOUT)
    seen, items = [], []

    def pick():
        menu = QApplication.activePopupWidget()
        if not isinstance(menu, QMenu):
            QTimer.singleShot(20, pick)
            return
        items.extend(a.text() for a in menu.actions())
        answer_message_box(qtbot, "Delete", seen)
        menu.actions()[0].trigger()
        menu.close()

    QTimer.singleShot(0, pick)
    row = _track_row(panel, eye)
    panel.tree.customContextMenuRequested.emit(panel.tree.visualItemRect(row).center())
    qtbot.waitUntil(lambda: bool(seen), timeout=TIMEOUT)
    assert items == [f"Delete track {eye}…"]
    assert "1 annotation on 1 frame" in seen[0]
    assert window.project.tracks.get(eye) is None and window.project.tracks.get(mouth) is not None
    close_window(window)


def test_the_cli_lists_and_deletes_a_track(capsys, demo_dir):
    video, mouth, eye, mouth_ids = _tracks(demo_dir)
    listed = main_json(capsys, "tracks", "list", demo_dir)["tracks"]
    assert [(t["id"], t["name"], t["annotations"], t["frames"]) for t in listed] == [(mouth, "mouth", 5, 4),
                                                                                     (eye, "eye", 1, 1)]
    with Project.open(demo_dir) as p:  # a track with the name every track gets is listed by its number alone
        p.tracks.update(dataclasses.replace(p.tracks.get(eye), name=f"object {eye}"))
    lines = run_main(capsys, "tracks", "list", demo_dir).out.splitlines()
    assert [line.split()[:2] for line in lines] == [["track", str(mouth)], ["track", str(eye)]]
    assert lines[0].endswith("mouth") and "5 annotations on 4 frames" in lines[0]  # the name last: any length
    assert "object" not in lines[1] and "1 annotation on 1 frame" in lines[1]
    out = main_json(capsys, "tracks", "delete", demo_dir, mouth)
    assert sorted(out["annotations"]) == mouth_ids and out["frames"] == 4
    assert [t["id"] for t in main_json(capsys, "tracks", "list", demo_dir)["tracks"]] == [eye]
    with Project.open(demo_dir) as p:
        assert p.annotations.for_track(mouth) == [] and p.tracks.get(mouth) is None
        assert p.audit.head().action == "delete with annotations" and p.audit.verify() == []

    err = run_main(capsys, "tracks", "delete", demo_dir, mouth, code=2).err
    assert err.count("\n") == 1 and "field 'track'" in err and f"no track {mouth}" in err and f"its tracks: {eye}" in err
