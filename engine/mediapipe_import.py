"""mediapipe, imported so that SAM 2 can still load after it in the same process.

On a machine with a display, mediapipe's graphics context loads the system's Mesa driver (llvmpipe), which
brings its own LLVM. Triton (which torchvision's detection ops pull in through torch's compiler) loaded after
that crashed the whole app in its native start-up (a segmentation fault on choosing a SAM 2 checkpoint after the
audit workspace had found a face). Loaded first, both work; it costs about 0.1 s, once.
"""
from __future__ import annotations

import importlib


def import_mediapipe():
    try:
        importlib.import_module("triton")
    except ImportError:  # (no triton, as on a Mac: nothing to put first)
        pass
    return importlib.import_module("mediapipe")
