"""SAM 2's compiled video predictor (``vos_optimized``) for propagation on a CUDA GPU, opt-in.

SAM 2's ``SAM2VideoPredictorVOS`` runs its image encoder, memory attention, memory encoder and heads through
``torch.compile`` (max-autotune): several times faster per frame once warm, but the first run autotunes for
minutes. So it is never the default and never on the interactive path: clicks keep using the model as it was
loaded, and only a propagation the user asked to compile goes through this predictor. It shares the loaded
model's weights (no second copy on the GPU), and the compiled kernels are kept in the user's FaceLens folder,
so later runs, and later sessions, start in seconds.
"""
from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from storage.locations import user_data_dir

WARMING = "compiling SAM 2 for this GPU (the first time takes minutes; the result is kept for later runs)"


def compile_refusal(device) -> str | None:
    """Why propagation cannot be compiled on ``device`` (None: it can)."""
    if device.type != "cuda":
        return f"compiled propagation needs a CUDA GPU; SAM 2 runs on {device} here"
    return None


def compiled_kernels_dir() -> Path:
    return user_data_dir() / "compiled"


def keep_compiled_kernels() -> None:
    """Point PyTorch's compile caches at the FaceLens folder (unless the user set them), before compiling."""
    folder = compiled_kernels_dir()
    folder.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TORCHINDUCTOR_CACHE_DIR", str(folder / "inductor"))
    os.environ.setdefault("TRITON_CACHE_DIR", str(folder / "triton"))
    os.environ.setdefault("TORCHINDUCTOR_FX_GRAPH_CACHE", "1")
    os.environ.setdefault("TORCHINDUCTOR_AUTOGRAD_CACHE", "1")


def build_compiled_predictor(model):
    """A ``SAM2VideoPredictorVOS`` over ``model``'s own weight tensors; it compiles on its first frame.
    (Callers check ``compile_refusal`` first: on a CPU this builds, but compiling would take an age.)"""
    from sam2.build_sam import build_sam2_video_predictor

    from engine.segmentation.sam2_models import quiet_progress

    keep_compiled_kernels()
    quiet_progress()
    with contextlib.redirect_stdout(io.StringIO()):  # SAM 2 prints a line here, which would break --json output
        predictor = build_sam2_video_predictor(model.entry.extra["config"], ckpt_path=None, device="cpu",
                                               vos_optimized=True)
    # assign=True takes the loaded model's tensors themselves: one copy of the weights serves both predictors.
    predictor.load_state_dict(model.predictor.state_dict(), assign=True)
    predictor.add_all_frames_to_correct_as_cond = model.predictor.add_all_frames_to_correct_as_cond
    return predictor.to(model.device.torch_device).eval()
