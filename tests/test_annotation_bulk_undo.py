"""Undoing an object tracked over a long video takes all its masks out, and redo puts them back, in one
transaction each (one by one, 18,000 masks took minutes with the window frozen); the ids stay the same, and a
step that cannot be done changes nothing."""
import numpy as np
import pytest

from annotation.errors import InputError
from annotation.model import Annotation, Track
from annotation.shapes import Mask
from storage.media.importer import import_paths
from storage.project import Project
from storage.record_store import ProjectStore
from tests.media_factory import indexed_video


@pytest.fixture
def tracked(tmp_path):
    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=3)])
    item = project.media.all()[0]
    track = project.tracks.add(Track(media_id=item.id))
    mask = np.zeros((item.height, item.width), bool)
    mask[5:20, 5:30] = True
    shape = Mask.from_array(mask)
    project.annotations.add_many([Annotation(media_id=item.id, frame=f % 3, track_id=track.id, shape=shape,
                                             source="sam2.1_hiera_tiny") for f in range(2000)])
    yield project, track
    project.close()


def test_a_tracks_masks_go_and_come_back_under_their_ids_in_one_entry_each(tracked):
    project, track = tracked
    store = ProjectStore(project)
    masks = project.annotations.for_track(track.id)
    entries = len(project.audit.entries())
    store.delete_many(masks)
    assert project.annotations.for_track(track.id) == []
    store.restore_many(masks)
    assert project.annotations.for_track(track.id) == masks
    assert len(project.audit.entries()) == entries + 2
    assert project.audit.verify() == []


def test_a_bulk_step_that_cannot_be_done_changes_nothing(tracked):
    project, track = tracked
    store = ProjectStore(project)
    masks = project.annotations.for_track(track.id)
    with pytest.raises(InputError, match=f"annotation {masks[0].id} cannot be put back: an annotation with id "
                                         f"{masks[0].id} is already in the project; nothing was changed"):
        store.restore_many(masks[:5])
    store.delete_many(masks[:1])
    with pytest.raises(InputError, match=f"annotation {masks[0].id} does not exist .* nothing was changed"):
        store.delete_many(masks[:10])
    assert len(project.annotations.for_track(track.id)) == 1999
