"""Importing an eye-tracker file onto a video: parse, align to video time, store as one gaze recording.

The whole file is read and checked before anything is written, and the recording (with the tracker's own
fixations, when the file has them) is stored in one transaction, so a bad file leaves the project unchanged.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from annotation.errors import InputError
from annotation.gaze.formats import FORMAT_TITLES, GAZE_FORMATS, detect_format, known_format
from annotation.gaze.pupil import parse_pupil_fixations
from annotation.gaze.recording import GAZE_CHANNELS, Alignment, GazeSamples

if TYPE_CHECKING:
    from storage.project import Project
    from storage.series_repo import SeriesInfo


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def choose_alignment(implied: Alignment | None, offset: float | None = None, drift: float | None = None,
                     sync: list[tuple[float, float]] | None = None) -> Alignment:
    """The alignment from ``offset`` (and ``drift``) given by hand, else ``sync`` events (gaze time, video
    time), else what the file implies (``implied``: Pupil's ``world_index``), else none. An option the chosen
    way would leave unused is refused, never dropped: the user meant something by it."""
    if offset is not None:
        if sync:
            raise InputError("would be ignored: --offset aligns by hand; give --offset (and --drift) or --sync",
                             field="--sync")
        return Alignment(float(offset), float(drift or 0.0), "manual")
    if sync:
        if drift is not None and len(sync) > 1:
            raise InputError("would be ignored: two or more --sync events measure the drift themselves; leave "
                             "--drift out, or give one --sync with it", field="--drift")
        if drift is not None:  # one event gives the offset at the drift given
            (g, v), = sync
            return Alignment(float(v - (1.0 + drift) * g), float(drift), "sync events")
        return Alignment.from_sync(sync)
    if implied is not None:
        if drift:
            raise InputError(f"would be ignored: this file is aligned by its {implied.source} (the video frame of "
                             f"each sample), which leaves no clock drift; give --offset with --drift to align it by "
                             f"hand", field="--drift")
        return implied
    return Alignment(0.0, float(drift), "manual") if drift else Alignment(0.0, 0.0, "none")


_ALIGNED_BY = {"manual": "by hand", "sync events": "by the sync events", "world_index": "by the file's world_index",
               "none": "with no offset"}


def aligned_by(source: str) -> str:
    """How a recording was lined up with the video, in words ("aligned by the sync events")."""
    return f"aligned {_ALIGNED_BY.get(source, source)}"


def _refuse_outside(samples: GazeSamples, media, alignment: Alignment, path: Path) -> None:
    """Samples that all miss the video come from a wrong offset (or the wrong video): nothing to store."""
    if not media.duration or not len(samples):
        return
    if ((samples.t >= 0) & (samples.t <= media.duration)).any():
        return
    raise InputError(f"no sample falls on the video: {aligned_by(alignment.source)} (offset {alignment.offset:.6g} s) they span "
                     f"{samples.t[0]:.3f} to {samples.t[-1]:.3f} s of video time, and the video runs from 0 to "
                     f"{media.duration:g} s; check --offset or --sync", path=str(path), field="--offset")


def import_gaze(project: "Project", media_id: int, path: str | Path, fmt: str | None = None,
                offset: float | None = None, drift: float | None = None,
                sync: list[tuple[float, float]] | None = None, min_confidence: float = 0.6,
                coordinates: str = "auto", fixations: str | Path | None = None) -> dict:
    """Parse, align (``choose_alignment``) and store; refused when no sample falls on the video."""
    path = Path(path)
    media = project.media.get(media_id)
    if media is None:
        raise InputError(f"no media {media_id} in the project", field="media")
    if not media.is_video:
        raise InputError(f"media {media_id} is an image; gaze is imported onto a video, on its time line",
                         field="media")
    if not path.is_file():
        raise InputError("no such file", path=str(path))
    if fmt is not None and fmt not in GAZE_FORMATS:
        raise InputError(f"expected one of {', '.join(GAZE_FORMATS)}, got {fmt!r}", field="format")
    detected = known_format(path)
    if fmt is not None and detected is not None and detected != fmt:
        raise InputError(f"this is a {FORMAT_TITLES[detected]}, not a {FORMAT_TITLES[fmt]}: use --format "
                         f"{detected}, or leave --format out", path=str(path), line=1, field="format")
    fmt = fmt or detect_format(path)
    parsed = GAZE_FORMATS[fmt](path, media, min_confidence=min_confidence, coordinates=coordinates)
    alignment = choose_alignment(parsed.alignment, offset, drift, sync)
    samples: GazeSamples = parsed.samples.aligned(alignment)
    _refuse_outside(samples, media, alignment, path)
    event_sets = []
    if parsed.events is not None and parsed.events.fixations:
        event_sets.append(parsed.events.shifted(alignment.to_video))
    if fixations is not None:
        event_sets.append(parse_pupil_fixations(fixations, media).shifted(alignment.to_video))
    outside = 0
    if media.duration:
        outside = int(((samples.t < 0) | (samples.t > media.duration)).sum())
    params = {**parsed.params, **alignment.to_dict(), "dropped": parsed.dropped, "width": media.width,
              "height": media.height, "outside_video": outside}
    digest = _sha256(path)
    # The same file again is allowed (to try another alignment, say), but said: it is easy to do by mistake.
    same_file = [s.id for s in project.series.all("gaze") if s.media_id == media_id and s.source_sha256 == digest]
    info: SeriesInfo = project.series.add(media_id, "gaze", GAZE_CHANNELS, samples.to_array(), name=path.name,
                                          source=str(path.resolve()), source_sha256=digest, params=params,
                                          event_sets=event_sets, action="import gaze")
    return {"recording_id": info.id, "samples": len(samples), "dropped": parsed.dropped,
            "duration": round(samples.duration, 6), "format": fmt, "offset": alignment.offset,
            "drift": alignment.drift, "alignment": alignment.source, "outside_video": outside,
            "coordinates": parsed.params.get("coordinates"),
            "coordinates_guessed": bool(parsed.params.get("coordinates_guessed")),
            "tracker_fixations": sum(len(e.fixations) for e in event_sets), "same_file_as": same_file}


_COORDINATE_WORDS = {"px": "pixels", "norm": "normalised (origin top left)"}


def coordinates_note(result: dict, cli_hint: bool = True) -> str:
    """Which coordinates the file's x and y were taken as, and (on the CLI) how to say otherwise when that was
    a guess."""
    said = result.get("coordinates") or "pixels"
    words = _COORDINATE_WORDS.get(said, said)
    if not result.get("coordinates_guessed"):
        return f"coordinates {words}"
    other = "px" if said == "norm" else "norm"
    return f"coordinates {words}, guessed from the values" + (f" (--coordinates {other} if they are not)"
                                                              if cli_hint else "")


def same_file_note(result: dict) -> str:
    """What to tell the user when the file was imported onto this video before ("" when it was not)."""
    earlier = result.get("same_file_as") or []
    if not earlier:
        return ""
    return f"this file was already imported onto this video, as recording {', '.join(map(str, earlier))}"


def load_gaze(project: "Project", recording_id: int) -> tuple["SeriesInfo", GazeSamples]:
    info = project.series.get(recording_id)
    if info is None or info.kind != "gaze":
        known = [s.id for s in project.series.all("gaze")]
        raise InputError(f"no gaze recording {recording_id} in the project (recordings: "
                         f"{', '.join(map(str, known)) or 'none; import one with: gaze import'})", field="recording")
    data = project.series.load(recording_id)
    return info, GazeSamples.from_array(data, info.channels)


def remove_recording(project: "Project", recording_id: int) -> dict:
    """Remove a gaze recording and the fixations found in it (say, one imported with the wrong alignment, to
    import again); the removal is in the audit log. What is left is the file it came from."""
    info, _ = load_gaze(project, recording_id)  # (checks that it is a gaze recording)
    event_sets = len(project.eye_events.sets(recording_id))
    project.series.delete(recording_id)
    return {"recording_id": recording_id, "media": info.media_id, "name": info.name, "samples": info.samples,
            "event_sets": event_sets, "source": info.source}


def gaze_at(samples: GazeSamples, t: float, trail: float = 0.0) -> np.ndarray:
    """Rows (t, x, y) from ``t - trail`` to ``t``: the current gaze point last, for an overlay's trail."""
    i, j = np.searchsorted(samples.t, [t - trail, t], side="right")
    i = max(0, min(i, j - 1))
    return np.column_stack([samples.t[i:j], samples.x[i:j], samples.y[i:j]])
