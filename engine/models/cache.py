"""Models in memory: loaded on first use, kept for the next job, released under memory pressure.

Only the engine thread loads and calls models, so one process-wide ``MODEL_CACHE`` serves every job (the
window's clicks, a propagation, the CLI). Before a model is built, and whenever a build runs out of memory,
the cache frees what it can: first the registered lighter caches (image embeddings, video sessions), then the
least recently used models.
"""
from __future__ import annotations

import gc
import threading
import weakref
from collections import OrderedDict
from typing import Any, Callable

import torch

from engine.device import Device, free_memory
from engine.models.registry import ModelEntry, Weights

HEADROOM = 1 << 30  # bytes a model needs beyond its weights (activations of one frame), a rough guess


class ModelCache:
    def __init__(self, max_models: int = 2):
        self.max_models = max_models
        self._models: OrderedDict[tuple, Any] = OrderedDict()
        self._release_hooks: list[Callable[[], Callable[[], None] | None]] = []  # weak references
        self._lock = threading.RLock()

    def on_pressure(self, release: Callable[[], None]) -> None:
        """``release()`` frees a lighter cache when memory runs short (held weakly: its owner may go away)."""
        ref = weakref.WeakMethod(release) if hasattr(release, "__self__") else (lambda: release)
        self._release_hooks.append(ref)

    def _release_lighter(self) -> None:
        self._release_hooks = [r for r in self._release_hooks if r() is not None]
        for ref in self._release_hooks:
            release = ref()
            if release is not None:
                release()

    def key(self, entry: ModelEntry, weights: Weights, device: Device) -> tuple:
        return (entry.name, weights.key, str(device.torch_device))

    def get(self, entry: ModelEntry, weights: Weights, device: Device) -> Any:
        key = self.key(entry, weights, device)
        with self._lock:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            self.release_under_pressure(device, _bytes_needed(entry))
            try:
                model = entry.build(entry, weights, device)
            except torch.OutOfMemoryError:
                self.release_all(device)
                model = entry.build(entry, weights, device)  # once more with everything else gone
            self._models[key] = model
            while len(self._models) > self.max_models:
                self._models.popitem(last=False)
            return model

    def put(self, entry: ModelEntry, weights: Weights, device: Device, model: Any) -> None:
        """Hold a model built elsewhere (the benchmark hands in the very model it times the raw library on)."""
        with self._lock:
            self._models[self.key(entry, weights, device)] = model

    def holds(self, entry: ModelEntry, weights: Weights, device: Device) -> bool:
        """Whether that model is loaded (its checkpoint file is not read again while it stays)."""
        with self._lock:
            return self.key(entry, weights, device) in self._models

    def loaded(self) -> list[tuple]:
        with self._lock:
            return list(self._models)

    def release(self, name: str | None = None) -> int:
        """Drop the models called ``name`` (all when None); returns how many."""
        with self._lock:
            keys = [k for k in self._models if name is None or k[0] == name]
            for k in keys:
                del self._models[k]
        _collect()
        return len(keys)

    def release_under_pressure(self, device: Device, need: int) -> None:
        free = free_memory(device)
        if free is None or free >= need:
            return
        self._release_lighter()
        _collect()
        with self._lock:
            while self._models and (free_memory(device) or 0) < need:
                self._models.popitem(last=False)
                _collect()

    def release_all(self, device: Device) -> None:
        self._release_lighter()
        self.release()


def _bytes_needed(entry: ModelEntry) -> int:
    return int(entry.extra.get("parameters", 0)) * 4 + HEADROOM


def _collect() -> None:
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


MODEL_CACHE = ModelCache()
