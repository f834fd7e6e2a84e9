"""The SAM 2 tool in a real window: GrabCut without weights (and the window says so), SAM 2.1 with a checkpoint
chosen in the model settings, an object on the demo video propagated with progress, and a working Cancel."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from annotation.model import Track
from engine.models.cache import MODEL_CACHE
from engine.models.registry import model_entry
from engine.models.weights import ModelSettings
from engine.segmentation.sam2_models import build_random_predictor
from gui.sam.controller import sam_controller
from storage.project import Project
from tests.test_gui_support import (TIMEOUT, answer_message_box, click, close_window, drag, make_window, press_keys,
                                    wait_picture)

SLOW = 240_000  # ms: a few SAM 2 frames on a busy 2-core CPU


def window_with_random_sam2(qtbot, demo_dir, folder: Path, media: int = 2, frame: int | None = 0):
    """The demo project in a window whose SAM 2.1 tiny checkpoint (random weights) is chosen, on ``media``."""
    tiny = model_entry("tiny")
    torch.save({"model": build_random_predictor(tiny.extra["config"], 0).state_dict()}, folder / "tiny.pt")
    ModelSettings().set_checkpoint(tiny.name, folder / "tiny.pt")
    window = make_window(qtbot, demo_dir)
    sam = sam_controller(window)
    qtbot.waitUntil(lambda: sam.status.get("kind") == "sam2", timeout=TIMEOUT)
    window.set_media(media, frame)
    wait_picture(qtbot, window, frame)
    return window, sam


def _masks(window, frame=None):
    return [a for a in window.project.annotations.for_media(window.current_media.id, frame) if a.kind == "mask"]


def test_without_weights_the_sam_tool_segments_with_grabcut_and_the_window_says_so(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    sam = sam_controller(window)
    qtbot.waitUntil(lambda: sam.status.get("kind") == "grabcut", timeout=TIMEOUT)
    badge = window.findChild(type(window.panel("sam").status), "samSegmenterBadge")
    assert badge.text() == "Segmenter: GrabCut (no SAM 2 weights)"
    assert "needs sam2.1_hiera_tiny.pt" in window.panel("sam").status.text()
    models = [a.text() for a in window.menus["models"].actions()]
    assert any("SAM 2.1 large — no weights (needs sam2.1_hiera_large.pt)" in t for t in models)

    window.set_media(1)
    wait_picture(qtbot, window)
    press_keys(qtbot, window, Qt.Key_S)
    assert window.tools.active.key == "sam"
    press_keys(qtbot, window, Qt.Key_B)
    drag(window.canvas, [(179, 71), (230, 120), (271, 178)])
    layer = window.canvas.layer("sam preview")
    qtbot.waitUntil(lambda: layer.mask_item is not None, timeout=TIMEOUT)
    before = len(_masks(window))
    press_keys(qtbot, window, Qt.Key_Return)
    qtbot.waitUntil(lambda: len(_masks(window)) == before + 1, timeout=TIMEOUT)
    mask = _masks(window)[-1]
    assert mask.source == "grabcut" and mask.label_id == window.current_label_id()
    m = mask.shape.to_array()
    assert m.shape == (512, 512) and m[125, 222] and not m[10, 10]  # the face, not the background
    assert layer.mask_item is None  # the preview is gone once accepted
    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert len(_masks(window)) == before

    # Ctrl+Z takes back clicks being made, also with nothing committed left to undo (Edit → Undo was greyed)
    press_keys(qtbot, window, Qt.Key_Q)
    click(window.canvas, 222, 125)
    click(window.canvas, 200, 150)
    assert len(sam.points) == 2
    undo = window.action("edit.undo")
    assert undo.isEnabled() and undo.text() == "Undo SAM 2 click"
    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert len(sam.points) == 1 and len(_masks(window)) == before
    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert not sam.prompting and not undo.isEnabled()

    # Models → "Keep SAM 2's video memory in RAM" (long videos on a small GPU) holds for the next sessions.
    offload = next(a for a in window.menus["models"].actions() if a.objectName() == "action:models.offload")
    assert offload.isCheckable() and not offload.isChecked()
    offload.trigger()
    qtbot.waitUntil(lambda: sam.seg.offload_state, timeout=TIMEOUT)
    assert window.settings.get("sam/offload_state") == "true"
    # Compiled propagation needs a CUDA GPU: on this CPU the item is there, greyed, and says why.
    window.menus["models"].aboutToShow.emit()
    compile_item = next(a for a in window.menus["models"].actions() if a.objectName() == "action:models.compile")
    assert compile_item.isCheckable() and not compile_item.isEnabled()
    assert "needs a CUDA GPU" in compile_item.toolTip() and "cpu" in compile_item.toolTip()
    # ...in its text too: a menu shows no tip for a greyed item (found by a tester)
    assert re.fullmatch(r"Compile SAM 2 for propagation \(compiled propagation needs a CUDA GPU; SAM 2 runs on cpu "
                        r"\(\d+ threads\) here\)", compile_item.text()), compile_item.text()
    sam.set_compile(True)  # a choice made on a GPU machine and kept in the settings...
    assert window.settings.get("sam/compile_propagation") == "true"
    assert not sam.compiles  # ...does not apply here
    close_window(window)


def test_with_a_checkpoint_an_object_is_tracked_with_progress_and_cancel(qtbot, demo_dir, tmp_path):
    tiny = model_entry("tiny")
    checkpoint = tmp_path / "sam2.1_hiera_tiny.pt"
    torch.save({"model": build_random_predictor(tiny.extra["config"], 0).state_dict()}, checkpoint)
    from gui.sam.models_menu import checkpoint_folder

    assert checkpoint_folder() in (Path.home(), Path.home() / "Downloads")  # not wherever FaceLens was started
    ModelSettings().set_checkpoint(tiny.name, checkpoint)
    assert checkpoint_folder() == tmp_path  # the next file dialog opens beside the checkpoint chosen before

    window = make_window(qtbot, demo_dir)
    sam, panel = sam_controller(window), window.panel("sam")
    qtbot.waitUntil(lambda: sam.status.get("kind") == "sam2", timeout=TIMEOUT)
    assert str(checkpoint) in sam.status["weights"] and "settings" in sam.status["weights"]

    # A single click on the photo is ambiguous: W shows SAM's next mask, and Enter keeps the one shown.
    window.set_media(1)
    wait_picture(qtbot, window)
    window.tools.activate("sam")
    click(window.canvas, 222, 125)
    layer = window.canvas.layer("sam preview")
    qtbot.waitUntil(lambda: layer.mask_item is not None, timeout=SLOW)
    offered = sam.clicked.result.candidates
    assert len(offered) == 3
    press_keys(qtbot, window, Qt.Key_W)
    assert sam.clicked.result.mask is offered[1][0] and sam.clicked.result.score == offered[1][1]
    before = len(_masks(window))
    press_keys(qtbot, window, Qt.Key_Return)
    qtbot.waitUntil(lambda: len(_masks(window)) == before + 1, timeout=TIMEOUT)
    assert np.array_equal(_masks(window)[-1].shape.to_array(), offered[1][0])

    window.set_media(2, 0)
    wait_picture(qtbot, window, 0)
    # Nothing prompted yet: the panel says what to do, and there is nothing to propagate.
    qtbot.waitUntil(lambda: panel.objects.topLevelItemCount() == 1, timeout=TIMEOUT)
    assert panel.objects.topLevelItem(0).text(0) == "None yet: S, click the object, Enter"
    assert not panel.propagate_button.isEnabled()
    click(window.canvas, 320, 200)  # a positive click on the face
    qtbot.waitUntil(lambda: layer.mask_item is not None, timeout=SLOW)
    press_keys(qtbot, window, Qt.Key_Return)
    [track] = window.project.tracks.for_media(window.current_media.id)
    here = window.project.annotations.for_media(window.current_media.id, 0)
    assert sorted((a.kind, a.track_id) for a in here if a.track_id) == [("mask", track.id), ("points", track.id)]
    rows = {r.text(1): r.text(0) for r in window.panel("objects")._rows()}
    assert rows["prompt"].endswith(f", track {track.id}") and rows["mask"].endswith(f", track {track.id}")
    assert rows["track"] == f"track {track.id}"  # the clicks are told apart from the object, ids are track ids
    qtbot.waitUntil(lambda: panel.objects.topLevelItem(0).text(0) == f"track {track.id} (face)", timeout=TIMEOUT)
    assert panel.objects.topLevelItemCount() == 1 and panel.propagate_button.isEnabled()
    assert panel.objects.topLevelItem(0).text(1) == "0"

    panel.first.setValue(0)
    panel.last.setValue(2)
    qtbot.mouseClick(panel.propagate_button, Qt.LeftButton)
    assert sam.propagation is not None and panel.cancel.isEnabled()
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)
    assert sam.last_result.startswith("Propagated") and "3 frames" in sam.last_result
    for f in range(3):
        assert [a.track_id for a in _masks(window, f)] == [track.id]

    panel.first.setValue(3)
    panel.last.setValue(149)
    qtbot.mouseClick(panel.propagate_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: sam.progress[0] >= 1, timeout=SLOW)
    assert panel.bar.isVisible() and panel.bar.maximum() == 147
    # The view follows the tracking; the object list names the mask on screen at once, stored or on its way
    # (it said "none yet" under a visible mask until the batch was stored and the propagation ended).
    qtbot.waitUntil(lambda: window.current_frame >= 3, timeout=SLOW)
    rows = [(r.text(0), r.text(1)) for r in window.panel("objects")._rows()]
    assert any(kind == "mask" and name.endswith(f"track {track.id}") for name, kind in rows), rows
    # A look at the photo and back is no move away from the tracked frames: following goes on.
    window.set_media(1)
    wait_picture(qtbot, window)
    window.set_media(2)
    wait_picture(qtbot, window)
    qtbot.wait(200)
    assert panel.follow.isChecked()
    # The user scrubs away while it runs: the view stays where they went (it once jumped back at every frame);
    # also right after coming back, before the video's frame is shown again (the jump was taken for that frame
    # coming back, and following went on).
    window.set_media(1)
    wait_picture(qtbot, window)
    window.set_media(2)
    window.seek(100)
    qtbot.waitUntil(lambda: window.current_frame == 100, timeout=TIMEOUT)
    assert not panel.follow.isChecked()
    done = sam.progress[0]
    qtbot.waitUntil(lambda: sam.progress[0] > done, timeout=SLOW)
    qtbot.wait(300)  # (the masks of that frame reach the window just before its progress)
    assert window.current_frame == 100
    # Painting on this video now would edit masks the propagation is replacing (the stroke was lost with "annotation
    # N does not exist"): the drawing tools wait, and say so.
    window.tools.activate("brush")
    drag(window.canvas, [(300, 200), (320, 210), (340, 220)])
    assert window.statusBar().currentMessage().startswith("This video is being propagated")
    window.tools.activate("sam")
    # Frames stored so far are marked on the timeline while it runs (they used to appear only at the end).
    bar = window.panel("timeline").bar
    qtbot.waitUntil(lambda: 3 in bar.markers, timeout=SLOW)
    assert sam.propagation is not None and window.current_frame == 100
    # A few frames in, the panel says how long the rest will take at this pace (minutes on this CPU).
    qtbot.waitUntil(lambda: "left" in panel.result.text(), timeout=SLOW)
    assert re.fullmatch(r"Tracking… \d+/147 frames, about \d+ min left", panel.result.text()), panel.result.text()
    qtbot.mouseClick(panel.cancel, Qt.LeftButton)
    # Seconds can pass until the frame being tracked is done: the panel says the cancel is under way.
    assert not panel.cancel.isEnabled() and panel.result.text().startswith("Cancelling: finishing the frame")
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)
    assert sam.last_result.startswith("Cancelled after ") and sam.last_result.endswith("of 147 frames; those are kept")
    tracked = sorted(a.frame for a in window.project.annotations.for_track(track.id) if a.kind == "mask")
    assert tracked[:4] == [0, 1, 2, 3] and len(tracked) < 150  # the frames done are kept, the rest never ran
    assert np.array_equal(sorted(set(tracked)), tracked)

    # "From this frame" on a frame outside the range says so in the window's words.
    assert not sam.propagate(101, 102, from_frame=100)
    assert window.statusBar().currentMessage().startswith("The frame on screen (100) is outside the frames")
    # A correction is previewed in its track's colour, not the label picked for new objects.
    other = next(label for label in window.labels if label.id != track.label_id)
    window.set_current_label(other)
    window.tools.activate("sam")
    sam.correct(track.id)
    click(window.canvas, 320, 200)
    qtbot.waitUntil(lambda: layer.mask_item is not None and not sam._in_flight, timeout=SLOW)
    mask = sam.clicked.result.mask
    inner = mask.copy()
    inner[1:, :] &= mask[:-1, :]
    ys, xs = np.nonzero(mask & ~inner)
    shown = layer.mask_item.pixmap().toImage().pixelColor(int(xs[0]), int(ys[0]))
    assert shown.rgb() == QColor(window.label_color(track.label_id)).rgb()
    # Taking back the correction's only click keeps correcting that track: the next click made a new object.
    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert not sam.prompting and sam.track_id == track.id
    press_keys(qtbot, window, Qt.Key_E)
    click(window.canvas, 40, 40)
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=SLOW)
    assert sam.clicked.track_id == track.id and sam.labels == [0]
    press_keys(qtbot, window, Qt.Key_Escape)
    # Choosing the object to correct in the panel's list leaves the keys to the canvas (E went to the list).
    window.activateWindow()
    row = next(panel.objects.topLevelItem(i) for i in range(panel.objects.topLevelItemCount())
               if panel.objects.topLevelItem(i).data(0, Qt.UserRole) == track.id)
    panel.objects.setFocus()
    panel.objects.itemDoubleClicked.emit(row, 0)
    assert sam.track_id == track.id and window.canvas.hasFocus()
    sam.discard()
    # A track another program deletes while it is being corrected: Enter keeps the mask, as a new object (it
    # failed with an AttributeError and the clicks stayed stuck).
    video = window.current_media
    helper = window.project.tracks.add(Track(media_id=video.id, label_id=track.label_id))
    sam.correct(helper.id)
    click(window.canvas, 320, 200)
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=SLOW)
    with Project.open(demo_dir) as other:
        other.tracks.delete_with_annotations(other.tracks.get(helper.id))
    press_keys(qtbot, window, Qt.Key_Return)
    assert window.statusBar().currentMessage().startswith(f"Track {helper.id} was deleted meanwhile")
    adopted = max(t.id for t in window.project.tracks.for_media(video.id))
    assert adopted > helper.id and not sam.prompting
    assert [a.kind for a in window.project.annotations.for_track(adopted)] == ["points", "mask"]
    window.undo()  # and it is undone as the new object it became
    assert window.project.tracks.get(adopted) is None

    # Closing the window while a propagation runs cancels it: the panel says so, as its Cancel does, until the
    # window closes itself with the frame done.
    panel.first.setValue(20)
    panel.last.setValue(30)
    qtbot.mouseClick(panel.propagate_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: sam.progress_message != "", timeout=SLOW)
    seen = []
    answer_message_box(qtbot, "Cancel it and close", seen)
    window.close()
    assert seen  # asked first
    assert window.isVisible() and panel.result.text().startswith("Cancelling: finishing the frame")
    assert not panel.cancel.isEnabled()
    close_window(window)



def test_the_frame_on_screen_keeps_its_tracked_mask_in_view_while_later_frames_arrive(qtbot, demo_dir):
    """The user stopped following on frame 5; the masks of frames after it keep coming (the window re-reads the
    stored masks only when the propagation ends): frame 5's mask must not vanish from the canvas meanwhile."""
    from gui.sam.controller import RECENT_FRAMES

    window = make_window(qtbot, demo_dir)
    sam = sam_controller(window)
    window.set_media(2, 5)
    wait_picture(qtbot, window, 5)
    sam.propagating_media = 2  # (the masks below come as a propagation of this video hands them over)
    sam.set_follow(False)
    mask = np.zeros((480, 640), bool)
    mask[100:200, 200:300] = True
    layer = window.canvas.layer("sam preview")
    for frame in range(5, 5 + 3 * RECENT_FRAMES):  # as the engine hands them over, frame after frame
        sam.masksArrived.emit(frame, {1: mask})
    qtbot.waitUntil(lambda: 5 + 3 * RECENT_FRAMES - 1 in sam.recent, timeout=TIMEOUT)
    assert window.current_frame == 5 and 5 in sam.recent and len(sam.recent) == RECENT_FRAMES + 1
    assert len(layer.root.childItems()) == 1  # frame 5's mask, still drawn
    window.seek(6)  # once the user moves on, frame 5's masks go like the others'
    wait_picture(qtbot, window, 6)
    sam.masksArrived.emit(200, {1: mask})
    qtbot.waitUntil(lambda: 200 in sam.recent, timeout=TIMEOUT)
    assert 5 not in sam.recent and len(sam.recent) == RECENT_FRAMES
    close_window(window)


