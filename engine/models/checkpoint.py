"""Reading a checkpoint file and checking that it fits the model it is meant for.

A wrong file (another model's checkpoint, a truncated download, not a checkpoint at all) is reported with the
file's path, the model that was expected and, where it can be told, the model the file looks like, before
any weight is copied.
"""
from __future__ import annotations

import pickle
import re
import warnings
import zipfile
from pathlib import Path
from typing import Callable

import torch

from annotation.errors import InputError
from annotation.words import counted
from engine.models.registry import ModelEntry

# What unpickling a file that is no checkpoint raises varies with its bytes (a text file can end in an
# IndexError deep in torch's unpickler), so any of these means "not a readable checkpoint".
_UNREADABLE = (pickle.UnpicklingError, zipfile.BadZipFile, RuntimeError, EOFError, ValueError, OSError, KeyError,
               IndexError, TypeError, AttributeError, UnicodeDecodeError, MemoryError)


def read_state_dict(path: Path, entry: ModelEntry) -> dict[str, torch.Tensor]:
    """The weights in ``path`` (a ``{"model": state_dict}`` checkpoint, as Meta ships, or a bare state dict)."""
    path = Path(path)
    expected = f"expected the {entry.title} checkpoint {entry.checkpoint.filename}"
    if path.is_dir():
        raise InputError(f"is a folder, not a checkpoint file; {expected} (the file itself)", path=str(path))
    if not path.is_file():
        raise InputError(f"the checkpoint file does not exist; {expected}", path=str(path))
    try:
        with warnings.catch_warnings():  # torch warns of a file's pickle protocol on stderr before it fails
            warnings.simplefilter("ignore")
            try:
                obj = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
            except RuntimeError as e:
                if "mmap" not in str(e):
                    raise
                obj = torch.load(path, map_location="cpu", weights_only=True)  # legacy (non-zip) format
    except _UNREADABLE as e:
        try:
            text = _is_text(path)
        except OSError as unreadable:  # (a file its user may not read, a failing disk): torch's error said as much
            raise InputError(f"the file cannot be read ({unreadable.strerror or unreadable}); check its permissions; "
                             f"{expected}", path=str(path)) from None
        reason = "it is a text file" if text else _reason(e)
        raise InputError(f"not a readable PyTorch checkpoint ({reason}); {expected}", path=str(path)) from None
    state = obj.get("model", obj) if isinstance(obj, dict) else obj
    if not isinstance(state, dict) or not state or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise InputError(f"holds no model weights (no 'model' state dict); {expected}", path=str(path))
    return state


def _is_text(path: Path) -> bool:
    """Whether the file reads as text (notes, an HTML error page saved in place of a download)."""
    with open(path, "rb") as f:
        head = f.read(4096)
    if not head.strip() or b"\0" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def check_state_dict(state: dict[str, torch.Tensor], expected: dict[str, tuple[int, ...]], entry: ModelEntry,
                     path: Path, looks_like: Callable[[dict], str | None] | None = None) -> None:
    """Raise an error naming the file and the expected model unless ``state`` has exactly the expected weights."""
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    other_shape = [k for k in expected if k in state and tuple(state[k].shape) != tuple(expected[k])]
    if not (missing or unexpected or other_shape):
        return
    problems = []
    if other_shape:
        k = other_shape[0]
        problems.append(f"{counted(len(other_shape), 'weight')} of another shape (e.g. {k}: file "
                        f"{'x'.join(map(str, state[k].shape))}, model {'x'.join(map(str, expected[k]))})")
    if missing:
        problems.append(f"{counted(len(missing), 'weight')} missing (e.g. {missing[0]})")
    if unexpected:
        problems.append(f"{counted(len(unexpected), 'weight')} the model does not have (e.g. {unexpected[0]})")
    guess = looks_like(state) if looks_like else None
    hint = (f"; it looks like a {guess} checkpoint (choose it for {guess} instead)" if guess and guess != entry.name
            else "")
    # The verdict and the guess come first: the weights' details are for whoever digs further.
    raise InputError(f"this checkpoint does not match the model {entry.name} ({entry.title}){hint}: "
                     f"{'; '.join(problems)}", path=str(path))


def _reason(error: BaseException) -> str:
    """The first sentence of what torch said (its zip reader appends a long note on miniz); errors from deep in
    its unpickler (IndexError ...) say nothing useful to a user."""
    full = str(error).strip()
    # A file that pickles Python objects besides tensors (a whole model, a training state): torch's refusal is
    # a page of advice on unsafe loading; what a user needs is that it is not loaded, and why.
    unsafe = re.search(r"Unsupported global: GLOBAL (\S+)|unsupported GLOBAL (\S+)", full)
    if unsafe:
        return (f"it holds Python objects besides weights, such as {unsafe.group(1) or unsafe.group(2)}, which "
                f"FaceLens does not load because that could run code")
    if "central directory" in full or "PytorchStreamReader failed" in full:  # a zip checkpoint cut short
        return "the file is incomplete or damaged, as when a download or a copy stops part-way"
    if "Unsupported operand" in full:  # bytes the unpickler does not know: not a pickle at all
        return "its contents are not something torch.save wrote"
    if full.startswith("Weights only load failed"):  # (torch's page of advice otherwise)
        return "torch's safe loader refused it: it holds more than tensors and plain values"
    text = full.splitlines()[0] if full else ""
    text = text.split(". This is an internal")[0].rstrip(".")
    if not text or isinstance(error, (IndexError, KeyError, TypeError, AttributeError)):
        return "its contents are not something torch.save wrote"
    return text[:160]
