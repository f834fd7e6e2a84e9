"""Emotion exports: ELAN .eaf files, the segment table (CSV), and a training dataset of labelled clips with
their gaze (a folder as DFEW-style loaders expect). Registered by name in ``storage.export.EXPORTERS``."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from annotation.emotion.csv_format import write_emotion_csv
from annotation.emotion.eaf import MIME_TYPES, EafTier, build_eaf
from annotation.emotion.labels import emotion_classes
from annotation.emotion.tracks import TRACKS, label_of, scope_of
from annotation.errors import InputError
from annotation.model import MediaItem, TimeSegment
from storage.media.encode import write_video
from storage.media.library import open_video

if TYPE_CHECKING:
    from storage.project import Project


def _emotion_segments(project: "Project") -> list[tuple[MediaItem, TimeSegment]]:
    media = {m.id: m for m in project.media.all()}
    rows = [(media[s.media_id], s) for s in project.segments.all() if s.tier in TRACKS]
    if not rows:
        raise InputError("nothing to export: the project has no ER or FER segments "
                         "(label some, or run: emotion import DIR CSV)")
    return rows


def _log(project: "Project", out: Path, result: dict) -> dict:
    project.audit.append("export", f"file:{out.name}", result)
    return result


# --- ELAN -------------------------------------------------------------------------------------------------------
def _tiers(segments: list[TimeSegment]) -> list[EafTier]:
    tiers: dict[str, EafTier] = {}
    for s in sorted(segments, key=lambda s: (s.tier, scope_of(s), s.annotator, s.start)):
        kind = "" if scope_of(s) == "time" else " clip"
        tier_id = f"{s.tier.upper()}{kind} - {s.annotator or 'unknown'}"
        tier = tiers.setdefault(tier_id, EafTier(tier_id, s.annotator))
        tier.annotations.append((round(s.start * 1000), round(s.end * 1000), label_of(s) or ""))
    return list(tiers.values())


def _eaf_names(videos: list[MediaItem]) -> dict[int, str]:
    """Each video's file name in the folder: its stem, with its media id where another video has the same stem
    (compared as a case-insensitive file system would), so no video's labels overwrite another's."""
    stems = {v.id: Path(v.path).stem for v in videos}
    count: dict[str, int] = {}
    for stem in stems.values():
        count[stem.casefold()] = count.get(stem.casefold(), 0) + 1
    names = {i: f"{stem}_m{i}.eaf" if count[stem.casefold()] > 1 else f"{stem}.eaf" for i, stem in stems.items()}
    if len({n.casefold() for n in names.values()}) < len(names):  # a stem that looks like another's with its id
        names = {i: f"{stem}_m{i}.eaf" for i, stem in stems.items()}
    return names


def export_eaf(project: "Project", out: str | Path, progress=None) -> dict:
    """One .eaf per video: ``out`` itself when one video has emotion labels, else ``out`` (minus .eaf) is a
    folder with one file per video (``<stem>.eaf``, ``<stem>_m<media id>.eaf`` where two videos share a stem);
    an existing folder as ``out`` is written into. Image labels have no time and are left out."""
    from storage.export import check_file_target, check_parent, write_atomic

    out = Path(out)
    rows = _emotion_segments(project)
    videos = sorted({m.id: m for m, s in rows if m.is_video}.values(), key=lambda m: m.id)
    if not videos:
        raise InputError("nothing to export to ELAN: emotion labels are only on images (ELAN needs a video)")
    if len(videos) == 1 and not out.is_dir():
        folder = None
        check_file_target(out)
    else:
        folder = out.with_suffix("") if out.suffix == ".eaf" and not out.is_dir() else out
        if folder.exists() and not folder.is_dir():
            raise InputError(f"is a file; {len(videos)} videos have emotion labels, so their .eaf files go in a "
                             "folder of that name", path=str(folder))
        check_parent(out)  # the folder's parent is out's
    names = _eaf_names(videos)
    written = []  # built in full before anything is written: a video that fails leaves no files behind
    tiers_n, annotations_n = 0, 0
    for video in videos:
        target = out if folder is None else folder / names[video.id]
        media_path = project.absolute_path(video.path).resolve()
        relative = os.path.relpath(media_path, target.absolute().parent.resolve()).replace(os.sep, "/")
        tiers = _tiers([s for m, s in rows if m.id == video.id])
        written.append((target, build_eaf(media_path.as_uri(), relative if relative.startswith(".") else
                                          "./" + relative, MIME_TYPES.get(media_path.suffix.lower(), "video/*"),
                                          tiers, author=project.actor)))
        tiers_n += len(tiers)
        annotations_n += sum(len(t.annotations) for t in tiers)
        if progress:  # before anything is written: stopping here leaves nothing behind
            progress(len(written), len(videos), target.name)
    made = folder is not None and not folder.exists()
    done: list[Path] = []
    try:
        if made:
            folder.mkdir()
        for target, data in written:
            write_atomic(target, data)
            done.append(target)
    except BaseException:
        if made:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    images = sum(1 for m, s in rows if not m.is_video)  # ELAN annotates time: a static image label has none
    return _log(project, out, {"path": str(out if folder is None else folder), "format": "eaf",
                               "files": [str(t) for t in done], "tiers": tiers_n, "annotations": annotations_n,
                               "left_out": {"image labels": images} if images else {}})


# --- segment table ------------------------------------------------------------------------------------------------
def export_emotion_csv(project: "Project", out: str | Path, progress=None) -> dict:
    from storage.export import check_file_target, write_atomic

    out = Path(out)
    check_file_target(out)
    rows = sorted(_emotion_segments(project), key=lambda r: (r[0].id, r[1].tier, r[1].annotator, r[1].start))
    data = write_emotion_csv(rows).encode("utf-8")
    if progress:  # the table is ready; stopping here leaves nothing behind
        progress(len(rows), len(rows), f"{len(rows)} segments")
    sha = write_atomic(out, data)
    return _log(project, out, {"path": str(out), "format": "emotion-csv", "segments": len(rows), "sha256": sha})


# --- training dataset ---------------------------------------------------------------------------------------------
GAZE_COLUMNS = ("t", "x", "y", "confidence", "pupil")


def _frame_gaze(project: "Project", media: MediaItem, frames: np.ndarray) -> np.ndarray | None:
    """The latest gaze recording of the video at each frame's time (the nearest sample within half a frame,
    NaN where there is none), as float32 rows (t from the clip start, x, y, confidence, pupil)."""
    recordings = project.series.for_media(media.id, "gaze")
    if not recordings:
        return None
    info = recordings[-1]
    t_frames = frames / media.fps
    data = project.series.load(info.id, t_frames[0] - 1 / media.fps, t_frames[-1] + 1 / media.fps)
    out = np.full((len(frames), len(GAZE_COLUMNS)), np.nan, np.float32)
    out[:, 0] = t_frames - t_frames[0]
    if len(data):
        cols = {c: data[:, i] for i, c in enumerate(info.channels)}
        k = np.clip(np.searchsorted(cols["t"], t_frames), 1, len(data) - 1) if len(data) > 1 else np.zeros(
            len(frames), int)
        if len(data) > 1:
            k = np.where(np.abs(cols["t"][k - 1] - t_frames) < np.abs(cols["t"][k] - t_frames), k - 1, k)
        near = np.abs(cols["t"][k] - t_frames) <= 0.5 / media.fps
        for j, c in enumerate(GAZE_COLUMNS[1:], start=1):
            out[near, j] = cols[c][k[near]]
    return out


def export_emotion_dataset(project: "Project", out: str | Path, progress=None) -> dict:
    """``out/clips/*.mp4`` (one clip per labelled stretch), ``out/gaze/*.npy`` (gaze per clip frame),
    ``out/labels.csv`` (clip, media, start, end, frames, track, annotator, label, gaze, and each dataset's class
    index where the label is one of its classes) and ``out/dataset.json`` (what the columns mean)."""
    from storage.export import check_parent, write_atomic

    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("is a file; expected a new (or empty) folder to write the dataset in", path=str(out))
    check_parent(out)
    if out.exists() and any(out.iterdir()):
        raise InputError("exists and is not empty; choose a new folder for the dataset", path=str(out))
    rows = [(m, s) for m, s in _emotion_segments(project) if m.is_video and label_of(s) and s.duration > 0]
    if not rows:
        raise InputError("nothing to export: no ER or FER labels on video time")
    part = out.with_name(out.name + ".part")
    shutil.rmtree(part, ignore_errors=True)
    (part / "clips").mkdir(parents=True)
    (part / "gaze").mkdir()
    datasets = {name: t.extra.get("indices", {}) for name, t in emotion_classes().items() if t.extra.get("indices")}
    table = io.StringIO()
    w = csv.writer(table, lineterminator="\n")
    w.writerow(["clip", "media", "start", "end", "frames", "track", "annotator", "label", "gaze",
                *(f"{d}_index" for d in datasets)])
    clips: dict[tuple, tuple[str, str, int]] = {}
    n_clips = len({(m.id, round(s.start * 1000), round(s.end * 1000)) for m, s in rows})
    try:
        for media, s in sorted(rows, key=lambda r: (r[0].id, r[1].start, r[1].tier, r[1].annotator)):
            key = (media.id, round(s.start * 1000), round(s.end * 1000))
            if key not in clips:
                clips[key] = _write_clip(project, media, s, part, key)
                if progress:
                    progress(len(clips), n_clips, clips[key][0])
            clip, gaze, frames = clips[key]
            label = label_of(s)
            w.writerow([clip, media.path, f"{s.start:.6f}", f"{s.end:.6f}", frames, s.tier, s.annotator, label,
                        gaze, *(idx.get(label, "") for idx in datasets.values())])
        write_atomic(part / "labels.csv", table.getvalue().encode("utf-8"))
        meta = {"labels": "labels.csv", "clips": "clips/", "gaze": "gaze/ (float32, one row per clip frame)",
                "gaze_columns": list(GAZE_COLUMNS), "gaze_units": "t: seconds from the clip start; x, y: video "
                "pixels, origin top left; pupil: the tracker's unit", "label_indices": datasets,
                "tracks": TRACKS}
        write_atomic(part / "dataset.json", json.dumps(meta, indent=2).encode("utf-8"))
        if out.exists():
            out.rmdir()  # an empty folder (checked above)
        part.replace(out)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        raise
    return _log(project, out, {"path": str(out), "format": "emotion-dataset", "clips": len(clips),
                               "rows": len(rows), "with_gaze": sum(1 for c in clips.values() if c[1])})


def _write_clip(project: "Project", media: MediaItem, s: TimeSegment, part: Path,
                key: tuple) -> tuple[str, str, int]:
    mid = (np.arange(int(media.frame_count)) + 0.5) / media.fps
    first, stop = np.searchsorted(mid, [s.start, s.end], side="left")
    frames = np.arange(first, stop)
    if not len(frames):
        frames = np.array([min(int(s.start * media.fps), int(media.frame_count) - 1)])
    name = f"{Path(media.path).stem}_m{media.id}_{key[1]:08d}_{key[2]:08d}"  # the id: two videos named alike
    with open_video(project, media) as reader:
        write_video(part / "clips" / f"{name}.mp4", (reader.read(int(n)) for n in frames), fps=media.fps)
    gaze = _frame_gaze(project, media, frames.astype(np.float64))
    gaze_path = ""
    if gaze is not None:
        np.save(part / "gaze" / f"{name}.npy", gaze)
        gaze_path = f"gaze/{name}.npy"
    return f"clips/{name}.mp4", gaze_path, len(frames)
