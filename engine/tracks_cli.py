"""``facelens tracks list DIR``, ``tracks delete DIR TRACK_ID`` and ``tracks relabel DIR TRACK_ID LABEL``: a video's
tracks, deleting one with its annotations on every frame (as the window's Objects and tracks panel does; the audit
log keeps it), and relabelling an object on every frame (as a label key on one of its masks does in the window)."""
from __future__ import annotations

from annotation.errors import InputError
from annotation.words import counted
from engine.cli_support import open_project, print_result
from storage.video_locks import check_free


def _all_tracks(project) -> list:
    return [t for m in project.media.all() if m.is_video for t in project.tracks.for_media(m.id)]


def _given_name(row: dict) -> str:
    return "" if row["name"] == f"object {row['id']}" else row["name"]


def cmd_tracks_list(args) -> int:
    with open_project(args.dir, reading=True) as project:
        labels = {label.id: label.name for label in project.labels.all()}
        rows = []
        for t in _all_tracks(project):
            count, frames = project.tracks.usage(t.id)
            rows.append({"id": t.id, "media": t.media_id, "label": labels.get(t.label_id), "name": t.name,
                         "annotations": count, "frames": frames})
    # "track N" as the window and every message name it; a name only where someone gave one ("object N" is the
    # default every track gets), and last, where a long one pushes no column out of line.
    text = [f"track {r['id']:<5} media {r['media']:<4} {r['label'] or 'unlabelled':<14} "
            f"{counted(r['annotations'], 'annotation') + ' on ' + counted(r['frames'], 'frame'):<32} {_given_name(r)}"
            .rstrip() for r in rows] or ["no tracks in this project"]
    print_result(args, {"tracks": rows}, "\n".join(text))
    return 0


def _track(project, track_id: int, doing: str):
    """The track, once its video is not being propagated (by the window or `track`), which would go on storing
    masks for it (with its old label, or for a track that is gone)."""
    track = project.tracks.get(track_id)
    if track is None:
        ids = [t.id for t in _all_tracks(project)]
        raise InputError(f"no track {track_id} in this project (its tracks: "
                         f"{', '.join(map(str, ids)) if ids else 'none'})", path=str(project.root), field="track")
    check_free(project, project.media.get(track.media_id), doing)
    return track


def cmd_tracks_delete(args) -> int:
    with open_project(args.dir) as project:
        track = _track(project, args.track_id, "delete a track of it")
        gone = project.tracks.delete_with_annotations(track)
    frames = len({a.frame for a in gone})
    print_result(args, {"track": track.id, "media": track.media_id, "annotations": [a.id for a in gone],
                        "frames": frames},
                 f"deleted track {track.id} of media {track.media_id} with its {counted(len(gone), 'annotation')} on "
                 f"{counted(frames, 'frame')}")
    return 0


def cmd_tracks_relabel(args) -> int:
    with open_project(args.dir) as project:
        label = project.labels.by_name(args.label)
        if label is None:
            names = sorted({x.name for x in project.labels.all()})
            raise InputError(f"no label {args.label!r} in this project (its labels: {', '.join(names)}; add one with "
                             f"`labels add`)", path=str(project.root), field="label")
        track = _track(project, args.track_id, "relabel a track of it")
        before, changed = project.tracks.relabel(track.id, label.id)
        old = next((x.name for x in project.labels.all() if x.id == before), None)
    print_result(args, {"track": track.id, "media": track.media_id, "label": label.name, "before": old,
                        "annotations": sorted(changed)},
                 f"track {track.id} of media {track.media_id} is labelled {label.name} now"
                 f"{f' (was {old})' if old else ''}: {counted(len(changed), 'annotation')} relabelled")
    return 0


def add_commands(sub) -> None:
    tracks = sub.add_parser("tracks", help="the tracks of the project's videos; relabel or delete one (every frame)")
    tsub = tracks.add_subparsers(dest="tracks_command", metavar="TRACKS_COMMAND", required=True)
    c = tsub.add_parser("list", help="every track: its video, label, name and how many annotations on how many frames")
    c.add_argument("dir")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_tracks_list)
    c = tsub.add_parser("delete", help="delete a track with its annotations on every frame (prompts, masks, edits)")
    c.add_argument("dir")
    c.add_argument("track_id", type=int, metavar="TRACK_ID")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_tracks_delete)
    c = tsub.add_parser("relabel", help="label an object on every frame: its track and every annotation on it")
    c.add_argument("dir")
    c.add_argument("track_id", type=int, metavar="TRACK_ID")
    c.add_argument("label", metavar="LABEL", help="a label of the project, by name (see `labels`)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_tracks_relabel)
