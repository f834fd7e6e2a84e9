"""Which frames SAM 2 tracks for a range: no pass that only re-tracks frames already done, a range before every
prompt reached from the prompt with progress and a working Cancel on the way, and a correction re-propagated in
the direction its frame was reached, also in a new session (a new CLI process)."""
import pytest

from engine.models.weights import ModelSettings
from engine.segmentation.prompt import Prompt
from engine.segmentation.segmenters import choose_segmenter
from engine.segmentation.service import Segmentation
from engine.segmentation.video_session import Pass, plan_passes, reached_backward
from engine.worker import Engine
from storage.media.importer import import_paths
from storage.project import Project
from tests.media_factory import indexed_video


def test_a_range_after_the_first_prompt_is_tracked_forward_only():
    # The tester's video: prompts on frames 0 and 4 (one object), 60 and 100 (two others); range 5..6.
    # A backward pass from 60 tracked 55 frames only to find 5 and 6 done already, and could not be cancelled.
    assert plan_passes({0, 4, 60, 100}, 5, 6) == [Pass(5, 1, False)]
    assert plan_passes({2, 10}, 3, 5) == [Pass(3, 2, False)]
    # Frames before every prompt are reached backward from the first one; the rest forward.
    assert plan_passes({2, 10}, 0, 5) == [Pass(2, 3, False), Pass(2, 2, True)]
    assert plan_passes({60}, 5, 6) == [Pass(60, 55, True)]
    assert plan_passes(set(), 0, 5) == []
    assert reached_backward({2, 10}, 1) and not reached_backward({2, 10}, 5) and not reached_backward({2}, 2)


@pytest.fixture
def video(tmp_path):
    path = indexed_video(tmp_path / "clip.mp4", frames=4, gop=3)
    project = Project.create(tmp_path / "proj")
    import_paths(project, [path])
    active = choose_segmenter("sam2.1_hiera_tiny", random_seed=0, device="cpu",
                              settings=ModelSettings(tmp_path / "models.json"))
    engine = Engine()
    yield project, project.media.all()[0], active, engine
    engine.stop()
    project.close()


def _masked_frames(project, item) -> set[int]:
    """Frames with a mask: propagated, or accepted with a prompt there."""
    return {a.frame for f in range(4) for a in project.annotations.for_media(item.id, frame=f) if a.kind == "mask"}


def test_a_range_before_every_prompt_reports_the_way_there_and_can_be_cancelled_on_it(video):
    project, item, active, engine = video
    seg = Segmentation(engine, project, active)
    assert seg.segment(item, 3, Prompt(((40, 40),))).result().ok
    messages = []
    box = []

    def progress(job, done, total, message):
        messages.append(message)
        if "on the way" in message:
            box[0].cancel()  # the user presses Cancel while SAM 2 is still getting to the range

    box.append(seg.propagate(item, 0, 0, on_progress=progress))
    result = box[0].result()
    assert result.cancelled
    assert any(m.startswith("frame 3, on the way to the range") for m in messages)
    assert _masked_frames(project, item) == {3}  # the prompt's own mask; nothing was stored on the way


def test_a_correction_before_the_first_prompt_re_propagates_backward_in_a_new_session(video):
    project, item, active, engine = video
    seg = Segmentation(engine, project, active)
    first = seg.segment(item, 2, Prompt(((40, 40),))).result().value
    assert seg.propagate(item).result().ok
    assert _masked_frames(project, item) == {0, 1, 2, 3}  # 0 and 1 were reached backward from frame 2
    later = {a.frame: a.id for f in (2, 3) for a in project.annotations.for_media(item.id, frame=f) if a.kind == "mask"}

    fresh = Segmentation(engine, project, active)  # what a new `track --from-frame` process has
    assert fresh.segment(item, 1, Prompt(((50, 30),)), track_id=first.track_id).result().ok
    out = fresh.propagate(item, from_frame=1).result()
    assert out.ok, out.error
    assert sorted(out.value.frames) == [0, 1]  # backward from the correction, as frame 1 was reached
    after = {a.frame: a.id for f in (2, 3) for a in project.annotations.for_media(item.id, frame=f) if a.kind == "mask"}
    assert after == later  # the frames after the correction were left alone
