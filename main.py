"""FaceLens: with no arguments, open the window; with a subcommand, do the same work without one.

Run ``python main.py --help`` for the commands. Errors print one line naming what is wrong and exit non-zero.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from annotation.errors import FaceLensError
from engine.cli_support import open_project, print_result


class Parser(argparse.ArgumentParser):
    def error(self, message):  # one clear line, not a usage dump
        print(f"{self.prog}: error: {message} (see --help)", file=sys.stderr)
        sys.exit(2)


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

    with open_project(args.dir) as project:
        report = import_paths(project, args.paths, copy=args.copy)
    lines = [report.summary()]
    lines += [f"  skipped {p}: {r}" for p, r in report.skipped]
    lines += [f"  already in the project as media {i}: {p}" for p, i in report.duplicates]
    lines += [f"  relinked media {i} to {p}" for i, p in report.relinked]
    print_result(args, report.to_json(), "\n".join(lines))
    return 1 if report.skipped else 0


def cmd_info(args) -> int:
    from storage.summary import project_summary

    with open_project(args.dir, reading=True) as project:
        info = project_summary(project)
    text = [f"schema {info['schema_version']}: {len(info['media'])} media, {info['annotations']} annotations, "
            f"{info['tracks']} tracks, {info['segments']} segments"]
    text += [f"  {m['id']:>4} {m['kind']:<5} {m['width']}x{m['height']} "
             f"{m['frames']} frames{_turned(m['rotation'])}  {m['path']}" for m in info["media"]]
    if info["read_only"]:
        text.append(f"read where it lies, writing nothing: {info['read_only']}")
    print_result(args, info, "\n".join(text))
    return 0


def cmd_verify(args) -> int:
    from sqlalchemy.exc import DatabaseError

    from storage.audit import NotedHead
    from storage.verify import database_problem, summary, verify_project

    noted = NotedHead.parse(args.head) if args.head else None
    problems: list[str] = []
    info = {"media": None, "audit_entries": None, "audit_head": None}
    try:
        with open_project(args.dir, reading=True) as project:
            problems = verify_project(project, head=noted)
            info = summary(project)
    except DatabaseError as e:  # too damaged to open
        problems.append(database_problem(e, Path(args.dir)))
    print_result(args, {"ok": not problems, "problems": problems, **info}, _verify_text(problems, info, noted))
    if problems:
        print(f"verify: {len(problems)} problem(s) found", file=sys.stderr)
    return 1 if problems else 0


def _verify_text(problems: list[str], info: dict, noted) -> str:
    lines = list(problems)
    if not problems:
        also = ", and the noted head is in it" if noted else ""
        lines.append(f"verify: ok (database intact, {info['media']} media files unchanged, audit chain of "
                     f"{info['audit_entries']} entries holds{also})")
    head = info["audit_head"]
    if head:  # the chain cannot show entries cut off its end; a head kept elsewhere can
        lines.append(f"audit head: {head['seq']}:{head['hash']} (note it: 'verify --head' with it later shows "
                     "whether entries were cut off the end, which the chain alone cannot show)")
    return "\n".join(lines)


def _turned(rotation: int) -> str:
    turn = {90: "90° clockwise", 180: "180°", 270: "90° counter-clockwise"}.get(rotation)
    return f" (shown turned {turn}, as players show it)" if turn else ""


def cmd_export(args) -> int:
    from storage.export import describe_export, run_export

    with open_project(args.dir) as project:
        result = run_export(project, args.format, args.out)
    print_result(args, result, "\n".join(describe_export(result)))
    return 0


def cmd_proxy(args) -> int:
    import time

    from storage.media.proxy import PROXY_GOP, build_proxy

    gop = PROXY_GOP if args.gop is None else args.gop
    with open_project(args.dir) as project:
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
    print_result(args, info, f"fast-seek proxy of media {item.id} ({item.name}): {stored}, {item.frame_count} frames, "
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
    c.add_argument("--head", metavar="SEQ:HASH", help="a chain head printed by an earlier verify: check that it is "
                                                     "still in the chain (that no entry was cut off the end)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_verify)

    c = sub.add_parser("export", help="export annotations")
    c.add_argument("dir")
    c.add_argument("--format", required=True, choices=sorted(EXPORTERS))
    c.add_argument("--out", required=True, help="the file to write (its folder must exist); emotion-dataset: a new "
                                                 "or empty folder; coco also writes the annotated video frames in "
                                                 "OUT-STEM_frames/ beside the file")
    c.add_argument("--json", action="store_true", help="print what was written as JSON")
    c.set_defaults(func=cmd_export)

    c = sub.add_parser("proxy", help="build a video's fast-seek proxy (short GOP, in cache/) used for display")
    c.add_argument("dir")
    c.add_argument("media_id", type=int, metavar="MEDIA_ID")
    c.add_argument("--gop", type=int, help="frames from one keyframe to the next (default 8; 1: all-intra)")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_proxy)


# --- labels and taxonomies; relinking moved media --------------------------------------------------------------
def cmd_labels(args) -> int:
    """labels DIR | labels add DIR TAXONOMY NAME [--color C] [--key K] [--new] | labels import DIR FILE.json"""
    words = list(args.words)
    action = words.pop(0) if len(words) > 1 and words[0] in ("add", "import") else "list"
    wanted = {"list": ["DIR"], "add": ["DIR", "TAXONOMY", "NAME"], "import": ["DIR", "FILE.json"]}[action]
    if len(words) != len(wanted):
        usage = {"list": "labels DIR", "add": "labels add DIR TAXONOMY NAME [--color #rrggbb] [--key K] [--new]",
                 "import": "labels import DIR FILE.json"}[action]
        after = "labels" if action == "list" else f"labels {action}"
        _labels_usage_error(f"expected '{usage}', got {len(words)} argument(s) after '{after}'")
    given = [o for o, v in (("--color", args.color), ("--key", args.key), ("--new", args.new)) if v]
    if given and action != "add":
        _labels_usage_error(f"{', '.join(given)}: only with 'labels add'")
    args.dir = words[0]
    with open_project(args.dir, reading=action == "list") as project:
        if action == "add":
            return _labels_add(args, project, *words[1:])
        if action == "import":
            return _labels_import(args, project, words[1])
        return _labels_list(args, project)


def _labels_usage_error(message: str) -> None:
    print(f"facelens labels: error: {message} (see --help)", file=sys.stderr)
    sys.exit(2)


def _taxonomy_json(project, name: str) -> dict:
    t = project.labels.taxonomy(name)
    out = {"name": t.name, "title": t.title, "kind": t.kind, "source": t.source}
    if t.kind == "classes":
        out["labels"] = [{"id": l.id, "name": l.name, "color": l.color, "key": l.key}
                         for l in project.labels.all(name)]
    if t.range is not None:
        out["range"] = list(t.range)
    if t.levels:
        out["levels"] = list(t.levels)
    return out


def _taxonomy_text(t: dict) -> list[str]:
    if t["kind"] == "scale":
        return [f"{t['name']}: {t['title']} (scale {t['range'][0]:g} to {t['range'][1]:g}; from {t['source']})"]
    if t["kind"] == "ordinal":
        return [f"{t['name']}: {t['title']} (ordinal, levels {', '.join(map(str, t['levels']))}; "
                f"from {t['source']})"]
    lines = [f"{t['name']}: {t['title']} ({len(t['labels'])} labels; from {t['source']})"]
    lines += [f"  {l['key'] or ' ':>2}  {l['color']}  {l['name']}" for l in t["labels"]]
    return lines


def _labels_list(args, project) -> int:
    taxonomies = [_taxonomy_json(project, n) for n in project.labels.taxonomy_names()]
    text = [line for t in taxonomies for line in _taxonomy_text(t)] or ["no taxonomies in this project"]
    print_result(args, {"taxonomies": taxonomies}, "\n".join(text))
    return 0


def _labels_add(args, project, taxonomy: str, name: str) -> int:
    from storage.label_edits import add_label

    new = project.labels.taxonomy(taxonomy.strip()) is None
    t = add_label(project, taxonomy, name, color=args.color, key=args.key or "", new_taxonomy=args.new)
    label = project.labels.by_name(name.strip(), t.name)
    key = f", key {label.key}" if label.key else ""
    started = " (a new taxonomy)" if new else ""
    print_result(args, {"taxonomy": t.name, "new_taxonomy": new,
                        "label": {"id": label.id, "name": label.name, "color": label.color, "key": label.key}},
                 f"added label '{label.name}' ({label.color}{key}) to taxonomy '{t.name}'{started}")
    return 0


def _labels_import(args, project, path: str) -> int:
    from storage.label_edits import import_taxonomy

    result = import_taxonomy(project, path)
    print_result(args, {"taxonomy": result.taxonomy.name, "kind": result.taxonomy.kind, "new": result.new,
                        "added": result.added, "kept": result.kept}, result.summary())
    return 0


def cmd_relink(args) -> int:
    with open_project(args.dir) as project:
        before = project.media.get(args.media_id)
        item = project.media.relink(args.media_id, args.path)
    same = before.path == item.path
    text = f"media {item.id} is already at {item.path}" if same else f"relinked media {item.id} to {item.path}"
    print_result(args, {"media": item.id, "path": item.path, "previous_path": before.path, "sha256": item.sha256,
                        "changed": not same}, text)
    return 0


def _add_label_and_relink_commands(sub) -> None:
    c = sub.add_parser("labels", help="list the project's taxonomies and labels; add a label; import a taxonomy",
                       usage="facelens labels DIR [--json]\n"
                             "       facelens labels add DIR TAXONOMY NAME [--color #rrggbb] [--key K] [--new]\n"
                             "       facelens labels import DIR FILE.json [--json]",
                       description="Without add or import: every taxonomy with its labels (name, colour, key). "
                                   "add: a label to a class taxonomy (--new starts the taxonomy when the project "
                                   "has none of that name). import: a taxonomy JSON file, in the format of "
                                   "annotation/taxonomies/*.json, or the labels it has that the project's "
                                   "taxonomy of that name lacks. Each change is in the audit log.")
    c.add_argument("words", nargs="+", metavar="ARG", help=argparse.SUPPRESS)
    c.add_argument("--color", help="the label's colour, #rrggbb (default: a palette colour not used yet)")
    c.add_argument("--key", help="the key that picks it in the window: 1-9, 0 or - (default: none)")
    c.add_argument("--new", action="store_true", help="start TAXONOMY (a list of classes) if the project lacks it")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_labels)

    c = sub.add_parser("relink", help="point a media item at its file's new place (moved or renamed); the file's "
                                      "SHA-256 must be the one recorded at import")
    c.add_argument("dir")
    c.add_argument("media_id", type=int, metavar="MEDIA_ID")
    c.add_argument("path", metavar="PATH")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_relink)


# Each capability's commands live beside its work and are added here, in this order.
AREAS = ("engine.segmentation.cli", "engine.gaze.cli", "engine.emotion.cli", "engine.audit.cli",
         "engine.tracks_cli")


def build_parser() -> Parser:
    p = Parser(prog="facelens", description="FaceLens: a workstation for face- and human-centric visual data.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    _add_project_commands(sub)
    _add_label_and_relink_commands(sub)
    for area in AREAS:
        importlib.import_module(area).add_commands(sub)
    return p


# Options whose value is numbers that may start with a minus sign (a point left of the image, a frame range
# -3:2). A lone negative number (--frame -1) argparse already takes as a value.
SIGNED_VALUES = ("--point", "--box", "--frames")


def _signed_values_attached(argv: list[str]) -> list[str]:
    """``--point -1,10`` as ``--point=-1,10``: argparse takes a value starting with "-" for another option and
    said "expected one argument", where the user needs to hear that the point lies outside the image."""
    out: list[str] = []
    for arg in argv:
        if out and out[-1] in SIGNED_VALUES and arg[:1] == "-" and arg[1:2].isdigit():
            out[-1] = f"{out[-1]}={arg}"
        else:
            out.append(arg)
    return out


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(_signed_values_attached(sys.argv[1:] if argv is None else list(argv)))
    if args.command is None:
        return cmd_gui(args)
    from storage.video_locks import PROGRAM

    PROGRAM[0] = f"`main.py {args.command}`"  # (the window names itself when it starts)
    try:
        return args.func(args)
    except FaceLensError as e:
        print(f"facelens: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("facelens: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `facelens ... | head` stopped reading: not an error worth a traceback
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:  # (last: BrokenPipeError is an Exception too) sqlalchemy is imported only if needed
        from sqlalchemy.exc import DatabaseError

        if not isinstance(e, DatabaseError):
            raise
        return _damaged_database(args, e)


def _damaged_database(args, error) -> int:
    """A project.db SQLite cannot read (damaged on disk, say): one line, as verify reports it, not a traceback."""
    from storage.verify import database_problem

    where = Path(args.dir) / "project.db" if getattr(args, "dir", None) else "the project database"
    reason = database_problem(error, Path(args.dir) if getattr(args, "dir", None) else None).removeprefix(
        "database: ")
    if reason.startswith(("the file is damaged", "cannot be read")):  # (the others say what to do themselves)
        reason += "; 'verify' checks the whole project"
    print(f"facelens: error: {where}: {reason}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
