"""Where the app's SAM 2 propagation loses time against the raw video predictor: variants side by side.

    python benchmarks/sam2_overhead.py --device cuda                  # tiny and large, 1 and 3 objects (~4 min)
    python benchmarks/sam2_overhead.py --quick                        # the CPU: a smoke run of the same code

``sam2_bench.py`` gives the headline ratios; this script takes the app's path apart to say which piece costs
what, so a change to it can be judged on the GPU in one call. Each variant runs on the same model, video and
prompts:

* ``raw``: SAM 2's predictor over a JPEG folder (``init_state`` once, then ``propagate_in_video``), masks left
  on the GPU;
* ``raw_copy``: the same, copying each frame's masks to the host (what any script that keeps them must do);
* ``app``: the app's propagation job as the window and the CLI run it (frames streamed from the video file,
  every mask encoded and committed in a helper process, ``engine.segmentation.writer_process``);
* ``app_writer_in_thread``: the app storing its masks as it did until 2026-11-28: a writer thread in the engine's
  process committing them, the masks encoded in a helper process (``annotation.rle_process``);
* ``app_encoded_in_thread``: the same with the masks encoded (``annotation.rle``) on that writer thread too, where
  they hold the engine's Python lock part of the time;
* ``app_switch_0_5ms``: the app with a 0.5 ms thread switch interval instead of Python's 5 ms (the engine set
  0.5 ms until 2026-11-28, when two runs on an H200 found it slower);
* ``app_face_masks``: the app storing a smooth face-sized mask in place of each of the model's (what storing
  costs with real weights' masks: random weights' are speckled, ~200 kB of COCO RLE each where a face's is a few);
* ``app_nothing_stored``: the app handing its writer no masks (the job, the engine thread and the writer thread
  as they are, nothing encoded or committed);
* ``session_streamed``: the tracking session alone, frames streamed from the video file, nothing stored: what
  storing costs is ``app`` against this;
* ``session_preloaded``: the same with every frame decoded beforehand: what streaming costs is
  ``session_streamed`` against this, and what the session costs is this against ``raw``.

Per variant: frames per second, the ratio to ``raw``, and the median / p95 / longest gap between two frames
(a writer that stalls the engine shows as a long p95). The masks' stored size is printed too: masks from
random weights are speckled, with COCO RLE strings of hundreds of kilobytes where a real face's is a few.
"""
from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sam2_bench as bench  # noqa: E402  (puts the repository on sys.path too)

from annotation.rle_process import ENCODER  # noqa: E402
from engine.device import choose_device  # noqa: E402
from engine.models.cache import MODEL_CACHE  # noqa: E402
from engine.segmentation.sam2_image import Sam2Segmenter  # noqa: E402
from engine.segmentation.segmenters import ActiveSegmenter  # noqa: E402
from engine.segmentation.service import Segmentation  # noqa: E402
from engine.segmentation.store import MaskWriter  # noqa: E402
from engine.segmentation.writer_process import WRITERS, ProcessMaskWriter  # noqa: E402
from engine.worker import Engine  # noqa: E402
from storage.media.importer import import_paths  # noqa: E402
from storage.project import Project  # noqa: E402


def gaps(stamps: list[float], cpu: list[float] = ()) -> dict:
    """``cpu``: the tracking thread's CPU time (``time.thread_time``) at the same moments: its own work per frame
    (launching, Python), apart from the time it waited (the device, the frames, Python's lock)."""
    d = np.diff(np.asarray(stamps)) * 1e3
    if not len(d):
        return {}
    out = {"gap_p50_ms": float(np.median(d)), "gap_p95_ms": float(np.percentile(d, 95)), "gap_max_ms": float(d.max())}
    if len(cpu) > 1:
        out["cpu_ms_per_frame"] = (cpu[-1] - cpu[0]) * 1e3 / (len(cpu) - 1)
    return out


