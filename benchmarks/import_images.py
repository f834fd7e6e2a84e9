"""Importing 2,000 photos (640x480 JPEGs generated here) into a new project, against a raw script doing the
same work by hand with the same libraries, in one plain loop: SHA-256 with hashlib, a full decode with PIL (to
catch truncated files, as the import does) and a 256-pixel JPEG thumbnail made from that decoded image, and the
media rows inserted with sqlite3 in batches of 100 (same schema, same PRAGMAs: WAL, synchronous=FULL).

    python benchmarks/import_images.py          # 2,000 photos
    python benchmarks/import_images.py --quick  # 200

FaceLens also writes an audit entry per batch and checks each file against the hashes already in the project.
Ratio = FaceLens speed / raw speed (1.0: as fast as the hand-written script).
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PIL import Image, ImageOps  # noqa: E402

from benchmarks.common import Timer, print_table, write_results  # noqa: E402
from benchmarks.media import DATA, photo_folder  # noqa: E402

PRAGMAS = ("PRAGMA busy_timeout = 10000", "PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
           "PRAGMA foreign_keys = ON")
BATCH = 100


def raw_import(folder: Path, root: Path) -> int:
    """The same work as ``import_paths``, written by hand in one loop."""
    conn = sqlite3.connect(str(root / "project.db"), isolation_level=None)
    for p in PRAGMAS:
        conn.execute(p)
    thumbs = root / "cache" / "thumbs"
    thumbs.mkdir(parents=True, exist_ok=True)
    files = sorted(folder.glob("*.jpg"))
    sql = ("INSERT INTO media (kind, path, sha256, size_bytes, width, height, codec, imported_at) "
           "VALUES ('image', ?, ?, ?, ?, ?, 'jpeg', ?)")
    for start in range(0, len(files), BATCH):
        rows = []
        for f in files[start:start + BATCH]:
            h = hashlib.sha256()
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
            sha = h.hexdigest()
            with Image.open(f) as im:
                im.load()  # every byte decoded: a truncated file fails here
                w, hgt = im.size
                thumb = ImageOps.exif_transpose(im).convert("RGB")
                thumb.thumbnail((256, 256))
                thumb.save(thumbs / f"{sha}.jpg", "JPEG", quality=85)
            rows.append((str(f), sha, f.stat().st_size, w, hgt, time.time()))
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
    conn.close()
    return len(files)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="200 photos instead of 2,000")
    ap.add_argument("--repeats", type=int, default=None, help="runs of each (alternated); the median is kept")
    args = ap.parse_args(argv)
    from storage.media.importer import import_paths
    from storage.project import Project

    count = 200 if args.quick else 2000
    repeats = args.repeats or (1 if args.quick else 3)
    folder = photo_folder(count)
    work = DATA / "import-bench"
    app_s, raw_s = [], []
    for _ in range(repeats):
        for name in ("facelens", "raw"):  # alternated, each into a fresh project
            shutil.rmtree(work, ignore_errors=True)
            with Project.create(work / name) as project:
                if name == "facelens":
                    with Timer() as t:
                        report = import_paths(project, [folder])
                    assert len(report.imported) == count, report.summary()
                    app_s.append(t.seconds)
                else:
                    project.close()
                    with Timer() as t:
                        assert raw_import(folder, work / name) == count
                    raw_s.append(t.seconds)
    shutil.rmtree(work, ignore_errors=True)
    app, raw = statistics.median(app_s), statistics.median(raw_s)
    print_table(f"Importing {count:,} JPEG photos (640x480), median of {repeats}",
                ["path", "seconds", "files/s", "ratio vs raw"],
                [["raw: hashlib + PIL (one decode) + sqlite3, one loop", round(raw, 2), round(count / raw, 1), 1.0],
                 ["FaceLens import_paths", round(app, 2), round(count / app, 1), round(raw / app, 3)]])
    write_results("import_images", {"files": count, "repeats": repeats,
                                    "facelens_s": [round(v, 3) for v in app_s], "raw_s": [round(v, 3) for v in raw_s],
                                    "facelens_files_per_s": round(count / app, 1),
                                    "raw_files_per_s": round(count / raw, 1), "ratio": round(raw / app, 3)},
                  args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
