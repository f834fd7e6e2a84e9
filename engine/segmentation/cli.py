"""The command line of segmentation: ``segment`` (a mask from clicks and a box), ``track`` (propagation) and
``models`` (SAM 2.1 weights). ``main.py`` registers these with ``add_commands``.
"""
from __future__ import annotations

import sys
from pathlib import Path

from annotation.errors import FaceLensError, InputError
from annotation.words import counted
from engine.cli_support import media_or_error, numbers, open_project, print_result, wait_for


def _segmenter(args):
    from engine.segmentation.segmenters import choose_segmenter

    if args.checkpoint and args.weights:
        raise FaceLensError("give either --checkpoint PATH or --weights random, not both")
    if args.seed is not None and args.weights != "random":
        raise FaceLensError("--seed: it seeds random weights; give it with --weights random (a checkpoint file "
                            "or GrabCut has no seed)")
    seed = (args.seed if args.seed is not None else 0) if args.weights == "random" else None
    return choose_segmenter(args.model, args.checkpoint, seed, args.device)


def cmd_segment(args) -> int:
    from engine.segmentation.grabcut import small_blob_hint
    from engine.segmentation.prompt import Prompt
    from engine.segmentation.service import Segmentation
    from engine.worker import Engine

    points = [numbers(p, (2, 3), "point", "X,Y or X,Y,1 (positive) or X,Y,0 (negative)") for p in args.point]
    wrong = next((given for given, p in zip(args.point, points) if len(p) == 3 and p[2] not in (0, 1)), None)
    if wrong is not None:  # (named, as the other --point errors name the value)
        raise FaceLensError(f"--point {wrong}: the third number is the label, 1 (positive) or 0 (negative)")
    if len(args.box) > 1:  # (the last one was used, the others dropped without a word)
        raise FaceLensError(f"--box is given {len(args.box)} times: an object takes one box (add --point clicks to "
                            f"refine it; segment again for another object)")
    args.box = args.box[0] if args.box else None
    box = numbers(args.box, (4,), "box", "X0,Y0,X1,Y1") if args.box else None
    if box and (box[2] <= box[0] or box[3] <= box[1]):  # (X,Y,W,H given by mistake looks just like this)
        raise FaceLensError(f"--box {args.box}: expected two corners X0,Y0,X1,Y1 with X1 > X0 and Y1 > Y0 (the "
                            f"top-left corner, then the bottom-right one; not a width and height)")
    prompt = Prompt(tuple((p[0], p[1]) for p in points), tuple(int(p[2]) if len(p) == 3 else 1 for p in points),
                    tuple(box) if box else None)
    if args.track is None and not box and not any(prompt.labels):  # (the window starts objects the same way)
        raise FaceLensError("--point: a new object needs a positive point (X,Y or X,Y,1) or a --box; a negative "
                            "point (X,Y,0) says where the object is not (add one to a track with --track)")
    with open_project(args.dir) as project:
        item = media_or_error(project, args.media_id)
        if args.frame is not None and not item.is_video:
            raise FaceLensError(f"{item.path}: media {item.id} is an image; --frame applies to videos only")
        if args.track is not None and not item.is_video:
            raise FaceLensError(f"{item.path}: media {item.id} is an image; --track applies to videos only")
        if item.is_video and not 0 <= (args.frame or 0) < (item.frame_count or 0):
            raise FaceLensError(f"{item.path}: frame {args.frame} is outside the video (0..{item.frame_count - 1})")
        prompt.validate(item.width, item.height, where=item.path)
        label = project.labels.by_name(args.label) if args.label else None
        if args.label and label is None:
            raise InputError(f"no label {args.label!r} in this project (it has "
                             f"{', '.join(l.name for l in project.labels.all())})", field="label")
        if label is not None and args.track is not None:
            track = project.tracks.get(args.track)
            if track is not None and track.media_id == item.id and track.label_id != label.id:
                has = next((l.name for l in project.labels.all() if l.id == track.label_id), None)
                raise FaceLensError(f"--label {args.label}: track {track.id} "
                                    f"{f'is labelled {has}' if has else 'has no label'}; a correction keeps its "
                                    f"track's label (leave --label out)")
        project.check_writable()  # before the model's work, not after it
        active = _segmenter(args)
        if args.model and active.kind != "sam2":  # asked for by name: another segmenter's mask is not what was asked
            raise FaceLensError(f"--model {args.model}: {active.status()['note']}; without --model, segment falls "
                                "back to GrabCut")
        engine = Engine()
        try:
            service = Segmentation(engine, project, active)
            done = wait_for(service.segment(item, args.frame, prompt, args.track, label.id if label else None))
        finally:
            engine.stop()
    a = done.annotation
    hint = None
    if active.kind != "sam2":  # after the work, so that an error stays the one line on stderr
        print(f"facelens: {active.status()['note']}; segmented with GrabCut", file=sys.stderr)
        hint = small_blob_hint(int(a.shape.area()), item.width * item.height, prompt, "--box X0,Y0,X1,Y1")
        if hint:
            print(f"facelens: {hint}", file=sys.stderr)
    data = {"annotation_id": a.id, "track_id": done.track_id, "area": int(a.shape.area()), "score": a.score,
            "rle": a.shape.to_geometry(), "segmenter": active.status(), "hint": hint}
    where = f" frame {a.frame}, track {done.track_id}," if item.is_video else ""
    score = f", score {a.score:.3f}" if a.score is not None else ""
    print_result(args, data, f"stored mask annotation {a.id} on media {item.id}{where} {int(a.shape.area())} px"
                             f"{score} ({active.segmenter.describe()})")
    return 0


