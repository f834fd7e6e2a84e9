"""SAM 2.1 (tiny, random weights) on a video the test encodes: objects keep their track ids through propagation,
a corrective click re-propagates only from its frame, a cancel keeps the frames done, memory stays bounded."""

import os

import numpy as np
import pytest
import torch

from annotation.errors import FaceLensError
from annotation.shapes import Mask
from engine.models.weights import ModelSettings
from engine.segmentation.prompt import Prompt
from engine.segmentation.segmenters import choose_segmenter
from engine.segmentation.service import Segmentation
from engine.segmentation.store import load_prompts
from engine.segmentation.video_frames import StreamingFrames
from engine.segmentation.video_memory import memory_window, trim_outputs
from engine.worker import Engine
from storage.media.importer import import_paths
from storage.media.library import open_video
from storage.project import Project
from tests.media_factory import indexed_video

FRAMES = 4  # few frames: on a CPU each tracked frame costs seconds (memory attention)


def _project_with_video(root, frames: int, gop: int):
    """A project in ``root`` with one test video, and SAM 2.1 tiny with random weights on the CPU."""
    video = indexed_video(root / "clip.mp4", frames=frames, gop=gop)
    project = Project.create(root / "proj")
    import_paths(project, [video])
    active = choose_segmenter("sam2.1_hiera_tiny", random_seed=0, device="cpu",
                              settings=ModelSettings(root / "models.json"))
    return video, project, project.media.all()[0], active


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    """A 4-frame video with two objects prompted on frame 1 and propagated over the whole video."""
    root = tmp_path_factory.mktemp("sam2video")
    _video, project, item, active = _project_with_video(root, FRAMES, 3)
    engine = Engine()
    seg = Segmentation(engine, project, active)
    face = project.labels.by_name("face").id
    a = seg.segment(item, 1, Prompt(box=(10, 10, 90, 80)), label_id=face).result().value
    b = seg.segment(item, 1, Prompt(((170, 40),))).result().value
    progress, arrived = [], {}
    first = seg.propagate(item, on_masks=arrived.__setitem__,
                          on_progress=lambda job, done, total, msg: progress.append((done, total))).result()
    yield {"project": project, "item": item, "seg": seg, "a": a, "b": b, "first": first, "progress": progress,
           "arrived": arrived, "engine": engine, "root": root}
    engine.stop()
    project.close()


def _masks(project, item):
    """(frame, track) -> stored mask annotation."""
    out = {}
    for ann in project.annotations.for_media(item.id, frame=None) + [
            x for f in range(FRAMES) for x in project.annotations.for_media(item.id, frame=f)]:
        if ann.kind == "mask":
            assert (ann.frame, ann.track_id) not in out, "two masks of one track on one frame"
            out[(ann.frame, ann.track_id)] = ann
    return out


def test_two_objects_are_propagated_through_the_video_and_keep_their_track_ids(setup):
    project, item, a, b, first = setup["project"], setup["item"], setup["a"], setup["b"], setup["first"]
    assert first.ok, first.error
    t1, t2 = a.track_id, b.track_id
    assert t1 != t2 and {t.id for t in project.tracks.for_media(item.id)} == {t1, t2}
    assert project.tracks.get(t1).label_id == project.labels.by_name("face").id
    assert sorted(first.value.frames) == list(range(FRAMES))
    assert all(set(ids) <= {t1, t2} for ids in first.value.frames.values())
    masks = _masks(project, item)
    assert set(masks) == {(f, t) for f in range(FRAMES) for t in (t1, t2) if t in first.value.frames[f]}
    # The masks accepted with the prompts stay as they were, ids and all; every other frame's is propagated.
    assert (masks[(1, t1)].id, masks[(1, t2)].id) == (a.annotation.id, b.annotation.id)
    assert first.value.annotations == len(masks) - 2 and first.value.unchanged == 2
    for (f, t), ann in masks.items():
        assert ann.shape.size == (item.height, item.width)
        assert ann.attributes == ({"role": "mask"} if f == 1 else {"role": "mask", "propagated": True})
        assert ann.label_id == (project.labels.by_name("face").id if t == t1 else None)
    # On the prompted frame each track's mask is the one its own prompt gave (swapped ids would show here).
    assert not np.array_equal(a.result.mask, b.result.mask)
    assert np.array_equal(masks[(1, t1)].shape.to_array(), a.result.mask)
    assert np.array_equal(masks[(1, t2)].shape.to_array(), b.result.mask)
    # which is what SAM 2 gives that frame as it propagates: not storing it again lost nothing
    assert all(np.array_equal(setup["arrived"][1][t], ann.shape.to_array()) for (f, t), ann in masks.items() if f == 1)
    # The prompts are in the project, as annotations of their tracks on frame 1.
    prompts = [x for x in project.annotations.for_media(item.id, frame=1) if x.attributes.get("role") == "prompt"]
    assert sorted((x.track_id, x.kind) for x in prompts) == sorted([(t1, "box"), (t2, "points")])
    assert setup["progress"][-1] == (FRAMES, FRAMES)


