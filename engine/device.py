"""The accelerator the engine runs its models on: CUDA, then Apple's MPS, then the CPU.

The engine thread picks one ``Device`` when it first needs a model and keeps it. On CUDA, models run under
bf16 autocast where the card supports it (Ampere and newer), as SAM 2's own examples do; elsewhere in full
precision. ``FACELENS_DEVICE`` (or ``--device`` on the CLI) forces a choice, e.g. ``cpu`` or ``cuda:1``.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from typing import Callable

import torch

from annotation.errors import InputError


@dataclass(frozen=True)
class Device:
    torch_device: torch.device
    title: str  # what the window and the CLI show, e.g. "cuda:0 (NVIDIA H200, bf16)"
    autocast_dtype: torch.dtype | None = None  # None: full precision

    @property
    def type(self) -> str:
        return self.torch_device.type

    def autocast(self):
        """The context a model call runs in (bf16 autocast on CUDA where supported, else nothing)."""
        if self.autocast_dtype is None:
            return contextlib.nullcontext()
        return torch.autocast(self.type, dtype=self.autocast_dtype)

    def synchronize(self) -> None:
        SYNC.get(self.type, lambda: None)()

    def __str__(self) -> str:
        return self.title


def _cuda_available() -> bool:
    return torch.cuda.is_available()


def _mps_available() -> bool:
    return bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()


def _cuda(name: str) -> Device:
    dev = torch.device(name)
    props = torch.cuda.get_device_properties(dev)
    bf16 = torch.cuda.is_bf16_supported()
    if props.major >= 8:
        # TF32 matmuls on Ampere+, as SAM 2's examples enable; bf16 autocast covers most of the work anyway.
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
    return Device(dev, f"{dev} ({props.name}{', bf16' if bf16 else ''})", torch.bfloat16 if bf16 else None)


def _mps(name: str) -> Device:
    return Device(torch.device("mps"), "mps (Apple GPU)")


def _cpu(name: str) -> Device:
    return Device(torch.device("cpu"), f"cpu ({torch.get_num_threads()} threads)")


# In order of preference: (device type, is it there?, how to set it up).
KINDS: tuple[tuple[str, Callable[[], bool], Callable[[str], Device]], ...] = (
    ("cuda", _cuda_available, _cuda),
    ("mps", _mps_available, _mps),
    ("cpu", lambda: True, _cpu),
)
SYNC: dict[str, Callable[[], None]] = {
    "cuda": lambda: torch.cuda.synchronize(),
    "mps": lambda: torch.mps.synchronize(),
}


def choose_device(prefer: str | None = None) -> Device:
    """The best device present, or the one asked for (``prefer`` or ``FACELENS_DEVICE``)."""
    prefer = prefer or os.environ.get("FACELENS_DEVICE") or None
    if prefer and prefer != "auto":
        kind = prefer.split(":")[0]
        for name, available, make in KINDS:
            if name == kind:
                if not available():
                    raise InputError(f"device {prefer!r} is not available on this machine "
                                     f"(available: {', '.join(n for n, a, _ in KINDS if a())})", field="device")
                return make(prefer)
        raise InputError(f"unknown device {prefer!r}; expected one of auto, {', '.join(n for n, _, _ in KINDS)}",
                         field="device")
    for name, available, make in KINDS:
        if available():
            return make(name)
    raise AssertionError("the CPU is always available")


def free_memory(device: Device) -> int | None:
    """Bytes still free where the models live (GPU memory, or the machine's RAM); None when unknown."""
    if device.type == "cuda":
        free, _ = torch.cuda.mem_get_info(device.torch_device)
        return int(free)
    return _ram_available()


def _ram_available() -> int | None:
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
