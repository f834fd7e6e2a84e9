"""The models the engine can load, by name: one ``ModelEntry`` per model, registered by the module that adapts
its family (``engine.segmentation.sam2_models`` registers the four SAM 2.1 models).

An entry knows its checkpoint file (name, official URL, published SHA-256 where pinned), how to build the
model with given weights on a device, and which weight names and shapes a matching checkpoint must hold.
Nothing here chooses a model with if/elif: callers look names up in ``MODELS``.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from annotation.errors import InputError

# Modules that register entries when imported; another model family adds its module here.
FAMILIES = ("engine.segmentation.sam2_models",)


@dataclass(frozen=True)
class CheckpointFile:
    filename: str  # the official file name, also what the models folder is searched for
    url: str  # the official download
    hf_repo: str | None = None  # where the published SHA-256 is read when none is pinned below
    sha256: str | None = None
    size_mb: int | None = None


@dataclass(frozen=True)
class Weights:
    """Where a model's weights come from: a checkpoint file, or random numbers from a seed (tests, benchmarks)."""

    kind: str  # "checkpoint" | "random"
    path: Path | None = None
    seed: int | None = None
    origin: str = ""  # how it was chosen: "--checkpoint", "settings", "models folder", "download", "--weights"

    @property
    def key(self) -> tuple:
        return (self.kind, str(self.path) if self.path else None, self.seed)

    def describe(self) -> str:
        if self.kind == "random":
            return f"random weights (seed {self.seed})"
        return f"{self.path}" + (f", {ORIGIN_WORDS.get(self.origin, self.origin)}" if self.origin else "")


ORIGIN_WORDS = {"settings": "chosen in the settings", "models folder": "found in the models folder",
                "--checkpoint": "given with --checkpoint"}


@dataclass(frozen=True)
class ModelEntry:
    name: str  # e.g. "sam2.1_hiera_tiny"
    family: str  # e.g. "sam2": what the model is used for
    title: str  # e.g. "SAM 2.1 tiny"
    checkpoint: CheckpointFile
    build: Callable[["ModelEntry", Weights, Any], Any]  # (entry, weights, device) -> the loaded model
    expected_shapes: Callable[["ModelEntry"], dict[str, tuple[int, ...]]]  # weight name -> shape
    aliases: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict)  # family-specific facts (e.g. the SAM 2 config file)


MODELS: dict[str, ModelEntry] = {}
_ALIASES: dict[str, str] = {}
_loaded = False


def register(entry: ModelEntry) -> None:
    MODELS[entry.name] = entry
    for alias in entry.aliases:
        _ALIASES[alias] = entry.name


def _load_families() -> None:
    global _loaded
    if not _loaded:
        for module in FAMILIES:
            importlib.import_module(module)
        _loaded = True


def model_names(family: str | None = None) -> list[str]:
    _load_families()
    return [n for n, e in MODELS.items() if family is None or e.family == family]


def model_entry(name: str, family: str | None = None) -> ModelEntry:
    """The entry for ``name`` (or one of its short aliases, e.g. ``tiny``), naming the choices if unknown."""
    _load_families()
    entry = MODELS.get(name) or MODELS.get(_ALIASES.get(name, ""))
    if entry is None or (family and entry.family != family):
        raise InputError(f"unknown model {name!r}; expected one of {', '.join(model_names(family))}", field="model")
    return entry
