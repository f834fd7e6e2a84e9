"""``facelens tracks list DIR`` and ``facelens tracks delete DIR TRACK_ID``: a video's tracks, and deleting one
with its annotations on every frame (as the window's Objects and tracks panel does; the audit log keeps it)."""
from __future__ import annotations

from annotation.errors import InputError
from annotation.words import counted
from engine.cli_support import open_project, print_result


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


def cmd_tracks_delete(args) -> int:
    with open_project(args.dir) as project:
        track = project.tracks.get(args.track_id)
        if track is None:
            ids = [t.id for t in _all_tracks(project)]
            raise InputError(f"no track {args.track_id} in this project (its tracks: "
                             f"{', '.join(map(str, ids)) if ids else 'none'})", path=str(project.root),
                             field="track")
        gone = project.tracks.delete_with_annotations(track)
    frames = len({a.frame for a in gone})
    print_result(args, {"track": track.id, "media": track.media_id, "annotations": [a.id for a in gone],
                        "frames": frames},
                 f"deleted track {track.id} of media {track.media_id} with its {counted(len(gone), 'annotation')} on "
                 f"{counted(frames, 'frame')}")
    return 0


def add_commands(sub) -> None:
    tracks = sub.add_parser("tracks", help="the tracks of the project's videos; delete one with its annotations")
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
