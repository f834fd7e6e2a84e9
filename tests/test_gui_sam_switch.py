"""A propagation stopped from outside the SAM 2 panel: the status bar's Cancel, and another project opened while
it runs (which failed it with "KeyError: 'output_dict_per_obj'", the old project's video staying on screen)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt

from gui.job_status import JobStatus
from gui.sam.controller import BUSY_TRACKING, sam_controller
from annotation.model import Track
from storage.project import Project
from tests.test_gui_sam import SLOW, window_with_random_sam2
from tests.test_gui_support import (TIMEOUT, answer_message_box, click, close_window, make_window, press_keys,
                                    wait_picture)


def _window_with_the_face_as_an_object(qtbot, demo_dir, tmp_path):
    """The demo video in a window with random SAM 2 weights, the face clicked and accepted on frame 0."""
    window, sam = window_with_random_sam2(qtbot, demo_dir, tmp_path)
    press_keys(qtbot, window, Qt.Key_S)
    click(window.canvas, 320, 200)
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=SLOW)
    press_keys(qtbot, window, Qt.Key_Return)
    return window, sam


def _propagating(qtbot, window, first: int, last: int):
    sam, panel = sam_controller(window), window.panel("sam")
    panel.first.setValue(first)
    panel.last.setValue(last)
    qtbot.waitUntil(panel.propagate_button.isEnabled, timeout=TIMEOUT)
    qtbot.mouseClick(panel.propagate_button, Qt.LeftButton)
    assert sam.propagation is not None
    qtbot.waitUntil(lambda: sam.progress[0] >= 1, timeout=SLOW)
    return sam, panel


def test_a_propagation_stopped_from_outside_the_panel(qtbot, demo_dir, tmp_path):
    window, sam = _window_with_the_face_as_an_object(qtbot, demo_dir, tmp_path)
    [track] = window.project.tracks.for_media(2)

    # The status bar's Cancel: the panel says the cancel is under way (it went on saying "Starting…"), as its own
    # Cancel does.
    sam, panel = _propagating(qtbot, window, 0, 149)
    # Meanwhile a click on the photo waits for the frame being tracked, and the status bar says so (it spoke of
    # the embedding only, also of a photo whose embedding was there).
    window.set_media(1)
    wait_picture(qtbot, window)
    click(window.canvas, 222, 125)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == BUSY_TRACKING, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=SLOW)
    press_keys(qtbot, window, Qt.Key_Escape)
    window.set_media(2)
    qtbot.mouseClick(window.findChild(JobStatus).cancel, Qt.LeftButton)
    assert not panel.cancel.isEnabled() and panel.result.text().startswith("Cancelling: finishing the frame")
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)
    assert sam.last_result.startswith("Cancelled after ")

    # The project open already, chosen again (Open recent lists it): nothing to cancel, nothing reopened (the
    # propagation was cancelled for it, and the undo history emptied).
    sam, panel = _propagating(qtbot, window, 0, 149)
    asked = []
    answer_message_box(qtbot, "Keep propagating", asked, within_ms=500)  # (were it asked, as it was)
    window.open_project(demo_dir)
    qtbot.wait(600)
    assert asked == [] and window.statusBar().currentMessage() == f"{demo_dir} is the project open already"
    assert sam.propagation is not None and not sam.cancelling and window.undo_stack.undo_text
    qtbot.mouseClick(panel.cancel, Qt.LeftButton)
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)

    # Another project opened meanwhile: the window asks first. Kept, the propagation goes on and the other
    # project is closed again (it was cancelled at once, without a word).
    # File → Open asks at once (it asked once the opening, waiting for the frame being tracked, was done).
    Project.create(tmp_path / "next").close()
    sam, panel = _propagating(qtbot, window, 0, 149)
    window.last_error = None
    seen = []
    answer_message_box(qtbot, "Keep propagating", seen)
    window.open_project(tmp_path / "next")
    assert seen == ["“Propagating astronaut_head.mp4” is running. Opening next cancels it once the frame being "
                    "tracked is done; the frames tracked so far are kept."]
    assert window.statusBar().currentMessage() == "next not opened: “Propagating astronaut_head.mp4” goes on"
    assert not any(j.name.startswith("Opening") for j in window.engine.running.values())
    # A project opened another way (a new one, the demo) is asked about when it is ready, and closed if kept.
    answer_message_box(qtbot, "Keep propagating", seen)
    window.set_project(Project.open(tmp_path / "next"))
    assert len(seen) == 2
    assert window.project.root == demo_dir.resolve() and sam.propagation is not None and not sam.cancelling
    # Closing the window asks the same way (it cancelled without a word); kept, window and propagation stay.
    answer_message_box(qtbot, "Keep propagating", seen)
    window.close()
    assert seen[2] == ("“Propagating astronaut_head.mp4” is running. Closing FaceLens cancels it once the frame "
                       "being tracked is done; the frames tracked so far are kept.")
    assert window.isVisible() and sam.propagation is not None and not sam.cancelling
    assert window.statusBar().currentMessage() == "FaceLens stays open: “Propagating astronaut_head.mp4” goes on"
    done = sam.progress[0]
    qtbot.waitUntil(lambda: sam.progress[0] > done, timeout=SLOW)
    # Cancelled and opened: the propagation finishes its frame (kept), and then the window shows the new project,
    # empty: no video, no outcome of the other project's propagation.
    answer_message_box(qtbot, "Cancel it and open", seen)
    window.open_project(tmp_path / "next")
    assert len(seen) == 4
    assert window.project.root == demo_dir.resolve()
    assert sam.cancelling  # at once (it was cancelled once the opening, waiting for the frame, was done)
    qtbot.waitUntil(lambda: window.statusBar().currentMessage() == (
        "next opens after this step: “Propagating astronaut_head.mp4” cancelled (what is finished stays)…"),
        timeout=SLOW)
    assert panel.result.text().startswith("Cancelling: finishing the frame")
    qtbot.waitUntil(lambda: window.project.root == tmp_path / "next", timeout=SLOW)
    assert window.last_error is None and sam.propagation is None
    assert window.canvas.image is None and window.canvas.message.startswith("Drop images or videos here")
    assert window.canvas.layer("annotations").root.childItems() == []
    timeline = window.panel("timeline")
    assert timeline.position.text() == "frame – / –" and timeline.goto.value() == 0 and not timeline.goto.isEnabled()
    assert panel.result.text() == "" and not panel.propagate_button.isEnabled()
    close_window(window)
    with Project.open(demo_dir) as p:
        assert len([a for a in p.annotations.for_track(track.id) if a.kind == "mask"]) >= 2  # frame 0 and the one done


def test_following_stopped_by_a_move_comes_back_with_the_next_propagation_but_not_once_unticked(
        qtbot, demo_dir, tmp_path):
    """Scrubbing away during a propagation stops following it; the next propagation followed nothing any more
    (the box stayed unticked), though the user had never unticked it."""
    window, sam = _window_with_the_face_as_an_object(qtbot, demo_dir, tmp_path)

    def cancel(panel):
        qtbot.mouseClick(panel.cancel, Qt.LeftButton)
        qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)

    sam, panel = _propagating(qtbot, window, 0, 149)
    # Models → Keep SAM 2's video memory in RAM waits for it, and its greyed item says so (a menu shows no tip).
    window.menus["models"].aboutToShow.emit()
    offload = next(a for a in window.menus["models"].actions() if a.objectName() == "action:models.offload")
    assert not offload.isEnabled() and offload.text().endswith("(not while a video is being propagated)")
    # A click with the select tool on a mask being propagated says why nothing is selected (a label key after it
    # did nothing, without a word): it is stored, and read back for editing when the propagation ends.
    def live_mask():
        masks = sam.recent.get(window.current_frame, {}) if window.current_frame else {}
        return next((m for m in masks.values() if m.any()), None)

    qtbot.waitUntil(lambda: live_mask() is not None, timeout=SLOW)
    press_keys(qtbot, window, Qt.Key_V)
    ys, xs = np.nonzero(live_mask())
    click(window.canvas, xs[len(xs) // 2] + 0.5, ys[len(ys) // 2] + 0.5)
    assert window.selected_ids == set()
    said = "This video is being propagated: edit its annotations once that is done (or cancelled)"
    assert window.statusBar().currentMessage() == said
    # Its track picked in the objects list and a label key: refused with a word, and the label to draw with stays
    # (it changed, and nothing said the track was not relabelled).
    from tests.test_delete_track import _track_row

    [track] = window.project.tracks.for_media(2)
    drawing = window.current_label_id()
    other = next(label for label in window.labels if label.id not in (drawing, track.label_id))
    _track_row(window.panel("objects"), track.id).setSelected(True)
    window.panel("labels").pick(other)
    assert window.statusBar().currentMessage() == ("This video is being propagated: relabel it once that is done (or "
                                                   "cancelled)")
    assert window.current_label_id() == drawing and window.project.tracks.get(track.id).label_id == track.label_id
    # So is a label key on the row of a mask just tracked (it changed the label to draw with, without a word).
    objects = window.panel("objects")

    def just_tracked():
        return next((r for r in objects._rows() if r.text(2) == "tracked just now"), None)

    qtbot.waitUntil(lambda: just_tracked() is not None, timeout=SLOW)
    objects.tree.clearSelection()
    just_tracked().setSelected(True)
    window.statusBar().clearMessage()
    window.panel("labels").pick(other)
    assert window.statusBar().currentMessage() == ("This video is being propagated: relabel it once that is done (or "
                                                   "cancelled)")
    assert window.current_label_id() == drawing
    # A click on a stored mask of that video (the one accepted on frame 0) selects it, and says the same.
    window.seek(0)
    wait_picture(qtbot, window, 0)
    window.statusBar().clearMessage()
    accepted = next(a for a in window.annotations_here() if a.kind == "mask")
    ys, xs = np.nonzero(accepted.shape.to_array())
    click(window.canvas, xs[len(xs) // 2] + 0.5, ys[len(ys) // 2] + 0.5)
    assert window.selected_ids == {accepted.id} and window.statusBar().currentMessage() == said
    window.seek(100)
    qtbot.waitUntil(lambda: window.current_frame == 100, timeout=TIMEOUT)
    assert not panel.follow.isChecked()
    cancel(panel)
    sam, panel = _propagating(qtbot, window, 0, 149)
    assert panel.follow.isChecked()  # the move was about the last propagation
    qtbot.waitUntil(lambda: window.current_frame < 100, timeout=SLOW)  # and the view follows again

    panel.follow.setChecked(False)  # unticked by the user: their choice stays
    cancel(panel)
    sam, panel = _propagating(qtbot, window, 0, 149)
    assert not panel.follow.isChecked()
    # Closed during it, once the user agreed: it is cancelled, and the window closes after the frame being tracked.
    seen = []
    answer_message_box(qtbot, "Cancel it and close", seen)
    window.close()
    assert seen and sam.cancelling
    qtbot.waitUntil(lambda: getattr(window, "_closed", False), timeout=SLOW)


def test_the_windows_own_propagation_is_not_taken_for_another_programs_changes(qtbot, demo_dir, tmp_path):
    """Its masks are committed by a helper process (engine.segmentation.writer_process): the window said
    "Annotations changed by another program" all through its own propagation, and reloaded them every second."""
    window, sam = _window_with_the_face_as_an_object(qtbot, demo_dir, tmp_path)
    outside = []
    window.outside_changes.changed.connect(lambda reloads, entries: outside.append(entries))
    sam, panel = _propagating(qtbot, window, 0, 3)
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)
    assert sam.last_result.startswith("Propagated")
    qtbot.wait(2500)  # the window looks for outside changes every second: the last commits are read after the end
    assert outside == [] and "another program" not in window.statusBar().currentMessage()
    with Project.open(demo_dir) as p:
        entries = [e for e in p.audit.entries() if e.action == "propagate"]
    assert entries and all(e.payload["media"] == [2] for e in entries)
    with Project.open(demo_dir) as other:  # what another program does still shows
        other.tracks.add(Track(media_id=2, name="other"))
    qtbot.waitUntil(lambda: outside != [], timeout=TIMEOUT)
    close_window(window)


def test_during_a_propagation_only_another_videos_tracks_may_be_deleted(qtbot, demo_dir, tmp_path):
    from annotation.shapes import Box
    from annotation.model import Annotation
    from storage.media.importer import import_paths
    from tests.media_factory import indexed_video

    with Project.open(demo_dir) as p:
        import_paths(p, [indexed_video(tmp_path / "other.mp4", frames=3)])
        other_video = next(m for m in p.media.all() if m.name == "other.mp4")
        other = p.tracks.add(Track(media_id=other_video.id))
        p.annotations.add(Annotation(media_id=other_video.id, frame=0, track_id=other.id, shape=Box(5, 5, 30, 30)))
    window, sam = _window_with_the_face_as_an_object(qtbot, demo_dir, tmp_path)
    [tracked] = window.project.tracks.for_media(2)
    sam, panel = _propagating(qtbot, window, 0, 149)
    objects = window.panel("objects")

    # The other video on screen: its objects are listed, never this video's meanwhile (they stayed listed until
    # the frame being tracked was done).
    def listed():
        return [panel.objects.topLevelItem(i).text(0) for i in range(panel.objects.topLevelItemCount())]

    window.set_media(other_video.id, 0)
    assert not any(row.startswith(f"track {tracked.id} ") for row in listed())
    qtbot.waitUntil(lambda: any(row.startswith(f"track {other.id} ") for row in listed()), timeout=SLOW)
    window.set_media(2)

    window.set_media(other_video.id, 0)
    qtbot.waitUntil(lambda: any(row.startswith(f"track {other.id} ") for row in listed()), timeout=SLOW)
    seen = []
    answer_message_box(qtbot, "Delete", seen)
    assert objects.delete_tracks([other.id])  # (it was refused: "SAM 2 is propagating")
    assert window.project.tracks.get(other.id) is None and len(seen) == 1
    # The SAM 2 panel lets it go at once (it stayed listed until the frame being tracked was done).
    assert not any(row.startswith(f"track {other.id} ") for row in listed())
    window.set_media(2)
    assert not objects.delete_tracks([tracked.id])
    assert window.statusBar().currentMessage().startswith("SAM 2 is propagating this video")
    assert window.project.tracks.get(tracked.id) is not None
    qtbot.mouseClick(panel.cancel, Qt.LeftButton)
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)
    close_window(window)


def test_a_correction_carried_on_shows_the_new_masks_in_place_of_the_old_ones_as_they_come(qtbot, demo_dir, tmp_path):
    """Re-propagating frames that have masks (From this frame after a correction): the followed view drew each
    frame's old mask, and listed it, until the propagation ended; someone watching saw nothing change (found by a
    tester)."""
    window, sam = _window_with_the_face_as_an_object(qtbot, demo_dir, tmp_path)
    [track] = window.project.tracks.for_media(2)
    sam, panel = _propagating(qtbot, window, 0, 5)
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)
    old = {a.frame: a.id for a in window.project.annotations.for_track(track.id) if a.kind == "mask"}
    assert sorted(old) == [0, 1, 2, 3, 4, 5]

    window.seek(1)
    wait_picture(qtbot, window, 1)
    sam.correct(track.id)
    click(window.canvas, 420, 300)
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=SLOW)
    press_keys(qtbot, window, Qt.Key_Return)
    qtbot.waitUntil(lambda: not sam.prompting, timeout=TIMEOUT)
    assert sam.propagate(0, 5, from_frame=1)
    annotations, preview = window.canvas.layer("annotations"), window.canvas.layer("sam preview")

    def replaced_on_screen():
        f = window.current_frame
        return f in (2, 3, 4) and sam.recent.get(f) and old[f] in {a.id for a in window.annotations_here()}

    qtbot.waitUntil(replaced_on_screen, timeout=SLOW)
    frame = window.current_frame
    assert old[frame] not in annotations.items  # the old mask is not drawn under the new one
    assert len(preview.root.childItems()) == 1  # the new one is
    rows = [(r.text(0), r.text(2)) for r in window.panel("objects")._rows()]
    assert f"track {track.id}" in " ".join(name for name, _ in rows) and ("tracked just now" in dict(rows).values())
    assert not any(name.endswith(f"#{old[frame]}, track {track.id}") for name, _ in rows), rows
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)
    if window.current_frame != frame:
        window.seek(frame)
        wait_picture(qtbot, window, frame)
    [now] = [a.id for a in window.annotations_here() if a.track_id == track.id and a.kind == "mask"]
    assert now in annotations.items and preview.root.childItems() == []  # once it is over: what is stored
    close_window(window)


def test_the_frames_chosen_to_propagate_over_are_kept_per_video_after_a_restart(qtbot, demo_dir, tmp_path):
    """The panel's range went back to the whole video after a restart (found by a tester); another project's video
    with the same id starts on its own whole length."""
    import shutil

    window = make_window(qtbot, demo_dir)
    window.set_media(2)
    wait_picture(qtbot, window)
    panel = window.panel("sam")
    panel.first.setValue(10)
    panel.last.setValue(40)
    window.set_media(1)
    wait_picture(qtbot, window)
    close_window(window)

    again = make_window(qtbot, demo_dir)
    again.set_media(2)
    wait_picture(qtbot, again)
    panel = again.panel("sam")
    assert (panel.first.value(), panel.last.value()) == (10, 40)
    close_window(again)

    other = tmp_path / "other"
    shutil.copytree(demo_dir, other)
    third = make_window(qtbot, other)
    third.set_media(2)
    wait_picture(qtbot, third)
    panel = third.panel("sam")
    assert (panel.first.value(), panel.last.value()) == (0, third.current_media.frame_count - 1)


def test_the_model_stays_while_a_video_is_propagated_and_a_checkpoint_chosen_meanwhile_waits(qtbot, demo_dir,
                                                                                              tmp_path):
    """The model could be switched during a propagation, which went on with the old one while the window named the
    new one (found by a tester). The Models menu's switches are greyed and say why; a checkpoint checked meanwhile
    (chosen just before) is used once the propagation is done."""
    import torch

    from engine.models.registry import model_entry
    from engine.segmentation.sam2_models import build_random_predictor
    from gui.sam.models_menu import use_checkpoint

    small = model_entry("small")
    torch.save({"model": build_random_predictor(small.extra["config"], 0).state_dict()}, tmp_path / "small.pt")
    window, sam = _window_with_the_face_as_an_object(qtbot, demo_dir, tmp_path)
    sam, panel = _propagating(qtbot, window, 0, 149)
    window.menus["models"].aboutToShow.emit()
    actions = {a.objectName(): a for a in window.menus["models"].actions()}
    for key in ("models.use.sam2.1_hiera_small", "models.checkpoint", "models.download"):
        act = actions[f"action:{key}"]
        assert not act.isEnabled() and act.text().endswith("(not while a video is being propagated)"), key

    checked = use_checkpoint(window, sam, small.name, str(tmp_path / "small.pt"))
    qtbot.waitUntil(lambda: "is used once the propagation is done" in window.statusBar().currentMessage(),
                    timeout=SLOW)
    assert checked.done() and sam.propagation is not None and sam.status["model"] == "sam2.1_hiera_tiny"
    # said where it stays in sight until then (the status bar's message was soon covered)
    assert "\nNext: SAM 2.1 small" in panel.status.text()
    qtbot.wait(50)  # (laid out) every line in sight: a dock gave the wrapped text one line's height, cutting it
    assert panel.status.height() >= panel.status.heightForWidth(panel.status.width())
    window.menus["models"].aboutToShow.emit()  # (which looks for the files again: that dropped the line)
    assert any(a.text().startswith("Next: SAM 2.1 small") for a in window.menus["models"].actions())
    qtbot.wait(500)
    assert "\nNext: SAM 2.1 small" in panel.status.text()
    qtbot.mouseClick(panel.cancel, Qt.LeftButton)
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)
    qtbot.waitUntil(lambda: sam.status["model"] == small.name, timeout=TIMEOUT)
    assert "Next:" not in panel.status.text()
    window.menus["models"].aboutToShow.emit()
    assert all(a.isEnabled() for a in window.menus["models"].actions() if a.objectName().startswith("action:models.use"))


def test_follow_unticked_stays_unticked_after_a_restart(qtbot, demo_dir):
    """It came back ticked at every start (found by a tester)."""
    window = make_window(qtbot, demo_dir)
    panel = window.panel("sam")
    assert panel.follow.isChecked()
    panel.follow.setChecked(False)
    close_window(window)
    again = make_window(qtbot, demo_dir)
    assert not again.panel("sam").follow.isChecked() and not sam_controller(again).follow
