"""Frames of a long-GOP 1080p H.264 video: random jumps, playback, frame stepping, and the fast-seek proxy,
against raw PyAV doing the same work on the same file in the same run.

    python benchmarks/video_access.py           # 1920x1080, 24 s at 25 fps, a keyframe every 250 frames
    python benchmarks/video_access.py --quick   # 320x180, 4 s, a keyframe every 50 frames (a smoke run)

* random jump: raw PyAV (``container.seek`` to the target's timestamp, which lands on the keyframe before it,
  then decode forward to the target and convert it to RGB) against ``VideoReader.read`` and
  ``FrameSource.get``, on the same seeded list of targets. Both use the decoder's AUTO threading, as the app.
* playback: a 25 fps clock asks ``FrameSource`` for the due frame as the window does (``cached`` first, else
  ``request``); latency is from the tick to the frame in hand. Raw: decode the next frame and convert it.
* stepping: Right / Left every 100 ms while paused. Raw forward: decode the next frame; raw backward: seek
  to the keyframe before and decode forward (a player without a cache).
* proxy: ``build_proxy`` at several GOP lengths (build speed, size), then random jumps on each through the
  display reader (``open_display_video``). Target: under 50 ms on the 1080p proxy.
Ratio = FaceLens speed / raw speed (above 1: faster than raw PyAV).
"""
from __future__ import annotations

import argparse
import random
import shutil
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import av  # noqa: E402

from benchmarks.common import print_table, summary_ms, write_results  # noqa: E402
from benchmarks.media import DATA, long_gop_video  # noqa: E402
from storage.media.frame_index import build_frame_index  # noqa: E402
from storage.media.frames import FrameSource  # noqa: E402
from storage.media.video import VideoReader  # noqa: E402

STEP_INTERVAL = 0.1  # seconds between two key presses when stepping


class RawPlayer:
    """What a program using PyAV directly does to show frame n."""

    def __init__(self, path: Path):
        self.container = av.open(str(path))
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        self.frames = None

    def jump(self, pts: int):
        self.container.seek(pts, stream=self.stream, backward=True)
        self.frames = self.container.decode(self.stream)
        for frame in self.frames:
            if frame.pts == pts:
                return frame.to_ndarray(format="rgb24")
        raise RuntimeError(f"timestamp {pts} not found")

    def next(self):
        return next(self.frames).to_ndarray(format="rgb24")

    def close(self):
        self.container.close()


