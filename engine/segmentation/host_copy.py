"""Copying a frame's results from the GPU without stalling the model.

Reading a tensor on the CPU (``.cpu()``, ``float(t)``) makes Python wait until the device has finished all
the work queued so far; doing that for every propagated frame stops the device from working on frame t + 1
while Python stores frame t. ``HostCopy`` queues the copies into page-locked memory right behind the work
that produces the tensors and records an event; ``get()`` waits only for that event, typically after the next
frame's work has been queued, so the device never runs dry.
"""
from __future__ import annotations

import torch


class HostCopy:
    def __init__(self, *tensors: torch.Tensor):
        cuda = bool(tensors) and tensors[0].is_cuda
        # To the CPU with non_blocking=True lands in pinned memory, which the device fills asynchronously.
        self._host = [t.to("cpu", non_blocking=cuda) for t in tensors]
        self._event = None
        if cuda:
            self._event = torch.cuda.Event()
            self._event.record()

    def get(self) -> list[torch.Tensor]:
        if self._event is not None:
            self._event.synchronize()
        return self._host
