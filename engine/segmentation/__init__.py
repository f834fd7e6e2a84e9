"""Segmentation: SAM 2.1 on images and videos (clicks, boxes, propagation) and the GrabCut fallback.

Start at ``service.Segmentation`` (the jobs the window and the CLI submit) and ``segmenters.choose_segmenter``.
"""
import os
import warnings

# SAM 2's propagation draws a tqdm bar on stderr; the engine reports progress itself.
os.environ.setdefault("TQDM_DISABLE", "1")
# Harmless notices from sam2 1.1.0: its optional CUDA extension (hole filling) is not built, and its image
# transforms use torch.jit.script. Neither changes a result; both would print on every run.
warnings.filterwarnings("ignore", message=r"(?s).*Skipping the post-processing step", category=UserWarning)
warnings.filterwarnings("ignore", message=r".*torch\.jit\.script.*deprecated", category=FutureWarning)