def test_the_last_propagations_outcome_is_shown_under_its_own_video_only(qtbot, demo_dir):
    """It stayed in the panel on every media (the photo included) until the next propagation."""
    window = make_window(qtbot, demo_dir)
    sam, panel = sam_controller(window), window.panel("sam")
    sam.last_result, sam.last_result_media = "Propagated 1 object over 6 frames; 6 masks stored", 2
    window.set_media(2, 0)
    wait_picture(qtbot, window, 0)
    assert panel.result.text() == sam.last_result
    window.set_media(1)
    wait_picture(qtbot, window)
    assert panel.result.text() == ""
    # An outcome with remarks (4 lines in the panel) leaves the objects and the buttons where they were (the rows
    # moved when it replaced the progress bar).
    window.set_media(2, 0)
    wait_picture(qtbot, window, 0)
    qtbot.wait(50)
    where = [(w.mapTo(panel, w.rect().topLeft()), w.height()) for w in (panel.objects, panel.cancel, panel.follow)]
    sam.last_result = ("Propagated 2 objects over 150 frames; 296 masks stored; 2 masks corrected by hand kept; "
                       "2 unchanged; track 7 deleted during the propagation (by another program): its masks not "
                       "stored")
    panel._show_propagation()
    qtbot.wait(50)
    assert panel.result.heightForWidth(panel.result.width()) > 4 * panel.result.fontMetrics().lineSpacing()
    assert [(w.mapTo(panel, w.rect().topLeft()), w.height()) for w in (panel.objects, panel.cancel, panel.follow)] == where
    close_window(window)


