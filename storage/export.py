"""Writing exports atomically (temp file, then rename) and logging them in the audit chain.

An export's target is checked before any work is done, so a path that cannot be written is one line naming it
(a folder where a file is expected, a parent folder that is missing or is a file) and nothing is left behind.
A missing parent folder is refused, not created: a mistyped ``--out`` should not grow a new tree of folders.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import numpy as np
from PIL import Image

from annotation.coco import build_coco, frame_file_name, upright_file_name
from annotation.errors import InputError
from annotation.model import MediaItem
from storage.emotion_export import export_eaf, export_emotion_csv, export_emotion_dataset
from storage.media.images import load_image, shown_turned
from storage.media.library import media_file, open_video
from storage.video_locks import held_by

if TYPE_CHECKING:
    from storage.project import Project

# progress(done, total, what) as an export goes; the window's job shows it (and may cancel by raising)
Progress = Callable[[int, "int | None", str], None]


def check_parent(path: Path) -> None:
    """Refuse a path whose parent folder is missing or is a file (naming the ancestor that is a file)."""
    parent = path.parent
    for above in (parent, *parent.parents):
        if above.exists():
            if not above.is_dir():
                raise InputError(f"{above} is a file, not a folder", path=str(path))
            break
    if not parent.is_dir():
        raise InputError(f"the folder {parent} does not exist (create it first, or choose another place)",
                         path=str(path))


def check_file_target(path: Path) -> None:
    """Refuse, in one line, a path that cannot become the export's file."""
    if path.is_dir():
        raise InputError("is a folder; expected the name of a file to write in it", path=str(path))
    if path.exists() and not path.is_file():  # written over by the rename: /dev/full became a JSON file
        raise InputError("is not a regular file (a device, a pipe or a socket); expected the name of a file to write",
                         path=str(path))
    check_parent(path)


def write_atomic(path: Path, data: bytes) -> str:
    """Write ``data`` so that ``path`` is either the old file or the whole new one; returns its SHA-256."""
    path = Path(path)
    check_file_target(path)
    tmp = path.with_name(path.name + ".part")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write the file: {e.strerror or e}", path=str(path)) from None
    return hashlib.sha256(data).hexdigest()


# --- COCO -------------------------------------------------------------------------------------------------------
def frames_folder(out: Path) -> Path:
    """Where a COCO export writes the video frames (and upright photos) it refers to: beside the JSON, named after
    it."""
    return out.with_name(out.stem + "_frames")


def _is_frames_export(folder: Path) -> bool:
    """Whether ``folder`` holds only what an earlier COCO export wrote there (a folder of JPEGs per video, upright
    photos ``<stem>_m<id>.png``), so replacing it loses nothing of the user's."""
    return all(p.is_dir() or (p.suffix == ".jpg" and p.parent != folder)
               or (p.parent == folder and re.search(r"_m\d+\.png$", p.name)) for p in folder.rglob("*"))


def _check_coco_targets(out: Path) -> Path:
    check_file_target(out)
    frames = frames_folder(out)
    if frames.exists() and not frames.is_dir():
        raise InputError(f"{frames.name} beside it is a file; the video frames go in a folder of that name",
                         path=str(out))
    if frames.is_dir() and not _is_frames_export(frames):
        raise InputError(f"{frames} holds files another export did not write; the video frames go in that "
                         "folder: move them, or choose another name", path=str(out))
    return frames


def _check_no_media_in(project: "Project", folder: Path, out: Path) -> None:
    """Refuse to replace a frames folder that holds one of the project's media files (a frame an earlier export
    wrote, imported since): the export replaces that folder whole, and the file went with it."""
    if not folder.is_dir():
        return
    inside = folder.resolve()
    for item in project.media.all():
        if project.absolute_path(item.path).resolve().is_relative_to(inside):
            raise InputError(f"{folder} holds media {item.id} of the project ({item.name}), and the export replaces "
                             "that folder: relink the file elsewhere, or write the export under another name",
                             path=str(out))


def _relative(target: Path, start: Path) -> str:
    try:
        return Path(os.path.relpath(target, start)).as_posix()
    except ValueError:  # another drive (Windows): no relative path
        return target.as_posix()


