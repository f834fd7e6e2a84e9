"""COCO run-length encoding of a binary mask, in numpy: the same string as ``pycocotools.mask.encode``.

Why not pycocotools: its encoder holds Python's lock (the GIL) for the whole mask, several milliseconds for a
detailed 1080p one. Propagation stores masks on a writer thread while the engine thread drives the GPU, and
every millisecond the writer holds the lock is a millisecond the GPU waits for its next kernels. The heavy
passes here (comparing neighbours, finding the run boundaries) are numpy loops that let go of the lock; what
is left is a few dozen small array operations per mask.

The format: the mask is read column by column (Fortran order); the counts are the lengths of alternating
runs of 0 and 1, starting with 0 (a leading empty run when the first pixel is 1). From the fourth count on,
each is stored as its difference from the count two places before. Each number is then written as a signed
little-endian sequence of 5-bit groups, a character ``48 + group`` each, with bit 5 set on every group but
the last.
"""
from __future__ import annotations

import numpy as np


def run_lengths(mask: np.ndarray) -> np.ndarray:
    """The COCO counts of a 2-D mask (any dtype; nonzero is 1), read column by column."""
    flat = np.asarray(mask).ravel(order="F")  # a view when the mask is Fortran-ordered
    if flat.dtype != np.bool_:
        flat = flat != 0
    if flat.size == 0:
        return np.zeros(0, np.int64)
    edges = np.flatnonzero(flat[1:] != flat[:-1]) + 1
    bounds = np.concatenate(([0], edges, [flat.size]))
    counts = np.diff(bounds)
    return np.concatenate(([0], counts)) if flat[0] else counts


def compress(counts: np.ndarray) -> str:
    """COCO's compressed string of ``counts``."""
    counts = np.asarray(counts, np.int64)
    if counts.size == 0:
        return ""
    x = counts.copy()
    x[3:] -= counts[1:-2]
    if -(1 << 31) <= x.min() and x.max() < (1 << 31):
        x = x.astype(np.int32)  # half the memory traffic for every mask under two gigapixels
    # Groups per number: the fewest 5-bit groups that hold it as a signed number (v: its magnitude bits).
    v = x ^ (x >> (x.itemsize * 8 - 1))
    groups = np.ones(x.size, np.int32)
    for bits in range(4, x.itemsize * 8 - 1, 5):
        over = v >= (1 << bits)
        if not over.any():
            break
        groups += over
    # One character per group, low bits first, bit 5 set on all but a number's last. Most numbers of a
    # mask need one group, so the first group is written for all at once and the rest for the few.
    first = np.cumsum(groups) - groups
    out = np.empty(int(first[-1] + groups[-1]), np.uint8)
    out[first] = (x & 0x1F) + (groups > 1) * 0x20 + 48
    more = np.flatnonzero(groups > 1)
    j = 1
    while more.size:
        rest = groups[more]
        out[first[more] + j] = ((x[more] >> (5 * j)) & 0x1F) + (rest > j + 1) * 0x20 + 48
        more = more[rest > j + 1]
        j += 1
    return out.tobytes().decode("ascii")


def encode(mask: np.ndarray) -> str:
    """The compressed COCO RLE counts of a 2-D mask (its size is the mask's shape)."""
    return compress(run_lengths(mask))
