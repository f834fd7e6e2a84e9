"""What another program does to the open project shows in the window within a second or two: a track deleted
with ``facelens tracks delete`` (it stayed in the window's lists), a mask stored by another connection, a media
file imported; the window's own edits are not taken for someone else's."""
from __future__ import annotations

from annotation.model import Annotation, Track
from annotation.shapes import Box
from storage.media.importer import import_paths
from storage.project import Project
from tests.cli import run_cli
from tests.media_factory import photo
from tests.test_gui_support import TIMEOUT, close_window, make_window, wait_picture


def _rows(panel) -> list[str]:
    tree = panel.tree
    return [tree.topLevelItem(i).child(j).text(0) for i in range(tree.topLevelItemCount())
            for j in range(tree.topLevelItem(i).childCount())]


def test_the_window_shows_what_another_program_changed(qtbot, demo_dir, tmp_path):
    with Project.open(demo_dir) as p:
        video = next(m for m in p.media.all() if m.is_video)
        track = p.tracks.add(Track(media_id=video.id, name="mouth"))
        p.annotations.add(Annotation(media_id=video.id, frame=0, track_id=track.id, shape=Box(40, 50, 90, 80)))
    window = make_window(qtbot, demo_dir)
    window.set_media(video, 0)
    wait_picture(qtbot, window, 0)
    panel = window.panel("objects")
    qtbot.waitUntil(lambda: any(r.startswith(f"track {track.id}") for r in _rows(panel)), timeout=TIMEOUT)

    run_cli("tracks", "delete", demo_dir, track.id)  # the real command line, in its own process
    qtbot.waitUntil(lambda: not any(r.startswith(f"track {track.id}") for r in _rows(panel)), timeout=TIMEOUT)
    assert "changed by another program" in window.statusBar().currentMessage()

    with Project.open(demo_dir) as other:  # another connection stores a box on the frame on screen
        added = other.annotations.add(Annotation(media_id=video.id, frame=0, shape=Box(5, 5, 25, 25)))
        import_paths(other, [photo(tmp_path / "new.jpg")])
    qtbot.waitUntil(lambda: added.id in {a.id for a in window.annotations_here()}, timeout=TIMEOUT)
    media = window.panel("media")
    qtbot.waitUntil(lambda: "new.jpg" in [m.name for m in media.visible_media()], timeout=TIMEOUT)
    close_window(window)