def _write_frames(project: "Project", media: dict[int, MediaItem], wanted: list[tuple[int, int]], folder: Path,
                  progress: Progress | None, total: int) -> int:
    """Decode each (media id, frame) in ``wanted`` and save it as ``folder/<frame_file_name>`` (JPEG); returns how
    many (of the export's ``total`` images to write, for ``progress``)."""
    done = 0
    for media_id in sorted({m for m, _ in wanted}):
        item = media[media_id]
        frames = sorted(f for m, f in wanted if m == media_id)
        with open_video(project, item) as reader:
            for n in frames:
                if not 0 <= n < reader.frame_count:
                    raise InputError(f"an annotation is on frame {n}, outside the video's frames "
                                     f"0..{reader.frame_count - 1}", path=item.path)
                target = folder / frame_file_name(item, n)
                target.parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(np.ascontiguousarray(reader.read(n))).save(target, quality=95)
                done += 1
                if progress:
                    progress(done, total, f"frame {n} of {item.name}")
    return done


def _write_upright(project: "Project", photos: list[MediaItem], folder: Path, progress: Progress | None,
                   done: int, total: int) -> None:
    """Save each photo as shown (EXIF orientation applied, none left in the file) as ``folder/<upright_file_name>``,
    in PNG: its pixels are the ones the masks were drawn on, not a JPEG's approximation of them."""
    for item in photos:
        Image.fromarray(load_image(media_file(project, item))).save(folder / upright_file_name(item))
        done += 1
        if progress:
            progress(done, total, f"upright copy of {item.name}")


def _replace_folder(part: Path, final: Path) -> Path | None:
    """Move ``part`` to ``final``; an earlier ``final`` is moved aside and returned (to delete or restore)."""
    old = None
    if final.exists():
        old = final.with_name(f"{final.name}.old-{uuid.uuid4().hex[:8]}")  # a new name: nothing is overwritten
        final.replace(old)
    part.replace(final)
    return old


def export_coco(project: "Project", out: str | Path, progress: Progress | None = None) -> dict:
    """``out`` (the JSON), and the annotated video frames as JPEGs in ``<out stem>_frames/`` beside it. Each
    ``file_name`` opens as ``os.path.join(<the JSON's folder>, file_name)``: a video frame is
    ``<out stem>_frames/<video stem>_m<media id>/<frame:06d>.jpg``; a photo is the image file itself, by its path
    relative to the JSON's folder when the project holds it, else by the absolute path the project keeps; a photo
    turned by its EXIF orientation is an upright copy, ``<out stem>_frames/<photo stem>_m<media id>.png``."""
    out = Path(out)
    frames_dir = _check_coco_targets(out)
    _check_no_media_in(project, frames_dir, out)
    base = out.resolve().parent
    media = {m.id: m for m in project.media.all()}
    wanted: list[tuple[int, int]] = []
    turned: list[MediaItem] = []

    def file_name(item: MediaItem, frame: int | None) -> str:
        if frame is None:  # a photo outside the project keeps its absolute path, as the project stores it
            path = media_file(project, item)  # (missing, or changed since import: its boxes would not fit it)
            # (the project's size and masks are the photo as shown; a loader that ignores EXIF, as torchvision's
            # CocoDetection does, would read the stored pixels, which they do not fit)
            if shown_turned(path):
                turned.append(item)
                return f"{frames_dir.name}/{upright_file_name(item)}"
            return path.as_posix() if Path(item.path).is_absolute() else _relative(path.resolve(), base)
        wanted.append((item.id, frame))
        return f"{frames_dir.name}/{frame_file_name(item, frame)}"

    coco, left_out = build_coco(media.values(), project.labels.all(), project.annotations.iter_all(),
                                file_name=file_name)
    data = json.dumps(coco).encode("utf-8")
    part = frames_dir.with_name(frames_dir.name + ".part")
    old, placed = None, False
    try:
        if wanted or turned:
            shutil.rmtree(part, ignore_errors=True)
            part.mkdir()
            total = len(wanted) + len(turned)
            done = _write_frames(project, media, wanted, part, progress, total)
            _write_upright(project, turned, part, progress, done, total)
            old, placed = _replace_folder(part, frames_dir), True
        sha = write_atomic(out, data)
    except BaseException:
        shutil.rmtree(part, ignore_errors=True)
        if placed:  # the JSON was not written: its frames go, and an earlier export's come back
            shutil.rmtree(frames_dir, ignore_errors=True)
            if old is not None:
                old.replace(frames_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    result = {"path": str(out), "format": "coco", "images": len(coco["images"]),
              "annotations": len(coco["annotations"]), "frames_written": len(wanted),
              "upright_photos_written": len(turned), "frames_folder": str(frames_dir) if wanted or turned else None,
              "left_out": left_out, "sha256": sha}
    project.audit.append("export", f"file:{out.name}", result)
    return result


# Counts left out of the summary line when 0: most projects have no turned photos, and "0 upright photos written"
# on every export says nothing (--json still has it).
QUIET_WHEN_NONE = {"upright_photos_written"}


def describe_export(result: dict) -> list[str]:
    """What an export wrote, in lines for the CLI and the window's status bar: the counts, where the video
    frames (and upright photos) went, and what the format could not hold."""
    fmt = result["format"]
    counts = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in result.items()
                       if isinstance(v, int) and not isinstance(v, bool) and (v or k not in QUIET_WHEN_NONE))
    lines = [f"wrote {result['path']} ({fmt}{': ' + counts if counts else ''})"]
    if result.get("frames_folder"):
        kinds = {"frames_written": "the video frames", "upright_photos_written": "the upright copies of turned photos"}
        what = " and ".join(words for key, words in kinds.items() if result.get(key))
        lines.append(f"{what} it refers to are in {result['frames_folder']}")
    if result.get("left_out"):
        what = ", ".join(f"{n} {kind}" for kind, n in sorted(result["left_out"].items()))
        lines.append(f"left out (no {fmt} form): {what}")
    lines += [f"note: {busy}: its masks in the export are those stored so far" for busy in
              result.get("being_propagated", [])]
    return lines