def test_a_checkpoint_put_back_where_it_was_chosen_turns_sam2_on_again(qtbot, demo_dir, tmp_path):
    """The panel said "it needs sam2.1_hiera_tiny.pt" of a chosen file that was moved away, and once the file was
    back SAM 2 stayed off (the menu still saying "missing") until the model was chosen again."""
    tiny = model_entry("tiny")
    checkpoint = tmp_path / "sam2.1_hiera_tiny.pt"
    torch.save({"model": build_random_predictor(tiny.extra["config"], 0).state_dict()}, checkpoint)
    ModelSettings().set_checkpoint(tiny.name, checkpoint)
    checkpoint.rename(tmp_path / "elsewhere.pt")

    window = make_window(qtbot, demo_dir)
    sam, panel = sam_controller(window), window.panel("sam")
    qtbot.waitUntil(lambda: sam.status.get("kind") == "grabcut", timeout=TIMEOUT)
    assert f"SAM 2 is off: {checkpoint} is missing (Models → Choose checkpoint file…)" in panel.status.text()
    menu = window.menus["models"]
    assert any(f"{checkpoint} is missing" in a.text() for a in menu.actions())

    (tmp_path / "elsewhere.pt").rename(checkpoint)
    menu.aboutToShow.emit()  # the user opens the Models menu: it looks again
    qtbot.waitUntil(lambda: sam.status.get("kind") == "sam2", timeout=TIMEOUT)
    assert not any("missing" in a.text() for a in menu.actions())
    badge = window.findChild(type(panel.status), "samSegmenterBadge")
    assert badge.text() == "SAM 2: tiny · cpu" and "is off" not in panel.status.text()

    # Moved away once its model is loaded, SAM 2 stays on and the menu says it runs from memory (the menu said
    # the file was missing under "Active: SAM 2.1 tiny (that file)").
    window.set_media(1)
    wait_picture(qtbot, window)
    window.tools.activate("sam")
    click(window.canvas, 256, 200)
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=SLOW)
    press_keys(qtbot, window, Qt.Key_Escape)
    checkpoint.rename(tmp_path / "elsewhere.pt")
    menu.aboutToShow.emit()
    qtbot.waitUntil(lambda: any("in memory" in a.text() for a in menu.actions()), timeout=TIMEOUT)
    row = next(a.text() for a in menu.actions() if "in memory" in a.text() and not a.text().startswith("Active:"))
    assert row == (f"SAM 2.1 tiny — in memory, loaded from {checkpoint}, which has gone since (choose it again where "
                   "it is now)")
    assert sam.status.get("kind") == "sam2" and not any("missing" in a.text() for a in menu.actions())
    # The menu's "Active:" line and the SAM 2 panel say so too (they still said "chosen in the settings").
    active = next(a.text() for a in menu.actions() if a.text().startswith("Active:"))
    assert "which has gone since" in active and "chosen in the settings" not in active
    assert "which has gone since" in panel.status.text() + panel.status.toolTip()
    assert "chosen in the settings" not in panel.status.text() + panel.status.toolTip()
    # Not loaded (FaceLens let it go), it is off: its first click would fail on the missing file.
    MODEL_CACHE.release()
    menu.aboutToShow.emit()
    qtbot.waitUntil(lambda: sam.status.get("kind") == "grabcut", timeout=TIMEOUT)
    assert any(f"{checkpoint} is missing" in a.text() for a in menu.actions())
    assert f"SAM 2 is off: {checkpoint} is missing" in panel.status.text()
    window.tools.activate("select")
    close_window(window)

    # Pressing S, also with the SAM tool already on (as a window that starts with it is), looks again too.
    window = make_window(qtbot, demo_dir)
    sam = sam_controller(window)
    qtbot.waitUntil(lambda: sam.status.get("kind") == "grabcut", timeout=TIMEOUT)
    press_keys(qtbot, window, Qt.Key_S)
    qtbot.waitUntil(lambda: not window.engine.busy(), timeout=TIMEOUT)  # (it looked: the file is not there yet)
    assert sam.status.get("kind") == "grabcut"
    (tmp_path / "elsewhere.pt").rename(checkpoint)
    press_keys(qtbot, window, Qt.Key_S)
    qtbot.waitUntil(lambda: sam.status.get("kind") == "sam2", timeout=TIMEOUT)
    window.tools.activate("select")
    close_window(window)


