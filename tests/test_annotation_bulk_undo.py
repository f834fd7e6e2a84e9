"""Undoing a SAM 2 object tracked over a long video takes its track and all its masks out, and redo puts them
back, in one transaction each (one by one, 2,000 masks took 5.5 s with the window frozen, 18,000 minutes); the
ids stay the same, and a step that cannot be done changes nothing."""
import numpy as np
import pytest

from annotation.commands import UndoStack
from annotation.errors import InputError
from annotation.model import Annotation, Track
from annotation.shapes import Mask, Points
from gui.sam.commands import AcceptObject
from storage.media.importer import import_paths
from storage.project import Project
from storage.record_store import ProjectStore
from tests.media_factory import indexed_video

MODEL = "sam2.1_hiera_tiny"


@pytest.fixture
def accepted(tmp_path):
    """An object accepted on frame 0, then propagated: 2,000 model masks on its track."""
    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=3)])
    item = project.media.all()[0]
    mask = np.zeros((item.height, item.width), bool)
    mask[5:20, 5:30] = True
    shape = Mask.from_array(mask)

    def make(track_id):
        return [Annotation(media_id=item.id, frame=0, track_id=track_id, shape=Points(((10, 10),), (1,)),
                           source=MODEL, attributes={"role": "prompt"}),
                Annotation(media_id=item.id, frame=0, track_id=track_id, shape=shape, source=MODEL,
                           attributes={"role": "mask"})]

    stack = UndoStack(ProjectStore(project))
    command = stack.push(AcceptObject(Track(media_id=item.id), True, make, []))
    project.annotations.add_many([Annotation(media_id=item.id, frame=f % 3, track_id=command.track.id, shape=shape,
                                             source=MODEL, attributes={"role": "mask", "propagated": True})
                                  for f in range(2000)], action="propagate")
    yield project, stack, command.track
    project.close()


def test_undo_and_redo_take_a_long_object_out_and_back_in_one_entry_each(accepted):
    project, stack, track = accepted
    before = project.annotations.for_track(track.id)
    entries = project.audit.count()
    stack.undo()
    assert project.tracks.get(track.id) is None and project.annotations.for_track(track.id) == []
    stack.redo()
    assert project.tracks.get(track.id) == track and project.annotations.for_track(track.id) == before
    assert project.audit.count() == entries + 2
    assert project.audit.verify() == []


def test_a_redo_that_cannot_be_done_says_why_and_changes_nothing(accepted):
    project, stack, track = accepted
    count = project.annotations.count()
    stack.undo()
    gone = project.annotations.count()
    assert count - gone == 2002  # the prompt, the accepted mask and the propagated ones
    project.tracks.restore(track)  # someone put the track back meanwhile: the redo would duplicate its id
    with pytest.raises(InputError, match=f"track {track.id} cannot be put back"):
        stack.redo()
    assert project.annotations.count() == gone  # not one of its masks went in
