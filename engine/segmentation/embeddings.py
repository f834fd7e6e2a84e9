"""Image embeddings kept per (model, media, frame), least recently used out, bounded in bytes.

The image encoder is the slow part of a click (about 95% of it); once an image's embedding is here, every
further click on it only runs the small prompt encoder and mask decoder. The media is keyed by its SHA-256,
so two projects holding the same photo share the entry and a changed file never reuses a stale one.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

import torch

DEFAULT_BYTES = 768 << 20  # about 48 images for SAM 2.1 (16 MB each in float32)


def _nbytes(value) -> int:
    if isinstance(value, torch.Tensor):
        return value.numel() * value.element_size()
    if isinstance(value, dict):
        return sum(_nbytes(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return sum(_nbytes(v) for v in value)
    return 0


class EmbeddingCache:
    def __init__(self, max_bytes: int = DEFAULT_BYTES):
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    @staticmethod
    def key(model, media_sha256: str, frame: int | None) -> tuple:
        return (model, media_sha256, -1 if frame is None else int(frame))

    def get(self, key: tuple):
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item[0]

    def __contains__(self, key: tuple) -> bool:
        with self._lock:
            return key in self._items

    def put(self, key: tuple, value) -> None:
        size = _nbytes(value)
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and len(self._items) > 1:
                _, (_, dropped) = self._items.popitem(last=False)
                self._bytes -= dropped

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0

    @property
    def nbytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._items)


EMBEDDINGS = EmbeddingCache()