def session_alone(seg: Segmentation, project: Project, item, points, preload: bool) -> dict:
    """The tracking session alone, nothing stored: ``preload``, every frame made ready on the device first (no
    reading during the run), else streamed from the video file as the app does."""
    bench.prompt_fresh_objects(seg, project, item, points)
    session = seg._sessions[item.id]
    frames = session.frames
    if preload:
        for n in range(len(frames)):
            frames._cache[n] = frames.to_model_input(frames.model_sized(frames.read(n)))
        frames._keep, frames.plan = len(frames) + 1, lambda order: None
    dev = seg.active.device
    dev.synchronize()
    t, stamps, cpu = time.perf_counter(), [], []
    for _ in session.propagate(0, len(frames) - 1):
        stamps.append(time.perf_counter())
        cpu.append(time.thread_time())
    dev.synchronize()
    took = time.perf_counter() - t
    seg.release_sessions()  # the preloaded frames go with the session
    return {"fps": len(stamps) / took, **gaps(stamps, cpu)}


def app(seg: Segmentation, project: Project, item, points) -> dict:
    bench.prompt_fresh_objects(seg, project, item, points)
    dev, stamps, cpu = seg.active.device, [], []

    def heard(frame, masks):  # on the engine thread
        stamps.append(time.perf_counter())
        cpu.append(time.thread_time())

    dev.synchronize()
    t = time.perf_counter()
    out = bench.job_value(seg.propagate(item, on_masks=heard))
    dev.synchronize()
    return {"fps": len(out.frames) / (time.perf_counter() - t), "stored": out.annotations, **gaps(stamps, cpu)}


def writer_in_thread(fn, encoded_in_thread: bool = False):
    """The app with its masks stored by a writer thread in its own process instead of the helper process;
    ``encoded_in_thread``: encoded on that thread too, instead of in the RLE helper process."""
    def run(*args):
        before = WRITERS.enabled, ENCODER.enabled
        WRITERS.enabled, ENCODER.enabled = False, not encoded_in_thread
        try:
            return fn(*args)
        finally:
            WRITERS.enabled, ENCODER.enabled = before
    return run


def storing_instead(replace, fn):
    """The app with each frame's masks replaced by ``replace(masks)`` as the mask writer is handed them (the
    engine thread's work and the writer's code unchanged): what storing these masks costs instead."""
    def replacing(original):
        return lambda writer, frame, masks: original(writer, frame, replace(masks))

    def run(*args):
        originals = {cls: cls.add for cls in (MaskWriter, ProcessMaskWriter)}
        for cls, original in originals.items():
            cls.add = replacing(original)
        try:
            return fn(*args)
        finally:
            for cls, original in originals.items():
                cls.add = original
    return run


def face_masks(masks: dict) -> dict:
    """Smooth face-sized masks of the same size (one per object, shifted apart), as real weights give: a few kB of
    COCO RLE where random weights' speckled masks take ~200 kB."""
    out = {}
    for k, (t, (mask, score)) in enumerate(masks.items()):
        out[t] = (_face(mask.shape, k), score)
    return out


@functools.cache
def _face(shape: tuple[int, int], k: int) -> np.ndarray:
    h, w = shape
    yy, xx = np.ogrid[0:h, 0:w]
    cy, cx = h / 2, w * (k + 1) / 4
    return np.asfortranarray(((yy - cy) / (0.3 * h)) ** 2 + ((xx - cx) / (0.1 * w)) ** 2 <= 1)


def with_switch_interval(seconds: float, fn):
    def run(*args):
        before = sys.getswitchinterval()
        sys.setswitchinterval(seconds)
        try:
            return fn(*args)
        finally:
            sys.setswitchinterval(before)
    return run


def variants_for(raw: "bench.RawVideo", seg: Segmentation, project: Project, item) -> dict:
    def run_app(p):
        return app(seg, project, item, p)

    return {"raw": raw.propagate,
            "raw_copy": lambda p: raw.propagate(p, copy=True),
            "app": run_app,
            "app_writer_in_thread": writer_in_thread(run_app),
            "app_encoded_in_thread": writer_in_thread(run_app, encoded_in_thread=True),
            "app_switch_0_5ms": with_switch_interval(0.0005, run_app),
            "app_face_masks": storing_instead(face_masks, run_app),
            "app_nothing_stored": storing_instead(lambda masks: {}, run_app),
            "session_streamed": lambda p: session_alone(seg, project, item, p, preload=False),
            "session_preloaded": lambda p: session_alone(seg, project, item, p, preload=True)}