def test_video_frames_reach_sam2_as_rgb_at_its_input_size(setup):
    frames = StreamingFrames(lambda: open_video(setup["project"], setup["item"]), 1024, torch.device("cpu"))
    try:
        x = frames[3]  # the test video has a (128, 0, 0) red margin on its right (x >= 160 of 192)
        assert x.shape == (3, 1024, 1024)
        r, g, bl = x[:, 512, 950].tolist()
        assert r == pytest.approx((128 / 255 - 0.485) / 0.229, abs=0.1) and g < -1.5 and bl < -1.5
    finally:
        frames.close()


def test_a_corrective_click_re_propagates_only_from_its_frame(setup):
    project, item, seg, t1 = setup["project"], setup["item"], setup["seg"], setup["a"].track_id
    before = {k: v.id for k, v in _masks(project, item).items()}
    fix = seg.segment(item, 2, Prompt(((40, 40),)), track_id=t1).result()
    assert fix.ok and fix.value.track_id == t1
    again = seg.propagate(item, from_frame=2).result()
    assert again.ok and sorted(again.value.frames) == [2, 3]  # forward from frame 2, not the whole video
    after = {k: v.id for k, v in _masks(project, item).items()}
    assert {k: v for k, v in after.items() if k[0] < 2} == {k: v for k, v in before.items() if k[0] < 2}
    assert all(after[k] != before.get(k) for k in after if k[0] >= 2)
    assert np.array_equal(_masks(project, item)[(2, t1)].shape.to_array(), fix.value.result.mask)


def test_cancelling_a_propagation_keeps_the_frames_done(setup):
    project, item, seg = setup["project"], setup["item"], setup["seg"]
    # The stored masks differ from what the model gives now (an older model's, say): a frame tracked again is
    # stored anew, under a new id, and one the cancel left alone keeps its id. (A mask given again as it is
    # stored keeps its id: nothing would show which frames were done.)
    older = np.zeros((item.height, item.width), bool)
    older[:4, :4] = True
    for a in _masks(project, item).values():
        project.annotations.update(a.with_(shape=Mask.from_array(older)))
    before = {k: v.id for k, v in _masks(project, item).items()}
    seen, handle_box = [], []

    def on_masks(frame, masks):
        seen.append(frame)
        if len(seen) == 2:
            handle_box[0].cancel()  # a cancel arriving mid-propagation, after two frames

    handle_box.append(seg.propagate(item, on_masks=on_masks))
    result = handle_box[0].result(600)
    assert result.cancelled and len(seen) == 2
    after = {k: v.id for k, v in _masks(project, item).items()}
    assert set(after) == set(before)  # every frame still has its masks
    redone = {k[0] for k in after if after[k] != before[k]}
    assert 1 in seen  # (the prompted frame keeps the masks accepted with its prompts, done or not)
    assert redone == set(seen) - {1}  # the other frame done was stored, the rest left as they were


def test_a_new_session_says_it_is_giving_sam2_the_prompts_and_can_be_cancelled_then(setup):
    # Before the first frame, a new session gives SAM 2 every stored prompt (seconds each on a CPU): this once
    # showed no progress and a cancel waited for all of it.
    project, item = setup["project"], setup["item"]
    before = {k: v.id for k, v in _masks(project, item).items()}
    fresh = Segmentation(setup["engine"], project, setup["seg"].active)
    messages, box = [], []

    def on_progress(job, done, total, message):
        messages.append((done, total, message))
        box[0].cancel()

    box.append(fresh.propagate(item, on_progress=on_progress))
    result = box[0].result(600)
    assert result.cancelled
    prompts = len(load_prompts(project, item.id))
    assert prompts >= 2 and messages == [(0, None, f"giving SAM 2 the stored prompts (1/{prompts})")]
    assert {k: v.id for k, v in _masks(project, item).items()} == before  # nothing written
    fresh.release_sessions()


def test_track_from_the_cli_finds_every_prompted_object_in_a_new_session(setup, capsys):
    from tests.inprocess_cli import main_json

    project, item = setup["project"], setup["item"]
    t1, t2 = setup["a"].track_id, setup["b"].track_id
    out = main_json(capsys, "track", project.root, item.id, "--frames", "1:3", "--weights", "random", "--seed", "0")
    assert set(out["frames"]) == {"1", "2"}
    assert all(set(ids) <= {t1, t2} for ids in out["frames"].values()) and out["annotations"] >= 1
    assert out["segmenter"]["kind"] == "sam2"


