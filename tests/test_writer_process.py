"""A propagation's masks are stored by a helper process (engine.segmentation.writer_process), so the engine's
process keeps Python's lock for driving the GPU. It must store exactly what the writer thread stores, keep
hand edits, commit a slow device's frames within a second, and never hang or lose what it committed when the
helper is gone."""
import sqlite3
import time

import numpy as np
import pytest

from annotation.model import Annotation, Track
from annotation.shapes import Mask
from engine.segmentation import writer_process
from engine.segmentation.store import MaskWriter
from engine.segmentation.writer_process import WRITERS, ProcessMaskWriter, WriterFailed, WriterProcesses
from storage.media.importer import import_paths
from storage.project import Project
from tests.media_factory import indexed_video

MODEL = "sam2.1_hiera_tiny"


@pytest.fixture
def video(tmp_path):
    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=4)])
    yield project, project.media.all()[0]
    project.close()


def box(item, y0, y1, x0, x1) -> np.ndarray:
    mask = np.zeros((item.height, item.width), bool)
    mask[y0:y1, x0:x1] = True
    return np.asfortranarray(mask)


def masks_on(project, item, frame):
    return [a for a in project.annotations.for_media(item.id, frame) if a.kind == "mask"]


@pytest.mark.parametrize("way", ["helper process", "thread"])
def test_both_writers_store_the_same_masks_and_keep_the_ones_edited_by_hand(video, way):
    project, item = video
    track, other = (project.tracks.add(Track(media_id=item.id)) for _ in range(2))
    old, new = box(item, 5, 15, 5, 15), box(item, 20, 40, 30, 60)
    speckled = np.asfortranarray(np.random.default_rng(3).random((item.height, item.width)) > 0.5)
    project.annotations.add_many([
        Annotation(media_id=item.id, frame=0, shape=Mask.from_array(old), track_id=track.id, source=MODEL,
                   attributes={"role": "mask", "propagated": True}),
        Annotation(media_id=item.id, frame=1, shape=Mask.from_array(old), track_id=track.id, source="manual",
                   attributes={"role": "mask"})])
    labels = {track.id: None, other.id: None}
    writer = WRITERS.writer(project, item, MODEL, labels) if way == "helper process" else \
        MaskWriter(project, item, MODEL, labels)
    assert isinstance(writer, ProcessMaskWriter if way == "helper process" else MaskWriter)
    for frame in range(3):
        writer.add(frame, {track.id: (new, 0.8), other.id: (speckled, None)})
    writer.add(3, {track.id: (np.zeros_like(new), 0.1), other.id: (speckled, 0.5)})  # the object gone there
    assert writer.flush() == 6  # frames 0 and 2 of the track (frame 1 is someone's correction), 0..3 of the other
    assert (writer.kept, writer.unchanged, writer.removed, writer.gone_tracks) == (1, 0, 0, set())
    assert sorted(writer.frames_written) == [0, 1, 2, 3]
    got = {f: {a.track_id: a for a in masks_on(project, item, f)} for f in range(4)}
    assert got[1][track.id].source == "manual" and np.array_equal(got[1][track.id].shape.to_array(), old)
    for f in (0, 2):
        assert np.array_equal(got[f][track.id].shape.to_array(), new) and got[f][track.id].score == 0.8
        assert got[f][track.id].attributes == {"role": "mask", "propagated": True}
    assert track.id not in got[3]
    for f in range(4):
        assert np.array_equal(got[f][other.id].shape.to_array(), speckled)
    assert got[0][other.id].score is None and got[3][other.id].score == 0.5
    assert project.audit.verify() == []


def test_a_slow_devices_frame_is_committed_by_the_helper_within_a_second(video):
    project, item = video
    track = project.tracks.add(Track(media_id=item.id))
    writer = WRITERS.writer(project, item, MODEL, {track.id: None}, max_wait=0.3)
    assert isinstance(writer, ProcessMaskWriter)
    writer.add(2, {track.id: (box(item, 10, 40, 20, 70), 0.9)})
    deadline = time.monotonic() + 10
    while not masks_on(project, item, 2) and time.monotonic() < deadline:  # no next frame: committed anyway
        time.sleep(0.05)
    assert [a.track_id for a in masks_on(project, item, 2)] == [track.id]
    assert writer.flush() == 1 and writer.frames_written == [2]


