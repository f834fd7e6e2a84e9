"""FaceLens: with no arguments, open the window; with a subcommand, do the same work without one.

Run ``python main.py --help`` for the commands. Errors print one line naming what is wrong and exit non-zero.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from annotation.errors import FaceLensError


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, not a usage dump
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


def _open(path):
    from storage.project import Project

    return Project.open(path)


def _print(args, data: dict, text: str) -> None:
    print(json.dumps(data, indent=None if args.json else 2) if args.json else text)


# --- project commands ----------------------------------------------------------------------------------------
def cmd_gui(args) -> int:
    from gui.app import run

    return run(Path(args.project) if getattr(args, "project", None) else None)


def cmd_demo(args) -> int:
    from storage.demo import build_demo
    from storage.locations import default_demo_dir
    from storage.project import DB_NAME

    root = Path(args.dir) if args.dir else default_demo_dir()
    if (root / DB_NAME).exists():
        print(f"{root} already holds a project; using it")
    else:
        build_demo(root).close()
        print(f"demo project built in {root}")
    if args.no_gui:
        return 0
    from gui.app import run

    return run(root)


def cmd_new(args) -> int:
    from storage.project import Project

    Project.create(args.dir).close()
    print(f"new project in {Path(args.dir).resolve()}")
    return 0


def cmd_import(args) -> int:
    from storage.media.importer import import_paths

    with _open(args.dir) as project:
        report = import_paths(project, args.paths, copy=args.copy)
    lines = [report.summary()]
    lines += [f"  skipped {p}: {r}" for p, r in report.skipped]
    lines += [f"  already in the project as media {i}: {p}" for p, i in report.duplicates]
    _print(args, report.to_json(), "\n".join(lines))
    return 1 if report.skipped else 0


def cmd_info(args) -> int:
    from storage.summary import project_summary

    with _open(args.dir) as project:
        info = project_summary(project)
    text = [f"schema {info['schema_version']}: {len(info['media'])} media, {info['annotations']} annotations, "
            f"{info['tracks']} tracks, {info['segments']} segments"]
    text += [f"  {m['id']:>4} {m['kind']:<5} {m['width']}x{m['height']} "
             f"{m['frames']} frames  {m['path']}" for m in info["media"]]
    _print(args, info, "\n".join(text))
    return 0


def cmd_verify(args) -> int:
    from storage.verify import verify_project

    with _open(args.dir) as project:
        problems = verify_project(project)
        entries = len(project.audit.entries())
        media = project.media.count()
    for p in problems:
        print(p)
    if problems:
        print(f"verify: {len(problems)} problem(s) found", file=sys.stderr)
        return 1
    print(f"verify: ok (database intact, {media} media files unchanged, audit chain of {entries} entries holds)")
    return 0


def cmd_export(args) -> int:
    from storage.export import EXPORTERS

    with _open(args.dir) as project:
        result = EXPORTERS[args.format](project, args.out)
    counts = ", ".join(f"{v} {k}" for k, v in result.items() if isinstance(v, int))
    print(f"wrote {result['path']} ({args.format}{': ' + counts if counts else ''})")
    if result.get("left_out"):
        print(f"left out (no {args.format} form): {result['left_out']}")
    return 0


def cmd_proxy(args) -> int:
    import time

    from storage.media.proxy import PROXY_GOP, build_proxy

    gop = PROXY_GOP if args.gop is None else args.gop
    with _open(args.dir) as project:
        item = project.media.get(args.media_id)
        if item is None:
            ids = ", ".join(str(m.id) for m in project.media.all()) or "none"
            raise FaceLensError(f"{project.root}: no media {args.media_id} in this project (it has {ids})")
        t0 = time.perf_counter()
        path = build_proxy(project, item, gop=gop)
        seconds = time.perf_counter() - t0
        stored = project.stored_path(path)
    info = {"media": item.id, "path": stored, "frames": item.frame_count, "gop": gop,
            "bytes": path.stat().st_size, "seconds": round(seconds, 2)}
    _print(args, info, f"fast-seek proxy of media {item.id} ({item.name}): {stored}, {item.frame_count} frames, "
                       f"a keyframe every {gop} frames, {info['bytes'] / 1e6:.1f} MB in {seconds:.1f} s")
    return 0


def _add_project_commands(sub) -> None:
    from storage.export import EXPORTERS

    c = sub.add_parser("open", help="open the window on a project")
    c.add_argument("project")
    c.set_defaults(func=cmd_gui)

    c = sub.add_parser("demo", help="build the demo project (photo and video) and open it")
    c.add_argument("dir", nargs="?", help="where to build it (default: the per-user demo project)")
    c.add_argument("--no-gui", action="store_true", help="build it without opening the window")
    c.set_defaults(func=cmd_demo)

    c = sub.add_parser("new", help="create an empty project")
    c.add_argument("dir")
    c.set_defaults(func=cmd_new)

    c = sub.add_parser("import", help="import images and videos (files or folders, recursively)")
    c.add_argument("dir")
    c.add_argument("paths", nargs="+", metavar="PATH")
    c.add_argument("--copy", action="store_true", help="copy the files into the project's media/ folder")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_import)

    c = sub.add_parser("info", help="what a project holds")
    c.add_argument("dir")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_info)

    c = sub.add_parser("verify", help="check the database, every media file's SHA-256 and the audit chain")
    c.add_argument("dir")
    c.set_defaults(func=cmd_verify)

    c = sub.add_parser("export", help="export annotations")
    c.add_argument("dir")
    c.add_argument("--format", required=True, choices=sorted(EXPORTERS))
    c.add_argument("--out", required=True)
    c.set_defaults(func=cmd_export)

    c = sub.add_parser("proxy", help="build a video's fast-seek proxy (short GOP, in cache/) used for display")
    c.add_argument("dir")
    c.add_argument("media_id", type=int, metavar="MEDIA_ID")
    c.add_argument("--gop", type=int, help="frames from one keyframe to the next (default 8; 1: all-intra)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_proxy)


# --- segmentation (SAM 2) commands: segment, track --------------------------------------------------------------
def _numbers(text: str, count: tuple[int, ...], what: str, form: str) -> list[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) not in count:
        raise FaceLensError(f"--{what} {text!r}: expected {form}")
    return values


def _segmenter(args):
    from engine.segmentation.segmenters import choose_segmenter

    if args.checkpoint and args.weights:
        raise FaceLensError("give either --checkpoint PATH or --weights random, not both")
    seed = args.seed if args.weights == "random" else None
    return choose_segmenter(args.model, args.checkpoint, seed, args.device)


def _media(project, media_id: int):
    item = project.media.get(media_id)
    if item is None:
        ids = [m.id for m in project.media.all()]
        raise FaceLensError(f"{project.root}: no media {media_id} in this project"
                            f" (it has {', '.join(map(str, ids)) if ids else 'none'})")
    return item


def _wait(handle) -> object:
    """The job's value; a job's error as one line; Ctrl-C cancels the job (what it finished stays)."""
    try:
        result = handle.result()
    except KeyboardInterrupt:
        handle.cancel()
        handle.result()
        raise
    if result.error:
        raise FaceLensError(result.error)
    return result.value


def cmd_segment(args) -> int:
    from engine.segmentation.prompt import Prompt
    from engine.segmentation.service import Segmentation
    from engine.worker import Engine

    points = [_numbers(p, (2, 3), "point", "X,Y or X,Y,1 (positive) or X,Y,0 (negative)") for p in args.point]
    if any(len(p) == 3 and p[2] not in (0, 1) for p in points):
        raise FaceLensError("--point: the third number is the label, 1 (positive) or 0 (negative)")
    box = _numbers(args.box, (4,), "box", "X0,Y0,X1,Y1") if args.box else None
    prompt = Prompt(tuple((p[0], p[1]) for p in points), tuple(int(p[2]) if len(p) == 3 else 1 for p in points),
                    tuple(box) if box else None)
    with _open(args.dir) as project:
        item = _media(project, args.media_id)
        if args.frame is not None and not item.is_video:
            raise FaceLensError(f"{item.path}: media {item.id} is an image; --frame applies to videos only")
        if args.track is not None and not item.is_video:
            raise FaceLensError(f"{item.path}: media {item.id} is an image; --track applies to videos only")
        if item.is_video and not 0 <= (args.frame or 0) < (item.frame_count or 0):
            raise FaceLensError(f"{item.path}: frame {args.frame} is outside the video (0..{item.frame_count - 1})")
        prompt.validate(item.width, item.height, where=item.path)
        label = project.labels.by_name(args.label) if args.label else None
        if args.label and label is None:
            raise FaceLensError(f"no label {args.label!r} in this project "
                                f"(it has {', '.join(l.name for l in project.labels.all())})")
        active = _segmenter(args)
        if active.kind != "sam2":
            print(f"facelens: {active.status()['note']}; segmenting with GrabCut", file=sys.stderr)
        engine = Engine()
        try:
            service = Segmentation(engine, project, active)
            done = _wait(service.segment(item, args.frame, prompt, args.track, label.id if label else None))
        finally:
            engine.stop()
    a = done.annotation
    data = {"annotation_id": a.id, "track_id": done.track_id, "area": int(a.shape.area()), "score": a.score,
            "rle": a.shape.to_geometry(), "segmenter": active.status()}
    where = f" frame {a.frame}," if a.frame is not None else ""
    _print(args, data, f"stored mask annotation {a.id} on media {item.id}{where} track {done.track_id}, "
                       f"{int(a.shape.area())} px, score {a.score} ({active.segmenter.describe()})")
    return 0


def _frame_range(text: str | None, count: int) -> tuple[int, int]:
    if not text:
        return 0, count - 1
    try:
        a, b = text.split(":")
        first, stop = int(a) if a else 0, int(b) if b else count
    except ValueError:
        raise FaceLensError(f"--frames {text!r}: expected A:B (frames A to B-1; A or B may be left out)") from None
    if not 0 <= first < stop <= count:
        raise FaceLensError(f"--frames {text!r}: the video has frames 0..{count - 1}; expected 0 <= A < B <= {count}")
    return first, stop - 1


def cmd_track(args) -> int:
    from engine.segmentation.service import Segmentation
    from engine.worker import Engine

    with _open(args.dir) as project:
        item = _media(project, args.media_id)
        if not item.is_video:
            raise FaceLensError(f"{item.path}: media {item.id} is an image; track follows objects through a video")
        first, last = _frame_range(args.frames, item.frame_count or 0)
        active = _segmenter(args)
        engine = Engine()
        try:
            service = Segmentation(engine, project, active, offload_state=args.offload_state)
            show = sys.stderr.isatty() and not args.json
            progress = (lambda job, done, total, msg: print(f"\rtracking: {done}/{total} {msg}   ", end="",
                                                             file=sys.stderr, flush=True)) if show else None
            out = _wait(service.propagate(item, first, last, args.from_frame, on_progress=progress))
            if show:
                print(file=sys.stderr)
        finally:
            engine.stop()
    data = {"frames": {str(f): ids for f, ids in sorted(out.frames.items())}, "annotations": out.annotations,
            "segmenter": active.status()}
    tracks = sorted({t for ids in out.frames.values() for t in ids})
    _print(args, data, f"tracked {len(tracks)} object(s) (tracks {', '.join(map(str, tracks)) or 'none'}) over "
                       f"{len(out.frames)} frames; stored {out.annotations} masks ({active.segmenter.describe()})")
    return 0


def cmd_models(args) -> int:
    from engine.models.registry import model_entry
    from engine.models.weights import ModelSettings, describe_models, missing_message, models_dir

    settings = ModelSettings()
    if args.action != "list" and not args.name:
        raise FaceLensError(f"models {args.action}: name the model, e.g. sam2.1_hiera_tiny")
    if args.action == "use":
        entry = model_entry(args.name, family="sam2")
        if args.checkpoint:
            from engine.models.checkpoint import check_state_dict, read_state_dict
            from engine.segmentation.sam2_models import looks_like

            path = Path(args.checkpoint).expanduser().resolve()
            check_state_dict(read_state_dict(path, entry), entry.expected_shapes(entry), entry, path, looks_like)
            settings.set_checkpoint(entry.name, path)
        settings.set_active(entry.family, entry.name)
    elif args.action == "download":
        from engine.models.download import download_checkpoint
        from engine.models.registry import model_entry as _entry

        entry = _entry(args.name, family="sam2")
        path = download_checkpoint(entry)
        settings.set_checkpoint(entry.name, path)
        print(f"downloaded {path} (SHA-256 checked)")
    rows = describe_models("sam2", settings)
    from engine.segmentation.segmenters import default_device

    text = [f"models folder: {models_dir()}  device: {default_device(args.device)}"]
    for r in rows:
        text.append(f"{'*' if r['active'] else ' '} {r['model']:<24} {r['weights'] or 'no weights (needs ' + r['needs'] + ')'}")
    missing = [r for r in rows if r["active"] and not r["weights"]]
    if missing:
        text.append(missing_message(model_entry(missing[0]["model"])))
    _print(args, {"models": rows, "models_dir": str(models_dir()), "device": str(default_device(args.device))},
           "\n".join(text))
    return 0


def _add_model_options(c) -> None:
    c.add_argument("--model", help="SAM 2.1 model: sam2.1_hiera_tiny (default), _small, _base_plus, _large")
    c.add_argument("--checkpoint", metavar="PATH", help="the model's checkpoint file (.pt)")
    c.add_argument("--weights", choices=["random"], help="random weights (tests, benchmarks); see --seed")
    c.add_argument("--seed", type=int, default=0, help="seed of the random weights (default 0)")
    c.add_argument("--device", help="cuda, cuda:N, mps or cpu (default: the best present)")
    c.add_argument("--json", action="store_true")


def _add_segmentation_commands(sub) -> None:
    c = sub.add_parser("segment", help="a mask from clicks and/or a box (SAM 2.1, or GrabCut without weights)")
    c.add_argument("dir")
    c.add_argument("media_id", type=int)
    c.add_argument("--frame", type=int, help="the video frame (videos only; default 0)")
    c.add_argument("--point", action="append", default=[], metavar="X,Y[,1|0]",
                   help="a click in pixels; ,1 positive (default) or ,0 negative; repeat for more")
    c.add_argument("--box", metavar="X0,Y0,X1,Y1")
    c.add_argument("--label", help="the label's name (e.g. face)")
    c.add_argument("--track", type=int, help="add the prompt to this track (a correction) instead of a new one")
    _add_model_options(c)
    c.set_defaults(func=cmd_segment)

    c = sub.add_parser("track", help="propagate every object prompted in a video (SAM 2.1)")
    c.add_argument("dir")
    c.add_argument("media_id", type=int)
    c.add_argument("--frames", metavar="A:B", help="frames A to B-1 (default: the whole video)")
    c.add_argument("--from-frame", type=int, help="re-propagate only from this (corrected) frame")
    c.add_argument("--offload-state", action="store_true", help="keep SAM 2's memory in RAM, not on the GPU")
    _add_model_options(c)
    c.set_defaults(func=cmd_track)

    c = sub.add_parser("models", help="the SAM 2.1 models and their weights; choose or download one")
    c.add_argument("action", nargs="?", choices=["list", "use", "download"], default="list")
    c.add_argument("name", nargs="?", help="the model (for use / download)")
    c.add_argument("--checkpoint", metavar="PATH", help="with use: the model's checkpoint file")
    c.add_argument("--device")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_models)


# --- emotion and eye-tracking commands: gaze, emotion -----------------------------------------------------------
def _sync_pair(text: str) -> tuple[float, float]:
    try:
        g, v = text.split(":")
        return float(g), float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected GAZE_SECONDS:VIDEO_SECONDS, got {text!r}") from None


def cmd_gaze_import(args) -> int:
    from engine.gaze.importing import import_gaze

    with _open(args.dir) as project:
        r = import_gaze(project, args.media_id, args.file, args.format, args.offset, args.drift or 0.0, args.sync,
                        args.min_confidence, args.coordinates, args.fixations)
    drift = f" + drift {r['drift']:.3g}" if r["drift"] else ""
    outside = f"; {r['outside_video']} samples fall outside the video" if r["outside_video"] else ""
    _print(args, r, f"imported {r['samples']} gaze samples as recording {r['recording_id']} ({r['dropped']} dropped, "
                    f"{r['duration']:.3f} s; video time = gaze time + {r['offset']:.6g} s{drift}, "
                    f"{r['alignment']}){outside}")
    return 0


def cmd_gaze_fixations(args) -> int:
    from engine.gaze.jobs import detect_for_recording

    overrides = {"velocity_threshold_px": args.velocity, "dispersion_px": args.dispersion,
                 "min_fixation": args.min_duration / 1000 if args.min_duration is not None else None,
                 "min_confidence": args.min_confidence}
    with _open(args.dir) as project:
        set_id, ev = detect_for_recording(project, args.recording_id, args.method, args.display_width_mm,
                                          args.distance_mm, **overrides)
    out = {"fixations": [{"start": round(f.start, 6), "end": round(f.end, 6), "x": round(f.x, 3),
                          "y": round(f.y, 3)} for f in ev.fixations],
           "saccades": len(ev.saccades), "blinks": len(ev.blinks), "params": ev.params, "event_set": set_id}
    mean = sum(f.duration for f in ev.fixations) / len(ev.fixations) if ev.fixations else 0.0
    _print(args, out, f"{args.method.upper()}: {len(ev.fixations)} fixations (mean {mean * 1000:.0f} ms), "
                      f"{len(ev.saccades)} saccades, {len(ev.blinks)} blinks; stored as event set {set_id}")
    return 0


def cmd_gaze_list(args) -> int:
    with _open(args.dir) as project:
        rows = [{"recording_id": s.id, "media": s.media_id, "name": s.name, "samples": s.samples,
                 "params": s.params, "event_sets": [{"id": e.id, "method": e.method, **e.counts}
                                                    for e in project.eye_events.sets(s.id)]}
                for s in project.series.all("gaze")]
    text = [f"{r['recording_id']:>4} media {r['media']}  {r['samples']} samples  {r['name']}  "
            f"offset {r['params'].get('offset', 0):g} s  event sets: "
            f"{', '.join(str(e['id']) + ' ' + e['method'] for e in r['event_sets']) or 'none'}" for r in rows]
    _print(args, {"recordings": rows}, "\n".join(text) or "no gaze recordings; import one with: gaze import")
    return 0


def cmd_gaze_stats(args) -> int:
    from annotation.emotion.tracks import TRACKS
    from annotation.errors import InputError
    from engine.gaze.importing import load_gaze
    from engine.gaze.stats import gaze_statistics

    with _open(args.dir) as project:
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
    _print(args, stats, "\n".join(text) or "no ER or FER segments on this video to compare")
    return 0


def cmd_emotion_import(args) -> int:
    from engine.emotion.importing import import_emotion_csv

    with _open(args.dir) as project:
        r = import_emotion_csv(project, args.csv)
    _print(args, r, f"imported {r['segments']} segments (ER {r['tracks']['er']}, FER {r['tracks']['fer']}) "
                    f"by {', '.join(r['annotators'])}")
    return 0


def cmd_emotion_label(args) -> int:
    from annotation.commands import Add, UndoStack
    from annotation.emotion.editing import create
    from annotation.emotion.labels import known_labels
    from annotation.emotion.tracks import whole_clip
    from annotation.errors import InputError

    with _open(args.dir) as project:
        media = project.media.get(args.media_id)
        if media is None:
            raise InputError(f"no media {args.media_id} in the project", field="media")
        taxonomies = [project.labels.taxonomy(n) for n in project.labels.taxonomy_names()]
        known = known_labels([t for t in taxonomies if t])
        if args.label not in known:
            raise InputError(f"unknown label {args.label!r}; expected a class name such as "
                             f"{', '.join(sorted(known)[:8])} ... (or add your taxonomy to the project)",
                             field="label")
        annotator = args.annotator or project.actor
        if args.start is None and args.end is None:
            command = UndoStack(project.store).push(Add(whole_clip(media, args.track, args.label, annotator)))
        else:
            if args.start is None or args.end is None or not media.is_video:
                raise InputError("give both --start and --end (seconds) on a video, or neither for a whole-clip "
                                 "or image label", field="start")
            siblings = project.segments.for_media(media.id, args.track, annotator)
            command = UndoStack(project.store).push(create(media.id, args.track, args.start, args.end, args.label,
                                                           media.fps, annotator, siblings, media.duration))
        seg = command.records()[0]
    out = {"id": seg.id, "media": seg.media_id, "track": seg.tier, "start": seg.start, "end": seg.end,
           "annotator": seg.annotator, "values": seg.values}
    _print(args, out, f"{seg.tier.upper()} {seg.values['label']} {seg.start:.3f}-{seg.end:.3f} s "
                      f"({seg.values.get('scope', 'time')}) by {seg.annotator}: segment {seg.id}")
    return 0


def cmd_emotion_report(args) -> int:
    from engine.emotion.report import emotion_report

    with _open(args.dir) as project:
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
    _print(args, r, "\n".join(text))
    return 0


def _label_source(text: str) -> tuple[str, str | None]:
    track, _, annotator = text.partition(":")
    if track not in ("er", "fer"):
        raise argparse.ArgumentTypeError(f"expected er or fer, optionally :ANNOTATOR, got {text!r}")
    return track, annotator or None


def cmd_emotion_score(args) -> int:
    import numpy as np

    from annotation.emotion.timeline import consensus, frame_labels
    from annotation.emotion.tracks import scope_of
    from engine.emotion.recognition import war_uar

    ref, pred = [], []
    with _open(args.dir) as project:
        for media in project.media.all("video"):
            n = int(media.frame_count or 0)
            labels = []
            for track, annotator in (args.reference, args.source):
                segs = [s for s in project.segments.for_media(media.id, track) if scope_of(s) == "time"]
                names = sorted({s.annotator for s in segs}) if annotator is None else [annotator]
                rows = [frame_labels([s for s in segs if s.annotator == a], media.fps, n) for a in names]
                labels.append(consensus(rows) if rows else np.full(n, None, dtype=object))
            ref += list(labels[0])
            pred += list(labels[1])
    r = war_uar(ref, pred)
    _print(args, r, f"WAR {r['war']:.3f}, UAR {r['uar']:.3f} over {r['units']} frames; recall: "
                    + ", ".join(f"{c} {v:.3f}" for c, v in r["recall"].items()))
    return 0


def cmd_emotion_rate(args) -> int:
    from engine.emotion.importing import import_rating_csv

    with _open(args.dir) as project:
        r = import_rating_csv(project, args.media_id, args.csv, args.annotator)
    _print(args, r, f"stored the valence/arousal rating of {r['annotator']} on {r['frames']} frames "
                    f"(series {r['rating_id']})")
    return 0


def cmd_eyes(args) -> int:
    from engine.gaze.face_eyes_job import measure_eyes_job
    from engine.worker import Engine

    with _open(args.dir) as project:
        job = measure_eyes_job(project, args.media_id)
        engine = Engine()
        try:
            result = engine.run(job, "measure eyes")
        finally:
            engine.stop()
    if not result.ok:
        print(f"facelens: error: {result.error or 'cancelled'}", file=sys.stderr)
        return 2
    r = result.value
    _print(args, r, f"measured {r['frames']} frames ({r['face_frames']} with a face) as series {r['series_id']}: "
                    f"{len(r['blinks'])} blinks, {r['blink_rate_per_min']} per minute, mean duration "
                    f"{r['mean_blink_duration']} s")
    return 0


def _add_emotion_commands(sub) -> None:
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

    c = gsub.add_parser("stats", help="gaze statistics per ER/FER segment and per emotion")
    c.add_argument("dir")
    c.add_argument("recording_id", type=int)
    c.add_argument("--event-set", type=int, help="which detection (default: the latest)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_gaze_stats)

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

    c = sub.add_parser("eyes", help="measure eye openness, blinks and iris position from the face video")
    c.add_argument("dir")
    c.add_argument("media_id", type=int)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_eyes)


# --- forensic audit commands: audit ------------------------------------------------------------------------------
def _queue_settings(args):
    from engine.audit.review import QueueSettings

    return QueueSettings(reject=args.reject, band=args.band, method=args.threshold_method, threshold=args.threshold,
                         target_apcer=args.target_apcer, calibration_split=args.calibration_split,
                         calibration_run=args.calibration_run)


def cmd_audit_import(args) -> int:
    from engine.audit.importer import import_scores

    try:
        params = json.loads(args.params) if args.params else None
    except ValueError as e:
        raise FaceLensError(f"--params: not valid JSON ({e})") from None
    if params is not None and not isinstance(params, dict):
        raise FaceLensError(f"--params: expected a JSON object, got {args.params}")
    with _open(args.dir) as project:
        run = import_scores(project, args.file, args.features, args.model, args.version, params, args.aggregation)
    text = f"detector run {run.run_id}: {run.rows} rows on {run.media} media ({len(run.new_media)} newly imported)"
    if run.ignored_columns:
        text += f"\nignored columns: {', '.join(run.ignored_columns)}"
    _print(args, run.to_json(), text)
    return 0


def cmd_audit_runs(args) -> int:
    with _open(args.dir) as project:
        runs = project.detectors.runs()
    data = [{"id": r.id, "model": r.model, "version": r.version, "rows": r.rows, "features": r.has_features,
             "aggregation": r.aggregation, "source": r.source} for r in runs]
    text = "\n".join(f"{r['id']:>4}  {r['model']} {r['version']}  {r['rows']} rows"
                     f"{'  +features' if r['features'] else ''}  ({r['aggregation']})  {r['source']}" for r in data)
    _print(args, {"runs": data}, text or "no detector runs yet (see 'audit import' and 'audit detect')")
    return 0


def cmd_audit_metrics(args) -> int:
    from engine.audit.evaluate import evaluate

    with _open(args.dir) as project:
        run = project.detectors.run(args.run_id)
        ev = evaluate(project.detectors.results(run.id), run.aggregation, args.level, args.split, args.threshold,
                      args.threshold_method, args.target_apcer, args.bootstrap)
    v = ev.to_json(extended=bool(args.bootstrap))
    ci = ev.ci

    def line(name, key):
        return f"  {name:<22}{'-' if v[key] is None else format(v[key], '.4f'):>8}" + (
            f"  [{ci[key][0]:.4f}, {ci[key][1]:.4f}]" if key in ci and ci[key][0] is not None else "")

    text = [f"run {run.id} ({run.model}), {args.level} level, {ev.split or 'all rows'}: {v['n_bona_fide']} bona fide, "
            f"{v['n_attack']} attacks; threshold {v['threshold']:.4f} ({ev.point.method}, {ev.point.chosen_on})"]
    text += [line(n, k) for n, k in (("ROC AUC", "auc"), ("EER", "eer"), ("EER threshold", "eer_threshold"),
                                     ("accuracy", "acc"), ("APCER (max)", "apcer_max"), ("BPCER", "bpcer"),
                                     ("ACER", "acer"), ("HTER", "hter"), ("BPCER @ APCER 5%", "bpcer_at_apcer_5"),
                                     ("BPCER @ APCER 10%", "bpcer_at_apcer_10"))]
    text += [f"  APCER {t:<16}{a:>8.4f}" for t, a in v["apcer"].items()]
    text.append(f"  {'average precision':<22}{ev.ap:>8.4f}")
    _print(args, v, "\n".join(text))
    return 0


def cmd_audit_confidence(args) -> int:
    from engine.audit.calibration import run_confidence

    with _open(args.dir) as project:
        res = run_confidence(project, args.run_id, args.calibration_split, args.calibration_run, args.reject)
    d = res.to_json()
    fmt = lambda x: "-" if x is None else f"{x:.4f}"  # noqa: E731
    text = (f"Gaussians: {', '.join(f'{n} ({c})' for n, c in zip(res.bank.names, res.bank.counts))}\n"
            f"confidence threshold {d['threshold']:.4f}: {len(d['flagged'])} of {len(res.ids)} samples outside the "
            f"model's knowledge: {' '.join(map(str, d['flagged'])) or '-'}\n"
            f"AURC rejecting by score margin {fmt(d['aurc_score'])}, by Mahalanobis confidence "
            f"{fmt(d['aurc_mahalanobis'])}")
    _print(args, d, text)
    return 0


def cmd_audit_queue(args) -> int:
    from engine.audit.review import REASONS, build_queue

    with _open(args.dir) as project:
        q = build_queue(project, args.run_id, _queue_settings(args))
        paths = {m.id: m.path for m in project.media.all()}
    text = [f"run {q.run_id}: {len(q.items)} samples to review (threshold {q.point.threshold:.4f}, {q.point.method})"]
    text += [f"  note: {n}" for n in q.notes]
    for i in q.items:
        where = paths.get(i.media_id, i.media_id) if i.frame is None else f"{paths.get(i.media_id)} frame {i.frame}"
        verdict = f"  -> {i.verdict.verdict} ({i.verdict.reviewer})" if i.verdict else ""
        text.append(f"  result {i.result_id:>5}  risk {i.risk:.3f}  score {i.score:.3f}  {i.label or '?':<9} "
                    f"{where}  [{'; '.join(REASONS[r] for r in i.reasons)}]{verdict}")
    _print(args, q.to_json(), "\n".join(text))
    return 0


def cmd_audit_verdict(args) -> int:
    with _open(args.dir) as project:
        v = project.detectors.add_verdict(args.result_id, args.verdict, args.note or "", args.reviewer)
    _print(args, v.as_dict(), f"verdict {v.id}: result {v.result_id} is {v.verdict} (by {v.reviewer})")
    return 0


def cmd_audit_report(args) -> int:
    from engine.audit.report import write_report
    from engine.audit.report.data import ReportSettings

    with _open(args.dir) as project:
        m = write_report(project, args.run_id, args.out, ReportSettings(_queue_settings(args), args.bootstrap))
    print(f"wrote {Path(args.out).resolve()} (run {args.run_id}: {len(m['flagged'])} flagged samples, "
          f"{len(m['verdicts'])} verdicts, {len(m['media'])} media files, audit head {m['audit_head']['seq']})")
    return 0


def cmd_audit_verify_report(args) -> int:
    from engine.audit.report.verify import verify_report

    with _open(args.dir) as project:
        problems = verify_report(project, args.report)
    for p in problems:
        print(p)
    if problems:
        print(f"verify-report: {len(problems)} difference(s): {args.report} no longer matches the project",
              file=sys.stderr)
        return 1
    print(f"verify-report: ok ({args.report} matches the project)")
    return 0


def cmd_audit_detect(args) -> int:
    from engine.audit.runner.job import detector_job
    from engine.audit.runner.spec import DetectorSettings, ModelSpec
    from engine.worker import Engine

    spec = ModelSpec(kind=args.kind, path=args.model_file, arch=args.arch, input_size=args.input_size)
    settings = DetectorSettings(margin=args.margin, stride=args.stride, batch_size=args.batch_size,
                                min_confidence=args.min_confidence, full_range=args.full_range,
                                model_name=args.model, version=args.version)
    with _open(args.dir) as project:
        engine = Engine()
        try:
            def progress(_job, done, total, message):
                print(f"\r{message} {done}/{total}", end="", file=sys.stderr, flush=True)

            result = engine.run(detector_job(project, spec, args.media, settings), "detect", on_progress=progress)
        finally:
            engine.stop()
        print(file=sys.stderr)
    if not result.ok:
        raise FaceLensError(result.error or "cancelled")
    _print(args, result.value, f"detector run {result.value['run_id']}: {result.value['rows']} faces scored on "
                               f"{result.value['media']} media")
    return 0


def _add_threshold_options(c, queue: bool = True) -> None:
    g = c.add_mutually_exclusive_group()
    g.add_argument("--threshold", type=float, help="operating threshold (default: chosen on the dev split)")
    g.add_argument("--target-apcer", type=float, help="choose the threshold on dev so that APCER <= this")
    c.add_argument("--threshold-method", default="eer", choices=("eer", "min_hter", "target_apcer"),
                   help="how the threshold is chosen on dev (default: eer)")
    if queue:
        c.add_argument("--reject", type=float, default=0.1, help="fraction to flag by confidence (default 0.1)")
        c.add_argument("--band", type=float, default=0.05, help="uncertainty band around the threshold (0.05)")
        c.add_argument("--calibration-split", default="dev", choices=("dev", "test"))
        c.add_argument("--calibration-run", type=int, help="fit the confidence on another run's labelled features")


def _add_audit_commands(sub) -> None:
    audit = sub.add_parser("audit", help="forensic audit of deepfake and face-spoof detector results")
    asub = audit.add_subparsers(dest="audit_command", metavar="AUDIT_COMMAND", required=True)

    c = asub.add_parser("import", help="import a detector's scores (CSV or JSON) as a detector run")
    c.add_argument("dir")
    c.add_argument("file")
    c.add_argument("--features", metavar="FILE.npy", help="feature vectors, one row per score row")
    c.add_argument("--model", help="model name (default: from the file)")
    c.add_argument("--version", help="model version")
    c.add_argument("--params", help="model parameters as a JSON object")
    c.add_argument("--aggregation", default="mean", choices=("mean", "max", "median"),
                   help="how frame scores make a video score (default mean)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_audit_import)

    c = asub.add_parser("runs", help="list the detector runs")
    c.add_argument("dir")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_audit_runs)

    c = asub.add_parser("metrics", help="ROC AUC, EER, APCER/BPCER/ACER/HTER of a run")
    c.add_argument("dir")
    c.add_argument("run_id", type=int)
    c.add_argument("--level", default="frame", choices=("frame", "video"))
    c.add_argument("--split", choices=("dev", "test"), help="split to evaluate (default: test if any, else all)")
    _add_threshold_options(c, queue=False)
    c.add_argument("--bootstrap", type=int, default=0, metavar="N", help="add N-round bootstrap intervals")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_audit_metrics)

    c = asub.add_parser("confidence", help="flag samples outside the model's knowledge (Mahalanobis confidence)")
    c.add_argument("dir")
    c.add_argument("run_id", type=int)
    c.add_argument("--calibration-split", default="dev", choices=("dev", "test"))
    c.add_argument("--calibration-run", type=int, help="fit on another run's labelled features")
    c.add_argument("--reject", type=float, default=0.1, help="fraction to flag (default 0.1)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_audit_confidence)

    c = asub.add_parser("queue", help="the review queue of a run, most at risk first")
    c.add_argument("dir")
    c.add_argument("run_id", type=int)
    _add_threshold_options(c)
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_audit_queue)

    c = asub.add_parser("verdict", help="record a reviewer's verdict on a result")
    c.add_argument("dir")
    c.add_argument("result_id", type=int)
    c.add_argument("verdict", choices=("bona_fide", "attack", "deepfake", "unsure"))
    c.add_argument("--note", default="")
    c.add_argument("--reviewer", help="who decides (default: the project's annotator or the OS user)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_audit_verdict)

    c = asub.add_parser("report", help="write the HTML or PDF report of a run")
    c.add_argument("dir")
    c.add_argument("run_id", type=int)
    c.add_argument("--out", required=True, metavar="FILE.html|FILE.pdf")
    c.add_argument("--bootstrap", type=int, default=1000, metavar="N", help="bootstrap rounds (default 1000)")
    _add_threshold_options(c)
    c.set_defaults(func=cmd_audit_report)

    c = asub.add_parser("verify-report", help="check that a report still matches the project")
    c.add_argument("dir")
    c.add_argument("report")
    c.set_defaults(func=cmd_audit_verify_report)

    c = asub.add_parser("detect", help="find faces (mediapipe) and score them with a detector model")
    c.add_argument("dir")
    c.add_argument("model_file", help="a TorchScript file, or a checkpoint with --kind timm --arch NAME")
    c.add_argument("--kind", default="torchscript", choices=("torchscript", "timm"))
    c.add_argument("--arch", help="timm architecture name (with --kind timm)")
    c.add_argument("--input-size", type=int, default=224, help="face crop side in pixels (default 224)")
    c.add_argument("--media", type=int, nargs="+", help="media ids (default: all)")
    c.add_argument("--margin", type=float, default=0.25, help="margin around each face, share of its size")
    c.add_argument("--stride", type=int, default=1, help="score every Nth video frame (default 1)")
    c.add_argument("--batch-size", type=int, default=32)
    c.add_argument("--min-confidence", type=float, default=0.5, help="face detector confidence (default 0.5)")
    c.add_argument("--full-range", action="store_true", help="mediapipe's model for faces far from the camera")
    c.add_argument("--model", help="model name for the run (default: the file name)")
    c.add_argument("--version", default="")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_audit_detect)


def build_parser() -> Parser:
    p = Parser(prog="facelens", description="FaceLens: a workstation for face- and human-centric visual data.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _add_project_commands(sub)
    _add_segmentation_commands(sub)
    _add_emotion_commands(sub)
    _add_audit_commands(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command is None:
        return cmd_gui(args)
    try:
        return args.func(args)
    except FaceLensError as e:
        print(f"facelens: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("facelens: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
