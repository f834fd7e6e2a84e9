"""Score files that audit tests make themselves: real images and videos, labelled scores with attack types and
splits, and feature vectors in which each class is its own cluster (and an unseen attack type a new one)."""
from __future__ import annotations

import csv
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tests.media_factory import indexed_video, photo

DIM = 8
CENTRES = {"bona_fide": 0, "print": 1, "replay": 2, "mask": 3}  # each class lies 6 units along its own axis


@dataclass
class Dataset:
    csv: Path
    features: Path
    rows: list[dict]
    unseen_rows: list[int]  # 0-based data rows of the attack type the dev split never shows


def make_dataset(folder: Path, per_class: int = 30, unseen: int = 10, seed: int = 0) -> Dataset:
    """dev: bona fide, print, replay; test: the same plus ``unseen`` mask attacks. Each split has its own photos
    (two of live faces, one of attacks; one row per face) and its own video (replay, one row per frame)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for s, offset in (("dev", 0), ("test", 10)):
        for i in range(3):
            photo(folder / f"{s}{i}.png", seed=i + offset)
        indexed_video(folder / f"{s}.mp4", frames=per_class + offset, gop=10)
    rows, feats, unseen_rows, faces = [], [], [], {}
    for split in ("dev", "test"):
        classes = [("bona_fide", per_class), ("print", per_class), ("replay", per_class)]
        if split == "test":
            classes.append(("mask", unseen))
        for cls, n in classes:
            for j in range(n):
                centre = np.zeros(DIM)
                centre[CENTRES[cls]] = 6.0
                feats.append(centre + rng.normal(0, 1, DIM))
                # the model: bona fide low, known attacks high, and the unseen mask mostly (wrongly) low
                score = rng.beta(2, 5) if cls in ("bona_fide", "mask") else rng.beta(5, 2)
                if cls == "replay":
                    media, frame = f"{split}.mp4", j
                elif cls == "bona_fide":
                    media, frame = f"{split}{j % 2}.png", ""  # photos 0 and 1 show live faces only
                else:
                    media, frame = f"{split}2.png", ""
                if cls == "mask":
                    unseen_rows.append(len(rows))
                faces[media] = faces.get(media, -1) + 1  # one more face on this photo
                rows.append({"media": media, "frame": frame, "face": faces[media] if frame == "" else 0,
                             "score": f"{score:.4f}", "label": "live" if cls == "bona_fide" else "spoof",
                             "attack_type": "" if cls == "bona_fide" else cls, "split": split})
    path = folder / "scores.csv"
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    feat_path = folder / "features.npy"
    np.save(feat_path, np.array(feats, np.float32))
    return Dataset(path, feat_path, rows, unseen_rows)


def write_csv(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def tamper(project, *sql: str) -> None:
    """Edit the project's file behind FaceLens's back, as someone with sqlite3 would (foreign keys off, none of
    FaceLens's checks)."""
    db = sqlite3.connect(project.db_path)
    for statement in sql:
        db.execute(statement)
    db.commit()
    db.close()