def being_propagated(project: "Project") -> list[str]:
    """The videos a propagation is rewriting now (`track`, or a window): an export holds their masks so far."""
    return [f"media {item.id} ({item.name}) is being propagated by {holder}" for item in project.media.all()
            if item.is_video and (holder := held_by(project, item)) is not None]


def check_outside_project(project: "Project", out: str | Path) -> None:
    """Refuse a target that is the project's database or one of its media files: the export would be written over
    it (the annotations, the audit log or the media gone for good)."""
    target = Path(out).expanduser().resolve()
    db = project.db_path.resolve()
    if target in {db.with_name(db.name + end) for end in ("", "-wal", "-shm", "-journal")}:
        raise InputError(f"is the project's database; write the export elsewhere (as in {project.exports_dir})",
                         path=str(out))
    for item in project.media.all():
        if project.absolute_path(item.path).resolve() == target:
            raise InputError(f"is media {item.id} of the project ({item.name}); write the export elsewhere (as in "
                             f"{project.exports_dir})", path=str(out))


def run_export(project: "Project", name: str, out: str | Path, progress: Progress | None = None) -> dict:
    """Export in the format ``name`` of ``EXPORTERS`` to ``out``, once it is known not to be the project's own."""
    project.refuse_if_read_only("export from it (every export is logged in its audit chain)")
    out = Path(out).expanduser()
    if out.is_symlink():  # written through, as editors do: the rename replaced the link with a file
        out = out.resolve()
    check_outside_project(project, out)
    busy = being_propagated(project)
    try:
        result = EXPORTERS[name](project, out, progress=progress)
        if busy:
            result["being_propagated"] = busy
        return result
    except OSError as e:  # a read-only or full disk while writing: what was written is gone again
        raise InputError(f"cannot write the export: {e.strerror or e}", path=str(e.filename or out)) from None


# Export formats by name, as `main.py export --format NAME` and the window's File > Export offer them. Each is
# called as exporter(project, out, progress=None), writes `out` and returns a JSON-able summary (with at least
# "path", and "left_out": {what: count} for records the format cannot hold) after logging the export in the
# audit chain. A target that cannot be written is refused (InputError) before anything is written.
EXPORTERS = {
    "coco": export_coco,
    "eaf": export_eaf,
    "emotion-csv": export_emotion_csv,
    "emotion-dataset": export_emotion_dataset,
}
