"""Storing propagated masks at a GPU's frame rate: what the mask writer costs the engine thread, without a GPU.

    python benchmarks/mask_writer.py            # 1080p masks, 1 s per run
    python benchmarks/mask_writer.py --quick    # a smoke run

On a GPU, SAM 2's propagation is a Python loop launching small kernels on the engine thread, and the app stores
each frame's masks beside it: encoded (COCO RLE) and committed to the project. Each moment code in the engine's
process holds Python's lock (the GIL) the engine thread cannot launch, and the GPU waits: that is the storing
part of "the app keeps 0.95 of the raw speed while storing every mask". This measures it on any machine: a
"launcher" thread runs a loop of tiny torch operations (a stand-in for the engine thread) and, paced like a
propagation on an H200 (the issue's raw figures: 1 object at 50 frames per second, 3 objects at 23), hands a
frame's 1080p masks to the app's mask writer over a real project file, stored each way the app can:

* ``writer process``: the whole writer in a helper process (``engine.segmentation.writer_process``, the app's way);
* ``thread, RLE helper``: a ``MaskWriter`` thread beside the launcher, the masks encoded in a helper process;
* ``thread``: the same, encoded on that thread.

Reported per case:

* the launcher's speed as a fraction of its speed with nothing stored (the raw loop; 1.0: storing is free),
  and its longest stalls (p99, max gap between two of its iterations);
* whether the writer kept up: the seconds ``flush()`` waited after the last frame, and the masks stored.

On a machine with two cores the helper processes take the launcher's second core: they cost it there what they
would not on a GPU machine's many.

Masks come as the engine hands them over (column-major booleans): a smooth face-sized one, as real weights
give (a few kB of RLE), and speckled ones, as the random weights of the GPU benchmarks give (~200 kB each).
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from annotation.model import Track  # noqa: E402
from benchmarks.common import percentile, print_table, write_results  # noqa: E402
from benchmarks.rle_encode import H, W, face_mask, speckled_mask  # noqa: E402
from annotation.rle_process import ENCODER  # noqa: E402
from engine.segmentation.writer_process import WRITERS  # noqa: E402
from storage.media.encode import write_video  # noqa: E402
from storage.media.importer import import_paths  # noqa: E402
from storage.project import Project  # noqa: E402

RATES = {1: 50.0, 3: 23.0}  # objects -> frames per second of raw SAM 2.1 tiny on an H200 (from the issue)


def launch_loop(stop: threading.Event, stamps: list[float], on_frame=None, fps: float = 0.0) -> None:
    """Tiny torch operations in a Python loop; every 1/fps seconds ``on_frame(n)`` (handing a frame over)."""
    x = torch.zeros(16)
    clock = time.perf_counter
    next_frame, n = clock(), 0
    while not stop.is_set():
        for _ in range(20):
            x.add_(1.0).mul_(0.5)
        now = clock()
        stamps.append(now)
        if on_frame is not None and now >= next_frame:
            on_frame(n)
            n += 1
            next_frame += 1.0 / fps


def run(seconds: float, writer=None, masks: list[dict[int, np.ndarray]] | None = None,
        fps: float = 0.0, first_frame: int = 0) -> dict:
    """``masks``: a few frames' {track id: mask}, handed over in turn as frames ``first_frame``, ``first_frame``
    + 1, ... (new frames each run: masks stored again unchanged on the same frames would be left as they are)."""
    stop, stamps, handed = threading.Event(), [], [0]

    def hand_over(n: int) -> None:
        writer.add(first_frame + n, {t: (m, 0.9) for t, m in masks[n % len(masks)].items()})
        handed[0] = n + 1

    thread = threading.Thread(target=launch_loop, args=(stop, stamps, hand_over if writer else None, fps))
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    out = {"iterations_per_s": len(stamps) / seconds}
    gaps = list(np.diff(np.asarray(stamps)) * 1e3)
    out.update(gap_p99_ms=percentile(gaps, 0.99), gap_max_ms=max(gaps))
    if writer is not None:
        t = time.perf_counter()
        stored = writer.flush()
        out.update(frames=handed[0], stored=stored, flush_wait_s=time.perf_counter() - t)
    return out


def video_item(project: Project, tmp: Path):
    """A 1080p video in the project for the masks to belong to (two frames: only its size matters here)."""
    frame = np.zeros((H, W, 3), np.uint8)
    write_video(tmp / "clip.mp4", [frame, frame], fps=25)
    import_paths(project, [tmp / "clip.mp4"])
    return project.media.all()[0]


# How the masks are stored: the whole writer in a helper process (engine.segmentation.writer_process, the app's
# way), or a writer thread beside the launcher with the masks encoded in a helper (annotation.rle_process) or on it.
WAYS = {"writer process": (True, True), "thread, RLE helper": (False, True), "thread": (False, False)}


def rounds_of(seconds: float, rounds: int, start_writer, masks, fps: float) -> dict:
    """``rounds`` rounds of runs, the launcher alone then beside a new writer storing each way, each ``seconds``
    long: a shared machine's speed drifts by tens of percent over seconds, so each run is compared with the
    launcher alone just before it, and the ways take turns."""
    out = {}
    frames = 0
    for k in range(rounds):
        for way in WAYS if k % 2 == 0 else list(WAYS)[::-1]:
            WRITERS.enabled, ENCODER.enabled = WAYS[way]
            alone = run(seconds)
            writer = start_writer()
            if WAYS[way][0] and not WRITERS.enabled:  # it fell back to the thread: this row would not be what it says
                raise SystemExit("mask_writer: the writer's helper process could not start")
            r = run(seconds, writer, masks, fps, frames)
            frames += r["frames"]
            got = out.setdefault(way, {"fractions": [], "runs": []})
            got["fractions"].append(r["iterations_per_s"] / alone["iterations_per_s"])
            got["runs"].append(r)
    WRITERS.enabled = ENCODER.enabled = True
    summary = {}
    for way, got in out.items():
        runs, fractions = got["runs"], got["fractions"]
        summary[way] = {
            "fraction": statistics.median(fractions), "fraction_min": min(fractions), "fraction_max": max(fractions),
            "stored": sum(r["stored"] for r in runs), "frames": sum(r["frames"] for r in runs),
            "flush_wait_s": max(r["flush_wait_s"] for r in runs), "gap_p99_ms": max(r["gap_p99_ms"] for r in runs),
            "gap_max_ms": max(r["gap_max_ms"] for r in runs)}
    return summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run: 2 rounds of 0.5 s")
    ap.add_argument("--rounds", type=int, default=None, help="runs per case and way of storing (default 8)")
    ap.add_argument("--seconds", type=float, default=1.0, help="length of each run")
    ap.add_argument("--out", default=None, help="also write the JSON results here (on_gpu.sh brings them back)")
    args = ap.parse_args()
    rounds = args.rounds or (2 if args.quick else 8)
    seconds = 0.5 if args.quick else args.seconds
    torch.set_num_threads(1)  # the launcher's operations are tiny; one thread keeps them in Python
    kinds = {"face (smooth)": lambda k, s: np.asfortranarray(np.roll(face_mask(), 40 * k + s, axis=1)),
             "speckled (random weights)": lambda k, s: np.asfortranarray(speckled_mask(10 * s + k))}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project = Project.create(tmp / "proj")
        item = video_item(project, tmp)
        run(1.0)  # warm-up: the first run of the loop is slower
        for kind, make in kinds.items():
            for objects, fps in RATES.items():
                tracks = [project.tracks.add(Track(media_id=item.id)).id for _ in range(objects)]
                masks = [{t: make(k, s) for k, t in enumerate(tracks)} for s in range(4)]

                def start_writer():
                    return WRITERS.writer(project, item, "sam2.1_hiera_tiny", dict.fromkeys(tracks))

                for way, r in rounds_of(seconds, rounds, start_writer, masks, fps).items():
                    rows.append({"masks": kind, "objects": objects, "fps": fps, "stored_by": way, **r})
        project.close()
    print_table(f"A thread launching tiny torch operations while MaskWriter stores 1080p masks "
                f"(median of {rounds} runs of {seconds:g} s, each against one alone just before)",
                ["masks", "objects", "frames/s", "stored by", "of alone", "lowest", "highest", "p99 gap ms", "max gap ms",
                 "stored", "flush s"],
                [[r["masks"], r["objects"], r["fps"], r["stored_by"], r["fraction"], r["fraction_min"], r["fraction_max"],
                  r["gap_p99_ms"], r["gap_max_ms"], r["stored"], r["flush_wait_s"]] for r in rows])
    path = write_results("mask_writer", {"seconds": seconds, "rounds": rounds, "rates": RATES, "runs": rows},
                         args.quick)
    if args.out:
        shutil.copyfile(path, args.out)


if __name__ == "__main__":
    main()
