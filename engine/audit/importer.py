"""Importing a detector's score file (and its feature vectors) into a project as one detector run.

Everything is checked before anything is written: every row, every media reference (an id the project has,
or a readable image/video file - relative paths are taken from the score file's folder, then the project's),
frames within each video, duplicate samples, and the feature file's shape. Only then are new media files
imported and the run stored, in one transaction. A file already imported with the same features (same SHA-256s)
is refused unless duplicates are allowed: a second identical run is almost always a slip.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from annotation.errors import InputError
from engine.audit.score_file import ScoreFile, ScoreRow, read_score_file
from storage.media.hashing import sha256_file
from storage.media.importer import import_paths
from storage.media.kinds import expected_kinds, media_kind
from storage.media.probe import probe

if TYPE_CHECKING:
    from storage.project import Project


@dataclass
class ImportedRun:
    run_id: int
    rows: int
    media: int  # distinct media items the run scores
    new_media: list[int]
    ignored_columns: list[str]
    notes: list[str] = field(default_factory=list)  # what the user should know about this import

    def to_json(self) -> dict:
        return {"run_id": self.run_id, "rows": self.rows, "media": self.media, "new_media": self.new_media,
                "ignored_columns": self.ignored_columns, "notes": self.notes}

    def summary_lines(self) -> list[str]:
        """What to tell the user, the CLI and the window alike (an ignored column may be a misspelled label)."""
        lines = [f"detector run {self.run_id}: {self.rows} rows on {self.media} media "
                 f"({len(self.new_media)} newly imported)"]
        if self.ignored_columns:
            lines.append(f"ignored columns: {', '.join(self.ignored_columns)}")
        return lines + [f"note: {n}" for n in self.notes]


class DuplicateImport(InputError):
    """The same score file (and features) is already a run of the project."""


@dataclass
class _File:
    """A media file a row names by path: already in the project (media_id) or to import."""

    path: Path
    sha256: str
    kind: str
    frame_count: int | None
    media_id: int | None = None


NPY_EXPECTED = "expected an N x D float array saved with numpy.save"


def _npy_dtype(path: Path) -> np.dtype:
    """The dtype a .npy file's header declares; anything else (a CSV, an .npz, a cut-off header) is named as such
    here, before numpy's own messages (which speak of pickles) can reach the user."""
    with open(path, "rb") as f:
        if f.read(6) != b"\x93NUMPY":
            raise InputError(f"not a NumPy .npy file ({NPY_EXPECTED})", path=str(path))
        f.seek(0)
        try:
            version = np.lib.format.read_magic(f)
            read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            return read(f)[2]
        except ValueError:
            raise InputError(f"a damaged .npy file: its header cannot be read ({NPY_EXPECTED})",
                             path=str(path)) from None


def load_features(path: str | Path, rows: int, score_file: ScoreFile) -> np.ndarray:
    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=str(path))
    if _npy_dtype(path).hasobject:
        raise InputError(f"holds Python objects, not numbers ({NPY_EXPECTED})", path=str(path))
    try:
        feats = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise InputError(f"a damaged .npy file: cut short or corrupt ({e})", path=str(path)) from None
    if feats.ndim != 2 or feats.dtype.kind not in "iuf":
        raise InputError(f"expected a 2-D numeric array (one feature vector per row), got shape {feats.shape} "
                         f"of {feats.dtype}", path=str(path))
    if len(feats) != rows:
        first_unmatched = score_file.rows[len(feats)].place if len(feats) < rows else None
        where = f"; {score_file.path.name}, {first_unmatched} has no feature vector" if first_unmatched else ""
        raise InputError(f"{len(feats)} feature rows, but {score_file.path.name} has {rows} data rows{where}",
                         path=str(path))
    bad = np.flatnonzero(~np.isfinite(feats).all(axis=1))
    if len(bad):
        raise InputError(f"feature row {bad[0]} (for {score_file.path.name} {score_file.rows[bad[0]].place}) "
                         "holds NaN or infinity", path=str(path))
    return feats.astype(np.float32)


def _resolve(project: "Project", sf: ScoreFile) -> tuple[list[int | _File], dict]:
    """Each row's media: a project id or a file to import; raises on the first row naming something missing."""
    by_id = {m.id: m for m in project.media.all()}
    by_path = {project.absolute_path(m.path).resolve(): m for m in by_id.values()}
    known_hashes = project.media.known_hashes()
    files: dict[Path, _File] = {}
    out = []
    for r in sf.rows:
        if isinstance(r.media, int):
            if r.media not in by_id:
                raise r.error(f"no media with id {r.media} in the project", sf.path, "media")
            out.append(r.media)
            continue
        candidates = [Path(r.media).expanduser()]
        if not candidates[0].is_absolute():
            candidates = [sf.path.parent / r.media, project.root / r.media]
        found = next((c.resolve() for c in candidates if c.is_file()), None)
        if found is None:
            raise r.error(f"no such media file '{r.media}' (looked in {sf.path.parent.resolve()} and the project)",
                          sf.path, "media")
        if found in by_path:
            out.append(by_path[found].id)
            continue
        if found not in files:
            if not media_kind(found):
                raise r.error(f"'{r.media}' is not {expected_kinds()}", sf.path, "media")
            try:
                pr = probe(found)
            except InputError as e:
                raise r.error(f"'{r.media}' cannot be read ({str(e).split(': ', 1)[-1]})", sf.path, "media") from None
            sha = sha256_file(found)
            files[found] = _File(found, sha, pr.kind, pr.frame_count, known_hashes.get(sha))
        f = files[found]
        out.append(f.media_id if f.media_id is not None else f)
    return out, by_id