def test_a_helper_that_dies_mid_propagation_is_an_error_not_a_hang_and_its_commits_stay(video):
    project, item = video
    track = project.tracks.add(Track(media_id=item.id))
    writer = WRITERS.writer(project, item, MODEL, {track.id: None}, batch=1)
    writer.add(0, {track.id: (box(item, 10, 40, 20, 70), 0.9)})
    deadline = time.monotonic() + 10
    while not masks_on(project, item, 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    writer._proc.kill()
    writer._proc.wait(5)
    with pytest.raises(WriterFailed, match="stopped") as failed:
        for frame in range(1, 4):
            writer.add(frame, {track.id: (box(item, 10, 40, 20, 70), 0.9)})
            time.sleep(0.2)
        writer.flush()
    assert "frames it had stored are kept" in str(failed.value)
    assert len(masks_on(project, item, 0)) == 1
    again = WRITERS.writer(project, item, MODEL, {track.id: None})  # the next propagation gets a new helper
    assert isinstance(again, ProcessMaskWriter)
    again.add(1, {track.id: (box(item, 10, 40, 20, 70), 0.9)})
    assert again.flush() == 1


def test_a_commit_the_helper_cannot_make_ends_the_propagation_with_its_error_and_changes_nothing(video):
    """Another program holds the project's write lock longer than the busy timeout (10 s)."""
    project, item = video
    track = project.tracks.add(Track(media_id=item.id))
    writer = WRITERS.writer(project, item, MODEL, {track.id: None})
    other = sqlite3.connect(project.db_path)
    other.execute("BEGIN IMMEDIATE")
    try:
        writer.add(0, {track.id: (box(item, 10, 40, 20, 70), 0.9)})
        with pytest.raises(WriterFailed, match="OperationalError: .*database is locked"):
            writer.flush()
    finally:
        other.rollback()
        other.close()
    assert masks_on(project, item, 0) == [] and project.audit.verify() == []
    again = WRITERS.writer(project, item, MODEL, {track.id: None})  # the helper is fine for the next one
    assert isinstance(again, ProcessMaskWriter)
    again.add(0, {track.id: (box(item, 10, 40, 20, 70), 0.9)})
    assert again.flush() == 1


def test_a_frozen_app_stores_with_the_writer_thread(video, monkeypatch):
    project, item = video
    track = project.tracks.add(Track(media_id=item.id))
    monkeypatch.setattr(writer_process.sys, "frozen", True, raising=False)  # as a PyInstaller build sets it
    writers = WriterProcesses()
    writer = writers.writer(project, item, MODEL, {track.id: None})
    assert type(writer) is MaskWriter
    writer.add(0, {track.id: (box(item, 10, 40, 20, 70), 0.9)})
    assert writer.flush() == 1 and len(masks_on(project, item, 0)) == 1


def test_masks_handed_over_are_stored_also_when_the_app_goes_away_mid_propagation(video):
    """The app killed (its end of the pipe closed without the end marker): the helper stores what came, then ends."""
    project, item = video
    track = project.tracks.add(Track(media_id=item.id))
    writer = WRITERS.writer(project, item, MODEL, {track.id: None}, max_wait=60)
    for frame in range(3):
        writer.add(frame, {track.id: (box(item, 10, 40, 20 + frame, 70), 0.9)})
    deadline = time.monotonic() + 10
    while not writer._queue.empty() and time.monotonic() < deadline:  # all three sent down the pipe
        time.sleep(0.01)
    time.sleep(0.5)  # (the last one's few bytes written)
    writer._proc.stdin.close()  # as the kernel closes it when the app dies
    assert writer._proc.wait(10) == 0
    assert [len(masks_on(project, item, f)) for f in range(3)] == [1, 1, 1]
    assert project.audit.verify() == []


@pytest.mark.parametrize("way", ["helper process", "thread"])
def test_a_track_relabelled_during_the_propagation_has_its_new_label_on_the_frames_stored_after(video, way):
    """The writer took the labels at the propagation's start: the masks stored after a relabel (the window's
    ``2`` on the track's mask while the command line tracks it) kept the old label, or none."""
    project, item = video
    face, person = (project.labels.by_name(n) for n in ("face", "person"))
    track = project.tracks.add(Track(media_id=item.id, label_id=face.id))
    labels = {track.id: face.id}
    writer = WRITERS.writer(project, item, MODEL, labels, batch=1) if way == "helper process" else \
        MaskWriter(project, item, MODEL, labels, batch=1)
    writer.add(0, {track.id: (box(item, 10, 40, 20, 70), 0.9)})
    deadline = time.monotonic() + 10
    while not masks_on(project, item, 0) and time.monotonic() < deadline:
        time.sleep(0.05)
    with Project.open(project.root) as other:  # the window, another program
        other.tracks.relabel(track.id, person.id)
    for frame in (1, 2):
        writer.add(frame, {track.id: (box(item, 10, 40, 20, 70), 0.9)})
    assert writer.flush() == 3
    assert [masks_on(project, item, f)[0].label_id for f in range(3)] == [person.id] * 3
