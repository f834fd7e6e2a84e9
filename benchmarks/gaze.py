"""Eye-tracking data at scale: storing and reading an hour of 250 Hz gaze, and detecting its fixations.

    python benchmarks/gaze.py            # 1 hour at 250 Hz (900,000 samples)
    python benchmarks/gaze.py --quick    # 5 minutes (a smoke run)

* store / load all: ``project.series.add`` and ``.load`` (float64 chunks of 4,096 rows in SQLite) against
  ``numpy.save`` / ``numpy.load`` of the same array to a file;
* load 10 s: ``.load(id, t0, t1)`` (only the overlapping chunks are read) against ``numpy.load`` of the
  whole file and a slice, as a script without an index would do;
* I-DT: ``engine.gaze.detect`` (windows tested at once with numpy, one Python step per fixation) against
  the textbook loop of Salvucci and Goldberg (2000), one Python step per sample, written plainly with numpy
  min/max on each window, on the same samples and parameters; the fixations found are compared.
Ratio = FaceLens speed / raw speed (1.0: as fast as raw).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks.common import Timer, print_table, write_results  # noqa: E402


def synthetic(seconds: float, rate: float = 250.0, seed: int = 0):
    """Fixations of 150-500 ms at random places, 40 ms saccades, 0.8 px noise."""
    from annotation.gaze.recording import GazeSamples

    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    x, y = np.empty_like(t), np.empty_like(t)
    i, pos = 0, rng.uniform([0, 0], [1280, 720])
    while i < len(t):
        n_fix, n_sac = int(rng.uniform(0.15, 0.5) * rate), int(0.04 * rate)
        x[i:i + n_fix], y[i:i + n_fix] = pos
        i += n_fix
        target = rng.uniform([0, 0], [1280, 720])
        s = np.linspace(0, 1, n_sac)[: max(0, min(n_sac, len(t) - i))]
        x[i:i + len(s)] = pos[0] + (target[0] - pos[0]) * s
        y[i:i + len(s)] = pos[1] + (target[1] - pos[1]) * s
        i += len(s)
        pos = target
    x += rng.normal(0, 0.8, len(t))
    y += rng.normal(0, 0.8, len(t))
    return GazeSamples(t, x, y, np.ones(len(t)), np.full(len(t), 3.0))


def textbook_idt(t, x, y, dispersion: float, min_duration: float):
    """Salvucci & Goldberg's I-DT as usually written: one window, moved one sample at a time."""
    out, i, n = [], 0, len(t)
    step = float(np.median(np.diff(t)))
    w = int(np.ceil(min_duration / step - 1e-9))
    while i + w <= n:
        j = i + w - 1
        if np.ptp(x[i:j + 1]) + np.ptp(y[i:j + 1]) <= dispersion:
            while j + 1 < n and np.ptp(x[i:j + 2]) + np.ptp(y[i:j + 2]) <= dispersion:
                j += 1
            out.append((t[i], t[j] + step))
            i = j + 1
        else:
            i += 1
    return out


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    seconds = 300 if args.quick else 3600
    samples = synthetic(seconds)
    data = samples.to_array()
    rows = []
    results = {"samples": len(samples), "seconds": seconds}
    from annotation.gaze.recording import GAZE_CHANNELS
    from storage.media.importer import import_paths
    from storage.project import Project
    from tests.media_factory import indexed_video

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        project = Project.create(tmp / "p")
        import_paths(project, [indexed_video(tmp / "v.mp4", frames=10)])
        with Timer() as fl_store:
            info = project.series.add(1, "gaze", GAZE_CHANNELS, data)
        with Timer() as raw_store:
            np.save(tmp / "raw.npy", data)
        with Timer() as fl_load:
            back = project.series.load(info.id)
        with Timer() as raw_load:
            raw = np.load(tmp / "raw.npy")
        assert np.array_equal(back, data) and np.array_equal(raw, data)
        t0 = seconds / 2
        with Timer() as fl_part:
            part = project.series.load(info.id, t0, t0 + 10)
        with Timer() as raw_part:
            whole = np.load(tmp / "raw.npy")
            raw_part_rows = whole[(whole[:, 0] >= t0) & (whole[:, 0] <= t0 + 10)]
        assert np.array_equal(part, raw_part_rows)
        project.close()
    for name, fl, raw in (("store all", fl_store, raw_store), ("load all", fl_load, raw_load),
                          ("load 10 s", fl_part, raw_part)):
        rows.append([name, fl.seconds * 1000, raw.seconds * 1000, raw.seconds / fl.seconds])
        results[name] = {"facelens_ms": round(fl.seconds * 1000, 2), "raw_ms": round(raw.seconds * 1000, 2),
                         "ratio": round(raw.seconds / fl.seconds, 3)}

    from engine.gaze.detect import detect_events

    idt_seconds = min(seconds, 120)  # the textbook loop is slow; both run on the same first two minutes
    some = samples.between(0, idt_seconds)
    with Timer() as fl_idt:
        events = detect_events(some, "idt")
    with Timer() as raw_idt:
        reference = textbook_idt(some.t, some.x, some.y, 25.0, 0.1)
    with Timer() as fl_all:
        detect_events(samples, "idt")
    rows.append([f"I-DT {idt_seconds} s", fl_idt.seconds * 1000, raw_idt.seconds * 1000,
                 raw_idt.seconds / fl_idt.seconds])
    results["idt"] = {"seconds_of_gaze": idt_seconds, "facelens_ms": round(fl_idt.seconds * 1000, 2),
                      "textbook_ms": round(raw_idt.seconds * 1000, 2),
                      "ratio": round(raw_idt.seconds / fl_idt.seconds, 3),
                      "facelens_fixations": len(events.fixations), "textbook_fixations": len(reference),
                      "facelens_ms_whole_recording": round(fl_all.seconds * 1000, 2)}
    print_table(f"Gaze: {len(samples):,} samples ({seconds} s at 250 Hz)", ["operation", "FaceLens ms", "raw ms",
                                                                            "ratio"], rows)
    print(f"I-DT fixations: FaceLens {len(events.fixations)}, textbook {len(reference)} (FaceLens also merges "
          f"near fixations); whole recording: {fl_all.seconds:.2f} s")
    write_results("gaze", results, args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
