"""Relabelling an object: a label key on one of a track's masks, or ``facelens tracks relabel``, gives the track and
every annotation on it the label, and a later propagation labels its masks so. It relabelled that one mask only: the
other frames kept the old label, and the next propagation replaced the relabelled mask with one of the old label."""
from __future__ import annotations

import numpy as np

from engine.segmentation.store import MaskWriter
from storage.project import Project
from storage.video_locks import rewriting_masks
from tests.inprocess_cli import main_json, run_main
from tests.test_delete_track import _tracks


def _labels(project, track_id) -> tuple[int | None, set]:
    return project.tracks.get(track_id).label_id, {a.label_id for a in project.annotations.for_track(track_id)}


def test_a_label_key_on_a_tracked_mask_relabels_the_object_on_every_frame_and_undo_puts_it_back(qtbot, demo_dir):
    from tests.test_delete_track import _objects_on

    video, mouth, eye, _ids = _tracks(demo_dir)
    window, panel = _objects_on(qtbot, demo_dir, video, 1)
    old = window.project.tracks.get(mouth).label_id
    hair = window.project.labels.by_name("hair")
    mask = next(a for a in window.annotations_here() if a.track_id == mouth)
    window.selected_ids = {mask.id}
    window.panel("labels").pick(hair)
    assert _labels(window.project, mouth) == (hair.id, {hair.id})  # frames 0, 2 and 5 and the prompt too
    listed = window.panel("sam").objects  # the SAM 2 panel names the object's label (read in a job)
    qtbot.waitUntil(lambda: any(listed.topLevelItem(i).text(0) == f"track {mouth} · mouth (hair)"
                                for i in range(listed.topLevelItemCount())), timeout=10_000)
    assert _labels(window.project, eye) == (old, {old})
    assert window.undo_stack.undo_text == f"Relabel track {mouth} as {hair.name}"
    window.undo()
    assert _labels(window.project, mouth) == (old, {old})
    window.redo()
    assert _labels(window.project, mouth) == (hair.id, {hair.id})

    # A propagation after it stores the object's masks as "hair": the relabel is not undone by the model.
    item = window.project.media.get(video)
    writer = MaskWriter(window.project, item, "sam2.1_hiera_tiny", {mouth: window.project.tracks.get(mouth).label_id})
    frame = np.zeros((item.height, item.width), bool)
    frame[50:80, 40:90] = True
    writer.add(1, {mouth: (frame, 0.9)})
    writer.flush()
    assert _labels(window.project, mouth) == (hair.id, {hair.id})

    # A track picked in the objects list is relabelled too, also where it has no mask on the frame on screen (the
    # label key only changed the label to draw with).
    from tests.test_delete_track import _track_row

    panel.tree.clearSelection()
    _track_row(panel, eye).setSelected(True)
    assert window.selected_ids == set()  # (eye has nothing on frame 1)
    window.panel("labels").pick(hair)
    assert _labels(window.project, eye) == (hair.id, {hair.id})


def test_tracks_relabel_on_the_command_line(demo_dir, capsys):
    video, mouth, eye, ids = _tracks(demo_dir)
    with Project.open(demo_dir) as p:
        old = next(x.name for x in p.labels.all() if x.id == p.tracks.get(mouth).label_id)
    out = main_json(capsys, "tracks", "relabel", demo_dir, mouth, "hair")
    assert out["track"] == mouth and out["label"] == "hair" and out["before"] == old and out["annotations"] == ids
    with Project.open(demo_dir) as p:
        hair = p.labels.by_name("hair").id
        assert _labels(p, mouth) == (hair, {hair})
        [logged] = [e for e in p.audit.entries() if e.action == "relabel"]  # in the audit chain, like every edit
        assert logged.entity == f"track:{mouth}" and logged.payload["annotations"] == ids
    listed = run_main(capsys, "tracks", "list", demo_dir)[0]
    assert any(line.startswith(f"track {mouth}") and " hair " in line for line in listed.splitlines())

    _out, err = run_main(capsys, "tracks", "relabel", demo_dir, mouth, "nose-tip", code=2)
    assert "no label 'nose-tip' in this project (its labels: " in err and "labels add" in err
    _out, err = run_main(capsys, "tracks", "relabel", demo_dir, 999, "hair", code=2)
    assert "no track 999 in this project (its tracks: " in err


def test_a_track_of_a_video_another_program_propagates_is_neither_relabelled_nor_deleted(demo_dir, capsys):
    """The propagation would go on storing masks for it: with the old label, or for a track that is gone (the window
    went on tracking a track `tracks delete` had taken away)."""
    video, mouth, _eye, ids = _tracks(demo_dir)
    with Project.open(demo_dir) as p:
        before = _labels(p, mouth)
        with rewriting_masks(p, p.media.get(video), "propagate it"):
            for args in (("relabel", demo_dir, mouth, "hair"), ("delete", demo_dir, mouth)):
                _out, err = run_main(capsys, "tracks", *args, code=2)
                assert f"media {video} (astronaut_head.mp4) is being propagated by " in err
                assert "once that is done, or cancel it there" in err
        assert _labels(p, mouth) == before and sorted(a.id for a in p.annotations.for_track(mouth)) == ids

