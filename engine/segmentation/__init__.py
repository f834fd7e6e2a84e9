"""Segmentation: SAM 2.1 on images and videos (clicks, boxes, propagation) and the GrabCut fallback.

Start at ``service.Segmentation`` (the jobs the window and the CLI submit) and ``segmenters.choose_segmenter``.
"""
import os
import warnings

# SAM 2's propagation draws a tqdm bar on stderr; the engine reports progress itself, and on a fast GPU the
# bar's updates cost as much time per frame as the model (measured: 23 FPS with it, 54 without, on an H200).
# The variable only counts if tqdm is not imported yet, so sam2's own `tqdm` name is also switched off where
# the model is built (sam2_models.quiet_progress).
os.environ.setdefault("TQDM_DISABLE", "1")
# Harmless notices from sam2 1.1.0: its optional CUDA extension (hole filling) is not built, and its image
# transforms use torch.jit.script. Neither changes a result; both would print on every run.
warnings.filterwarnings("ignore", message=r"(?s).*Skipping the post-processing step", category=UserWarning)
warnings.filterwarnings("ignore", message=r".*torch\.jit\.script.*deprecated", category=FutureWarning)
