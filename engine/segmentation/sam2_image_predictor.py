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

    def predict_masks(self, point_coords=None, point_labels=None, box=None, mask_input=None,
                      multimask_output: bool = True):
        """As ``predict``, but the masks come back as booleans: ``predict`` turns them into float32 first, four
        times the bytes to copy from the device and to threshold again on the CPU. Each mask is column-major
        (transposed on the device), which is the order COCO RLE reads: storing it then copies nothing."""
        mask_input, coords, labels, box = self._prep_prompts(point_coords, point_labels, box, mask_input, True)
        masks, iou, low_res = self._predict(coords, labels, box, mask_input, multimask_output, return_logits=False)
        column_major = masks[0].transpose(1, 2).contiguous().cpu().numpy().transpose(0, 2, 1)
        return column_major, iou[0].float().cpu().numpy(), low_res[0].float().cpu().numpy()
