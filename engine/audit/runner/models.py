"""Loading the user's detector model: a TorchScript file, or a timm architecture plus a checkpoint.

Each loader returns a ``Detector``: face crops (N, H, W, 3 uint8 RGB) in, the probability of attack (N,) and,
when the model offers them, feature vectors (N, D) out - the features feed the confidence step. A model's
output of one column is a logit (sigmoid); of two or more, class logits (softmax, attack column
``attack_index``); ``output="probability"`` takes the values as they are.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from annotation.errors import InputError
from engine.audit.runner.spec import ModelSpec


def _auto(out: torch.Tensor, attack_index: int) -> torch.Tensor:
    if out.ndim == 1 or out.shape[1] == 1:
        return torch.sigmoid(out.reshape(-1))
    return torch.softmax(out, dim=1)[:, attack_index]


def _probability(out: torch.Tensor, attack_index: int) -> torch.Tensor:
    p = out.reshape(-1) if out.ndim == 1 or out.shape[1] == 1 else out[:, attack_index]
    return p.clamp(0.0, 1.0)


OUTPUTS = {"auto": _auto, "probability": _probability}


@dataclass
class Detector:
    spec: ModelSpec
    forward: callable  # tensor batch -> (output tensor, features tensor or None)
    device: torch.device
    info: dict = field(default_factory=dict)

    @torch.inference_mode()
    def __call__(self, crops: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        x = torch.from_numpy(np.ascontiguousarray(crops)).to(self.device).permute(0, 3, 1, 2).float().div_(255)
        mean = torch.tensor(self.spec.mean, device=self.device).view(1, 3, 1, 1)
        std = torch.tensor(self.spec.std, device=self.device).view(1, 3, 1, 1)
        out, feats = self.forward((x - mean) / std)
        scores = OUTPUTS[self.spec.output](out.float(), self.spec.attack_index)
        return (scores.cpu().numpy().astype(np.float64),
                None if feats is None else feats.float().reshape(len(x), -1).cpu().numpy())


def _device(spec: ModelSpec) -> torch.device:
    return torch.device(spec.device or ("cuda" if torch.cuda.is_available() else "cpu"))


def _load_torchscript(spec: ModelSpec) -> Detector:
    device = _device(spec)
    try:
        with warnings.catch_warnings():
            # TorchScript is deprecated upstream but still what detectors are shipped as
            warnings.simplefilter("ignore", FutureWarning)
            model = torch.jit.load(spec.path, map_location=device).eval()
    except (RuntimeError, ValueError) as e:
        raise InputError(f"not a TorchScript model ({str(e).splitlines()[0][:120]})", path=spec.path) from None

    def forward(x):
        out = model(x)
        if isinstance(out, (tuple, list)):
            return out[0], (out[1] if len(out) > 1 else None)
        return out, None

    return Detector(spec, forward, device)


def _state_dict(path: str) -> dict:
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many kinds for a file that is not a checkpoint
        raise InputError(f"not a PyTorch checkpoint ({str(e).splitlines()[0][:120]})", path=path) from None
    for key in ("state_dict", "model", "model_state_dict"):
        if isinstance(ckpt, dict) and isinstance(ckpt.get(key), dict):
            ckpt = ckpt[key]
    if not isinstance(ckpt, dict) or not all(isinstance(v, torch.Tensor) for v in ckpt.values()):
        raise InputError("expected a state dict (parameter name -> tensor)", path=path)
    return {k.removeprefix("module."): v for k, v in ckpt.items()}


def _load_timm(spec: ModelSpec) -> Detector:
    import timm

    if not spec.arch:
        raise InputError("a timm model needs its architecture name (--arch)", field="arch")
    state = _state_dict(spec.path)
    try:
        probe = timm.create_model(spec.arch, pretrained=False)
    except RuntimeError as e:
        raise InputError(f"unknown timm architecture {spec.arch!r} ({e})", field="arch") from None
    head = probe.get_classifier()
    head_name = next((n for n, m in probe.named_modules() if m is head), None)
    head_weight = state.get(f"{head_name}.weight") if head_name else None
    num_classes = int(head_weight.shape[0]) if head_weight is not None else probe.num_classes  # as trained
    model = timm.create_model(spec.arch, pretrained=False, num_classes=num_classes)
    missing, unexpected = model.load_state_dict(state, strict=False)
    if missing or unexpected:
        raise InputError(f"the checkpoint does not fit {spec.arch}: {len(missing)} missing (e.g. "
                         f"{', '.join(missing[:3]) or '-'}), {len(unexpected)} unexpected (e.g. "
                         f"{', '.join(unexpected[:3]) or '-'})", path=spec.path)
    device = _device(spec)
    model = model.eval().to(device)

    def forward(x):
        f = model.forward_features(x)
        return model.forward_head(f), model.forward_head(f, pre_logits=True)

    return Detector(spec, forward, device, {"num_classes": num_classes})


LOADERS = {"torchscript": _load_torchscript, "timm": _load_timm}


def load_detector(spec: ModelSpec) -> Detector:
    if not Path(spec.path).is_file():
        raise InputError("no such model file", path=spec.path)
    if spec.kind not in LOADERS:
        raise InputError(f"unknown model kind {spec.kind!r} (expected {', '.join(LOADERS)})", field="kind")
    if spec.output not in OUTPUTS:
        raise InputError(f"unknown output {spec.output!r} (expected {', '.join(OUTPUTS)})", field="output")
    return LOADERS[spec.kind](spec)
