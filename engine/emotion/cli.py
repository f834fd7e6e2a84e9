"""The command line of emotion labelling: ``emotion import|label|report|score|rate``. ``main.py`` registers
these with ``add_commands``.
"""
from __future__ import annotations

import argparse

from engine.cli_support import media_or_error, open_project, print_result


def cmd_emotion_import(args) -> int:
    from engine.emotion.importing import import_emotion_csv

    with open_project(args.dir) as project:
        r = import_emotion_csv(project, args.csv)
    print_result(args, r, f"imported {r['segments']} segments (ER {r['tracks']['er']}, FER {r['tracks']['fer']}) "
                          f"by {', '.join(r['annotators'])}")
    return 0


def _whole_label(project, media, track: str, label: str, annotator: str):
    """(the whole-clip or image label after the change, the label it had before or None)."""
    from annotation.commands import UndoStack
    from annotation.emotion.editing import set_whole_label
    from annotation.emotion.tracks import label_of

    stored = project.segments.for_media(media.id, track, annotator)
    command, before = set_whole_label(media, track, label, annotator, stored)
    if command is not None:
        UndoStack(project.store).push(command)
    if before is None:
        return command.records()[0], None
    return project.segments.get(before.id), label_of(before)


def _time_label(project, media, args, annotator: str):
    from annotation.commands import UndoStack
    from annotation.emotion.editing import check_times, create
    from annotation.errors import InputError

    if args.start is None or args.end is None or not media.is_video:
        raise InputError("give both --start and --end (seconds) on a video, or neither for a whole-clip "
                         "or image label", field="start")
    check_times(args.start, args.end, media.duration, media.fps, names=("--start", "--end"))
    siblings = project.segments.for_media(media.id, args.track, annotator)
    command = UndoStack(project.store).push(create(media.id, args.track, args.start, args.end, args.label,
                                                   media.fps, annotator, siblings, media.duration))
    return command.records()[0]


def cmd_emotion_label(args) -> int:
    from annotation.emotion.labels import known_labels, unknown_label
    from annotation.errors import InputError

    with open_project(args.dir) as project:
        media = project.media.get(args.media_id)
        if media is None:
            raise InputError(f"no media {args.media_id} in the project", field="media")
        taxonomies = [project.labels.taxonomy(n) for n in project.labels.taxonomy_names()]
        known = known_labels([t for t in taxonomies if t])
        if args.label not in known:
            raise InputError(unknown_label(args.label, known), field="label")
        annotator = args.annotator or project.actor
        if args.start is None and args.end is None:
            seg, replaced = _whole_label(project, media, args.track, args.label, annotator)
        else:
            seg, replaced = _time_label(project, media, args, annotator), None
    out = {"id": seg.id, "media": seg.media_id, "track": seg.tier, "start": seg.start, "end": seg.end,
           "annotator": seg.annotator, "values": seg.values, "replaced": replaced}
    change = "" if replaced is None else " (unchanged)" if replaced == args.label else f", replacing {replaced}"
    print_result(args, out, f"{seg.tier.upper()} {seg.values['label']} {seg.start:.3f}-{seg.end:.3f} s "
                            f"({seg.values.get('scope', 'time')}) by {seg.annotator}: segment {seg.id}{change}")
    return 0


def cmd_emotion_report(args) -> int:
    from engine.emotion.report import emotion_report

    with open_project(args.dir, reading=True) as project:
        for media_id in args.media or ():
            media_or_error(project, media_id)
        r = emotion_report(project, args.media)

    def num(v):
        return "n/a" if v is None else f"{v:.3f}"

    text = [f"ER vs FER over {r['seconds_compared']:.2f} s: they differ {num(r['disagreement_share'])} of the time, "
            f"in {num(r['segment_disagreement_share'])} of {r['segments_compared']} ER segments"]
    text += [f"  felt {e:<12} shown as " + ", ".join(f"{f} {s:.2f} s" for f, s in row.items())
             for e, row in r["confusion"].items()]
    text += [f"{t.upper()}: {len(r['annotators'][t])} annotators, kappa ({r['kappa_method'][t] or '-'}) "
             f"{num(r['kappa'][t])}, Krippendorff's alpha {num(r['alpha'][t])}" for t in r["kappa"]]
    ai = r["alpha_interval"]
    text.append(f"valence/arousal ratings: alpha {num(ai['valence'])} / {num(ai['arousal'])} "
                f"({len(ai['raters'])} raters)")
    print_result(args, r, "\n".join(text))
    return 0


def _label_source(text: str) -> tuple[str, str | None]:
    track, _, annotator = text.partition(":")
    if track not in ("er", "fer"):
        raise argparse.ArgumentTypeError(f"expected er or fer, optionally :ANNOTATOR, got {text!r}")
    return track, annotator or None


def cmd_emotion_score(args) -> int:
    from annotation.errors import InputError
    from engine.emotion.recognition import score_frames

    with open_project(args.dir, reading=True) as project:
        r = score_frames(project, args.reference, args.source)
    if not r["units"]:
        raise InputError("no frame has a label from both the reference and the source, so there is nothing to "
                         "score", field="source")
    print_result(args, r, f"WAR {r['war']:.3f}, UAR {r['uar']:.3f} over {r['units']} frames; recall: "
                          + ", ".join(f"{c} {v:.3f}" for c, v in r["recall"].items()))
    return 0


def cmd_emotion_rate(args) -> int:
    from engine.emotion.importing import import_rating_csv

    with open_project(args.dir) as project:
        r = import_rating_csv(project, args.media_id, args.csv, args.annotator)
    print_result(args, r, f"stored the valence/arousal rating of {r['annotator']} on {r['frames']} frames "
                          f"(series {r['rating_id']})")
    return 0


def add_commands(sub) -> None:
    emo = sub.add_parser("emotion", help="ER and FER labels: import, label, report, score, rate")
    esub = emo.add_subparsers(dest="emotion_command", metavar="COMMAND", required=True)
    c = esub.add_parser("import", help="import segments from a CSV (media, start, end, track, label, annotator)")
    c.add_argument("dir")
    c.add_argument("csv")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_emotion_import)

    c = esub.add_parser("label", help="add one segment, a whole-clip label (no times) or an image label")
    c.add_argument("dir")
    c.add_argument("media_id", type=int)
    c.add_argument("--track", choices=("er", "fer"), required=True)
    c.add_argument("--label", required=True)
    c.add_argument("--start", type=float)
    c.add_argument("--end", type=float)
    c.add_argument("--annotator")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_emotion_label)

    c = esub.add_parser("report", help="the ER-versus-FER gap and agreement between annotators")
    c.add_argument("dir")
    c.add_argument("--media", type=int, action="append", help="only these media (repeatable)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_emotion_report)

    c = esub.add_parser("score", help="WAR and UAR of one label source against a reference, over frames")
    c.add_argument("dir")
    c.add_argument("--reference", type=_label_source, required=True, metavar="TRACK[:ANNOTATOR]")
    c.add_argument("--source", type=_label_source, required=True, metavar="TRACK[:ANNOTATOR]")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_emotion_score)

    c = esub.add_parser("rate", help="store a continuous valence/arousal rating from a CSV (t, valence, arousal)")
    c.add_argument("dir")
    c.add_argument("media_id", type=int)
    c.add_argument("csv")
    c.add_argument("--annotator")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_emotion_rate)