def test_propagation_memory_keeps_only_what_sam2_reads_again(setup):
    predictor = setup["seg"].active.segmenter.model().predictor
    window = memory_window(predictor)
    assert window == 17  # 7 memory frames, 16 object pointers: SAM 2.1's defaults
    outputs = {"cond_frame_outputs": {10: {}}, "non_cond_frame_outputs": {f: {} for f in range(0, 201) if f != 10}}
    state = {"output_dict_per_obj": {0: outputs}}
    trim_outputs(state, current=200, window=window)
    kept = sorted(outputs["non_cond_frame_outputs"])
    assert kept == [f for f in range(0, 28) if f != 10] + list(range(183, 201))



def test_a_click_on_another_video_or_another_model_chosen_does_not_break_a_propagation(tmp_path):
    """A click on video B between two frames of video A's propagation opened B's session, which closed A's under
    the propagation (one session is kept): it failed with KeyError 'output_dict_per_obj'. Choosing another model
    meanwhile did the same. A's session now lives until its propagation ends."""
    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "a.mp4", frames=3), indexed_video(tmp_path / "b.mp4", frames=2)])
    a, b = project.media.all()
    active = choose_segmenter("sam2.1_hiera_tiny", random_seed=0, device="cpu",
                              settings=ModelSettings(tmp_path / "models.json"))
    engine = Engine()
    try:
        seg = Segmentation(engine, project, active)
        seg.segment(a, 0, Prompt(((60, 40),))).result()
        clicks = []

        def meanwhile(frame, _masks):  # on the engine thread, between frames: queued jobs run before the next one
            if not clicks:
                clicks.append(seg.segment(b, 1, Prompt(((170, 40),))))
                clicks.append(engine.submit(seg.use_job(active), "another model"))

        done = seg.propagate(a, on_masks=meanwhile).result()
        assert done.ok, done.details
        assert sorted(done.value.frames) == [0, 1, 2] and all(c.result().ok for c in clicks)
        assert seg._sessions.keys() <= {b.id}  # A's session closed once its propagation ended (a model was chosen)
    finally:
        engine.stop()
        project.close()


def test_compiled_propagation_is_refused_on_a_cpu_and_the_project_is_left_as_it_was(setup, capsys):
    from tests.inprocess_cli import run_main

    project, item, seg = setup["project"], setup["item"], setup["seg"]
    before = sorted(_masks(project, item))
    out, err = run_main(capsys, "track", project.root, item.id, "--compile", "--weights", "random", "--device", "cpu",
                        code=2)
    assert "--compile: compiled propagation needs a CUDA GPU; SAM 2 runs on cpu" in err
    compiled = Segmentation(setup["engine"], project, seg.active, compile_propagation=True)
    with pytest.raises(FaceLensError, match="needs a CUDA GPU"):  # the window's path: refused before it starts
        compiled.propagate(item)
    assert sorted(_masks(project, item)) == before


def test_the_compiled_predictor_tracks_with_the_loaded_weights_and_keeps_its_kernels_with_facelens(setup, monkeypatch):
    from sam2.sam2_video_predictor import SAM2VideoPredictorVOS

    from engine.segmentation.compiled import build_compiled_predictor, compiled_kernels_dir

    monkeypatch.delenv("TORCHINDUCTOR_CACHE_DIR", raising=False)
    model = setup["seg"].active.segmenter.model()
    with pytest.raises(FaceLensError, match="needs a CUDA GPU"):
        model.compiled_predictor()  # never on a CPU: compiling there would take an age
    compiled = build_compiled_predictor(model)  # what a CUDA machine gets (it compiles on its first frame)
    assert isinstance(compiled, SAM2VideoPredictorVOS) and not isinstance(model.predictor, SAM2VideoPredictorVOS)
    ours, theirs = dict(model.predictor.named_parameters()), dict(compiled.named_parameters())
    assert ours.keys() == theirs.keys()
    assert all(theirs[k].data_ptr() == ours[k].data_ptr() for k in ours)  # one copy of the weights
    assert compiled.add_all_frames_to_correct_as_cond
    assert os.environ["TORCHINDUCTOR_CACHE_DIR"].startswith(str(compiled_kernels_dir()))
    # Over a fresh session of the app's (frames streamed from the file, the stored prompts) it tracks what the
    # loaded predictor tracks: the same masks. Run eagerly here, the code a GPU compiles (compiling on a CPU
    # would take an age).
    item, seg = setup["item"], setup["seg"]

    def fresh_run(predictor):
        seg.release_sessions()
        session = seg._session(item)
        seg._sync(session, item)
        out = {f: {t: m.copy() for t, (m, _) in masks.items()}
               for f, masks in session.propagate(1, 2, predictor=predictor)}
        seg.release_sessions()
        return out

    passes, propagate_in_video = [], compiled.propagate_in_video
    compiled.propagate_in_video = lambda *a, **k: passes.append(k) or propagate_in_video(*a, **k)
    loaded = fresh_run(None)
    with torch.compiler.set_stance("force_eager"):
        tracked = fresh_run(compiled)
    assert passes and sorted(tracked) == sorted(loaded) == [1, 2]  # the compiled predictor did its tracking
    for frame, masks in tracked.items():
        assert masks.keys() == loaded[frame].keys()
        for track, mask in masks.items():
            assert np.array_equal(mask, loaded[frame][track]), (frame, track)


