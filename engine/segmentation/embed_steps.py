"""SAM 2's image encoder a block at a time, for the look-ahead jobs.

The look-ahead computes the next image's (or frame's) embedding while the user works on this one. Run as one
call it holds the engine thread for a whole embedding (seconds on a CPU), and a click on the image on screen
waits behind it. Run here, the look-ahead yields between the encoder's blocks (12 for tiny, 48 for large), so
a click waits for one block at most. The blocks' output then goes through SAM 2's own code for the rest (the
neck, the mask decoder's high-resolution convolutions, the predictor's bookkeeping): ``trunk_gives`` makes the
trunk hand it over instead of computing it again. Checked against sam2 1.1.0 (``Hiera.forward``); a test
compares the result with ``set_image``'s.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, ContextManager, Generator

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
