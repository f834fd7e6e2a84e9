"""SAM 2.1 speed: the app's path against the raw library, on the same model, frames and prompts, in one run.

    python benchmarks/sam2_bench.py --quick                        # CPU: tiny, small sizes (a few minutes)
    python benchmarks/sam2_bench.py --device cuda --models tiny,large   # a CUDA GPU (about 2-4 minutes)
    python benchmarks/sam2_bench.py --device cuda --models tiny,large --compile   # vos_optimized (slow warm-up)

Models have random weights (``torch.manual_seed(seed)`` then the sam2 builder), which cost exactly what real
weights cost. The app and the raw library share one model object. What is timed:

* image, cold: raw ``SAM2ImagePredictor`` (read the JPEG file with PIL, ``set_image``, ``predict``) against
  the app's engine job from the image file to the mask stored in the project (reading the file, embedding,
  decoding the click, COCO RLE, the database commit);
* image, warm (embedding cached): raw ``predict`` against the app's click preview job and its job to the
  stored mask (the target: on screen within one 60 Hz frame, 16.7 ms);
* video: raw ``SAM2VideoPredictor`` (``init_state`` on a folder of JPEG frames, as it requires, then
  ``propagate_in_video``) against the app's propagation job straight from the video file, storing every
  mask; frames per second, loading reported apart;
* memory over a longer propagation (``--long``): the app's resident memory and GPU memory as it goes;
* ``--compile``: both propagations track with SAM 2's compiled predictor (``SAM2VideoPredictorVOS`` over the
  same weights; the app's compiled propagation against the raw one), clicks stay uncompiled as in the app,
  and the first propagation, which compiles (kernels are kept in the FaceLens folder), is timed apart.

Ratios are raw time / app time (1.0: as fast as the raw library; the target is 0.95 or more). The table goes
to stdout and everything to ``--out`` (JSON). On the CPU, SAM 2's video predictor stores its memories in
bfloat16 and then fails in float32 (facebookresearch/sam2 issues 308, 577); both paths apply the same
fix (the raw loop casts them back after each frame), on CUDA both run under bf16 autocast.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402

from engine.device import Device, choose_device  # noqa: E402
from engine.models.cache import MODEL_CACHE  # noqa: E402
from engine.models.registry import Weights, model_entry  # noqa: E402
from engine.segmentation.compiled import keep_compiled_kernels  # noqa: E402
from engine.segmentation.embeddings import EMBEDDINGS  # noqa: E402
from engine.segmentation.prompt import Prompt  # noqa: E402
from engine.segmentation.sam2_models import Sam2Model, build_random_predictor  # noqa: E402
from engine.segmentation.sam2_image import Sam2Segmenter  # noqa: E402
from engine.segmentation.segmenters import ActiveSegmenter  # noqa: E402
from engine.segmentation.service import Segmentation  # noqa: E402
from engine.segmentation.video_memory import match_memory_dtype  # noqa: E402
from engine.worker import Engine  # noqa: E402
from storage.media.encode import write_video  # noqa: E402
from storage.media.importer import import_paths  # noqa: E402
from storage.project import Project  # noqa: E402

SIZES = {"quick": (640, 360), "full": (1920, 1080)}


# --- media ------------------------------------------------------------------------------------------------------
def scene(i: int, w: int, h: int, objects: int = 3) -> np.ndarray:
    """A textured background with ``objects`` coloured discs moving across it."""
    xx, yy = _grid(w, h)
    frame = np.empty((h, w, 3), np.uint8)
    frame[..., 0] = (80 + 40 * np.sin(xx / 37.0 + i / 9)).astype(np.uint8)
    frame[..., 1] = (90 + 30 * np.cos(yy / 23.0)).astype(np.uint8)
    frame[..., 2] = 110
    r = h // 8
    for k, (cx, cy) in enumerate(centres(i, w, h, objects)):
        x0, y0 = max(cx - r, 0), max(cy - r, 0)
        sub = (xx[y0:cy + r + 1, x0:cx + r + 1] - cx) ** 2 + (yy[y0:cy + r + 1, x0:cx + r + 1] - cy) ** 2 <= r * r
        frame[y0:cy + r + 1, x0:cx + r + 1][sub] = ((230, 40, 40), (40, 200, 60), (50, 60, 230))[k % 3]
    return frame


_GRIDS: dict = {}


def _grid(w: int, h: int):
    if (w, h) not in _GRIDS:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        _GRIDS[(w, h)] = (xx, yy)
    return _GRIDS[(w, h)]


def centres(i: int, w: int, h: int, objects: int) -> list[tuple[int, int]]:
    return [(int(w * (0.2 + 0.3 * k) + 0.05 * w * np.sin(i / 10 + k)), int(h * (0.5 + 0.15 * np.cos(i / 13 + k))))
            for k in range(objects)]


def make_video(path: Path, frames: int, w: int, h: int) -> Path:
    write_video(path, (scene(i, w, h) for i in range(frames)), fps=25, gop=50, crf=23)
    return path


def jpeg_folder(project: Project, item, folder: Path) -> Path:
    """The frames as SAM 2's raw video predictor wants them: a folder of JPEGs named by index."""
    from storage.media.library import open_video

    folder.mkdir(parents=True, exist_ok=True)
    with open_video(project, item) as reader:
        for n, frame in reader.frames(0, reader.frame_count):
            frame.to_image().save(folder / f"{n:05d}.jpg", quality=95)
    return folder


