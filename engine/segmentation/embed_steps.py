"""SAM 2's image encoder a block at a time, for the look-ahead jobs.

The look-ahead computes the next image's (or frame's) embedding while the user works on this one. Run as one
call it holds the engine thread for a whole embedding (seconds on a CPU), and a click on the image on screen
waits behind it. Run here, the look-ahead yields between the encoder's blocks (12 for tiny, 48 for large), so
a click waits for one block at most. The blocks' output then goes through SAM 2's own code for the rest (the
neck, the mask decoder's high-resolution convolutions, the predictor's bookkeeping): ``trunk_gives`` makes the
trunk hand it over instead of computing it again. Checked against sam2 1.1.0 (``Hiera.forward``); a test
compares the result with ``set_image``'s.

A click on the very image (or frame) whose embedding the look-ahead is part-way through finishes the
look-ahead's remaining blocks itself (``Steppers.finish``) rather than starting the embedding over.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, ContextManager, Generator, Hashable

import torch


def trunk_in_steps(trunk, image: torch.Tensor, step: Callable[[], ContextManager]
                   ) -> Generator[None, None, list[torch.Tensor]]:
    """What ``trunk(image)`` returns, computed a block per step; yields between steps. ``step()`` is entered
    around each block (inference mode, autocast): a generator must not hold them across a yield, where the
    engine thread runs other jobs."""
    with step():
        x = trunk.patch_embed(image)
        x = x + trunk._get_pos_embed(x.shape[1:3])
    outputs = []
    last = trunk.stage_ends[-1]
    for i, block in enumerate(trunk.blocks):
        yield
        with step():
            x = block(x)
            if i == last or (i in trunk.stage_ends and trunk.return_interm_layers):
                outputs.append(x.permute(0, 3, 1, 2))
    return outputs


class Steppers:
    """The embeddings being computed a block at a time, by key (engine thread only)."""

    def __init__(self):
        self._running: dict[Hashable, Generator] = {}

    def run(self, key: Hashable, start: Callable[[], Generator]) -> Generator[None, None, list | None]:
        """Step through ``start()`` (a ``trunk_in_steps``) for ``key``; returns the trunk's output, or None
        when a click finished it meanwhile (the embedding is then kept already)."""
        steps = self._running.get(key) or start()
        self._running[key] = steps
        try:
            return (yield from steps)
        finally:
            if self._running.get(key) is steps:
                del self._running[key]

    def finish(self, key: Hashable) -> list | None:
        """The trunk's output for ``key``, running the blocks the look-ahead has not run yet; None if no
        look-ahead is computing it."""
        steps = self._running.pop(key, None)
        if steps is None:
            return None
        try:
            while True:
                next(steps)
        except StopIteration as done:
            return done.value


@contextmanager
def inference(device):
    """What every model call of the engine runs in: no autograd, and the device's autocast."""
    with torch.inference_mode(), device.autocast():
        yield


@contextmanager
def trunk_gives(trunk, outputs: list[torch.Tensor]):
    """While inside, calling ``trunk`` returns ``outputs`` (computed by ``trunk_in_steps``) at once."""
    trunk.forward = lambda *_args, **_kw: outputs
    try:
        yield
    finally:
        del trunk.forward
