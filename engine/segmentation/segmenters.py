"""Which segmenter answers a click: SAM 2.1 when its weights are available, otherwise GrabCut.

Both take the same prompt (clicks and a box) and give the same result, so the tool, the CLI and the jobs do
not care which one runs; ``ActiveSegmenter`` says which one it is and why, for the window and the CLI.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from engine.device import Device, choose_device
from engine.models.registry import ModelEntry, Weights, model_entry
from engine.models.weights import ModelSettings, chosen_and_missing, missing_message, resolve_weights
from engine.segmentation.grabcut import GrabCutSegmenter
from engine.segmentation.sam2_image import Sam2Segmenter


@dataclass(frozen=True)
class ActiveSegmenter:
    segmenter: object  # Sam2Segmenter | GrabCutSegmenter
    model: ModelEntry  # the SAM 2 model chosen (even when its weights are missing)
    weights: Weights | None
    device: Device
    missing: str = ""  # without weights: which file is needed and where to put it (``missing_message``)
    off: str = ""  # without weights, in a few words: "it needs sam2.1_hiera_tiny.pt" or "/path/to/it.pt is missing"

    @property
    def kind(self) -> str:
        return self.segmenter.kind

    @property
    def can_propagate(self) -> bool:
        return self.weights is not None

    def status(self) -> dict:
        """What the window's status bar and ``--json`` outputs say about the segmenter."""
        return {"segmenter": self.segmenter.name, "kind": self.kind, "title": self.segmenter.describe(),
                "model": self.model.name, "weights": self.weights.describe() if self.weights else None,
                "device": str(self.device), "off": None if self.weights else self.off,
                "note": None if self.weights else f"SAM 2 is off: {self.missing or missing_message(self.model)}"}


def grabcut_instead(active: ActiveSegmenter, reason: str) -> ActiveSegmenter:
    """GrabCut in place of a SAM 2 whose checkpoint cannot be loaded (damaged, cut short), the reason said as for
    a missing file."""
    return ActiveSegmenter(GrabCutSegmenter(reason=reason), active.model, None, active.device, missing=reason,
                           off=f"{active.weights.path} cannot be loaded")


def file_stamp(path) -> tuple | None:
    """(path, size, modification time) of a file, None when it cannot be read: whether it changed since."""
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return str(path), st.st_size, st.st_mtime_ns


# kind -> how to make it: (model entry, weights, device) -> segmenter
SEGMENTERS: dict[str, Callable[[ModelEntry, Weights | None, Device], object]] = {
    "sam2": lambda entry, weights, device: Sam2Segmenter(entry, weights, device),
    "grabcut": lambda entry, weights, device: GrabCutSegmenter(reason=missing_message(entry)),
}


@functools.lru_cache(maxsize=4)
def default_device(prefer: str | None = None) -> Device:
    return choose_device(prefer)


def choose_segmenter(model: str | None = None, checkpoint: str | Path | None = None, random_seed: int | None = None,
                     device: str | None = None, settings: ModelSettings | None = None) -> ActiveSegmenter:
    """The segmenter for these choices; cheap (nothing is loaded until the first click)."""
    settings = settings or ModelSettings()
    entry = model_entry(model or settings.active("sam2"), family="sam2")
    weights = resolve_weights(entry, checkpoint, random_seed, settings)
    dev = default_device(device)
    kind = "sam2" if weights is not None else "grabcut"
    missing = off = ""
    if weights is None:
        missing = missing_message(entry, settings)
        gone = chosen_and_missing(entry, settings)
        off = f"{gone} is missing" if gone else f"it needs {entry.checkpoint.filename}"
    return ActiveSegmenter(SEGMENTERS[kind](entry, weights, dev), entry, weights, dev, missing, off)