def _check_frames(sf: ScoreFile, refs: list, by_id: dict) -> None:
    seen: dict[tuple, ScoreRow] = {}
    for r, ref in zip(sf.rows, refs):
        if isinstance(ref, int):
            item = by_id[ref]
            kind, frames = item.kind, item.frame_count
        else:
            kind, frames = ref.kind, ref.frame_count
        if r.frame is not None:
            if kind == "image" and r.frame != 0:
                raise r.error(f"frame {r.frame} given for an image (expected empty or 0)", sf.path, "frame")
            if kind == "video" and frames is not None and r.frame >= frames:
                raise r.error(f"frame {r.frame} is past the end of the video (it has {frames} frames, "
                              f"0..{frames - 1})", sf.path, "frame")
        frame = None if kind == "image" else r.frame  # an image's frame, empty or 0, is the image
        key = (ref if isinstance(ref, int) else ref.sha256, frame, r.face)  # two copies of one file: one media
        if key in seen:
            what = ", ".join([f"media {r.media}"] + [f"{k} {v}" for k, v in (("frame", r.frame), ("face", r.face))
                                                     if v is not None])
            raise r.error(f"the same sample ({what}) is already on {seen[key].place}", sf.path)
        seen[key] = r


def _earlier_imports(project: "Project", sf: ScoreFile, sha: str, features_sha: str, allow: bool) -> list[str]:
    """Refuses a file imported before with the same features; notes one imported with other features (or none)."""
    same = [r for r in project.detectors.runs() if r.source_sha256 == sha]
    exact = [r for r in same if r.features_sha256 == features_sha]
    if exact and not allow:
        r = exact[0]
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(r.created_at))
        what = "scores and features" if features_sha else "scores"
        raise DuplicateImport(f"already imported as detector run {r.id} ({r.model}, {when}): the same {what} "
                              f"(SHA-256 {sha[:12]}…); nothing was imported", path=str(sf.path))
    return [f"the same scores are also run {r.id}{_features_of(r.features_sha256, features_sha)}" for r in same]


def _features_of(earlier: str, now: str) -> str:
    """How an earlier run's features differ from this import's."""
    if earlier == now:
        return ""
    return " (with other features)" if earlier and now else " (with features)" if earlier else " (without features)"


def import_scores(project: "Project", score_path: str | Path, features_path: str | Path | None = None,
                  model: str | None = None, version: str | None = None, params: dict | None = None,
                  aggregation: str = "mean", *, allow_duplicate: bool = False) -> ImportedRun:
    sf = read_score_file(score_path)
    feats = load_features(features_path, len(sf.rows), sf) if features_path else None
    sha, features_sha = sha256_file(sf.path), sha256_file(features_path) if features_path else ""
    notes = _earlier_imports(project, sf, sha, features_sha, allow_duplicate)
    refs, by_id = _resolve(project, sf)
    _check_frames(sf, refs, by_id)

    new_files = list({id(r): r for r in refs if isinstance(r, _File)}.values())
    new_ids: list[int] = []
    if new_files:
        report = import_paths(project, [f.path for f in new_files])
        ids = {os.path.realpath(p): i for i, p in report.imported}
        ids.update({os.path.realpath(p): i for p, i in report.duplicates})
        for f in new_files:
            f.media_id = ids.get(os.path.realpath(f.path))
            if f.media_id is None:
                reason = dict(report.skipped).get(str(f.path), "it could not be imported")
                raise InputError(f"cannot import: {reason}", path=str(f.path))
        new_ids = [i for i, _ in report.imported]

    results = [_result(i, r, ref if isinstance(ref, int) else ref.media_id) for i, (r, ref) in
               enumerate(zip(sf.rows, refs))]
    meta = sf.meta
    run_id = project.detectors.add_run(
        model=model or meta.get("model") or sf.path.stem, version=version or str(meta.get("version", "")),
        params={**meta.get("params", {}), **(params or {})}, source=str(sf.path.resolve()),
        source_sha256=sha, aggregation=aggregation,
        features_source=str(Path(features_path).resolve()) if features_path else "",
        features_sha256=features_sha, results=results, features=feats)
    return ImportedRun(run_id, len(results), len({r["media_id"] for r in results}), new_ids, sf.ignored_columns,
                       notes)


def _result(i: int, r: ScoreRow, media_id: int) -> dict:
    return {"row": i, "media_id": media_id, "frame": r.frame, "face": r.face, "score": r.score, "label": r.label,
            "attack_type": r.attack_type, "split": r.split, "box": None}