def test_the_windows_own_edits_are_not_reloaded_as_someone_elses(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    item = window.current_media
    window.project.annotations.add(Annotation(media_id=item.id, frame=window.current_frame, shape=Box(1, 1, 9, 9)))
    assert window.outside_changes.check() == []  # this program wrote it: nothing to reload
    with Project.open(demo_dir) as other:
        other.annotations.add(Annotation(media_id=item.id, frame=window.current_frame, shape=Box(2, 2, 9, 9)))
    assert window.outside_changes.check() == ["annotations"]
    assert window.outside_changes.check() == []
    close_window(window)


def test_an_undo_step_whose_annotation_another_program_deleted_leaves_the_list(qtbot, demo_dir):
    """It stayed on top of the undo list, refused at every Ctrl+Z, so no older step could be undone, and the
    status bar said "not saved" though nothing was lost."""
    from annotation.commands import Add

    window = make_window(qtbot, demo_dir)
    item, frame = window.current_media, window.current_frame
    older = window.push(Add(Annotation(media_id=item.id, frame=frame, shape=Box(1, 1, 9, 9)), "Add older box"))
    newer = window.push(Add(Annotation(media_id=item.id, frame=frame, shape=Box(2, 2, 8, 8)), "SAM 2 box"))
    with Project.open(demo_dir) as other:
        other.annotations.delete(other.annotations.get(newer.stored.id))

    window.undo()
    message, _details = window.last_error
    # (a step's name in capitals stays so: it was "sam 2 object")
    assert "Could not undo SAM 2 box" in message and f"annotation {newer.stored.id} does not exist" in message
    assert message.endswith("; nothing was changed. That step is off the undo list now.")
    assert window.saved_indicator.state != "failed"
    assert window.action("edit.undo").text() == "Undo add older box"
    window.undo()  # the step behind it
    assert window.project.annotations.get(older.stored.id) is None
    close_window(window)


def _propagating_two_tracks(qtbot, demo_dir):
    """A window on frame 5 of the demo video while its two tracks are propagated (a stand-in for the job: masks
    come as a propagation hands them over), and a mask to hand over."""
    import numpy as np

    from gui.sam.controller import sam_controller

    with Project.open(demo_dir) as p:
        video = next(m for m in p.media.all() if m.is_video)
        kept, deleted = (p.tracks.add(Track(media_id=video.id)).id for _ in range(2))
    window = make_window(qtbot, demo_dir)
    window.set_media(video, 5)
    wait_picture(qtbot, window, 5)
    sam = sam_controller(window)
    sam.follow = False
    sam.propagating_media, sam.propagation = video.id, object()
    mask = np.zeros((480, 640), bool)
    mask[100:200, 200:300] = True
    return window, sam, kept, deleted, mask


def test_a_track_deleted_while_it_is_propagated_is_not_listed_as_tracked_just_now(qtbot, demo_dir):
    window, sam, kept, deleted, mask = _propagating_two_tracks(qtbot, demo_dir)
    panel = window.panel("objects")
    with Project.open(demo_dir) as other:
        other.tracks.delete_with_annotations(other.tracks.get(deleted))
    sam.masksArrived.emit(5, {kept: mask, deleted: mask})
    qtbot.waitUntil(lambda: 5 in sam.recent, timeout=TIMEOUT)
    panel.refresh()
    assert [r for r in _rows(panel) if r.startswith("unlabelled, track")] == [f"unlabelled, track {kept}"]
    sam.propagation = None
    close_window(window)


def test_gaze_imported_by_another_program_shows_in_the_emotion_workspace(qtbot, demo_dir, tmp_path):
    from engine.gaze.importing import import_gaze
    from gui.emotion.state import emotion_state
    from tests.test_gui_emotion import _gaze_file

    window = make_window(qtbot, demo_dir)
    window.action("workspace.emotion").trigger()
    window.set_media(2)
    state = emotion_state(window)
    qtbot.waitUntil(lambda: window.playback.ready, timeout=TIMEOUT)
    assert state.samples is None
    path, *_ = _gaze_file(tmp_path)
    with Project.open(demo_dir) as other:
        recording = import_gaze(other, 2, path)["recording_id"]
    qtbot.waitUntil(lambda: [r.id for r in state.recordings] == [recording] and state.samples is not None,
                    timeout=TIMEOUT)
    assert "Eye tracking data" in window.statusBar().currentMessage()
    close_window(window)


def test_runs_and_verdicts_from_another_reviewer_show_without_losing_the_reviewers_place(qtbot, tmp_path):
    from engine.audit.importer import import_scores
    from tests.audit_factory import make_dataset
    from tests.test_gui_audit import _audit_window

    root = tmp_path / "case"
    data = make_dataset(tmp_path / "data", per_class=12, unseen=4)
    with Project.create(root) as p:
        first = import_scores(p, data.csv, data.features, model="xception").run_id
    window, state, panel = _audit_window(qtbot, root)
    model = panel.model
    assert model.rowCount() >= 2
    panel.table.selectRow(1)
    qtbot.waitUntil(lambda: state.current is not None and state.current.result_id == model.item(1).result_id,
                    timeout=TIMEOUT)
    looking_at, other_sample = model.item(1).result_id, model.item(0).result_id
    qtbot.waitUntil(lambda: not panel.crop.pixmap().isNull(), timeout=TIMEOUT)  # its face

    with Project.open(root) as other:  # a second reviewer decides two samples, the command line imports a run
        other.detectors.add_verdict(other_sample, "attack", reviewer="second")
        other.detectors.add_verdict(looking_at, "bona_fide", reviewer="second")
        again = make_dataset(tmp_path / "data2", per_class=12, unseen=4, seed=1)
        second = import_scores(other, again.csv, again.features, model="efficientnet").run_id
    qtbot.waitUntil(lambda: panel.runs.count() == 2, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: model.item(0).verdict is not None and model.item(1).verdict is not None,
                    timeout=TIMEOUT)
    assert (model.item(0).verdict.verdict, model.item(0).verdict.reviewer) == ("attack", "second")
    assert state.run_id == first and panel.runs.currentData() == first and second != first
    assert state.current.result_id == looking_at  # not moved on, as the reviewer's own verdict would
    assert not panel.crop.pixmap().isNull() and "bona fide</b> by second" in panel.details.text()  # (face kept)
    assert "2 decided" in panel.status.text()
    message = window.statusBar().currentMessage()
    assert "changed by another program" in message and "verdicts" in message.lower()

    from engine.audit.report import write_report

    window.outside_changes._timer.stop()  # (this test looks itself)
    with Project.open(root) as other:  # a report written elsewhere changes nothing in the project
        write_report(other, first, tmp_path / "report.html")
        other.detectors.add_verdict(other_sample, "unsure", reviewer="second")
    assert window.outside_changes.check() == ["verdicts"]
    assert state.current.result_id == looking_at
    close_window(window)


def test_a_track_deleted_elsewhere_during_a_propagation_leaves_the_canvas_at_once(qtbot, demo_dir):
    """Its arrived masks stayed drawn over the video until the propagation ended (minutes on a long video)."""
    window, sam, kept, deleted, mask = _propagating_two_tracks(qtbot, demo_dir)
    layer = window.canvas.layer("sam preview")
    sam.masksArrived.emit(5, {kept: mask, deleted: mask})
    qtbot.waitUntil(lambda: len(layer.root.childItems()) == 2, timeout=TIMEOUT)

    run_cli("tracks", "delete", demo_dir, deleted)
    qtbot.waitUntil(lambda: len(layer.root.childItems()) == 1, timeout=TIMEOUT)
    assert set(sam.recent[5]) == {kept}
    sam.masksArrived.emit(6, {kept: mask, deleted: mask})  # SAM 2 still tracks it until its pass ends
    qtbot.waitUntil(lambda: 6 in sam.recent, timeout=TIMEOUT)
    assert set(sam.recent[6]) == {kept}
    sam.propagation = None
    close_window(window)