# --- timing helpers ----------------------------------------------------------------------------------------------
def timed(fn, device: Device, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        device.synchronize()
        t = time.perf_counter()
        fn()
        device.synchronize()
        out.append(time.perf_counter() - t)
    return out


def interleaved(fns: dict, device: Device, repeat: int) -> dict[str, list[float]]:
    """Time each function ``repeat`` times, taking turns (after one untimed call of each)."""
    for fn in fns.values():
        fn()
    out = {k: [] for k in fns}
    for _ in range(repeat):
        for k, fn in fns.items():
            out[k] += timed(fn, device, 1)
    return out


def med(values: list[float]) -> float:
    return statistics.median(values)


def rss_mb(field: str = "VmRSS") -> float | None:
    """The process's resident memory (``VmHWM``: its peak) in MB, on Linux."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def gpu_mb(device: Device) -> float | None:
    return torch.cuda.memory_allocated(device.torch_device) / 2 ** 20 if device.type == "cuda" else None


def job_value(handle):
    r = handle.result()
    if not r.ok:
        raise RuntimeError(r.error or "cancelled")
    return r.value


# --- the measurements ----------------------------------------------------------------------------------------------
def bench_image(seg: Segmentation, model: Sam2Model, item, path: Path, repeat: int) -> dict:
    from sam2.sam2_image_predictor import SAM2ImagePredictor

    dev = model.device
    image = np.asarray(Image.open(path).convert("RGB"))
    h, w = image.shape[:2]
    point = np.array([[w * 0.2, h * 0.5]], np.float32)
    raw = SAM2ImagePredictor(model.predictor)
    prompt = Prompt(((float(point[0, 0]), float(point[0, 1])),))

    def raw_embed():
        with torch.inference_mode(), dev.autocast():
            raw.set_image(image)

    def raw_click():
        with torch.inference_mode(), dev.autocast():
            raw.predict(point_coords=point, point_labels=np.array([1]), multimask_output=True)

    def raw_cold():  # as a script would: read the file, embed, decode the click
        rgb = np.asarray(Image.open(path).convert("RGB"))
        with torch.inference_mode(), dev.autocast():
            raw.set_image(rgb)
        raw_click()

    def app_cold():
        EMBEDDINGS.clear()
        job_value(seg.segment(item, None, prompt))

    # Interleaved, so a busy machine slows both sides alike; medians.
    cold = interleaved({"raw_embed": raw_embed, "raw_cold": raw_cold, "app_cold": app_cold}, dev, repeat)
    raw_embed()  # the raw predictor and the app's cache both hold the image now
    warm = interleaved({"raw_click": raw_click, "app_click": lambda: job_value(seg.click(item, None, prompt)),
                        "app_store": lambda: job_value(seg.segment(item, None, prompt))}, dev, repeat * 5)
    r_embed, a_cold, r_click, a_click, a_store = (cold["raw_embed"], cold["app_cold"], warm["raw_click"],
                                                  warm["app_click"], warm["app_store"])
    return {"image_size": [w, h],
            "raw_set_image_ms": med(r_embed) * 1e3, "raw_click_ms": med(r_click) * 1e3,
            "raw_cold_ms": med(cold["raw_cold"]) * 1e3,
            "app_cold_ms": med(a_cold) * 1e3, "app_click_ms": med(a_click) * 1e3, "app_click_stored_ms":
            med(a_store) * 1e3, "ratio_cold": med(cold["raw_cold"]) / med(a_cold), "ratio_click": med(r_click) / med(a_click),
            "click_within_60hz_frame": med(a_click) <= 1 / 60}


class RawVideo:
    """SAM 2's own video predictor over a folder of JPEG frames: ``init_state`` loads every frame once (timed
    apart, as ``load_s``); each ``propagate`` starts from ``reset_state``, which keeps the loaded frames, so
    rounds of raw and app runs can take turns without reloading. ``predictor``: SAM 2's compiled video
    predictor over the same weights (``--compile``)."""

    def __init__(self, model: Sam2Model, folder: Path, predictor=None):
        self.predictor, self.dev = predictor or model.predictor, model.device
        self.fix_dtype = self.dev.autocast_dtype is None
        self.dev.synchronize()
        t0 = time.perf_counter()
        with torch.inference_mode(), self.dev.autocast():
            self.state = self.predictor.init_state(str(folder))
        self.dev.synchronize()
        self.load_s = time.perf_counter() - t0

    def propagate(self, points: list[tuple[int, int]], copy: bool = False) -> dict:
        """Track one object per point from frame 0 to the end; ``copy``: bring each frame's masks to the host
        as they come (what a script that keeps them must do), else they stay on the device."""
        predictor, state, dev = self.predictor, self.state, self.dev
        with torch.inference_mode(), dev.autocast():
            predictor.reset_state(state)
            for k, (x, y) in enumerate(points):
                predictor.add_new_points_or_box(state, frame_idx=0, obj_id=k + 1,
                                                points=np.array([[x, y]], np.float32), labels=np.array([1], np.int32))
            if self.fix_dtype:
                predictor.propagate_in_video_preflight(state)
                match_memory_dtype(state, torch.float32)
            dev.synchronize()
            t1 = time.perf_counter()
            frames, stamps, cpu = 0, [], []
            for frame, _, masks in predictor.propagate_in_video(state):
                frames += 1
                stamps.append(time.perf_counter())
                cpu.append(time.thread_time())
                if copy:
                    (masks > 0).cpu().numpy()
                if self.fix_dtype:
                    match_memory_dtype(state, torch.float32, frame)
            dev.synchronize()
            took = time.perf_counter() - t1
        out = {"frames": frames, "propagate_s": took, "fps": frames / took, **pace(t1, stamps, t1 + took)}
        if frames > 1:  # (sam2_overhead's columns)
            out.update(gap_p50_ms=1e3 / out["steady_fps"], cpu_ms_per_frame=(cpu[-1] - cpu[0]) * 1e3 / (frames - 1))
        return out

    def close(self) -> None:
        self.predictor.reset_state(self.state)
        del self.state


def pace(start: float, stamps: list[float], end: float) -> dict:
    """Where a propagation's time went: until its first frame's masks came (start-up: reading the first frames,
    encoding the prompts' memories), per frame once running (the median gap between two frames, which start-up
    and end do not move), and after its last frame's masks came (the app: committing the last masks)."""
    if not stamps:
        return {}
    gap = med(list(np.diff(stamps))) if len(stamps) > 1 else None
    return {"first_ms": (stamps[0] - start) * 1e3, "tail_ms": (end - stamps[-1]) * 1e3,
            "steady_fps": 1.0 / gap if gap else None}


