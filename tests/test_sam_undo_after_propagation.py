"""Undo and redo of a SAM 2 object or correction once a propagation has run over it (SAM 2.1 tiny with random
weights, in a real window on a 3-frame video): the tester's "annotation 49 does not exist" that stayed on the
Edit menu for ever; and Ctrl+Z during the propagation, which waits."""
from __future__ import annotations

import torch
from PySide6.QtCore import Qt

from engine.models.registry import model_entry
from engine.models.weights import ModelSettings
from engine.segmentation.sam2_models import build_random_predictor
from gui.sam.controller import sam_controller
from storage.media.importer import import_paths
from storage.project import Project
from tests.media_factory import indexed_video
from tests.test_gui_support import TIMEOUT, close_window, drag, make_window, press_keys, wait_picture

SLOW = 300_000  # ms: a few SAM 2 frames on a busy 2-core CPU


def _track_here(window, frame, track_id):
    """(kind, role, source) -> annotation of the track on ``frame``."""
    return {(a.kind, a.attributes.get("role"), a.source != "manual"): a
            for a in window.project.annotations.for_media(window.current_media.id, frame) if a.track_id == track_id}


def _accept_box(qtbot, window, sam, frame, box):
    window.seek(frame)
    wait_picture(qtbot, window, frame)
    press_keys(qtbot, window, Qt.Key_B)
    drag(window.canvas, [box[:2], ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2), box[2:]])
    qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=SLOW)
    assert sam.clicked.result.mask.any(), "the random model found nothing in the box; pick another box"
    press_keys(qtbot, window, Qt.Key_Return)
    assert sam.clicked is None


def _propagate(qtbot, window, sam, **kw):
    assert sam.propagate(0, 2, **kw)
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)
    assert sam.last_result.startswith("Propagated"), sam.last_result


def test_undo_and_redo_of_a_sam_object_and_its_correction_work_after_a_propagation(
        qtbot, tmp_path):
    tiny = model_entry("tiny")
    checkpoint = tmp_path / "sam2.1_hiera_tiny.pt"
    torch.save({"model": build_random_predictor(tiny.extra["config"], 0).state_dict()}, checkpoint)
    ModelSettings().set_checkpoint(tiny.name, checkpoint)
    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=3)])
    project.close()

    window = make_window(qtbot, tmp_path / "proj")
    sam = sam_controller(window)
    qtbot.waitUntil(lambda: sam.status.get("kind") == "sam2", timeout=TIMEOUT)
    media = window.current_media.id
    window.tools.activate("sam")

    # A new object on frame 0, propagated over the video. Ctrl+Z while it is tracked waits: it took the track
    # away mid-way (the propagation then blamed "another program" for deleting it).
    _accept_box(qtbot, window, sam, 0, (20, 10, 120, 80))
    [track] = window.project.tracks.for_media(media)
    assert sam.propagate(0, 2)
    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
    assert window.statusBar().currentMessage() == ("This video is being propagated: undo this step once that is "
                                                   "done (or cancelled)")
    assert window.action("edit.undo").text() == "Undo SAM 2 object"
    qtbot.waitUntil(lambda: sam.propagation is None, timeout=SLOW)
    assert sam.last_result.startswith("Propagated 1 object over 3 frames"), sam.last_result
    assert [t.id for t in window.project.tracks.for_media(media)] == [track.id]
    propagated = {f: _track_here(window, f, track.id)[("mask", "mask", True)] for f in range(3)}
    assert all(m.attributes.get("propagated") for f, m in propagated.items() if f)

    # The tester's steps: correct the track on frame 1, propagate from there, Edit → Undo SAM 2 correction.
    sam.correct(track.id)
    _accept_box(qtbot, window, sam, 1, (60, 20, 180, 90))
    assert window.statusBar().currentMessage().startswith(f"Corrected track {track.id} on frame 1")
    corrected = _track_here(window, 1, track.id)
    assert ("box", "prompt", True) in corrected and corrected[("mask", "mask", True)].id != propagated[1].id
    _propagate(qtbot, window, sam, from_frame=1)
    standing = _track_here(window, 1, track.id)
    assert standing == corrected  # the mask accepted with the correction's prompt stays as it is
    assert _track_here(window, 2, track.id)[("mask", "mask", True)].id != propagated[2].id  # propagated from it

    assert window.action("edit.undo").text() == "Undo SAM 2 correction"
    window.undo()
    assert window.last_error is None
    assert window.action("edit.undo").text() == "Undo SAM 2 object"  # not stuck on the correction
    after = _track_here(window, 1, track.id)  # the correction's prompt and mask are gone, the earlier mask is back
    assert list(after) == [("mask", "mask", True)] and after[("mask", "mask", True)] == propagated[1]

    window.redo()  # and the correction comes back as it stood
    assert window.last_error is None
    assert _track_here(window, 1, track.id) == standing

    # Undoing the new object takes its track and everything of it, on every frame; redo brings it all back.
    window.undo()
    everything = window.project.annotations.for_track(track.id)
    assert sorted(a.frame for a in everything if a.kind == "mask") == [0, 1, 2]
    panel = window.panel("sam")
    assert panel.result.text().startswith("Propagated 1 object")
    window.undo()
    assert window.last_error is None and not window.action("edit.undo").isEnabled()
    assert window.project.tracks.for_media(media) == []
    assert panel.result.text() == ""  # (its object is gone: the outcome no longer describes the video)
    assert window.project.annotations.count(media) == 0
    window.redo()
    assert window.last_error is None
    assert [t.id for t in window.project.tracks.for_media(media)] == [track.id]
    assert window.project.annotations.for_track(track.id) == everything
    assert window.project.audit.verify() == []
    close_window(window)
