"""Clicks and boxes to a mask with SAM 2.1 on an image (or one frame), reusing cached image embeddings.

The image goes in as RGB uint8 at full resolution; ``SAM2ImagePredictor`` resizes it to the model's square
input and maps the click coordinates with it (x / width, y / height, times the input size), and scales the
masks back to the full resolution, so any size and aspect ratio comes out right.
"""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator

import numpy as np
import torch

from annotation.errors import InputError
from engine.device import Device
from engine.models.cache import MODEL_CACHE
from engine.models.registry import ModelEntry, Weights
from engine.segmentation.embed_steps import Steppers, inference, trunk_gives, trunk_in_steps
from engine.segmentation.embeddings import EMBEDDINGS, EmbeddingCache
from engine.segmentation.prompt import Prompt, SegmentResult


def check_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise InputError(f"expected an RGB uint8 image (height x width x 3), got {image.dtype} {image.shape}")
    return image if image.flags.writeable else image.copy()  # torchvision warns on read-only arrays


class Sam2Segmenter:
    kind = "sam2"

    def __init__(self, entry: ModelEntry, weights: Weights, device: Device, embeddings: EmbeddingCache = EMBEDDINGS):
        self.entry, self.weights, self.device, self.embeddings = entry, weights, device, embeddings
        self._steppers = Steppers()  # look-ahead embeddings part-way through

    @property
    def name(self) -> str:
        return self.entry.name

    def describe(self) -> str:
        return f"{self.entry.title} ({self.weights.describe()}) on {self.device}"

    def model(self):
        """The loaded model (built on first use; call on the engine thread)."""
        return MODEL_CACHE.get(self.entry, self.weights, self.device)

    def _key(self, media_sha256: str, frame: int | None) -> tuple:
        return EmbeddingCache.key((self.entry.name, self.weights.key), media_sha256, frame)

    def has_embedding(self, media_sha256: str, frame: int | None) -> bool:
        return self._key(media_sha256, frame) in self.embeddings

    def embed_steps(self, media_sha256: str, frame: int | None, image: "np.ndarray | Callable[[], np.ndarray]"
                    ) -> Iterator[None]:
        """Compute and keep the image's embedding, yielding between the encoder's blocks (the look-ahead job
        runs this for the next image; a click meanwhile runs at a yield)."""
        key = self._key(media_sha256, frame)
        if key in self.embeddings:
            return
        predictor = self.model().image_predictor()
        rgb = check_rgb(image() if callable(image) else image)

        def start():
            with inference(self.device):
                model_input = predictor._transforms(rgb)[None].to(predictor.device)
            return trunk_in_steps(predictor.model.image_encoder.trunk, model_input, lambda: inference(self.device))

        outputs = yield from self._steppers.run(key, start)
        if outputs is not None and key not in self.embeddings:  # (else a click on this image finished it)
            with inference(self.device):
                self._set_image(predictor, key, rgb, outputs)

    def _set_image(self, predictor, key: tuple, rgb: np.ndarray, trunk_outputs: list | None) -> None:
        """Embed ``rgb`` in the predictor and keep it; with ``trunk_outputs``, the image encoder's trunk (most of
        the work) is not run again."""
        trunk = predictor.model.image_encoder.trunk
        with trunk_gives(trunk, trunk_outputs) if trunk_outputs is not None else contextlib.nullcontext():
            predictor.set_image(rgb)
        self.embeddings.put(key, predictor.features())

    @torch.inference_mode()
    def segment(self, media_sha256: str, frame: int | None, image: "np.ndarray | Callable[[], np.ndarray]",
                prompt: Prompt) -> SegmentResult:
        """The mask for ``prompt``. ``image`` may be a function that loads it: it is not called when the
        embedding is cached, so a click on an image seen before reads nothing from disk."""
        key = self._key(media_sha256, frame)
        predictor = self.model().image_predictor()
        cached = self.embeddings.get(key)
        with self.device.autocast():
            if cached is None:
                rgb = check_rgb(image() if callable(image) else image)
                prompt.validate(rgb.shape[1], rgb.shape[0])
                # A look-ahead part-way through this image's embedding: its remaining blocks, not a new start.
                self._set_image(predictor, key, rgb, self._steppers.finish(key))
            else:
                prompt.validate(cached[1][1], cached[1][0])
                predictor.use_features(*cached)
            masks, scores, logits = predictor.predict_masks(
                point_coords=np.asarray(prompt.points, np.float32) if prompt.points else None,
                point_labels=np.asarray(prompt.labels, np.int32) if prompt.points else None,
                box=np.asarray(prompt.box, np.float32) if prompt.box is not None else None,
                mask_input=prompt.previous[None] if prompt.previous is not None and prompt.previous.ndim == 2
                else prompt.previous,
                multimask_output=prompt.multimask)
        order = np.argsort(-scores)
        candidates = [(masks[i], float(scores[i])) for i in order]
        best = int(order[0])
        return SegmentResult(mask=candidates[0][0], score=candidates[0][1], segmenter=self.name,
                             logits=logits[best], candidates=candidates, candidate_logits=[logits[i] for i in order])
