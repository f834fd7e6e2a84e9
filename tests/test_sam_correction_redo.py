"""A correction undone, the video propagated again, the correction redone: the track has one mask on that frame
(the redo left the propagation's mask beside the correction's: two masks of one object on one frame)."""
import numpy as np

from annotation.commands import UndoStack
from annotation.model import Annotation, Track
from annotation.shapes import Mask, Points
from gui.sam.commands import AcceptObject
from storage.media.importer import import_paths
from storage.project import Project
from storage.record_store import ProjectStore
from tests.media_factory import indexed_video

MODEL = "sam2.1_hiera_tiny"


def test_redoing_a_correction_after_a_new_propagation_leaves_one_mask_on_its_frame(tmp_path):
    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=3)])
    item = project.media.all()[0]

    def mask(x0):
        m = np.zeros((item.height, item.width), bool)
        m[5:20, x0:x0 + 20] = True
        return Mask.from_array(m)

    def on(frame, shape, track_id, role="mask", **attributes):
        return Annotation(media_id=item.id, frame=frame, track_id=track_id, shape=shape, source=MODEL,
                          attributes={"role": role, **attributes})

    def masks_on(frame):
        return [a for a in project.annotations.for_media(item.id, frame) if a.kind == "mask"]

    stack = UndoStack(ProjectStore(project))
    track = stack.push(AcceptObject(Track(media_id=item.id), True, lambda t: [on(0, mask(5), t)], [])).track
    project.annotations.add_many([on(1, mask(10), track.id, propagated=True)], action="propagate")
    [propagated] = masks_on(1)
    correction = AcceptObject(track, False, lambda t: [on(1, Points(((30, 10),), (1,)), t, role="prompt"),
                                                       on(1, mask(30), t)], [propagated], "SAM 2 correction")
    stack.push(correction)
    stack.undo()
    assert masks_on(1) == [propagated]
    # The user propagates again over frame 1: the mask there is replaced by a new one.
    project.annotations.supersede_many([([propagated.id], on(1, mask(12), track.id, propagated=True))], "manual",
                                       action="propagate")
    [again] = masks_on(1)
    stack.redo()
    assert [a.shape for a in masks_on(1)] == [mask(30)]  # the correction's mask, alone
    stack.undo()
    assert masks_on(1) == [again]  # and the propagation's back, alone, with no prompt left on the frame
    assert [a for a in project.annotations.for_media(item.id, 1) if a.kind == "points"] == []
    assert project.audit.verify() == []
    project.close()
