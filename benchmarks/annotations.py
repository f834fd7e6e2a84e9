"""A project with 1,000,000 annotations: bulk insert, cold open, and paging through a video frame by frame,
each against raw ``sqlite3`` doing the same work on a database with the same schema and the same PRAGMAs
(WAL, synchronous=FULL, foreign keys on).

    python benchmarks/annotations.py            # 1,000,000 masks (20 videos x 5,000 frames x 10)
    python benchmarks/annotations.py --quick    # 20,000 (a smoke run)

* insert: ``project.annotations.add_many`` (Annotation records with a mask whose COCO RLE is ~120 bytes, as
  a model's output arrives) against ``sqlite3.executemany`` of ready-made tuples carrying the same JSON, both
  in chunks of 50,000 rows, one transaction each, measured chunk by chunk in alternation so that load on the
  machine falls on both alike. The media rows are registered without files: only the database is measured.
* cold open: a fresh Python process imports FaceLens, runs ``Project.open`` and reads the first page (the
  annotations of frame 0 of the first video, and its annotated frames for the timeline), against a fresh
  process that opens the file with ``sqlite3`` and runs the same SELECTs.
* paging: ``annotations.for_media(video, frame)`` for every frame of one video (annotation records with
  parsed shapes) against ``SELECT ... WHERE media_id=? AND frame=?`` returning raw tuples.
Ratio = FaceLens speed / raw speed (1.0: as fast as raw sqlite3).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from benchmarks.common import ROOT, Timer, print_table, summary_ms, write_results  # noqa: E402
from benchmarks.media import DATA  # noqa: E402

CHUNK = 50_000
COLUMNS = ("media_id", "frame", "track_id", "kind", "label_id", "attributes", "geometry", "score", "source",
           "annotator", "created_at", "updated_at")
PRAGMAS = ("PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
           "PRAGMA foreign_keys = ON")


def masks(count: int, height: int = 1080, width: int = 1920):
    """Distinct real COCO RLE masks of about 120 bytes: face-sized blobs as a segmenter outputs them."""
    from annotation.shapes import Mask

    rng = np.random.default_rng(0)
    out = []
    for _ in range(count):
        m = np.zeros((height, width), np.uint8)
        x, y = int(rng.integers(0, width - 80)), int(rng.integers(0, height - 200))
        w, h = int(rng.integers(52, 64)), int(rng.integers(80, 200))
        m[y:y + h, x:x + w] = 1
        m[y + h // 2:y + h, x + w - 3:x + w] = 0  # a notch, so runs differ between columns
        out.append(Mask.from_array(m))
    return out


def register_media(project, videos: int, frames: int) -> list[int]:
    rows = [dict(kind="video", path=f"bench/video-{k:03d}.mp4", sha256=f"{k:064x}", size_bytes=1, width=1920,
                 height=1080, fps=25.0, frame_count=frames, duration=frames / 25.0, codec="h264")
            for k in range(videos)]
    return [m.id for m in project.media.add_many(rows)]


def chunk_of_annotations(start: int, count: int, media_ids, frames: int, per_frame: int, shapes, labels):
    from annotation.model import Annotation

    out = []
    per_video = frames * per_frame
    for j in range(start, start + count):
        v, rest = divmod(j, per_video)
        frame = rest // per_frame
        out.append(Annotation(media_id=media_ids[v], frame=frame, shape=shapes[j % len(shapes)],
                              label_id=labels[j % len(labels)], score=0.9, source="bench-segmenter",
                              attributes={}))
    return out


def as_tuples(annotations, now: float) -> list[tuple]:
    return [(a.media_id, a.frame, a.track_id, a.kind, a.label_id, json.dumps(a.attributes),
             json.dumps(a.shape.to_geometry()), a.score, a.source, "bench", now, now) for a in annotations]


def raw_connect(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(db), isolation_level=None)
    for p in PRAGMAS:
        conn.execute(p)
    return conn


def bench_insert(app, raw_db: Path, total: int, media_ids, frames, per_frame, shapes, labels) -> dict:
    conn = raw_connect(raw_db)
    sql = f"INSERT INTO annotations ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    app_s = raw_s = 0.0
    for start in range(0, total, CHUNK):
        n = min(CHUNK, total - start)
        records = chunk_of_annotations(start, n, media_ids, frames, per_frame, shapes, labels)
        rows = as_tuples(records, time.time())
        with Timer() as t:
            app.annotations.add_many(records, action="benchmark insert")
        app_s += t.seconds
        with Timer() as t:
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(sql, rows)
            conn.execute("COMMIT")
        raw_s += t.seconds
        if (start // CHUNK + 1) % 5 == 0 or start + n == total:
            print(f"  inserted {start + n:,} / {total:,}", flush=True)
    conn.close()
    return {"rows": total, "facelens_s": round(app_s, 2), "raw_s": round(raw_s, 2),
            "facelens_rows_per_s": round(total / app_s), "raw_rows_per_s": round(total / raw_s),
            "ratio": round(raw_s / app_s, 3)}


_OPEN_APP = """
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, {root!r})
from storage.project import Project
t1 = time.perf_counter()
p = Project.open({dir!r})
t2 = time.perf_counter()
first = p.media.all(kind="video")[0]
page = p.annotations.for_media(first.id, 0)
marks = p.annotations.annotated_frames(first.id)
t3 = time.perf_counter()
print(json.dumps({{"imports": t1 - t0, "open": t2 - t1, "first_page": t3 - t2,
                  "rows": len(page), "marks": len(marks)}}))
