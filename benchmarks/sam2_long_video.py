"""A long 1080p video tracked by SAM 2.1 in bounded memory: the app's propagation against raw ``init_state``.

    python benchmarks/sam2_long_video.py                        # 10 min at 30 fps; tracks its last 300 frames
    python benchmarks/sam2_long_video.py --device cuda --track 0 # on a GPU: the whole video
    python benchmarks/sam2_long_video.py --quick                # 1 minute, 60 frames tracked (a smoke run)

The issue's bar: a 10-minute 1080p video must work in 24 GB of RAM. The video (moving discs on a textured
background, H.264, GOP 250) is encoded once and kept in ``benchmarks/results/data``. Then, on the same
random-weights model:

* raw: SAM 2's ``init_state`` over a folder of the video's first frames as JPEGs (the only way the raw video
  predictor takes a video file), its resident memory per frame measured, and what the whole video would take
  at that rate (the raw predictor holds every frame in memory, so it cannot open the video itself);
* app: an object prompted where the tracked stretch begins (by default the end of the video, so the first
  frame is found by seeking), then the app's propagation job over the stretch, storing every mask, with the
  process's resident memory (and the GPU's) and the frame outputs SAM 2's session holds, sampled every 10
  frames. Reported: FPS, the peak, and, once the session's memory has filled (it holds a fixed number of
  frame outputs from then on), the median memory and its growth (median of the later half of those samples
  minus the earlier half; medians, because freed buffers come and go in steps of tens of MB).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import sam2_bench as bench  # noqa: E402  (puts the repository on sys.path too)

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engine.device import choose_device  # noqa: E402
from engine.models.cache import MODEL_CACHE  # noqa: E402
from engine.segmentation.prompt import Prompt  # noqa: E402
from engine.segmentation.sam2_image import Sam2Segmenter  # noqa: E402
from engine.segmentation.segmenters import ActiveSegmenter  # noqa: E402
from engine.segmentation.service import Segmentation  # noqa: E402
from engine.segmentation.video_memory import retained_outputs  # noqa: E402
from engine.worker import Engine  # noqa: E402
from storage.media.encode import write_video  # noqa: E402
from storage.media.importer import import_paths  # noqa: E402
from storage.media.library import open_video  # noqa: E402
from storage.project import Project  # noqa: E402

RESULTS = bench.ROOT / "benchmarks" / "results"
DATA = RESULTS / "data"
W, H = 1920, 1080
CYCLE = 300  # distinct frames generated; the video repeats them (encoding is what takes the time)


def long_video(minutes: float, fps: int) -> Path:
    frames = int(minutes * 60 * fps)
    path = DATA / f"discs-{W}x{H}-{frames}f-{fps}fps-gop250.mp4"
    if not path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"encoding {path.name} ({frames} frames, once) ...", flush=True)
        cycle = [bench.scene(i, W, H) for i in range(CYCLE)]
        write_video(path, (cycle[i % CYCLE] for i in range(frames)), fps=fps, gop=250, crf=28, preset="ultrafast")
    return path


def reset_hwm() -> None:
    """Start the peak resident memory (VmHWM) afresh (Linux), so the raw measurement's peak is not counted."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def raw_per_frame(model, project: Project, item, frames: int, folder: Path) -> dict:
    """Memory SAM 2's ``init_state`` takes per frame of a JPEG folder (its only way into a video): resident
    memory, plus GPU memory on a GPU (where it keeps the frames unless told to offload them)."""
    folder.mkdir(parents=True, exist_ok=True)
    with open_video(project, item) as reader:
        for n, frame in reader.frames(0, frames):
            frame.to_image().save(folder / f"{n:05d}.jpg", quality=95)
    before, gpu_before = bench.rss_mb(), bench.gpu_mb(model.device)
    t0 = time.perf_counter()
    with torch.inference_mode(), model.device.autocast():
        state = model.predictor.init_state(str(folder))
    took = time.perf_counter() - t0
    per_frame = (bench.rss_mb() - before) / frames
    if gpu_before is not None:
        per_frame += (bench.gpu_mb(model.device) - gpu_before) / frames
    model.predictor.reset_state(state)
    del state
    return {"frames": frames, "load_s": took, "mb_per_frame": per_frame}


def app_track(seg: Segmentation, item, first: int, last: int, point: tuple[int, int]) -> dict:
    dev = seg.active.device
    t0 = time.perf_counter()
    bench.job_value(seg.segment(item, first, Prompt((point,))))
    prompt_s = time.perf_counter() - t0
    samples = []

    def sample(frame, masks):
        if (frame - first) % 10 == 0:
            session = seg._sessions.get(item.id)  # (called on the engine thread, between two frames)
            samples.append({"frame": frame, "rss_mb": bench.rss_mb(), "gpu_mb": bench.gpu_mb(dev),
                            "outputs_held": retained_outputs(session.state) if session else None})

    t0 = time.perf_counter()
    out = bench.job_value(seg.propagate(item, first, last, on_masks=sample))
    took = time.perf_counter() - t0
    return {"first": first, "last": last, "frames": len(out.frames), "masks_stored": out.annotations,
            "prompt_s": prompt_s, "fps": len(out.frames) / took, "samples": samples}


