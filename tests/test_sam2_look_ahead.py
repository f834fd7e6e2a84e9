"""The look-ahead (the next image's or frame's embedding, computed while the user works on this one) gives what
SAM 2 itself computes, and a click on the image on screen runs between the encoder's blocks instead of waiting
for the whole embedding (seconds on a CPU)."""
import numpy as np
import pytest
import torch
from PIL import Image

from engine.models.weights import ModelSettings
from engine.segmentation.prompt import Prompt
from engine.segmentation.segmenters import choose_segmenter
from engine.segmentation.service import Segmentation
from engine.worker import Engine, Priority
from storage.media.importer import import_paths
from storage.project import Project
from tests.media_factory import indexed_video

W, H = 500, 300


@pytest.fixture(scope="module")
def active(tmp_path_factory):
    return choose_segmenter("sam2.1_hiera_tiny", random_seed=0, device="cpu",
                            settings=ModelSettings(tmp_path_factory.mktemp("home") / "models.json"))


@pytest.fixture
def photos(tmp_path):
    paths = []
    for i, colour in enumerate(((200, 40, 40), (40, 200, 40))):
        img = np.full((H, W, 3), 90, np.uint8)
        img[100:200, 300:420] = colour
        Image.fromarray(img).save(tmp_path / f"p{i}.png")
        paths.append(tmp_path / f"p{i}.png")
    project = Project.create(tmp_path / "proj")
    import_paths(project, paths)
    yield project
    project.close()


def _same(a, b) -> bool:
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, torch.Tensor):
        return a.shape == b.shape and torch.equal(a, b)
    return a == b


def _click_during_look_ahead(engine, trunk, look_ahead, click_job, after_block: int) -> list:
    """Run a look-ahead job with the user's click arriving while block ``after_block`` of the image encoder runs
    (the first time it does); returns what happened, in order: ("block", i) and ("click", result)."""
    events = []

    def block_ran(i):
        events.append(("block", i))
        if i == after_block and len(events) == after_block + 1:
            engine.submit(click_job, "SAM 2 click", Priority.INTERACTIVE, on_done=lambda r: events.append(("click", r)))

    hooks = [b.register_forward_hook(lambda m, a, o, i=i: block_ran(i)) for i, b in enumerate(trunk.blocks)]
    try:
        assert look_ahead().result().ok
    finally:
        for h in hooks:
            h.remove()
    return events


def test_the_look_ahead_embedding_is_the_one_set_image_computes(photos, active):
    segmenter = active.segmenter
    segmenter.embeddings.clear()
    item = photos.media.all()[1]
    rgb = np.array(Image.open(photos.root.parent / "p1.png").convert("RGB"))
    steps = list(segmenter.embed_steps(item.sha256, None, rgb))
    assert len(steps) == len(segmenter.model().predictor.image_encoder.trunk.blocks)  # a yield per block
    ahead = segmenter.embeddings.get(segmenter._key(item.sha256, None))
    predictor = segmenter.model().image_predictor()
    with torch.inference_mode():
        predictor.set_image(rgb)
    assert _same(ahead, predictor.features())
    # The trunk computes again afterwards (it only handed over the steps' output while inside).
    assert "forward" not in vars(segmenter.model().predictor.image_encoder.trunk)


def test_a_click_on_the_image_on_screen_runs_between_the_blocks_of_the_next_images_embedding(photos, active):
    active.segmenter.embeddings.clear()
    first, second = photos.media.all()
    trunk = active.segmenter.model().predictor.image_encoder.trunk
    engine = Engine()
    seg = Segmentation(engine, photos, active)
    try:
        assert seg.click(first, None, Prompt(((350, 150),))).result().ok  # its embedding is cached
        # The user clicks on the image on screen while the look-ahead computes the next one's.
        events = _click_during_look_ahead(engine, trunk, lambda: seg.prefetch(second),
                                          seg.click_job(first, None, Prompt(((360, 150),))), after_block=2)
    finally:
        engine.stop()
    # The click answered right after the block it came in, not after the whole embedding.
    assert [e[0] for e in events] == ["block"] * 3 + ["click"] + ["block"] * (len(trunk.blocks) - 3)
    click = events[3][1]
    assert click.ok and click.value.result.mask.shape == (H, W)
    assert active.segmenter.has_embedding(second.sha256, None)


@pytest.fixture
def video(tmp_path, active):
    """A 3-frame video in a project, and the segmentation service on an engine of its own."""
    with Project.create(tmp_path / "proj") as project:
        import_paths(project, [indexed_video(tmp_path / "clip.mp4", frames=3, gop=3)])
        engine = Engine()
        try:
            yield project.media.all()[0], engine, Segmentation(engine, project, active)
        finally:
            engine.stop()


def test_the_look_ahead_of_a_video_frame_gives_sam2_its_own_features(video):
    item, engine, seg = video
    assert seg.prefetch(item, 2).result().ok
    session = seg._sessions[item.id]
    assert session.has_features(2)
    image, ahead = session.state["cached_features"][2]
    with torch.inference_mode():
        own = session.model.predictor.forward_image(image)
    assert _same(ahead, own)


def test_a_click_on_the_image_the_look_ahead_is_embedding_finishes_its_blocks_instead_of_starting_over(photos, active):
    active.segmenter.embeddings.clear()
    first = photos.media.all()[0]
    trunk = active.segmenter.model().predictor.image_encoder.trunk
    engine = Engine()
    seg = Segmentation(engine, photos, active)
    try:  # the user clicks on the image while its own look-ahead is part-way
        events = _click_during_look_ahead(engine, trunk, lambda: seg.prefetch(first),
                                          seg.click_job(first, None, Prompt(((360, 150),))), after_block=4)
    finally:
        engine.stop()
    n = len(trunk.blocks)
    # Every block ran once: the click ran the look-ahead's remaining ones, then answered.
    assert events[:-1] == [("block", i) for i in range(n)] and events[-1][0] == "click"
    click = events[-1][1]
    assert click.ok and click.value.result.mask.shape == (H, W)
    with torch.inference_mode():
        predictor = active.segmenter.model().image_predictor()
        predictor.set_image(np.array(Image.open(photos.root.parent / "p0.png").convert("RGB")))
        assert _same(active.segmenter.embeddings.get(active.segmenter._key(first.sha256, None)), predictor.features())


def test_a_click_on_the_frame_the_look_ahead_is_encoding_finishes_its_blocks(video, active):
    item, engine, seg = video
    trunk = active.segmenter.model().predictor.image_encoder.trunk
    events = _click_during_look_ahead(engine, trunk, lambda: seg.prefetch(item, 2),
                                      seg.click_job(item, 2, Prompt(((40, 40),))), after_block=4)
    assert events[:-1] == [("block", i) for i in range(len(trunk.blocks))] and events[-1][0] == "click"
    assert events[-1][1].ok and events[-1][1].value.result.mask.shape == (item.height, item.width)