def test_a_slowly_tracked_frame_is_in_the_project_within_a_second_without_waiting_for_a_batch(tmp_path):
    """On a CPU SAM 2 tracks a frame every few seconds: the writer must not hold it back for a batch of 16."""
    import time

    from annotation.model import Track
    from engine.segmentation.store import MaskWriter

    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=3)])
    item = project.media.all()[0]
    track = project.tracks.add(Track(media_id=item.id))
    mask = np.zeros((item.height, item.width), bool)
    mask[10:40, 20:70] = True
    writer = MaskWriter(project, item, "sam2.1_hiera_tiny", {track.id: None}, max_wait=0.3)
    writer.add(2, {track.id: (mask, 0.9)})
    deadline = time.monotonic() + 10
    stored = []
    while not stored and time.monotonic() < deadline:  # the next frame has not come: the writer commits anyway
        stored = [a for a in project.annotations.for_media(item.id, 2) if a.kind == "mask"]
        time.sleep(0.05)
    assert len(stored) == 1 and stored[0].track_id == track.id
    assert np.array_equal(stored[0].shape.to_array(), mask)
    assert writer.flush() == 1 and writer.frames_written == [2]
    project.close()


def test_re_propagating_replaces_the_model_masks_of_a_track_and_keeps_the_ones_edited_by_hand(tmp_path):
    from annotation.model import Annotation, Track
    from engine.segmentation.store import MaskWriter

    project = Project.create(tmp_path / "proj")
    import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=3)])
    item = project.media.all()[0]
    track = project.tracks.add(Track(media_id=item.id))
    old, new = (np.zeros((item.height, item.width), bool) for _ in range(2))
    old[5:15, 5:15] = True
    new[20:40, 30:60] = True
    project.annotations.add_many([
        Annotation(media_id=item.id, frame=0, shape=Mask.from_array(old), track_id=track.id,
                   source="sam2.1_hiera_tiny", attributes={"role": "mask", "propagated": True}),
        Annotation(media_id=item.id, frame=1, shape=Mask.from_array(old), track_id=track.id, source="manual",
                   attributes={"role": "mask"})])
    writer = MaskWriter(project, item, "sam2.1_hiera_tiny", {track.id: None})
    for frame in range(3):
        writer.add(frame, {track.id: (new, 0.8)})
    assert writer.flush() == 2  # frames 0 and 2; frame 1 is someone's correction
    masks = {f: [a for a in project.annotations.for_media(item.id, f) if a.kind == "mask"] for f in range(3)}
    assert [len(masks[f]) for f in range(3)] == [1, 1, 1]
    assert np.array_equal(masks[0][0].shape.to_array(), new) and masks[0][0].attributes["propagated"]
    assert masks[1][0].source == "manual" and np.array_equal(masks[1][0].shape.to_array(), old)
    assert np.array_equal(masks[2][0].shape.to_array(), new)
    project.close()


def test_a_frame_the_file_cannot_give_stops_the_propagation_with_its_frame_and_what_was_kept(tmp_path):
    """A file damaged part-way (same size: not noticed on opening) ended `track` with a bare "InvalidDataError:
    Invalid data found when processing input", naming neither the file nor the frame nor the frames kept."""
    import struct

    video, project, item, active = _project_with_video(tmp_path, 12, 3)
    engine = Engine()
    try:
        seg = Segmentation(engine, project, active)
        assert seg.segment(item, 0, Prompt(box=(10, 10, 90, 80))).result().ok
        data = bytearray(video.read_bytes())  # the later frames' data zeroed, the file's size kept
        at = data.find(b"mdat")
        end = at - 4 + struct.unpack(">I", data[at - 4:at])[0]
        start = at + 4 + int((end - at - 4) * 0.7)
        data[start:end] = bytes(end - start)
        video.write_bytes(bytes(data))
        out = Segmentation(engine, project, active).propagate(item).result()  # (what `track` does, a new process)
    finally:
        engine.stop()
    assert not out.ok
    assert out.error.startswith(f"{video}: frame 2 could not be decoded (Invalid data found when processing input)"
                                f": the file is damaged there; the 2 frames tracked before it are kept"), out.error
    masks = [a for f in range(12) for a in project.annotations.for_media(item.id, f) if a.kind == "mask"]
    assert sorted(a.frame for a in masks) == [0, 1]
    project.close()