def _frame_range(text: str | None, count: int) -> tuple[int, int]:
    if text is None:
        return 0, count - 1
    try:
        a, b = text.split(":")
        first, stop = int(a) if a else 0, int(b) if b else count
    except ValueError:
        raise FaceLensError(f"--frames {text!r}: expected A:B (frames A to B-1; A or B may be left out)") from None
    if first < 0 or stop < 0:  # not Python's slice: -3 does not count back from the end
        raise FaceLensError(f"--frames {text!r}: frames are counted from 0 (the video has frames 0..{count - 1}); "
                            f"expected 0 <= A < B <= {count}")
    if not 0 <= first < stop <= count:
        raise FaceLensError(f"--frames {text!r}: the video has frames 0..{count - 1}; expected 0 <= A < B <= {count}")
    return first, stop - 1


def cmd_track(args) -> int:
    from engine.segmentation.service import Segmentation
    from engine.worker import Engine

    with open_project(args.dir) as project:
        item = media_or_error(project, args.media_id)
        if not item.is_video:
            raise FaceLensError(f"{item.path}: media {item.id} is an image; track follows objects through a video")
        first, last = _frame_range(args.frames, item.frame_count or 0)
        project.check_writable()  # before the model's work, not after it
        active = _segmenter(args)
        if args.compile:
            from engine.segmentation.compiled import compile_refusal

            refusal = compile_refusal(active.device)
            if refusal:
                raise FaceLensError(f"--compile: {refusal}")
        engine = Engine()
        try:
            service = Segmentation(engine, project, active, offload_state=args.offload_state,
                                   compile_propagation=args.compile)
            show = sys.stderr.isatty() and not args.json
            line = _progress_line() if show else None
            reached = [0, None]  # frames done, of how many

            def progress(job, done, total, message) -> None:
                reached[:] = [int(done), total]
                if line is not None:
                    line(job, done, total, message)

            try:
                out = wait_for(service.propagate(item, first, last, args.from_frame, on_progress=progress))
            except KeyboardInterrupt:  # (a script could not tell how far it got: "interrupted" and no more)
                of = f" of {int(reached[1])}" if reached[1] else ""
                print(f"{chr(10) if show else ''}facelens: tracking stopped after {counted(reached[0], 'frame')}{of}; "
                      f"the masks of those frames are kept (`tracks list` counts them)", file=sys.stderr)
                raise
            if show:
                print(file=sys.stderr)
        finally:
            engine.stop()
    data = {"frames": {str(f): ids for f, ids in sorted(out.frames.items())}, "annotations": out.annotations,
            "kept_by_hand": out.kept, "unchanged": out.unchanged, "removed": out.removed,
            "deleted_meanwhile": out.deleted_meanwhile,
            "segmenter": active.status()}
    tracks = sorted({t for ids in out.frames.values() for t in ids})
    found = (f"{'track' if len(tracks) == 1 else 'tracks'} {', '.join(map(str, tracks))}" if tracks
             else "no object still in the project" if out.deleted_meanwhile
             else "no object (every mask came out empty)")
    print_result(args, data, f"tracked {found} over {counted(len(out.frames), 'frame')}; stored "
                             f"{counted(out.annotations, 'mask')}{out.remarks()} ({active.segmenter.describe()})")
    return 0


