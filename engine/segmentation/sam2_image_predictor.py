"""SAM 2's image predictor, able to hand out and take back the embedding of the image it holds.

``SAM2ImagePredictor`` keeps one image's features in private fields; this subclass reads and sets them in one
place (checked against sam2 1.1.0), so the embedding cache can hold many images' features and a click on an
image seen before skips the image encoder.
"""
from __future__ import annotations

from sam2.sam2_image_predictor import SAM2ImagePredictor


class CachedImagePredictor(SAM2ImagePredictor):
    def features(self) -> tuple[dict, tuple[int, int]]:
        """The current image's features and its (height, width)."""
        if not self._is_image_set:
            raise RuntimeError("no image is set")
        return self._features, tuple(self._orig_hw[0])

    def use_features(self, features: dict, orig_hw: tuple[int, int]) -> None:
        self.reset_predictor()
        self._features = features
        self._orig_hw = [tuple(orig_hw)]
        self._is_image_set = True
