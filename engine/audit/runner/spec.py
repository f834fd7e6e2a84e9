"""What a detector run needs to know, without importing torch (the window builds these in its dialogs)."""
from __future__ import annotations

from dataclasses import dataclass

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
MODEL_KINDS = ("torchscript", "timm")


@dataclass
class ModelSpec:
    kind: str  # a key of engine.audit.runner.models.LOADERS
    path: str
    arch: str | None = None  # timm architecture
    input_size: int = 224
    mean: tuple = IMAGENET_MEAN
    std: tuple = IMAGENET_STD
    output: str = "auto"  # a key of engine.audit.runner.models.OUTPUTS
    attack_index: int = 1
    device: str | None = None  # default: CUDA when available

    def to_json(self) -> dict:
        return {"kind": self.kind, "arch": self.arch, "input_size": self.input_size, "mean": list(self.mean),
                "std": list(self.std), "output": self.output, "attack_index": self.attack_index}


@dataclass
class DetectorSettings:
    margin: float = 0.25  # share of the face's size added on each side of the crop
    stride: int = 1  # score every Nth video frame
    batch_size: int = 32
    min_confidence: float = 0.5  # mediapipe face detector
    full_range: bool = False  # mediapipe's model for faces far from the camera
    model_name: str | None = None
    version: str = ""
