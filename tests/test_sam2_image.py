"""SAM 2.1 (tiny, random weights) on images: coordinates, colour order, full-resolution masks, cached embeddings.

Random weights make arbitrary masks, so these tests check what does not depend on the weights: what SAM 2
receives (the image in RGB, the clicks mapped onto its 1024 x 1024 input) and what comes back (a mask of the
image's full size, stored as COCO RLE, with the model's score).
"""
import numpy as np
import pytest
from PIL import Image

from annotation.shapes import Mask
from engine.models.weights import ModelSettings
from engine.segmentation.prompt import Prompt
from engine.segmentation.segmenters import choose_segmenter
from engine.segmentation.service import Segmentation
from engine.worker import Engine
from storage.media.importer import import_paths

W, H = 500, 300  # wider than tall


@pytest.fixture(scope="module")
def active(tmp_path_factory):
    return choose_segmenter("sam2.1_hiera_tiny", random_seed=0, device="cpu",
                            settings=ModelSettings(tmp_path_factory.mktemp("home") / "models.json"))


@pytest.fixture(scope="module")
def model(active):
    return active.segmenter.model()


class Spy:
    """Records what the image encoder and the prompt encoder of the real model receive."""

    def __init__(self, model):
        self.images, self.prompts = [], []
        p = model.predictor
        self._hooks = [p.image_encoder.register_forward_pre_hook(lambda m, args: self.images.append(args[0].clone())),
                       p.sam_prompt_encoder.register_forward_hook(self._prompt, with_kwargs=True)]

    def _prompt(self, module, args, kwargs, out):
        coords, labels = kwargs["points"]
        self.prompts.append((coords.clone(), labels.clone()))

    def close(self):
        for h in self._hooks:
            h.remove()


@pytest.fixture
def spy(model):
    s = Spy(model)
    yield s
    s.close()


def _two_colour_image() -> np.ndarray:
    img = np.zeros((H, W, 3), np.uint8)
    img[:, : W // 2] = (255, 0, 0)  # red on the left
    img[:, W // 2:] = (0, 0, 255)  # blue on the right
    return img


@pytest.fixture(scope="module")
def box_and_clicks(active, model):
    """One segmentation of the red|blue image, with what SAM 2 received."""
    spy = Spy(model)
    try:
        prompt = Prompt(((400, 50), (100, 250)), (1, 0), box=(50, 20, 450, 280))
        result = active.segmenter.segment("two-colour", None, _two_colour_image(), prompt)
    finally:
        spy.close()
    return result, spy


def test_clicks_reach_sam2_scaled_to_its_input_and_the_mask_has_the_full_resolution(box_and_clicks):
    result, spy = box_and_clicks
    assert result.mask.shape == (H, W) and result.mask.dtype == bool
    coords, labels = spy.prompts[-1]
    s = 1024
    expected = [[50 / W * s, 20 / H * s], [450 / W * s, 280 / H * s], [400 / W * s, 50 / H * s],
                [100 / W * s, 250 / H * s]]
    assert np.allclose(coords[0].numpy(), expected, atol=1e-3)
    assert labels[0].tolist() == [2, 3, 1, 0]  # box corners, then the positive and the negative click
    assert result.score is not None and len(result.candidates) == 1  # a box is not ambiguous: one mask


def test_the_image_goes_in_as_rgb(box_and_clicks):
    _, spy = box_and_clicks
    x = spy.images[-1][0]  # 3 x 1024 x 1024, normalised with ImageNet mean and std
    left, right = x[:, 512, 100], x[:, 512, 900]
    red = np.array([(1 - 0.485) / 0.229, (0 - 0.456) / 0.224, (0 - 0.406) / 0.225])
    blue = np.array([(0 - 0.485) / 0.229, (0 - 0.456) / 0.224, (1 - 0.406) / 0.225])
    assert np.allclose(left.numpy(), red, atol=0.05) and np.allclose(right.numpy(), blue, atol=0.05)


def test_one_click_offers_several_masks_and_keeps_the_best(active, box_and_clicks):
    result = active.segmenter.segment("two-colour", None, _two_colour_image(), Prompt(((120, 150),)))
    scores = [s for _, s in result.candidates]
    assert len(scores) == 3 and scores == sorted(scores, reverse=True)
    assert result.score == scores[0] and (result.mask == result.candidates[0][0]).all()
    assert result.logits.shape == (256, 256)  # for refining with the next click
    second = result.choose(1)  # the user's multimask choice (W in the window)
    assert second.mask is result.candidates[1][0] and second.score == scores[1] and second.chosen == 1
    assert second.logits is result.candidate_logits[1] and result.choose(3).chosen == 0


def test_embeddings_are_cached_per_image_and_computed_ahead(tmp_path, active, spy):
    from storage.project import Project

    for i, colour in enumerate(((200, 40, 40), (40, 200, 40))):
        img = np.full((H, W, 3), 90, np.uint8)
        img[100:200, 300:420] = colour
        Image.fromarray(img).save(tmp_path / f"p{i}.png")
    engine = Engine()
    with Project.create(tmp_path / "proj") as project:
        import_paths(project, [tmp_path / "p0.png", tmp_path / "p1.png"])
        first, second = project.media.all()
        seg = Segmentation(engine, project, active)
        try:
            a = seg.click(first, None, Prompt(((350, 150),))).result().value
            assert len(spy.images) == 1
            # Refine: a second click with the first mask's logits; the image encoder does not run again.
            refined = seg.click(first, None, Prompt(((350, 150), (310, 110)), (1, 1), previous=a.result.logits)
                                ).result().value
            assert len(spy.images) == 1 and refined.result.mask.shape == (H, W)
            assert len(refined.result.candidates) == 1  # refining is not ambiguous any more
            # The look-ahead embeds the next image at batch priority; clicking there is then immediate.
            seg.prefetch(second).result()
            assert len(spy.images) == 2
            done = seg.segment(second, None, Prompt(((350, 150),))).result()
            assert done.ok and len(spy.images) == 2
            stored = project.annotations.get(done.value.annotation.id)
            assert stored.kind == "mask" and stored.frame is None and stored.source == "sam2.1_hiera_tiny"
            assert (stored.shape.to_array() == done.value.result.mask).all()
            assert stored.score == pytest.approx(done.value.result.score, abs=1e-5)
        finally:
            engine.stop()


def test_cli_segment_with_random_weights_prints_the_issue_json(demo_dir, capsys):
    from tests.inprocess_cli import main_json

    out = main_json(capsys, "segment", demo_dir, 1, "--point", "222,120", "--point", "400,400,0",
                    "--weights", "random", "--seed", "0")
    assert {"annotation_id", "track_id", "area", "score", "rle"} <= set(out)
    assert out["rle"]["size"] == [512, 512] and isinstance(out["rle"]["counts"], str)
    assert out["area"] == int(Mask(size=(512, 512), counts=out["rle"]["counts"]).to_array().sum())
    assert out["segmenter"]["kind"] == "sam2" and out["segmenter"]["weights"] == "random weights (seed 0)"
    assert 0 <= out["score"] <= 1.5 and out["track_id"] is None
