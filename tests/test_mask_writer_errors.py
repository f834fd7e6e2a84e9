"""A propagation whose masks cannot be written (a read-only project, a full disk, another writer holding the
database) ends with the error, not with a hang: the CLI's `track` waited for ever when the failing commit was
the last one, the one flush() asks for."""
import threading
import time

import numpy as np
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from annotation.model import Track
from engine.segmentation.store import MaskWriter
from storage.media.importer import import_paths
from storage.project import Project
from tests.media_factory import indexed_video


def test_a_last_batch_that_cannot_be_committed_makes_flush_raise_instead_of_hanging(tmp_path):
    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=3)])
    item = project.media.all()[0]
    track = project.tracks.add(Track(media_id=item.id))
    writer = MaskWriter(project, item, "sam2.1_hiera_tiny", {track.id: None}, max_wait=60)

    # From here on the database refuses writes, as a read-only project.db does.
    event.listen(project.engine, "connect", lambda conn, _rec: conn.execute("PRAGMA query_only = ON"))
    project.engine.dispose()
    mask = np.zeros((item.height, item.width), bool)
    mask[10:40, 20:70] = True
    writer.add(1, {track.id: (mask, 0.9)})  # waits in the batch until flush() asks for the commit

    outcome = []

    def flush():
        try:
            writer.flush()
        except Exception as e:
            outcome.append(e)

    flushing = threading.Thread(target=flush, daemon=True)
    flushing.start()
    flushing.join(20)
    assert not flushing.is_alive(), "flush() hung on a commit that failed"
    assert len(outcome) == 1 and isinstance(outcome[0], OperationalError)
    assert "readonly" in str(outcome[0])
    project.close()
    with Project.open(tmp_path / "proj") as again:
        assert [a for a in again.annotations.for_media(item.id, 1) if a.kind == "mask"] == []


def test_a_track_deleted_during_the_propagation_loses_its_masks_not_the_propagation(tmp_path):
    """Another program deleted a track being propagated (``facelens tracks delete``): its masks broke the
    database's foreign key at the next commit, which failed the whole propagation with an IntegrityError."""
    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=4)])
    item = project.media.all()[0]
    kept, doomed = (project.tracks.add(Track(media_id=item.id)) for _ in range(2))
    # Each frame committed as it comes (batch=1): frame 0's masks are in before the track is deleted, and the
    # propagation's count of masks stored must not count the ones that went with it.
    writer = MaskWriter(project, item, "sam2.1_hiera_tiny", {kept.id: None, doomed.id: None}, batch=1)
    mask = np.zeros((item.height, item.width), bool)
    mask[10:40, 20:70] = True

    def masks_on(frame):
        return [(a.frame, a.track_id) for a in project.annotations.for_media(item.id, frame) if a.kind == "mask"]

    writer.add(0, {kept.id: (mask, 0.9), doomed.id: (mask, 0.8)})
    deadline = time.monotonic() + 20
    while len(masks_on(0)) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert masks_on(0) == [(0, kept.id), (0, doomed.id)]
    with Project.open(tmp_path / "proj") as other:
        other.tracks.delete_with_annotations(other.tracks.get(doomed.id))
    writer.add(1, {kept.id: (mask, 0.9), doomed.id: (mask, 0.8)})
    writer.add(2, {kept.id: (mask, 0.9), doomed.id: (mask, 0.8)})
    assert writer.flush() == 3  # what the project holds now: frames 0, 1 and 2 of the track still there
    assert writer.gone_tracks == {doomed.id}
    assert masks_on(0) + masks_on(1) + masks_on(2) == [(0, kept.id), (1, kept.id), (2, kept.id)]
    assert project.audit.verify() == []
    project.close()


def test_the_propagation_says_which_tracks_were_deleted_meanwhile():
    from engine.segmentation.service import Propagated

    assert Propagated(kept=1, deleted_meanwhile=[7]).remarks() == (
        "; 1 mask corrected by hand kept; track 7 deleted during the propagation (by another program): its masks "
        "not stored")
    assert Propagated(deleted_meanwhile=[3, 4]).remarks().startswith("; tracks 3, 4 deleted")
    assert Propagated(unchanged=2).remarks() == "; 2 unchanged"