def stored_size(project: Project, item) -> dict:
    import sqlite3

    with sqlite3.connect(project.db_path) as conn:
        n, avg, top = conn.execute("SELECT count(*), avg(length(geometry)), max(length(geometry)) FROM annotations "
                                   "WHERE media_id = ? AND kind = 'mask'", (item.id,)).fetchone()
    return {"masks": n, "avg_geometry_bytes": avg, "max_geometry_bytes": top}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="auto")
    ap.add_argument("--models", default=None, help="comma-separated: tiny,small,base_plus,large")
    ap.add_argument("--quick", action="store_true", help="small sizes for a CPU")
    ap.add_argument("--frames", type=int, default=None)
    ap.add_argument("--objects", default="1,3")
    ap.add_argument("--reps", type=int, default=1,
                    help="rounds, each in the other order; the fastest of each variant is kept (the least disturbed)")
    ap.add_argument("--variants", default=None, help="comma-separated, raw first (default: all of them)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=str(bench.ROOT / "benchmarks" / "results" / "sam2_overhead.json"))
    args = ap.parse_args(argv)

    device = choose_device(args.device)
    quick = args.quick or device.type == "cpu"
    w, h = bench.SIZES["quick" if quick else "full"]
    frames = args.frames or (3 if quick else 100)
    models = (args.models or ("tiny" if quick else "tiny,large")).split(",")
    objects = [int(k) for k in args.objects.split(",")]
    report = {"device": str(device), "torch": torch.__version__, "frame_size": [w, h], "frames": frames, "models": {}}
    print(f"device {device}; {w}x{h}; {frames} frames", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        bench.make_video(tmp / "clip.mp4", frames, w, h)
        project = Project.create(tmp / "proj")
        import_paths(project, [tmp / "clip.mp4"])
        item = project.media.all()[0]
        folder = bench.jpeg_folder(project, item, tmp / "jpeg")
        engine = Engine()
        points = bench.centres(0, w, h, max(objects))
        try:
            for name in models:
                model = bench.build(name, args.seed, device)
                active = ActiveSegmenter(Sam2Segmenter(model.entry, model.weights, device), model.entry,
                                         model.weights, device)
                seg = Segmentation(engine, project, active)
                raw = bench.RawVideo(model, folder)
                variants = variants_for(raw, seg, project, item)
                if args.variants:
                    variants = {v: variants[v] for v in args.variants.split(",")}
                if device.type != "cpu":  # warm-up of both paths
                    raw.propagate(points[:1])
                    app(seg, project, item, points[:1])
                row = {}
                for k in objects:
                    runs = {v: [] for v in variants}
                    for rep in range(args.reps):
                        for v in (list(variants) if rep % 2 == 0 else list(variants)[::-1]):
                            runs[v].append(variants[v](points[:k]))
                            if v == "app":
                                row[f"stored_{k}"] = stored_size(project, item)
                    best = {v: max(rs, key=lambda r: r["fps"]) for v, rs in runs.items()}
                    row[str(k)] = {"best": best, "runs": runs}
                    print_block(model.name, k, best, row[f"stored_{k}"])
                report["models"][model.name] = row
                raw.close()
                seg.release_sessions()
                MODEL_CACHE.release()
        finally:
            engine.stop()
            project.close()
    report["masks_stored_by"] = bench.stored_by()  # (app_writer_in_thread turns the helper off for its runs only)
    print(f"the app's propagated masks stored by {report['masks_stored_by']}")
    bench.write_report(args.out, report)
    return 0


def print_block(name: str, k: int, best: dict, stored: dict) -> None:
    base = best["raw"]["fps"]
    print(f"\n{name}, {k} object(s)        fps   ratio   gap p50 / p95 / max ms   thread CPU ms/frame")
    for v, r in best.items():
        gap = " / ".join(f"{r[g]:.0f}" for g in ("gap_p50_ms", "gap_p95_ms", "gap_max_ms") if g in r)
        cpu = f"{r['cpu_ms_per_frame']:.1f}" if "cpu_ms_per_frame" in r else ""
        print(f"  {v:<22}{r['fps']:7.2f}{r['fps'] / base:8.2f}   {gap:<18}{cpu:>8}")
    print(f"  stored masks: {stored['masks']}, COCO RLE geometry {stored['avg_geometry_bytes'] or 0:.0f} bytes on average",
          flush=True)


if __name__ == "__main__":
    sys.exit(main())
