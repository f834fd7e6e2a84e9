"""Storing a mask as COCO RLE: ``annotation.rle`` against pycocotools, alone and beside a thread driving a model.

    python benchmarks/rle_encode.py            # 1080p masks, 3 s per contention run
    python benchmarks/rle_encode.py --quick    # a smoke run

Propagation stores every frame's masks on a writer thread while the engine thread drives SAM 2. On a GPU the
engine thread spends its time in Python, launching small kernels; whenever the writer holds Python's lock
(the GIL) the GPU waits. This measures both costs on the machine it runs on, with no GPU needed:

* encode: masks per second, ``annotation.rle.encode`` against ``pycocotools.mask.encode`` on the same 1080p
  masks (a smooth face-sized mask, as real weights give, and a speckled one, as random weights give), both
  from the column-major masks the app receives and from row-major ones (pycocotools then needs a copy);
* contention: a "launcher" thread runs a loop of tiny torch operations (each a few microseconds of Python,
  like launching a kernel) while a writer thread encodes speckled masks without pause, with each encoder, at
  the engine's 0.5 ms thread switch interval and at Python's default 5 ms. Reported: the launcher's speed as
  a fraction of its speed alone, and its longest stalls (p99 and max gap between two of its iterations).

Ratio = FaceLens speed / raw speed (1.0: as fast as raw).
"""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from pycocotools import mask as coco_mask  # noqa: E402

from annotation import rle  # noqa: E402
from benchmarks.common import percentile, print_table, write_results  # noqa: E402

W, H = 1920, 1080


def face_mask() -> np.ndarray:
    """A face-sized region with a wavy outline (what SAM 2 with real weights returns for a face)."""
    yy, xx = np.mgrid[0:H, 0:W]
    angle = np.arctan2(yy - 520, xx - 960)
    radius = 1 + 0.06 * np.sin(7 * angle) + 0.03 * np.sin(19 * angle)
    return ((xx - 960) / 260) ** 2 + ((yy - 520) / 340) ** 2 <= radius ** 2


def speckled_mask(seed: int) -> np.ndarray:
    """Random 256x256 logits upsampled bilinearly and thresholded: how SAM 2 with random weights makes a mask."""
    g = torch.Generator().manual_seed(seed)
    logits = torch.randn(1, 1, 256, 256, generator=g)
    up = torch.nn.functional.interpolate(logits, size=(H, W), mode="bilinear", align_corners=False)
    return (up[0, 0] > 0).numpy()


def encoders() -> dict:
    return {"annotation.rle": rle.encode,
            "pycocotools": lambda m: coco_mask.encode(np.asfortranarray(m, dtype=np.uint8))["counts"]}


def masks_per_second(encode, masks: list[np.ndarray], repeat: int) -> float:
    t0 = time.perf_counter()
    for _ in range(repeat):
        for m in masks:
            encode(m)
    return repeat * len(masks) / (time.perf_counter() - t0)


def encode_speed(masks: dict[str, list[np.ndarray]], repeat: int) -> list[dict]:
    ours, theirs = encoders()["annotation.rle"], encoders()["pycocotools"]
    rows = []
    for name, group in masks.items():
        for order in ("column-major", "row-major"):
            batch = [np.asfortranarray(m) if order == "column-major" else np.ascontiguousarray(m) for m in group]
            assert all(ours(m) == theirs(m).decode("ascii") for m in batch[:2]), "the encoders disagree"
            raw, app = masks_per_second(theirs, batch, repeat), masks_per_second(ours, batch, repeat)
            rows.append({"mask": name, "order": order, "rle_kb": len(ours(batch[0])) / 1e3,
                         "pycocotools_per_s": raw, "facelens_per_s": app, "ratio": app / raw})
    return rows


def launcher(stop: threading.Event, stamps: list[float]) -> None:
    """Tiny torch operations in a Python loop, a stand-in for the engine thread launching GPU kernels."""
    x = torch.zeros(16)
    clock = time.perf_counter
    while not stop.is_set():
        for _ in range(20):
            x.add_(1.0).mul_(0.5)
        stamps.append(clock())


def writer(stop: threading.Event, encode, masks: list[np.ndarray]) -> None:
    i = 0
    while not stop.is_set():
        encode(masks[i % len(masks)])
        i += 1


def contention(encode, masks: list[np.ndarray], seconds: float, switch: float) -> dict:
    old = sys.getswitchinterval()
    sys.setswitchinterval(switch)
    try:
        stop, stamps = threading.Event(), []
        threads = [threading.Thread(target=launcher, args=(stop, stamps))]
        if encode is not None:
            threads.append(threading.Thread(target=writer, args=(stop, encode, masks)))
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(old)
    gaps = np.diff(np.asarray(stamps)) * 1e3
    return {"iterations_per_s": len(stamps) / seconds, "gap_p50_ms": float(np.median(gaps)),
            "gap_p99_ms": float(percentile(list(gaps), 0.99)), "gap_max_ms": float(gaps.max())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run: fewer masks, 0.5 s per contention run")
    args = ap.parse_args()
    torch.set_num_threads(1)  # the launcher's operations are tiny; one thread keeps them in Python
    speckled = [speckled_mask(s) for s in range(2 if args.quick else 6)]
    masks = {"face (smooth)": [face_mask()], "speckled (random weights)": speckled}
    speed = encode_speed(masks, 1 if args.quick else 5)
    print_table("Encoding a 1080p mask to COCO RLE (masks per second)",
                ["mask", "order", "RLE kB", "pycocotools", "FaceLens", "ratio"],
                [[r["mask"], r["order"], r["rle_kb"], r["pycocotools_per_s"], r["facelens_per_s"], r["ratio"]]
                 for r in speed])

    seconds = 0.5 if args.quick else 3.0
    column_major = [np.asfortranarray(m) for m in speckled]
    contention(None, column_major, seconds, 0.005)  # warm-up: the first run of the loop is slower
    rows = []
    for switch in (0.0005, 0.005):
        alone = contention(None, column_major, seconds, switch)
        rows.append({"writer": "none", "switch_ms": switch * 1e3, **alone, "fraction_of_alone": 1.0})
        for name, encode in encoders().items():
            r = contention(encode, column_major, seconds, switch)
            rows.append({"writer": name, "switch_ms": switch * 1e3, **r,
                         "fraction_of_alone": r["iterations_per_s"] / alone["iterations_per_s"]})
    print_table("A thread launching tiny torch operations while another encodes speckled 1080p masks",
                ["writer encodes with", "switch ms", "launcher it/s", "of alone", "gap p50 ms", "p99 ms", "max ms"],
                [[r["writer"], r["switch_ms"], r["iterations_per_s"], r["fraction_of_alone"], r["gap_p50_ms"],
                  r["gap_p99_ms"], r["gap_max_ms"]] for r in rows])
    write_results("rle_encode", {"encode": speed, "contention": rows}, args.quick)


if __name__ == "__main__":
    main()