def settled(samples: list[dict], key: str) -> dict | None:
    """Memory once the session holds all it will hold: median, max, and the growth between the two halves."""
    held = [s["outputs_held"] or 0 for s in samples]
    start = held.index(max(held)) if held else 0
    values = [s[key] for s in samples[start:] if s[key] is not None]
    if len(values) < 4:
        return None
    half = len(values) // 2
    return {"from_frame": samples[start]["frame"], "median_mb": float(np.median(values)), "max_mb": max(values),
            "growth_mb": float(np.median(values[half:]) - np.median(values[:half])),
            "frames": samples[-1]["frame"] - samples[start]["frame"]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--device", default="auto")
    ap.add_argument("--model", default="tiny")
    ap.add_argument("--minutes", type=float, default=None, help="length of the video (default 10)")
    ap.add_argument("--fps", type=int, default=30)
    ap.add_argument("--track", type=int, default=None,
                    help="frames to track, ending at the video's end (0: the whole video; default 300)")
    ap.add_argument("--offload", action="store_true", help="keep SAM 2's video memory in RAM (the Models menu option)")
    ap.add_argument("--raw-frames", type=int, default=30, help="JPEG frames for the raw init_state measurement")
    ap.add_argument("--quick", action="store_true", help="1 minute, 60 frames tracked")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)

    device = choose_device(args.device)
    minutes = args.minutes or (1.0 if args.quick else 10.0)
    track = args.track if args.track is not None else (60 if args.quick else 300)
    video = long_video(minutes, args.fps)
    report = {"device": str(device), "torch": torch.__version__, "video": video.name, "minutes": minutes,
              "model": args.model, "offload": args.offload}
    print(f"device {device}; {video.name}; tracking {track or 'every'} frame(s)", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        os.environ["FACELENS_HOME"] = str(tmp / "home")
        project = Project.create(tmp / "proj")
        t0 = time.perf_counter()
        import_paths(project, [video])
        report["import_s"] = time.perf_counter() - t0
        item = project.media.all()[0]
        total = item.frame_count
        engine = Engine()
        try:
            model = bench.build(args.model, args.seed, device)
            active = ActiveSegmenter(Sam2Segmenter(model.entry, model.weights, device), model.entry,
                                     model.weights, device)
            raw = raw_per_frame(model, project, item, args.raw_frames, tmp / "jpeg")
            raw["whole_video_gb"] = raw["mb_per_frame"] * total / 1024
            report["raw"] = raw
            seg = Segmentation(engine, project, active, offload_state=args.offload)
            first = 0 if track == 0 else max(total - track, 0)
            point = bench.centres(first % CYCLE, W, H, 1)[0]  # the disc on that frame
            rss_before = bench.rss_mb()
            reset_hwm()
            app = app_track(seg, item, first, total - 1, point)
            app.update({"rss_before_mb": rss_before, "peak_rss_mb": bench.rss_mb("VmHWM"),
                        "rss_settled": settled(app["samples"], "rss_mb"), "gpu_settled": settled(app["samples"], "gpu_mb")})
            report["app"] = app
            seg.release_sessions()
            MODEL_CACHE.release()
        finally:
            engine.stop()
            project.close()
    report["frames_in_video"] = total
    print_report(report)
    bench.write_report(args.out or RESULTS / f"sam2_long_video{'-quick' if args.quick else ''}.json", report)
    return 0


def print_report(r: dict) -> None:
    raw, app = r["raw"], r["app"]
    print(f"\n{r['video']}: {r['frames_in_video']} frames, imported in {r['import_s']:.1f} s; SAM 2.1 {r['model']}")
    print(f"  raw init_state: {raw['mb_per_frame']:.1f} MB of memory (RAM + GPU) per frame (measured on {raw['frames']} frames): "
          f"{raw['whole_video_gb']:.0f} GB for the whole video")
    print(f"  app: prompted frame {app['first']} in {app['prompt_s']:.1f} s, tracked {app['frames']} frames to "
          f"{app['last']} at {app['fps']:.2f} FPS, {app['masks_stored']} masks stored")
    held = [s["outputs_held"] for s in app["samples"] if s["outputs_held"] is not None]
    if held:
        print(f"  SAM 2 frame outputs held by the session: at most {max(held)}, {held[-1]} at the end, whatever the "
              f"length of the video")
    print(f"  app RAM: {app['rss_before_mb']:.0f} MB before, peak {app['peak_rss_mb']:.0f} MB")
    for name, m in (("RAM", app["rss_settled"]), ("GPU memory", app["gpu_settled"])):
        if m:
            print(f"  app {name} from frame {m['from_frame']} on: median {m['median_mb']:.0f} MB, max {m['max_mb']:.0f} "
                  f"MB, {m['growth_mb']:+.0f} MB from the first half of those {m['frames']} frames to the second")


if __name__ == "__main__":
    sys.exit(main())
