"""Which weights each model uses, kept per user in ``models.json`` beside the window's settings.

The file is plain JSON so that the window (Models menu) and the CLI (``python main.py models``) share it::

    {"checkpoints": {"sam2.1_hiera_tiny": "/home/me/weights/sam2.1_hiera_tiny.pt"},
     "active": {"sam2": "sam2.1_hiera_tiny"}}

A model's weights are found, in this order: a checkpoint named on the command line, random weights asked for
on the command line, the checkpoint chosen in the settings (while that file is there), the official file name
in the models folder (``<FaceLens home>/models/``, where downloads go too). When none is there,
``missing_message`` says which file is needed and where to put it (and that the chosen one went missing).
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from annotation.errors import InputError
from engine.models.registry import ModelEntry, Weights, model_entry
from storage.locations import user_data_dir

DEFAULT_MODEL = {"sam2": "sam2.1_hiera_tiny"}


def settings_path() -> Path:
    return user_data_dir() / "models.json"


def models_dir() -> Path:
    return user_data_dir() / "models"


class ModelSettings:
    """The per-user choices: a checkpoint file per model and the active model per family."""

    def __init__(self, path: Path | None = None):
        self.path = path or settings_path()
        self._data = self._read()

    def _read(self) -> dict:
        if not self.path.is_file():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise InputError(f"cannot read the model settings ({e}); fix or delete the file", path=str(self.path))
        return data if isinstance(data, dict) else {}

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".models-", suffix=".json", dir=self.path.parent)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(self._data, f, indent=2)
        os.replace(tmp, self.path)  # atomic: a crash leaves the old file or the new one

    def checkpoint(self, model: str) -> Path | None:
        value = self._data.get("checkpoints", {}).get(model)
        return Path(value) if value else None

    def set_checkpoint(self, model: str, path: str | Path | None) -> None:
        checkpoints = self._data.setdefault("checkpoints", {})
        if path is None:
            checkpoints.pop(model, None)
        else:
            checkpoints[model] = str(Path(path).expanduser().resolve())
        self._write()

    def active(self, family: str) -> str:
        return self._data.get("active", {}).get(family) or DEFAULT_MODEL[family]

    def set_active(self, family: str, model: str) -> None:
        self._data.setdefault("active", {})[family] = model
        self._write()


def resolve_weights(entry: ModelEntry, checkpoint: str | Path | None = None, random_seed: int | None = None,
                    settings: ModelSettings | None = None) -> Weights | None:
    """Where ``entry``'s weights come from, or None when no weights are available (see ``missing_message``)."""
    if checkpoint is not None:
        return Weights("checkpoint", Path(checkpoint).expanduser().resolve(), origin="--checkpoint")
    if random_seed is not None:
        return Weights("random", seed=int(random_seed), origin="--weights random")
    settings = settings or ModelSettings()
    chosen = settings.checkpoint(entry.name)
    if chosen is not None and chosen.is_file():  # (a chosen file since moved or deleted counts as missing)
        return Weights("checkpoint", chosen, origin="settings")
    in_folder = models_dir() / entry.checkpoint.filename
    if in_folder.is_file():
        return Weights("checkpoint", in_folder, origin="models folder")
    return None


def chosen_and_missing(entry: ModelEntry, settings: ModelSettings | None) -> Path | None:
    """The checkpoint file chosen for ``entry`` when it is no longer there (moved or deleted since)."""
    chosen = settings.checkpoint(entry.name) if settings is not None else None
    return chosen if chosen and not chosen.is_file() else None


def missing_message(entry: ModelEntry, settings: ModelSettings | None = None) -> str:
    c = entry.checkpoint
    size = f", {c.size_mb} MB" if c.size_mb else ""
    gone = chosen_and_missing(entry, settings)
    gone = f"the checkpoint chosen for it, {gone}, is missing; " if gone else ""
    return (f"{gone}{entry.title} needs the checkpoint file {c.filename} ({c.url}{size}); put it in {models_dir()} "
            f"or choose it with `python main.py models use {entry.name} --checkpoint PATH` (or the Models menu)")


def describe_models(family: str, settings: ModelSettings | None = None) -> list[dict]:
    """Every model of a family with where its weights would come from (the Models menu and ``models``)."""
    from engine.models.registry import model_names

    settings = settings or ModelSettings()
    rows = []
    for name in model_names(family):
        entry = model_entry(name)
        weights = resolve_weights(entry, settings=settings)
        chosen = settings.checkpoint(name)
        needs = entry.checkpoint.filename + (f"; {chosen} is missing" if chosen and not weights else "")
        rows.append({"model": name, "title": entry.title, "active": name == settings.active(family),
                     "weights": weights.describe() if weights else None,
                     "checkpoint": str(weights.path) if weights else None,
                     "needs": None if weights else needs})
    return rows