def _targets(count: int, frames: int, seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    return [rng.randrange(frames) for _ in range(count)]


def bench_random(path: Path, index, targets: list[int]) -> dict:
    times = {"raw": [], "reader": [], "source": []}

    def raw(ts):
        p = RawPlayer(path)
        for n in ts:
            t0 = time.perf_counter()
            p.jump(int(index.pts[n]))
            times["raw"].append(time.perf_counter() - t0)
        p.close()

    def reader(ts):
        with VideoReader(path, index) as r:
            for n in ts:
                t0 = time.perf_counter()
                r.read(n)
                times["reader"].append(time.perf_counter() - t0)

    def source(ts):
        src = FrameSource(lambda: VideoReader(path, index))
        for n in ts:
            t0 = time.perf_counter()
            src.get(n)
            times["source"].append(time.perf_counter() - t0)
        src.close()

    half = len(targets) // 2
    for run in (raw, reader, source):  # first half in this order, second half in reverse: load falls on all
        run(targets[:half])
    for run in (source, reader, raw):
        run(targets[half:])
    out = {k: summary_ms(v) for k, v in times.items()}
    for k in ("reader", "source"):
        out[k]["ratio_median"] = round(out["raw"]["median_ms"] / out[k]["median_ms"], 3)
        out[k]["ratio_mean"] = round(out["raw"]["mean_ms"] / out[k]["mean_ms"], 3)
    return out


def _show(src: FrameSource, n: int) -> float:
    """Seconds until frame n is in hand, the way the window gets it."""
    t0 = time.perf_counter()
    if src.cached(n) is None:
        done = threading.Event()
        src.request(n, lambda i, f: done.set())
        done.wait(30)
    return time.perf_counter() - t0


def _paced(items, interval: float):
    start = time.perf_counter()
    for k, item in enumerate(items):
        delay = start + k * interval - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        yield item


def bench_playback(path: Path, index, start: int, count: int) -> dict:
    src = FrameSource(lambda: VideoReader(path, index))
    _show(src, start)
    lat, hits = [], 0
    for n in _paced(range(start + 1, start + 1 + count), 1.0 / index.fps):
        src.set_playhead(n, True)
        t = _show(src, n)
        lat.append(t)
        hits += t < 0.001
    src.close()
    raw = RawPlayer(path)
    raw.jump(int(index.pts[start]))
    raw_lat = []
    for _ in range(count):
        t0 = time.perf_counter()
        raw.next()
        raw_lat.append(time.perf_counter() - t0)
    raw.close()
    return {"frames": count, "facelens": {**summary_ms(lat), "ready_before_asked": round(hits / count, 3),
                                          "under_16ms": round(sum(t < 0.016 for t in lat) / count, 3)},
            "raw_decode_next": summary_ms(raw_lat)}


def bench_stepping(path: Path, index, start: int, steps: int, direction: int) -> dict:
    src = FrameSource(lambda: VideoReader(path, index))
    _show(src, start)
    frames = [start + direction * (k + 1) for k in range(steps)]
    lat, hits = [], 0
    for n in _paced(frames, STEP_INTERVAL):
        t = _show(src, n)
        lat.append(t)
        hits += t < 0.001
    src.close()
    raw = RawPlayer(path)
    raw.jump(int(index.pts[start]))
    raw_lat = []
    for n in frames:
        t0 = time.perf_counter()
        raw.next() if direction > 0 else raw.jump(int(index.pts[n]))
        raw_lat.append(time.perf_counter() - t0)
    raw.close()
    f, r = summary_ms(lat), summary_ms(raw_lat)
    return {"steps": steps, "from": start, "facelens": {**f, "ready_before_asked": round(hits / steps, 3),
                                                        "under_16ms": round(sum(t < 0.016 for t in lat) / steps, 3)},
            "raw": r, "ratio_mean": round(r["mean_ms"] / max(f["mean_ms"], 0.01), 1)}


def bench_proxies(path: Path, gops: list[int], targets: list[int]) -> dict:
    """Build a proxy per GOP, then jump on all of them target by target (so load falls on each alike)."""
    from storage.media.importer import import_paths
    from storage.media.library import open_display_video
    from storage.media.proxy import build_proxy
    from storage.project import Project

    root = DATA / "proxy-bench"
    shutil.rmtree(root, ignore_errors=True)
    out, readers = {}, {}
    with Project.create(root) as project:
        item = project.media.get(import_paths(project, [path]).imported[0][0])
        seconds = item.duration or 1.0
        for gop in gops:
            t0 = time.perf_counter()
            proxy = build_proxy(project, item, gop=gop)
            build = time.perf_counter() - t0
            size = proxy.stat().st_size
            out[gop] = {"build_s": round(build, 1), "build_fps": round(item.frame_count / build, 1),
                        "mb_per_minute": round(size / 1e6 * 60 / seconds, 1),
                        "mbit_per_s": round(size * 8 / 1e6 / seconds, 1)}
            kept = root / f"gop{gop}.mp4"
            shutil.copyfile(proxy, kept)
            with open_display_video(project, item) as r:  # what the window reads: the proxy, frame-threads off
                assert r.path == str(proxy)
                readers[gop] = VideoReader(kept, build_frame_index(kept), threads=False)
        times = {gop: [] for gop in gops}
        for n in targets:
            for gop in gops:
                t0 = time.perf_counter()
                readers[gop].read(n)
                times[gop].append(time.perf_counter() - t0)
        for gop in gops:
            readers[gop].close()
            out[gop]["random"] = summary_ms(times[gop])
    shutil.rmtree(root, ignore_errors=True)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a small clip, for a smoke run")
    ap.add_argument("--only", choices=("random", "playback", "proxy"), help="run one part (the others are skipped)")
    args = ap.parse_args(argv)
    if args.quick:
        path, jumps, play, steps, gops = long_gop_video(4, gop=50, width=320, height=180), 16, 40, 10, [8]
    else:
        path, jumps, play, steps, gops = long_gop_video(24, gop=250), 60, 150, 40, [1, 4, 8, 16]
    index = build_frame_index(path)
    gop = int(index.keyframe.nonzero()[0][1]) if index.keyframe.sum() > 1 else index.frame_count
    print(f"{path.name}: {index.width}x{index.height}, {index.frame_count} frames, keyframe every {gop}")
    targets = _targets(jumps, index.frame_count)
    results = {"video": {"file": path.name, "width": index.width, "height": index.height,
                         "frames": index.frame_count, "gop": gop}, "reference_raw_random_median_ms_issue": 130}
    if args.only in (None, "random"):
        results["random"] = bench_random(path, index, targets)
        print_random(results["random"], jumps)
    if args.only in (None, "playback"):
        results["playback"] = bench_playback(path, index, start=index.frame_count // 3,
                                             count=min(play, index.frame_count // 2))
        deep = min(index.frame_count - 1, gop * 2 - 20)  # far into a GOP: stepping back means a long decode
        results["step_forward"] = bench_stepping(path, index, start=deep - steps - 1, steps=steps, direction=+1)
        results["step_backward"] = bench_stepping(path, index, start=deep, steps=steps, direction=-1)
        print_playback(results)
    if args.only in (None, "proxy"):
        raw = results["random"]["raw"]["median_ms"] if "random" in results else None
        results["proxy"] = bench_proxies(path, gops, targets)
        print_proxies(results["proxy"], raw)
    name = "video_access" + (f"-{args.only}" if args.only else "")
    write_results(name, results, args.quick)
    return 0


def print_random(r: dict, jumps: int) -> None:
    print_table(f"Random jump ({jumps} seeded targets), ms",
                ["path", "median", "p95", "mean", "ratio (median)", "ratio (mean)"],
                [["raw PyAV seek + decode forward", r["raw"]["median_ms"], r["raw"]["p95_ms"], r["raw"]["mean_ms"],
                  1.0, 1.0],
                 ["FaceLens VideoReader.read", r["reader"]["median_ms"], r["reader"]["p95_ms"],
                  r["reader"]["mean_ms"], r["reader"]["ratio_median"], r["reader"]["ratio_mean"]],
                 ["FaceLens FrameSource.get", r["source"]["median_ms"], r["source"]["p95_ms"],
                  r["source"]["mean_ms"], r["source"]["ratio_median"], r["source"]["ratio_mean"]]])


def print_playback(results: dict) -> None:
    rows = []
    for name, key, raw_key in (("playback 25 fps", "playback", "raw_decode_next"),
                               ("step forward (Right)", "step_forward", "raw"),
                               ("step backward (Left)", "step_backward", "raw")):
        res = results[key]
        f, raw = res["facelens"], res[raw_key]
        rows.append([name, raw["median_ms"], raw["p95_ms"], f["median_ms"], f["p95_ms"], f["max_ms"],
                     f"{f['ready_before_asked']:.0%}", f"{f['under_16ms']:.0%}"])
    print_table("Next frame in hand, ms (target: under 16); ready = already decoded when asked for",
                ["what", "raw median", "raw p95", "FaceLens median", "FaceLens p95", "FaceLens max", "ready",
                 "under 16 ms"], rows)


def print_proxies(proxies: dict, raw_median: float | None) -> None:
    print_table("Fast-seek proxy (all frames re-encoded, no B-frames, tune=fastdecode), random jump through the "
                "display reader", ["GOP", "build fps", "MB/min", "Mbit/s", "median ms", "p95 ms",
                                   "vs original (median)"],
                [[g, p["build_fps"], p["mb_per_minute"], p["mbit_per_s"], p["random"]["median_ms"],
                  p["random"]["p95_ms"], round(raw_median / p["random"]["median_ms"], 1) if raw_median else "-"]
                 for g, p in proxies.items()])


if __name__ == "__main__":
    sys.exit(main())
