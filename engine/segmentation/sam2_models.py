"""The four SAM 2.1 models, registered in the model registry, and how one is built.

One ``SAM2VideoPredictor`` per model serves both images (through ``SAM2ImagePredictor``, which needs only the
``SAM2Base`` it extends) and videos, so a model is in memory once. Random weights are made exactly as the
issue fixes it: ``torch.manual_seed(seed)`` immediately followed by ``build_sam2_video_predictor(config,
ckpt_path=None, device="cpu")``, then moved to the device; ``build_sam2`` with the same seed gives the very
same weights (the benchmark relies on this). A checkpoint is read and checked before its weights are copied.
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass, field

import torch

from annotation.errors import FaceLensError
from engine.device import Device
from engine.models.checkpoint import check_state_dict, read_state_dict
from engine.models.registry import CheckpointFile, ModelEntry, Weights, register

META_URL = "https://dl.fbaipublicfiles.com/segment_anything_2/092824/"

# name: (title, config, Hugging Face repo, MB, parameters, trunk blocks, embed dim, aliases)
_SPECS = {
    "sam2.1_hiera_tiny": ("SAM 2.1 tiny", "configs/sam2.1/sam2.1_hiera_t.yaml", "facebook/sam2.1-hiera-tiny",
                          149, 38_962_754, 12, 96, ("tiny", "t")),
    "sam2.1_hiera_small": ("SAM 2.1 small", "configs/sam2.1/sam2.1_hiera_s.yaml", "facebook/sam2.1-hiera-small",
                           176, 46_060_610, 16, 96, ("small", "s")),
    "sam2.1_hiera_base_plus": ("SAM 2.1 base+", "configs/sam2.1/sam2.1_hiera_b+.yaml",
                               "facebook/sam2.1-hiera-base-plus", 309, 80_850_434, 24, 112,
                               ("base_plus", "base+", "b+")),
    "sam2.1_hiera_large": ("SAM 2.1 large", "configs/sam2.1/sam2.1_hiera_l.yaml", "facebook/sam2.1-hiera-large",
                           857, 224_446_898, 48, 144, ("large", "l")),
}


@dataclass
class Sam2Model:
    """A loaded SAM 2.1 model: the video predictor module, and the image predictor sharing its weights."""

    entry: ModelEntry
    weights: Weights
    device: Device
    predictor: object  # sam2.sam2_video_predictor.SAM2VideoPredictor (a SAM2Base)
    _image: object = None
    _compiled: object = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def name(self) -> str:
        return self.entry.name

    @property
    def image_size(self) -> int:
        return int(self.predictor.image_size)

    def image_predictor(self):
        from engine.segmentation.sam2_image_predictor import CachedImagePredictor

        with self._lock:
            if self._image is None:
                self._image = CachedImagePredictor(self.predictor)
            return self._image

    def compiled_predictor(self):
        """SAM 2's compiled video predictor over these weights, for propagation only (see ``compiled.py``)."""
        from engine.segmentation.compiled import build_compiled_predictor, compile_refusal

        refusal = compile_refusal(self.device)
        if refusal:
            raise FaceLensError(refusal)
        with self._lock:
            if self._compiled is None:
                self._compiled = build_compiled_predictor(self)
            return self._compiled

    def describe(self) -> str:
        return f"{self.entry.title} ({self.weights.describe()}) on {self.device}"


def build_random_predictor(config: str, seed: int):
    """Random weights from ``seed``, built on the CPU exactly as the raw library does (tests, benchmarks)."""
    from sam2.build_sam import build_sam2_video_predictor

    quiet_progress()
    torch.manual_seed(seed)
    return build_sam2_video_predictor(config, ckpt_path=None, device="cpu")


def _build(entry: ModelEntry, weights: Weights, device: Device) -> Sam2Model:
    config = entry.extra["config"]
    if weights.kind == "random":
        predictor = build_random_predictor(config, weights.seed)
    else:
        state = read_state_dict(weights.path, entry)  # a file that is no checkpoint fails before the build
        predictor = build_random_predictor(config, 0)
        check_state_dict(state, _shapes_of(predictor), entry, weights.path, looks_like)
        predictor.load_state_dict(state)
    # A click on an already tracked frame becomes a conditioning frame, so a corrective click holds when the
    # propagation starts again from that frame (SAM 2's default would recompute that frame from memory).
    predictor.add_all_frames_to_correct_as_cond = True
    predictor = predictor.to(device.torch_device).eval()
    return Sam2Model(entry, weights, device, predictor)


def _shapes_of(module: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in module.state_dict().items()}


@functools.lru_cache(maxsize=None)
def _expected_shapes(name: str) -> dict[str, tuple[int, ...]]:
    from engine.models.registry import MODELS

    return _shapes_of(build_random_predictor(MODELS[name].extra["config"], 0))


def expected_shapes(entry: ModelEntry) -> dict[str, tuple[int, ...]]:
    return _expected_shapes(entry.name)


def looks_like(state: dict) -> str | None:
    """Which SAM 2 model a state dict seems to be (by the image encoder's depth and width), or None."""
    blocks = {k.split(".")[3] for k in state if k.startswith("image_encoder.trunk.blocks.")}
    embed = state.get("image_encoder.trunk.pos_embed")
    if embed is None or not blocks:
        return None
    for name, spec in _SPECS.items():
        if len(blocks) == spec[5] and embed.shape[1] == spec[6]:
            return name if "no_obj_embed_spatial" in state else name.replace("sam2.1", "SAM 2.0 sam2")
    return None


for _name, (_title, _config, _repo, _mb, _params, _blocks, _dim, _aliases) in _SPECS.items():
    register(ModelEntry(
        name=_name, family="sam2", title=_title,
        checkpoint=CheckpointFile(filename=f"{_name}.pt", url=META_URL + f"{_name}.pt", hf_repo=_repo, size_mb=_mb),
        build=_build, expected_shapes=expected_shapes, aliases=_aliases,
        extra={"config": _config, "parameters": _params}))


def quiet_progress() -> None:
    """No tqdm bar from SAM 2's video predictor (see engine/segmentation/__init__.py for why)."""
    import sam2.sam2_video_predictor as video_predictor

    if not isinstance(video_predictor.tqdm, functools.partial):
        video_predictor.tqdm = functools.partial(video_predictor.tqdm, disable=True)
