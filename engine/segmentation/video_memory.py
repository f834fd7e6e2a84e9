"""Keeping a long propagation's memory flat: drop what SAM 2 will not read again.

SAM 2 keeps every tracked frame's output (a memory feature map, the mask logits and an object pointer, about
0.8 MB per object and frame) for the whole session, so a ten-minute video grows to many gigabytes. When
it tracks frame t, it reads only the outputs of the ``num_maskmem - 1`` frames before t (times the memory
stride), the object pointers of up to ``max_obj_ptrs_in_encoder - 1`` frames before t, and the
conditioning (prompted) frames. A propagation that later starts from a prompted frame (the backward pass, or
a re-propagation after a corrective click) reads the frames around it too. Everything else can go: the masks
are already in the project.
"""
from __future__ import annotations


def memory_window(predictor) -> int:
    """How many frames back SAM 2 looks from the frame it is tracking."""
    stride = max(1, int(getattr(predictor, "memory_temporal_stride_for_eval", 1)))
    return max(int(predictor.num_maskmem) * stride, int(predictor.max_obj_ptrs_in_encoder)) + 1


def trim_outputs(state: dict, current: int, window: int) -> int:
    """Drop the non-conditioning outputs farther than ``window`` from ``current`` and from every prompted frame.

    Returns how many per-object frame outputs were dropped.
    """
    cond = sorted({f for out in state["output_dict_per_obj"].values() for f in out["cond_frame_outputs"]})
    dropped = 0
    for out in state["output_dict_per_obj"].values():
        frames = out["non_cond_frame_outputs"]
        stale = [f for f in frames if abs(f - current) > window and not _near(f, cond, window)]
        for f in stale:
            del frames[f]
        dropped += len(stale)
    return dropped


def _near(frame: int, cond: list[int], window: int) -> bool:
    return any(abs(frame - c) <= window for c in cond)


def retained_outputs(state: dict) -> int:
    """How many per-object frame outputs the session holds (memory use grows with this)."""
    return sum(len(o["non_cond_frame_outputs"]) + len(o["cond_frame_outputs"])
               for o in state["output_dict_per_obj"].values())


def match_memory_dtype(state: dict, dtype, frame: int | None = None) -> None:
    """Give stored memory features the dtype the model computes in.

    SAM 2 1.1.0 always stores them as bfloat16 (to save GPU memory); under bf16 autocast (CUDA) that is what
    the memory attention reads, but without autocast (CPU, MPS) it fails with "mat1 and mat2 must have the
    same dtype" (facebookresearch/sam2 issues 308 and 577). ``frame``: only that frame's outputs.
    """
    for store in ("output_dict_per_obj", "temp_output_dict_per_obj"):
        for out in state[store].values():
            for kind in ("cond_frame_outputs", "non_cond_frame_outputs"):
                frames = out[kind] if frame is None else {frame: out[kind].get(frame)}
                for o in frames.values():
                    if o is not None and o.get("maskmem_features") is not None and o["maskmem_features"].dtype != dtype:
                        o["maskmem_features"] = o["maskmem_features"].to(dtype)