def test_a_chosen_checkpoint_found_damaged_at_the_first_click_turns_sam2_off_with_its_reason(qtbot, demo_dir,
                                                                                            tmp_path):
    """It was said in the status bar for 8 s; then clicks did nothing, the badge and the panel still said SAM 2."""
    tiny = model_entry("tiny")
    whole = tmp_path / "whole.pt"
    torch.save({"model": build_random_predictor(tiny.extra["config"], 0).state_dict()}, whole)
    damaged = tmp_path / "tiny.pt"
    damaged.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])  # a copy stopped half-way
    ModelSettings().set_checkpoint(tiny.name, damaged)
    window = make_window(qtbot, demo_dir)
    sam, panel = sam_controller(window), window.panel("sam")
    qtbot.waitUntil(lambda: sam.status.get("kind") == "sam2", timeout=TIMEOUT)  # (found; not loaded yet)
    window.set_media(1)
    wait_picture(qtbot, window)
    window.tools.activate("sam")
    window.last_error = None
    click(window.canvas, 256, 200)
    qtbot.waitUntil(lambda: sam.status.get("kind") == "grabcut", timeout=SLOW)
    assert f"{damaged}: not a readable PyTorch checkpoint" in window.last_error[0]
    assert "GrabCut" in window.last_error[0]
    assert f"SAM 2 is off: {damaged} cannot be loaded" in panel.status.text()
    badge = window.findChild(type(panel.status), "samSegmenterBadge")
    assert badge.text() == "Segmenter: GrabCut (no SAM 2 weights)"
    click(window.canvas, 256, 200)  # the click works again, with GrabCut
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
    assert sam.clicked.result.segmenter == "grabcut"
    # Opening the Models menu looks for the weights again: the same damaged file does not turn SAM 2 back on.
    window.menus["models"].aboutToShow.emit()
    qtbot.waitUntil(lambda: not window.engine.busy(), timeout=TIMEOUT)
    assert sam.status.get("kind") == "grabcut"
    # The whole file put in its place does.
    damaged.write_bytes(whole.read_bytes())
    window.menus["models"].aboutToShow.emit()
    qtbot.waitUntil(lambda: sam.status.get("kind") == "sam2", timeout=TIMEOUT)
    press_keys(qtbot, window, Qt.Key_Escape)
    window.tools.activate("select")
    close_window(window)


def test_open_models_folder_says_where_it_is(qtbot, tmp_path):
    """Without a file manager nothing opened and nothing was said (the path only on stderr)."""
    from PySide6.QtCore import QObject, Slot
    from PySide6.QtGui import QDesktopServices

    from engine.models.weights import models_dir

    class FileManager(QObject):  # what the desktop hands a folder to (Qt's own hook for it)
        def __init__(self):
            super().__init__()
            self.opened = []

        @Slot("QUrl")
        def show(self, url):
            self.opened.append(url.toLocalFile())

    manager = FileManager()
    QDesktopServices.setUrlHandler("file", manager, "show")
    try:
        window = make_window(qtbot)
        window.action("models.folder").trigger()
        assert manager.opened == [str(models_dir())] and models_dir().is_dir()
        assert window.statusBar().currentMessage() == f"Models folder: {models_dir()}"
    finally:
        QDesktopServices.unsetUrlHandler("file")
    close_window(window)