def propagation_rounds(raw: RawVideo, app, points: list[tuple[int, int]], rounds: int) -> dict:
    """``rounds`` raw and app propagations taking turns (raw first, then app first, ...): a GPU machine's speed
    drifts by 15-20% between runs, so a single pair cannot tell 0.9 from 1.0. Medians, and each round's ratio."""
    raws, apps = [], []
    for r in range(rounds):
        if r % 2 == 0:
            raws.append(raw.propagate(points))
            apps.append(app(points))
        else:
            apps.append(app(points))
            raws.append(raw.propagate(points))
    ratios = [a["fps"] / b["fps"] for a, b in zip(apps, raws)]
    raw_fps, app_fps = med([r["fps"] for r in raws]), med([a["fps"] for a in apps])
    out = {"raw": {**raws[-1], "fps": raw_fps, "runs_fps": [r["fps"] for r in raws]},
           "app": {**apps[-1], "fps": app_fps, "runs_fps": [a["fps"] for a in apps]},
           "ratio": app_fps / raw_fps, "round_ratios": ratios}
    for side, runs in (("raw", raws), ("app", apps)):
        for key in ("steady_fps", "first_ms", "tail_ms"):
            values = [r[key] for r in runs if r.get(key) is not None]
            out[side][key] = med(values) if values else None
    if out["raw"]["steady_fps"] and out["app"]["steady_fps"]:
        out["steady_ratio"] = out["app"]["steady_fps"] / out["raw"]["steady_fps"]
    return out