def _progress_line():
    """One line on the terminal, rewritten as the frames go: done/total, the engine's message, the time left."""
    from engine.pace import Pace, time_left

    pace = Pace()

    def show(job, done, total, message) -> None:
        counted = f"{int(done)}/{int(total)} " if total else ""  # (no total yet while SAM 2 gets the prompts)
        print(f"\rtracking: {counted}{message}{time_left(pace.seconds_left(done, total))}   ", end="",
              file=sys.stderr, flush=True)

    return show


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
    if args.action == "list" and args.name:  # that model only (an unknown name is an error naming the known ones)
        rows = [r for r in rows if r["model"] == model_entry(args.name, family="sam2").name]
    from engine.segmentation.segmenters import default_device

    text = [f"models folder: {models_dir()}  device: {default_device(args.device)}"]
    for r in rows:
        weights = r["weights"] or f"no weights (needs {r['needs']})"
        text.append(f"{'*' if r['active'] else ' '} {r['model']:<24} {weights}")
    missing = [r for r in rows if r["active"] and not r["weights"]]
    if missing:
        text.append(missing_message(model_entry(missing[0]["model"]), settings))
    print_result(args, {"models": rows, "models_dir": str(models_dir()), "device": str(default_device(args.device))},
                 "\n".join(text))
    return 0


def _add_model_options(c) -> None:
    c.add_argument("--model", help="SAM 2.1 model: sam2.1_hiera_tiny (default), _small, _base_plus, _large")
    c.add_argument("--checkpoint", metavar="PATH", help="the model's checkpoint file (.pt)")
    c.add_argument("--weights", choices=["random"], help="random weights (tests, benchmarks); see --seed")
    c.add_argument("--seed", type=int, default=None, help="seed of the random weights (default 0)")
    c.add_argument("--device", help="cuda, cuda:N, mps or cpu (default: the best present)")
    c.add_argument("--json", action="store_true")


def add_commands(sub) -> None:
    c = sub.add_parser("segment", help="a mask from clicks and/or a box (SAM 2.1, or GrabCut without weights)")
    c.add_argument("dir")
    c.add_argument("media_id", type=int)
    c.add_argument("--frame", type=int, help="the video frame (videos only; default 0)")
    c.add_argument("--point", action="append", default=[], metavar="X,Y[,1|0]",
                   help="a click in pixels; ,1 positive (default) or ,0 negative; repeat for more")
    c.add_argument("--box", action="append", default=[], metavar="X0,Y0,X1,Y1", help="one box around the object")
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
    c.add_argument("--compile", action="store_true",
                   help="track with SAM 2's compiled predictor (CUDA GPU; the first run compiles for minutes, "
                        "later runs reuse it)")
    _add_model_options(c)
    c.set_defaults(func=cmd_track)

    c = sub.add_parser("models", help="the SAM 2.1 models and their weights; choose or download one")
    c.add_argument("action", nargs="?", choices=["list", "use", "download"], default="list")
    c.add_argument("name", nargs="?", help="the model (for use / download; with list, that model only)")
    c.add_argument("--checkpoint", metavar="PATH", help="with use: the model's checkpoint file")
    c.add_argument("--device")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_models)
