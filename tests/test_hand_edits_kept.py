"""A model's mask edited by hand (brush, eraser) becomes the user's: the next propagation keeps it, also when the
edit is made while a propagation is already running towards that frame."""
from __future__ import annotations

import numpy as np

from annotation.model import Annotation, Track
from annotation.shapes import Mask
from engine.segmentation.store import MaskWriter
from storage.media.importer import import_paths
from storage.project import Project
from tests.media_factory import indexed_video
from tests.test_gui_support import close_window, drag, make_window, wait_picture

MODEL = "sam2.1_hiera_tiny"


def _video_with_propagated_masks(tmp_path, frames=3):
    """A video whose track 1 has a propagated SAM 2 mask (rows 20-60, columns 40-120) on every frame."""
    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=frames)])
    item = project.media.all()[0]
    track = project.tracks.add(Track(media_id=item.id, label_id=project.labels.by_name("face").id))
    mask = np.zeros((item.height, item.width), bool)
    mask[20:60, 40:120] = True
    project.annotations.add_many([
        Annotation(media_id=item.id, frame=f, shape=Mask.from_array(mask), track_id=track.id, label_id=track.label_id,
                   score=0.9, source=MODEL, attributes={"role": "mask", "propagated": True}) for f in range(frames)])
    return project, item, track, mask


def _masks(project, item, frame):
    return [a for a in project.annotations.for_media(item.id, frame) if a.kind == "mask"]


def _propagate(project, item, track, frames, mask):
    """What a propagation over ``frames`` stores: the real writer, handed the model's mask for each frame."""
    writer = MaskWriter(project, item, MODEL, {track.id: track.label_id})
    for f in frames:
        writer.add(f, {track.id: (mask, 0.8)})
    return writer.flush()


def test_a_propagated_mask_erased_or_painted_by_hand_survives_the_next_propagation(qtbot, tmp_path):
    project, item, track, mask = _video_with_propagated_masks(tmp_path)
    root = project.root
    project.close()
    window = make_window(qtbot, root)
    window.seek(1)
    wait_picture(qtbot, window, 1)
    window.tools.activate("eraser")
    window.tools.set_brush_size(20)
    drag(window.canvas, [(80, 20), (80, 60)])  # a cut through the middle of the mask
    [erased] = _masks(window.project, item, 1)
    cut = erased.shape.to_array()
    assert not cut[40, 80] and cut[40, 50] and cut.sum() < mask.sum()
    assert erased.source == "manual" and "propagated" not in erased.attributes and erased.score is None
    assert erased.track_id == track.id and erased.attributes["role"] == "mask"  # still the track's mask

    window.seek(2)
    wait_picture(qtbot, window, 2)
    window.tools.activate("brush")
    window.tools.set_brush_size(10)
    drag(window.canvas, [(150, 80), (170, 80)])  # a stroke outside the mask, added to it
    [painted] = _masks(window.project, item, 2)
    grown = painted.shape.to_array()
    assert grown[80, 160] and grown[40, 80] and painted.source == "manual"

    # Propagating again (the model now sees the object elsewhere) replaces frame 0's mask, keeps the hand edits.
    moved = np.zeros_like(mask)
    moved[50:90, 100:180] = True
    assert _propagate(window.project, item, track, range(3), moved) == 1
    assert np.array_equal(_masks(window.project, item, 0)[0].shape.to_array(), moved)
    [kept1] = _masks(window.project, item, 1)
    [kept2] = _masks(window.project, item, 2)
    assert np.array_equal(kept1.shape.to_array(), cut) and np.array_equal(kept2.shape.to_array(), grown)

    window.seek(1)  # undoing the erase gives the model's mask back, and it is the model's again
    wait_picture(qtbot, window, 1)
    window.undo()
    window.undo()
    [back] = _masks(window.project, item, 1)
    assert np.array_equal(back.shape.to_array(), mask) and back.source == MODEL and back.attributes["propagated"]
    close_window(window)


def test_a_mask_edited_by_hand_while_a_propagation_runs_is_kept_when_the_propagation_reaches_its_frame(tmp_path):
    project, item, track, mask = _video_with_propagated_masks(tmp_path, frames=4)
    moved = np.zeros_like(mask)
    moved[50:90, 100:180] = True
    writer = MaskWriter(project, item, MODEL, {track.id: track.label_id}, batch=1)  # reads the masks as they are
    writer.add(0, {track.id: (moved, 0.8)})
    # The user, ahead of the propagation, erases part of frame 2's mask (the eraser's edit, as the window makes it).
    from engine.segmentation.store import edited_by_hand

    [target] = _masks(project, item, 2)
    cut = mask.copy()
    cut[:, 70:90] = False
    project.annotations.update(edited_by_hand(target, Mask.from_array(cut)))
    for f in (1, 2, 3):
        writer.add(f, {track.id: (moved, 0.8)})
    assert writer.flush() == 3  # frames 0, 1 and 3
    assert writer.kept == 1  # the propagation says so ("1 mask corrected by hand kept")
    for f in (0, 1, 3):
        [m] = _masks(project, item, f)
        assert np.array_equal(m.shape.to_array(), moved) and m.attributes["propagated"]
    [kept] = _masks(project, item, 2)  # the hand edit, alone: no model mask stored beside it
    assert kept.id == target.id and kept.source == "manual" and np.array_equal(kept.shape.to_array(), cut)
    assert project.audit.verify() == []
    project.close()


def test_a_mask_the_model_gives_again_as_it_was_stored_keeps_its_id(tmp_path):
    # Re-propagating after a correction of one object gives the other objects' masks again: they were deleted and
    # stored anew, new ids and audit entries for nothing. Now a mask given again as it is stored stays as it is.
    project, item, track, mask = _video_with_propagated_masks(tmp_path)
    before = {f: [a.id for a in _masks(project, item, f)] for f in range(3)}
    moved = np.zeros_like(mask)
    moved[50:90, 100:180] = True
    writer = MaskWriter(project, item, MODEL, {track.id: track.label_id})
    for f in range(3):
        writer.add(f, {track.id: (moved if f == 1 else mask, 0.9)})  # the object changed on frame 1 only
    assert writer.flush() == 1 and writer.unchanged == 2
    after = {f: [a.id for a in _masks(project, item, f)] for f in range(3)}
    assert after[0] == before[0] and after[2] == before[2] and after[1] != before[1]
    [changed] = _masks(project, item, 1)
    assert np.array_equal(changed.shape.to_array(), moved)
    assert project.audit.verify() == []
    project.close()


def test_masks_of_frames_where_the_object_is_no_longer_found_are_removed_and_counted(tmp_path):
    """The model finds nothing on frames 1 and 2 now (the object hidden, another model): their older masks go, and
    the outcome says so (it said "0 masks stored" and nothing of the two masks deleted)."""
    from engine.segmentation.service import Propagated

    project, item, track, mask = _video_with_propagated_masks(tmp_path)
    writer = MaskWriter(project, item, MODEL, {track.id: track.label_id})
    for f in range(3):
        writer.add(f, {track.id: (mask if f == 0 else np.zeros_like(mask), 0.9)})
    assert writer.flush() == 0 and writer.unchanged == 1 and writer.removed == 2
    assert [len(_masks(project, item, f)) for f in range(3)] == [1, 0, 0]
    assert Propagated(unchanged=1, removed=2).remarks() == (
        "; 1 unchanged; 2 older masks removed, the object not found on their frames now")
    assert Propagated(removed=1).remarks().endswith("1 older mask removed, the object not found on its frame now")
    project.close()