def prompt_fresh_objects(seg: Segmentation, project: Project, item, points: list[tuple[int, int]]) -> None:
    """Forget earlier tracks (their prompts would be tracked too), then prompt one object per point on frame 0."""
    for t in project.tracks.for_media(item.id):
        project.annotations.replace_many([a.id for a in project.annotations.for_track(t.id)], [])
        project.tracks.delete(t)
    seg.release_sessions()
    for x, y in points:
        job_value(seg.segment(item, 0, Prompt(((x, y),))))


def app_propagate(seg: Segmentation, project: Project, item, points: list[tuple[int, int]]) -> dict:
    prompt_fresh_objects(seg, project, item, points)
    dev = seg.active.device
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev.torch_device)
    rss0 = rss_mb()
    dev.synchronize()
    stamps = []
    t0 = time.perf_counter()
    out = job_value(seg.propagate(item, on_masks=lambda frame, masks: stamps.append(time.perf_counter())))
    dev.synchronize()
    took = time.perf_counter() - t0
    frames = len(out.frames)
    return {"frames": frames, "propagate_s": took, "fps": frames / took, "masks_stored": out.annotations,
            **pace(t0, stamps, t0 + took),
            "rss_growth_mb": (rss_mb() or 0) - (rss0 or 0),
            "gpu_peak_mb": torch.cuda.max_memory_allocated(dev.torch_device) / 2 ** 20 if dev.type == "cuda" else None}


def profile_app(seg: Segmentation, project: Project, item, points: list[tuple[int, int]], top: int = 30) -> str:
    """Where the engine thread's time goes during a propagation: the job run in this thread under cProfile
    (time spent waiting shows up too: on the read-ahead queue, on the mask writer, on the device)."""
    import cProfile
    import io
    import pstats

    from engine.worker import Job, JobContext

    prompt_fresh_objects(seg, project, item, points)
    fn = seg.propagate_job(item)
    ctx = JobContext(Job(0, "profile", fn, 0, None, None))
    profile = cProfile.Profile()
    profile.enable()
    for _ in fn(ctx):
        pass
    seg.active.device.synchronize()
    profile.disable()
    text = io.StringIO()
    pstats.Stats(profile, stream=text).sort_stats("tottime").print_stats(top)
    return text.getvalue()


def long_run(seg: Segmentation, project: Project, item, point: tuple[int, int]) -> dict:
    """Memory over a longer propagation: sampled every 50 frames from the mask listener."""
    for t in project.tracks.for_media(item.id):
        project.annotations.replace_many([a.id for a in project.annotations.for_track(t.id)], [])
        project.tracks.delete(t)
    seg.release_sessions()
    job_value(seg.segment(item, 0, Prompt((point,))))
    samples = []
    dev = seg.active.device

    def sample(frame, masks):
        if frame % 50 == 0:
            samples.append({"frame": frame, "rss_mb": rss_mb(), "gpu_mb": gpu_mb(dev)})

    t0 = time.perf_counter()
    out = job_value(seg.propagate(item, on_masks=sample))
    took = time.perf_counter() - t0
    rss = [s["rss_mb"] for s in samples if s["rss_mb"] is not None]
    half = len(rss) // 2
    return {"frames": len(out.frames), "fps": len(out.frames) / took, "samples": samples,
            "rss_second_half_growth_mb": (max(rss[half:]) - rss[half]) if half else None}


