"""The command line of eye tracking: ``gaze import|fixations|list|remove|stats`` and ``eyes`` (eye measures from the
face video). ``main.py`` registers these with ``add_commands``.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile

from annotation.words import counted
from engine.cli_support import open_project, print_result


def _sync_pair(text: str) -> tuple[float, float]:
    try:
        g, v = text.split(":")
        return float(g), float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected GAZE_SECONDS:VIDEO_SECONDS, got {text!r}") from None


def cmd_gaze_import(args) -> int:
    from engine.gaze.importing import aligned_by, coordinates_note, import_gaze, same_file_note

    with open_project(args.dir) as project:
        r = import_gaze(project, args.media_id, args.file, args.format, args.offset, args.drift, args.sync,
                        args.min_confidence, args.coordinates, args.fixations)
    if same_file_note(r):
        print(f"note: {same_file_note(r)}", file=sys.stderr)
    drift = f", drift {r['drift']:.3g}" if r["drift"] else ""
    outside = f"; {r['outside_video']} samples fall outside the video" if r["outside_video"] else ""
    sign = "-" if r["offset"] < 0 else "+"
    print_result(args, r, f"imported {r['samples']} gaze samples as recording {r['recording_id']} "
                          f"({r['dropped']} dropped, {r['duration']:.3f} s; video time = gaze time {sign} "
                          f"{abs(r['offset']):.6g} s{drift}, {aligned_by(r['alignment'])}; "
                          f"{coordinates_note(r)}){outside}")
    return 0


def _check_geometry(args) -> None:
    """Degrees need both halves of the viewing geometry; one alone would be taken as 0 mm."""
    from annotation.errors import InputError

    options = {"--display-width-mm": args.display_width_mm, "--distance-mm": args.distance_mm}
    given = [name for name, value in options.items() if value is not None]
    if len(given) == 1:
        missing = next(name for name in options if name not in given)
        raise InputError(f"{given[0]} needs {missing} too: thresholds in degrees need both how wide the video was "
                         f"shown and how far the viewer sat", field=missing)


def cmd_gaze_fixations(args) -> int:
    from engine.gaze.jobs import detect_for_recording

    _check_geometry(args)
    overrides = {"velocity_threshold_px": args.velocity, "dispersion_px": args.dispersion,
                 "min_fixation": args.min_duration / 1000 if args.min_duration is not None else None,
                 "min_confidence": args.min_confidence}
    with open_project(args.dir) as project:
        set_id, ev = detect_for_recording(project, args.recording_id, args.method, args.display_width_mm,
                                          args.distance_mm, **overrides)
    out = {"fixations": [{"start": round(f.start, 6), "end": round(f.end, 6), "x": round(f.x, 3),
                          "y": round(f.y, 3)} for f in ev.fixations],
           "saccades": len(ev.saccades), "blinks": len(ev.blinks), "params": ev.params, "event_set": set_id}
    mean = sum(f.duration for f in ev.fixations) / len(ev.fixations) if ev.fixations else 0.0
    print_result(args, out, f"{args.method.upper()}: {counted(len(ev.fixations), 'fixation')} (mean {mean * 1000:.0f} "
                            f"ms), {counted(len(ev.saccades), 'saccade')}, {counted(len(ev.blinks), 'blink')}; stored as "
                            f"event set {set_id}")
    return 0


def cmd_gaze_list(args) -> int:
    with open_project(args.dir, reading=True) as project:
        rows = [{"recording_id": s.id, "media": s.media_id, "name": s.name, "samples": s.samples,
                 "params": s.params, "event_sets": [{"id": e.id, "method": e.method, **e.counts}
                                                    for e in project.eye_events.sets(s.id)]}
                for s in project.series.all("gaze")]
    text = [f"{r['recording_id']:>4} media {r['media']}  {r['samples']} samples  {r['name']}  "
            f"offset {r['params'].get('offset', 0):g} s  event sets: "
            f"{', '.join(str(e['id']) + ' ' + e['method'] for e in r['event_sets']) or 'none'}" for r in rows]
    print_result(args, {"recordings": rows}, "\n".join(text) or "no gaze recordings; import one with: gaze import")
    return 0


def cmd_gaze_remove(args) -> int:
    from engine.gaze.importing import remove_recording

    with open_project(args.dir) as project:
        r = remove_recording(project, args.recording_id)
    print_result(args, r, f"removed gaze recording {r['recording_id']} ({r['name']}, {r['samples']} samples, "
                          f"{counted(r['event_sets'], 'event set')}) from media {r['media']}")
    return 0


def cmd_gaze_stats(args) -> int:
    from annotation.emotion.tracks import TRACKS
    from annotation.errors import InputError
    from engine.gaze.importing import load_gaze
    from engine.gaze.stats import gaze_statistics

    with open_project(args.dir) as project:
        info, samples = load_gaze(project, args.recording_id)
        sets = project.eye_events.sets(info.id)
        # the chosen detection, else the latest FaceLens detection, else the tracker's own fixations
        chosen = [e for e in sets if e.id == args.event_set] if args.event_set else \
            ([e for e in sets if e.method != "tracker"] or sets)[-1:]
        if not chosen:
            raise InputError(f"recording {info.id} has no event set {args.event_set}" if args.event_set else
                             f"recording {info.id} has no fixations yet; run: gaze fixations DIR {info.id}")
        events = project.eye_events.load(chosen[0].id)
        segments = [s for s in project.segments.for_media(info.media_id) if s.tier in TRACKS]
        stats = gaze_statistics(samples, events, segments)
    stats["event_set"] = chosen[0].id

    def num(v, scale=1.0, fmt="{:.0f}"):
        return "-" if v is None else fmt.format(v * scale)

    text = [f"{t.upper():<4} {label:<14} {v['seconds']:8.2f} s  {v['fixations']:4} fixations "
            f"(mean {num(v['fixation_duration_mean'], 1000)} ms)  saccades {num(v['saccade_amplitude_mean'])} px  "
            f"pupil {num(v['pupil_mean'], fmt='{:.2f}')}  blinks {num(v['blink_rate_per_min'], fmt='{:.1f}')}/min"
            for t, labels in stats["emotions"].items() for label, v in labels.items()]
    print_result(args, stats, "\n".join(text) or "no ER or FER segments on this video to compare")
    return 0


@contextlib.contextmanager
def _native_logs_quiet():
    """mediapipe's C++ (TensorFlow Lite, absl) writes INFO and warning lines straight to the stderr file
    descriptor; the command prints its one line, so they go to a scratch file while the face mesh runs."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr to hide
        yield
        return
    sys.stderr.flush()
    with tempfile.TemporaryFile() as scratch:
        os.dup2(scratch.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def cmd_eyes(args) -> int:
    from engine.gaze.face_eyes_job import measure_eyes_job
    from engine.worker import Engine

    with open_project(args.dir) as project:
        job = measure_eyes_job(project, args.media_id)
        engine = Engine()
        try:
            with _native_logs_quiet():
                result = engine.run(job, "measure eyes")
        finally:
            engine.stop()
    if not result.ok:
        print(f"facelens: error: {result.error or 'cancelled'}", file=sys.stderr)
        return 2
    r = result.value
    print_result(args, r, f"measured {r['frames']} frames ({r['face_frames']} with a face) as series {r['series_id']}: "
                          f"{counted(len(r['blinks']), 'blink')}, {r['blink_rate_per_min']} per minute, mean duration "
                          f"{r['mean_blink_duration']} s")
    return 0


def add_commands(sub) -> None:
    from annotation.gaze.formats import GAZE_FORMATS
    from engine.gaze.detect import METHODS

    gaze = sub.add_parser("gaze", help="eye-tracking recordings: import, fixations, statistics")
    gsub = gaze.add_subparsers(dest="gaze_command", metavar="COMMAND", required=True)
    c = gsub.add_parser("import", help="import a gaze file onto a video (video time = gaze time + offset)")
    c.add_argument("dir")
    c.add_argument("media_id", type=int)
    c.add_argument("file")
    c.add_argument("--format", choices=sorted(GAZE_FORMATS), help="default: recognised from the header")
    c.add_argument("--offset", type=float, help="seconds added to gaze time (default: from the file, else 0)")
    c.add_argument("--drift", type=float, help="extra video seconds per gaze second (clock drift)")
    c.add_argument("--sync", type=_sync_pair, action="append", metavar="GAZE_S:VIDEO_S",
                   help="a sync event seen on both clocks; one gives the offset, two or more also the drift")
    c.add_argument("--min-confidence", type=float, default=0.6, help="drop samples below this (default 0.6)")
    c.add_argument("--coordinates", choices=("auto", "px", "norm"), default="auto",
                   help="generic CSV: pixels or normalised (origin top left)")
    c.add_argument("--fixations", help="Pupil Player fixations.csv to import with the gaze")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_gaze_import)

    c = gsub.add_parser("fixations", help="detect fixations, saccades and blinks, and store them")
    c.add_argument("dir")
    c.add_argument("recording_id", type=int)
    c.add_argument("--method", choices=sorted(METHODS), default="idt")
    c.add_argument("--velocity", type=float, help="I-VT threshold in px/s (default 1000, or 30°/s with geometry)")
    c.add_argument("--dispersion", type=float, help="I-DT threshold in px (default 25, or 1° with geometry)")
    c.add_argument("--min-duration", type=float, help="shortest fixation in ms (default 100 I-DT, 60 I-VT)")
    c.add_argument("--min-confidence", type=float)
    c.add_argument("--display-width-mm", type=float, help="how wide the video was shown on the screen")
    c.add_argument("--distance-mm", type=float, help="viewing distance")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_gaze_fixations)

    c = gsub.add_parser("list", help="the gaze recordings of a project and their event sets")
    c.add_argument("dir")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_gaze_list)

    c = gsub.add_parser("remove", help="remove a gaze recording and its fixations (to import it again, say)")
    c.add_argument("dir")
    c.add_argument("recording_id", type=int)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_gaze_remove)

    c = gsub.add_parser("stats", help="gaze statistics per ER/FER segment and per emotion")
    c.add_argument("dir")
    c.add_argument("recording_id", type=int)
    c.add_argument("--event-set", type=int, help="which detection (default: the latest)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_gaze_stats)

    c = sub.add_parser("eyes", help="measure eye openness, blinks and iris position from the face video")
    c.add_argument("dir")
    c.add_argument("media_id", type=int)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_eyes)
