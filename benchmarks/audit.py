"""The forensic audit at scale: metrics on a million scores, importing a large score file, and Mahalanobis
confidence on many feature vectors, each against the raw library doing the same work in the same run.

    python benchmarks/audit.py            # 1,000,000 scores; 100,000-row import; 200,000 x 128 features
    python benchmarks/audit.py --quick    # a tenth of each (a smoke run)

* metrics: ``engine.audit`` ROC AUC + EER + average precision against scikit-learn's ``roc_auc_score``,
  ``roc_curve`` (EER read off it) and ``average_precision_score`` on the same arrays.
* import: ``import_scores`` (best of 3) of a CSV (media by id, frame, score, label, attack type, split: every row checked,
  one transaction with its audit entry) against ``csv.reader`` + ``float()`` + ``sqlite3.executemany`` into a
  table of the same columns on a database with the same PRAGMAs.
* confidence: ``fit_bank`` + ``confidence`` (three Gaussians, Ledoit-Wolf) against scikit-learn's
  ``LedoitWolf().fit(...).mahalanobis(...)`` per group and the minimum over groups.
Ratio = FaceLens speed / raw speed (1.0: as fast as raw).
"""
from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from sklearn.covariance import LedoitWolf  # noqa: E402
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve  # noqa: E402

from benchmarks.common import Timer, print_table, write_results  # noqa: E402
from engine.audit.confidence import fit_bank  # noqa: E402
from engine.audit.importer import import_scores  # noqa: E402
from engine.audit.metrics import auc, average_precision, eer  # noqa: E402
from storage.media.importer import import_paths  # noqa: E402
from storage.project import Project  # noqa: E402
from tests.media_factory import indexed_video  # noqa: E402

REPEATS = 3


def best(fn, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        with Timer() as t:
            fn()
        times.append(t.seconds)
    return min(times)


def bench_metrics(n: int) -> dict:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, n)
    score = np.clip(rng.normal(0.4 + 0.2 * y, 0.2), 0, 1).round(4)

    def ours():
        return auc(score, y), eer(score, y), average_precision(score, y)

    def raw():
        fpr, tpr, thr = roc_curve(y, score, drop_intermediate=False)
        i = np.nanargmin(np.abs(1 - tpr - fpr))
        return roc_auc_score(y, score), ((fpr[i] + 1 - tpr[i]) / 2, thr[i]), average_precision_score(y, score)

    a, b = ours(), raw()
    assert abs(a[0] - b[0]) < 1e-9 and abs(a[2] - b[2]) < 1e-9
    t_ours, t_raw = best(ours), best(raw)
    return {"rows": n, "facelens_s": t_ours, "raw_s": t_raw, "ratio": t_raw / t_ours}


def bench_import(n: int, folder: Path) -> dict:
    project = Project.create(folder / "proj")
    video = indexed_video(folder / "v.mp4", frames=50)
    media_id = import_paths(project, [video]).imported[0][0]
    rng = np.random.default_rng(1)
    path = folder / "scores.csv"
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["media", "frame", "face", "score", "label", "attack_type", "split"])
        for i in range(n):
            attack = i % 3 != 0
            w.writerow([media_id, i % 50, i // 50, f"{rng.random():.5f}", "attack" if attack else "live",
                        "replay" if attack else "", "dev" if i % 2 else "test"])

    t_ours = best(lambda: import_scores(project, path, allow_duplicate=True))  # each import: a new run of the file
    project.close()

    db = folder / "raw.db"
    con = sqlite3.connect(db, isolation_level=None)
    for pragma in ("journal_mode = WAL", "synchronous = FULL", "foreign_keys = ON"):
        con.execute(f"PRAGMA {pragma}")
    con.execute("CREATE TABLE results (id INTEGER PRIMARY KEY, run_id INTEGER, row INTEGER, media_id INTEGER, "
                "frame INTEGER, face INTEGER, score FLOAT, label TEXT, attack_type TEXT, split TEXT, box TEXT, "
                "CHECK (score >= 0 AND score <= 1))")
    con.execute("CREATE INDEX results_by_run ON results (run_id, row)")

    def raw():
        with open(path, newline="") as f:
            r = csv.reader(f)
            next(r)
            rows = [(1, i, int(m), int(fr), int(fa), float(s), lab, at or None, sp, None)
                    for i, (m, fr, fa, s, lab, at, sp) in enumerate(r)]
        con.execute("BEGIN")
        con.executemany("INSERT INTO results (run_id, row, media_id, frame, face, score, label, attack_type, split, "
                        "box) VALUES (?,?,?,?,?,?,?,?,?,?)", rows)
        con.execute("COMMIT")

    t_raw = best(raw)
    con.close()
    return {"rows": n, "facelens_s": t_ours, "raw_s": t_raw, "ratio": t_raw / t_ours}


def bench_confidence(n: int, dim: int = 128) -> dict:
    rng = np.random.default_rng(2)
    groups = np.repeat([0, 1, 2], n // 3)
    x = rng.normal(0, 1, (len(groups), dim)) + groups[:, None] * 3.0
    y = (groups > 0).astype(np.int8)
    types = np.array([None, "print", "replay"], dtype=object)[groups]

    def ours():
        return fit_bank(x, y, types).confidence(x)

    def raw():
        d2 = np.stack([LedoitWolf().fit(x[groups == g]).mahalanobis(x) for g in range(3)], axis=1)
        return -np.sqrt(d2.min(axis=1))

    assert np.allclose(ours(), raw(), rtol=1e-3)
    t_ours, t_raw = best(ours, 2), best(raw, 2)
    return {"rows": len(x), "dim": dim, "facelens_s": t_ours, "raw_s": t_raw, "ratio": t_raw / t_ours}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    scale = 10 if args.quick else 1
    with tempfile.TemporaryDirectory() as tmp:
        results = {"metrics": bench_metrics(1_000_000 // scale),
                   "import": bench_import(100_000 // scale, Path(tmp)),
                   "confidence": bench_confidence(200_000 // scale)}
    print_table("Forensic audit (ratio = FaceLens speed / raw speed)", ["work", "rows", "FaceLens s", "raw s", "ratio"],
                [[k, v["rows"], v["facelens_s"], v["raw_s"], v["ratio"]] for k, v in results.items()])
    write_results("audit", results, args.quick)


if __name__ == "__main__":
    main()