# --- main ----------------------------------------------------------------------------------------------------------
def build(name: str, seed: int, device: Device) -> Sam2Model:
    entry = model_entry(name, family="sam2")
    weights = Weights("random", seed=seed, origin="benchmark")
    predictor = build_random_predictor(entry.extra["config"], seed)
    predictor.add_all_frames_to_correct_as_cond = True
    model = Sam2Model(entry, weights, device, predictor.to(device.torch_device).eval())
    MODEL_CACHE.put(entry, weights, device, model)  # the app's jobs find this very model
    return model


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="auto")
    ap.add_argument("--models", default=None, help="comma-separated: tiny,small,base_plus,large")
    ap.add_argument("--quick", action="store_true", help="small sizes for a CPU")
    ap.add_argument("--frames", type=int, default=None, help="video frames to propagate")
    ap.add_argument("--objects", default=None, help="comma-separated object counts, e.g. 1,3")
    ap.add_argument("--long", type=int, default=None, help="frames of the memory run (0: skip)")
    ap.add_argument("--repeat", type=int, default=None, help="timed clicks and image runs (default 5)")
    ap.add_argument("--rounds", type=int, default=None,
                    help="raw and app propagations taking turns, medians reported (default 3; --quick 1)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--compile", action="store_true", help="vos_optimized torch.compile (cached between runs)")
    ap.add_argument("--profile", action="store_true", help="also profile the app's propagation (first model)")
    ap.add_argument("--out", default=str(ROOT / "benchmarks" / "results" / "sam2_bench.json"))
    args = ap.parse_args(argv)

    device = choose_device(args.device)
    quick = args.quick or (device.type == "cpu" and args.frames is None)
    models = (args.models or ("tiny" if quick else "tiny,large")).split(",")
    frames = args.frames or (4 if quick else 100)
    objects = [int(k) for k in (args.objects or ("1" if quick else "1,3")).split(",")]
    long = args.long if args.long is not None else (0 if quick else 300)
    repeat = args.repeat or (2 if quick else 5)
    rounds = args.rounds or (1 if quick else 3)
    w, h = SIZES["quick" if quick else "full"]

    report = {"device": str(device), "torch": torch.__version__, "python": platform.python_version(),
              "compiled": args.compile, "frames": frames, "frame_size": [w, h], "objects": objects, "models": {}}
    print(f"device {device}; {w}x{h}; {frames} frames; objects {objects}; compiled {args.compile}", flush=True)
    if args.compile:
        keep_compiled_kernels()  # in the user's FaceLens folder, before it is pointed at a scratch one below
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["FACELENS_HOME"] = str(tmp / "home")
        image_path = tmp / "frame.jpg"
        Image.fromarray(scene(0, w, h)).save(image_path, quality=95)
        make_video(tmp / "clip.mp4", frames, w, h)
        if long:
            make_video(tmp / "long.mp4", long, w, h)
        project = Project.create(tmp / "proj")
        import_paths(project, [image_path, tmp / "clip.mp4"] + ([tmp / "long.mp4"] if long else []))
        media = project.media.all()
        image_item, video_item = media[0], media[1]
        folder = jpeg_folder(project, video_item, tmp / "jpeg")
        engine = Engine()
        try:
            for name in models:
                t = time.perf_counter()
                model = build(name, args.seed, device)
                built = time.perf_counter() - t
                active = ActiveSegmenter(Sam2Segmenter(model.entry, model.weights, device), model.entry,
                                         model.weights, device)
                # --compile: both sides track with SAM 2's compiled predictor; clicks stay uncompiled, as in the app.
                seg = Segmentation(engine, project, active, compile_propagation=args.compile)
                compiled = model.compiled_predictor() if args.compile else None
                row = {"build_s": built}
                row.update(bench_image(seg, model, image_item, image_path, repeat))
                pts_all = centres(0, w, h, max(objects))
                raw = RawVideo(model, folder, compiled)
                row["raw_load_s"] = raw.load_s
                if device.type != "cpu":  # warm-up of both paths (kernels, cuDNN, allocators, threads; compiling)
                    t = time.perf_counter()
                    raw.propagate(pts_all[:1])
                    row["warm_up_s"] = time.perf_counter() - t
                    app_propagate(seg, project, video_item, pts_all[:1])
                for k in objects:
                    row[f"video_{k}"] = propagation_rounds(
                        raw, lambda p: app_propagate(seg, project, video_item, p), pts_all[:k], rounds)
                raw.close()
                if long:
                    row["long"] = long_run(seg, project, media[2], pts_all[0])
                if args.profile and name == models[0]:
                    row["profile"] = profile_app(seg, project, video_item, pts_all[:1])
                    print(row["profile"], flush=True)
                report["models"][model.name] = row
                seg.release_sessions()
                MODEL_CACHE.release()
                print_row(model.name, row, objects)
        finally:
            engine.stop()
            project.close()
    report["masks_stored_by"] = stored_by()
    print(f"propagated masks stored by {report['masks_stored_by']}")
    write_report(args.out, report)
    return 0