"""

_OPEN_RAW = """
import json, sqlite3, time
t0 = time.perf_counter()
t1 = time.perf_counter()
c = sqlite3.connect({db!r}, isolation_level=None)
for p in {pragmas!r}:
    c.execute(p)
c.execute("SELECT count(*) FROM sqlite_master").fetchone()
t2 = time.perf_counter()
first = c.execute("SELECT id FROM media WHERE kind = 'video' ORDER BY id LIMIT 1").fetchone()[0]
page = c.execute("SELECT {cols} FROM annotations WHERE media_id = ? AND frame = ? ORDER BY id", (first, 0)).fetchall()
marks = c.execute("SELECT DISTINCT frame FROM annotations WHERE media_id = ? AND frame IS NOT NULL ORDER BY frame",
                  (first,)).fetchall()
t3 = time.perf_counter()
print(json.dumps({{"imports": t1 - t0, "open": t2 - t1, "first_page": t3 - t2,
                  "rows": len(page), "marks": len(marks)}}))
"""


def _fresh_process(code: str) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    return {**json.loads(out.stdout), "process_wall": wall}


def bench_cold_open(app_dir: Path, raw_db: Path, repeats: int) -> dict:
    app_code = _OPEN_APP.format(root=str(ROOT), dir=str(app_dir))
    raw_code = _OPEN_RAW.format(db=str(raw_db), pragmas=PRAGMAS, cols=", ".join(("id",) + COLUMNS))
    app_runs, raw_runs = [], []
    for _ in range(repeats):  # alternated, median kept
        app_runs.append(_fresh_process(app_code))
        raw_runs.append(_fresh_process(raw_code))

    def med(runs, key):
        return round(statistics.median(r[key] for r in runs), 3)

    app = {k: med(app_runs, k) for k in ("imports", "open", "first_page", "process_wall")}
    raw = {k: med(raw_runs, k) for k in ("imports", "open", "first_page", "process_wall")}
    app["open_plus_first_page"] = round(app["imports"] + app["open"] + app["first_page"], 3)
    raw["open_plus_first_page"] = round(raw["imports"] + raw["open"] + raw["first_page"], 3)
    return {"repeats": repeats, "facelens": app, "raw": raw, "rows_on_first_page": app_runs[0]["rows"],
            "timeline_marks": app_runs[0]["marks"],
            "ratio_open_plus_first_page": round(raw["open_plus_first_page"] / app["open_plus_first_page"], 3),
            "ratio_process_wall": round(raw["process_wall"] / app["process_wall"], 3)}


def bench_paging(app, raw_db: Path, media_id: int, frames: int) -> dict:
    conn = raw_connect(raw_db)
    sql = f"SELECT {', '.join(('id',) + COLUMNS)} FROM annotations WHERE media_id = ? AND frame = ? ORDER BY id"
    app_t, raw_t = [], []
    rows = 0
    for f in range(frames):  # alternated frame by frame
        t0 = time.perf_counter()
        page = app.annotations.for_media(media_id, f)
        t1 = time.perf_counter()
        raw = conn.execute(sql, (media_id, f)).fetchall()
        t2 = time.perf_counter()
        app_t.append(t1 - t0)
        raw_t.append(t2 - t1)
        rows += len(page)
        assert len(page) == len(raw)
    conn.close()
    return {"frames": frames, "annotations": rows, "facelens": summary_ms(app_t), "raw": summary_ms(raw_t),
            "ratio": round(sum(raw_t) / sum(app_t), 3)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="20,000 annotations instead of 1,000,000")
    args = ap.parse_args(argv)
    from storage.project import Project

    videos, frames, per_frame = (2, 1000, 10) if args.quick else (20, 5000, 10)
    total = videos * frames * per_frame
    work = DATA / "annotations-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    app_dir, raw_dir = work / "facelens", work / "raw"
    print(f"{total:,} annotations: {videos} videos x {frames:,} frames x {per_frame} masks")
    shapes = masks(500)
    rle = statistics.mean(len(s.counts) for s in shapes)
    for d in (app_dir, raw_dir):  # the same schema, media and labels in both databases
        with Project.create(d) as p:
            media_ids = register_media(p, videos, frames)
            labels = [lab.id for lab in p.labels.all()][:4]
    app = Project.open(app_dir)
    insert = bench_insert(app, raw_dir / "project.db", total, media_ids, frames, per_frame, shapes, labels)
    paging = bench_paging(app, raw_dir / "project.db", media_ids[len(media_ids) // 2], frames)
    app.close()
    cold = bench_cold_open(app_dir, raw_dir / "project.db", repeats=3 if args.quick else 5)

    print_table(f"Bulk insert of {total:,} mask annotations (RLE ~{rle:.0f} bytes), chunks of {CHUNK:,}",
                ["path", "seconds", "rows/s", "ratio vs raw"],
                [["raw sqlite3 executemany", insert["raw_s"], insert["raw_rows_per_s"], 1.0],
                 ["FaceLens annotations.add_many", insert["facelens_s"], insert["facelens_rows_per_s"],
                  insert["ratio"]]])
    f, r = cold["facelens"], cold["raw"]
    print_table("Cold open in a fresh process, then the first page (frame 0 + timeline marks)",
                ["path", "imports s", "open s", "first page s", "total s", "process wall s"],
                [["raw sqlite3", r["imports"], r["open"], r["first_page"], r["open_plus_first_page"],
                  r["process_wall"]],
                 ["FaceLens Project.open", f["imports"], f["open"], f["first_page"], f["open_plus_first_page"],
                  f["process_wall"]]])
    print(f"  ratio (total): {cold['ratio_open_plus_first_page']}   target: FaceLens total under 2 s "
          f"-> {'met' if f['open_plus_first_page'] < 2 else 'NOT met'}")
    fa, ra = paging["facelens"], paging["raw"]
    print_table(f"Paging frame by frame through one video ({paging['frames']:,} frames, "
                f"{paging['annotations']:,} annotations)",
                ["path", "median ms", "p95 ms", "max ms", "ratio vs raw"],
                [["raw sqlite3 SELECT (tuples)", ra["median_ms"], ra["p95_ms"], ra["max_ms"], 1.0],
                 ["FaceLens for_media (records)", fa["median_ms"], fa["p95_ms"], fa["max_ms"], paging["ratio"]]])
    write_results("annotations", {"annotations": total, "rle_bytes_mean": round(rle, 1), "insert": insert,
                                  "cold_open": cold, "paging": paging}, args.quick)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
