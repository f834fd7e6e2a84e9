"""The numpy COCO RLE encoder writes exactly what pycocotools writes (other tools read our masks with it)."""
import numpy as np
import pytest
from pycocotools import mask as coco_mask
from skimage import data

from annotation import rle
from annotation.shapes import Mask


def coco(mask: np.ndarray) -> str:
    return coco_mask.encode(np.asfortranarray(mask.astype(np.uint8)))["counts"].decode("ascii")


@pytest.mark.parametrize("shape", [(1, 1), (1, 9), (9, 1), (7, 5), (64, 48)])
@pytest.mark.parametrize("fill", ["empty", "full", "first pixel", "last pixel", "random"])
def test_small_masks_encode_as_pycocotools_does(shape, fill):
    rng = np.random.default_rng(hash((shape, fill)) % 2 ** 32)
    mask = {"empty": np.zeros(shape, bool), "full": np.ones(shape, bool), "random": rng.random(shape) < 0.4,
            "first pixel": np.eye(1, shape[0] * shape[1], 0, dtype=bool).reshape(shape),
            "last pixel": np.eye(1, shape[0] * shape[1], shape[0] * shape[1] - 1, dtype=bool).reshape(shape)}[fill]
    assert rle.encode(mask) == coco(mask)


def test_a_photo_mask_and_long_runs_encode_as_pycocotools_does():
    gray = data.astronaut().mean(axis=2)
    for mask in (gray > 100, np.asfortranarray(gray > 180), gray.T > 50):
        assert rle.encode(mask) == coco(mask)
    tall = np.zeros((3000, 2500), bool)  # runs of millions of pixels need many 5-bit groups
    tall[:, 1700:] = True
    tall[4, 3] = True
    assert rle.encode(tall) == coco(tall)


def test_non_boolean_masks_count_every_nonzero_pixel_as_inside():
    values = np.array([[0, 3, 0], [255, 0, 1]], np.uint8)
    assert rle.encode(values) == coco(values != 0)


def test_a_mask_made_here_decodes_back_to_the_same_pixels():
    rng = np.random.default_rng(7)
    mask = rng.random((120, 90)) < 0.3
    shape = Mask.from_array(mask)
    assert shape.size == (120, 90)
    assert np.array_equal(shape.to_array(), mask)
    assert shape.area() == mask.sum()