def stored_by() -> str:
    """Who stored the app's propagated masks: the helper process, or the writer thread where it could not start."""
    from engine.segmentation.writer_process import WRITERS

    return "the helper process" if WRITERS.enabled else "the writer thread (the helper process could not start)"


def write_report(path, report: dict) -> None:
    """The SAM 2 benchmarks' JSON (their own ``--out``, unlike ``common.write_results``: device runs name it)."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    print(f"wrote {out}")


def print_row(name: str, row: dict, objects: list[int]) -> None:
    warm = f"; first propagation (warm-up, compiling with --compile) {row['warm_up_s']:.1f} s" if "warm_up_s" in row else ""
    print(f"\n{name} (built in {row['build_s']:.1f} s{warm})")
    print(f"  {'what':<44}{'raw':>12}{'app':>12}{'ratio':>8}")
    print(f"  {'image cold: file -> mask stored (ms)':<44}"
          f"{row['raw_cold_ms']:>12.1f}{row['app_cold_ms']:>12.1f}{row['ratio_cold']:>8.2f}")
    print(f"  {'image warm: click -> preview mask (ms)':<44}{row['raw_click_ms']:>12.1f}{row['app_click_ms']:>12.1f}"
          f"{row['ratio_click']:>8.2f}")
    print(f"  {'image warm: click -> mask stored (ms)':<44}{row['raw_click_ms']:>12.1f}"
          f"{row['app_click_stored_ms']:>12.1f}{row['raw_click_ms'] / row['app_click_stored_ms']:>8.2f}")
    for k in objects:
        v = row[f"video_{k}"]
        n = len(v["round_ratios"])
        what = f"video, {k} object(s): propagation FPS" + (f" (median of {n})" if n > 1 else "")
        print(f"  {what:<44}{v['raw']['fps']:>12.2f}{v['app']['fps']:>12.2f}{v['ratio']:>8.2f}")
        rounds = "  ".join(f"{r:.2f}" for r in v["round_ratios"])
        print(f"  {'   app masks stored / each round: ratio':<44}{'':>12}{v['app']['masks_stored']:>12d}   {rounds}")
        if v.get("steady_ratio"):
            print(f"  {'   per frame once running (median gap), FPS':<44}{v['raw']['steady_fps']:>12.2f}"
                  f"{v['app']['steady_fps']:>12.2f}{v['steady_ratio']:>8.2f}")
            print(f"  {'   until the first masks / after the last, ms':<44}"
                  f"{v['raw']['first_ms']:>6.0f} /{v['raw']['tail_ms']:>4.0f}{v['app']['first_ms']:>6.0f} /"
                  f"{v['app']['tail_ms']:>4.0f}")
    print(f"  {'raw init_state (JPEG folder), s':<44}{row['raw_load_s']:>12.1f}")
    if "long" in row:
        lr = row["long"]
        print(f"  {'long run: frames, FPS, RSS growth 2nd half MB':<44}{lr['frames']:>12d}{lr['fps']:>12.2f}"
              f"{lr['rss_second_half_growth_mb'] if lr['rss_second_half_growth_mb'] is not None else float('nan'):>8.1f}")
    sys.stdout.flush()


if __name__ == "__main__":
    sys.exit(main())
