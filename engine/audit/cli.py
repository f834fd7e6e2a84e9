"""The command line of the forensic audit: ``audit import|runs|metrics|confidence|queue|verdict|report|
verify-report|detect``. ``main.py`` registers these with ``add_commands``.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from annotation.errors import FaceLensError
from engine.cli_support import open_project, print_result


def _queue_settings(args):
    from engine.audit.review import QueueSettings

    # a target APCER names its method, as in 'audit metrics' (the queue used to choose by EER and ignore it)
    method = "target_apcer" if args.target_apcer is not None else args.threshold_method
    return QueueSettings(reject=args.reject, band=args.band, method=method, threshold=args.threshold,
                         target_apcer=args.target_apcer, calibration_split=args.calibration_split,
                         calibration_run=args.calibration_run)


def _number(low: float, high: float, below_high: bool = False):
    """An option type: a number in [low, high] (or [low, high)), refused in one line as argparse refuses."""
    interval = f"[{low:g}, {high:g}{')' if below_high else ']'}"

    def parse(text: str) -> float:
        try:
            v = float(text)
        except ValueError:
            v = math.nan
        if not (low <= v < high if below_high else low <= v <= high):  # NaN fails both
            raise argparse.ArgumentTypeError(f"expected a number in {interval}, got {text!r}")
        return v

    return parse


def _rounds(text: str) -> int:
    """Bootstrap rounds: 0 (no intervals) or more."""
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"expected a whole number of rounds, 0 or more, got {text!r}")
    return int(text)


FRACTION = _number(0, 1)
REJECT = _number(0, 1, below_high=True)  # rejecting everything leaves no confidence threshold
BAND = _number(0, 0.5)  # 0 turns the flag off; past 0.5 either side nearly every score is "near"


def cmd_audit_import(args) -> int:
    from engine.audit.importer import DuplicateImport, import_scores

    try:
        params = json.loads(args.params) if args.params else None
    except ValueError as e:
        raise FaceLensError(f"--params: not valid JSON ({e})") from None
    if params is not None and not isinstance(params, dict):
        raise FaceLensError(f"--params: expected a JSON object, got {args.params}")
    if params is not None:
        from engine.audit.score_file import check_params

        try:
            check_params(params)
        except FaceLensError as e:
            raise FaceLensError(f"--params: {e}") from None
    with open_project(args.dir) as project:
        try:
            run = import_scores(project, args.file, args.features, args.model, args.version, params,
                                args.aggregation, allow_duplicate=args.allow_duplicate)
        except DuplicateImport as e:
            raise FaceLensError(f"{e} (give --allow-duplicate to import it as another run)") from None
    print_result(args, run.to_json(), "\n".join(run.summary_lines()))
    return 0


def cmd_audit_runs(args) -> int:
    with open_project(args.dir, reading=True) as project:
        runs = project.detectors.runs()
    data = [{"id": r.id, "model": r.model, "version": r.version, "rows": r.rows, "features": r.has_features,
             "aggregation": r.aggregation, "source": r.source} for r in runs]
    text = "\n".join(f"{r['id']:>4}  {r['model']} {r['version']}  {r['rows']} rows"
                     f"{'  +features' if r['features'] else ''}  ({r['aggregation']})  {r['source']}" for r in data)
    print_result(args, {"runs": data}, text or "no detector runs yet (see 'audit import' and 'audit detect')")
    return 0


def cmd_audit_metrics(args) -> int:
    from engine.audit.evaluate import evaluate

    with open_project(args.dir, reading=True) as project:
        run = project.detectors.run(args.run_id)
        ev = evaluate(project.detectors.results(run.id), run.aggregation, args.level, args.split, args.threshold,
                      args.threshold_method, args.target_apcer, args.bootstrap)
    v = ev.to_json(extended=bool(args.bootstrap))
    ci = ev.ci

    def line(name, key):
        return f"  {name:<22}{'-' if v[key] is None else format(v[key], '.4f'):>8}" + (
            f"  [{ci[key][0]:.4f}, {ci[key][1]:.4f}]" if key in ci and ci[key][0] is not None else "")

    text = [f"run {run.id} ({run.model}), {args.level} level, {ev.split or 'all rows'}: {v['n_bona_fide']} bona fide, "
            f"{v['n_attack']} attacks; threshold {v['threshold']:.4f} ({ev.point.how()})"]
    text += [line(n, k) for n, k in (("ROC AUC", "auc"), ("EER", "eer"), ("EER threshold", "eer_threshold"),
                                     ("accuracy", "acc"), ("APCER (max)", "apcer_max"), ("BPCER", "bpcer"),
                                     ("ACER", "acer"), ("HTER", "hter"), ("BPCER @ APCER 5%", "bpcer_at_apcer_5"),
                                     ("BPCER @ APCER 10%", "bpcer_at_apcer_10"))]
    text += [f"  APCER {t:<16}{a:>8.4f}" for t, a in v["apcer"].items()]
    text.append(f"  {'average precision':<22}{ev.ap:>8.4f}")
    print_result(args, v, "\n".join(text))
    return 0


def cmd_audit_confidence(args) -> int:
    from engine.audit.calibration import run_confidence

    with open_project(args.dir, reading=True) as project:
        res = run_confidence(project, args.run_id, args.calibration_split, args.calibration_run, args.reject)
    d = res.to_json()
    fmt = lambda x: "-" if x is None else f"{x:.4f}"  # noqa: E731
    text = (f"Gaussians: {', '.join(f'{n} ({c})' for n, c in zip(res.bank.names, res.bank.counts))}\n"
            f"confidence threshold {d['threshold']:.4f}: {len(d['flagged'])} of {len(res.ids)} samples outside the "
            f"model's knowledge: {' '.join(map(str, d['flagged'])) or '-'}\n"
            f"AURC rejecting by score margin {fmt(d['aurc_score'])}, by Mahalanobis confidence "
            f"{fmt(d['aurc_mahalanobis'])}")
    print_result(args, d, text)
    return 0


def cmd_audit_queue(args) -> int:
    from engine.audit.review import REASONS, build_queue

    with open_project(args.dir, reading=True) as project:
        q = build_queue(project, args.run_id, _queue_settings(args))
        paths = {m.id: m.path for m in project.media.all()}
    text = [f"run {q.run_id}: {len(q.items)} samples to review (threshold {q.point.threshold:.4f}, {q.point.method})"]
    text += [f"  note: {n}" for n in q.notes]
    for i in q.items:
        where = " ".join([str(paths.get(i.media_id, i.media_id))] + [f"{k} {v}" for k, v in (
            ("frame", i.frame), ("face", i.face)) if v is not None])  # the face too: a photo may hold several
        verdict = f"  -> {i.verdict.verdict} ({i.verdict.reviewer})" if i.verdict else ""
        text.append(f"  result {i.result_id:>5}  risk {i.risk:.3f}  score {i.score:.3f}  {i.label or '?':<9} "
                    f"{where}  [{'; '.join(REASONS[r] for r in i.reasons)}]{verdict}")
    print_result(args, q.to_json(), "\n".join(text))
    return 0


def cmd_audit_verdict(args) -> int:
    with open_project(args.dir) as project:
        v = project.detectors.add_verdict(args.result_id, args.verdict, args.note or "", args.reviewer)
    print_result(args, v.as_dict(), f"verdict {v.id}: result {v.result_id} is {v.verdict} (by {v.reviewer})")
    return 0


def cmd_audit_report(args) -> int:
    from engine.audit.report import write_report
    from engine.audit.report.data import ReportSettings

    with open_project(args.dir) as project:
        m = write_report(project, args.run_id, args.out, ReportSettings(_queue_settings(args), args.bootstrap))
    print(f"wrote {Path(args.out).resolve()} (run {args.run_id}: {len(m['flagged'])} flagged samples, "
          f"{len(m['verdicts'])} verdicts, {len(m['media'])} media files, audit head {m['audit_head']['seq']})")
    return 0


def cmd_audit_verify_report(args) -> int:
    from engine.audit.report.verify import verify_report

    with open_project(args.dir, reading=True) as project:
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
    with open_project(args.dir) as project:
        engine = Engine()
        try:
            shown = [0]  # length of the line on screen: a shorter message must cover all of it

            def progress(_job, done, total, message):
                line = f"{message} {done}/{total}"
                print("\r" + line.ljust(shown[0]), end="", file=sys.stderr, flush=True)
                shown[0] = len(line)

            result = engine.run(detector_job(project, spec, args.media, settings), "detect", on_progress=progress)
        finally:
            engine.stop()
        print(file=sys.stderr)
    if not result.ok:
        raise FaceLensError(result.error or "cancelled")
    print_result(args, result.value, f"detector run {result.value['run_id']}: {result.value['rows']} faces scored on "
                                     f"{result.value['media']} media")
    return 0


def _add_threshold_options(c, queue: bool = True) -> None:
    g = c.add_mutually_exclusive_group()
    g.add_argument("--threshold", type=FRACTION, help="operating threshold (default: chosen on the dev split)")
    g.add_argument("--target-apcer", type=FRACTION, help="choose the threshold on dev so that APCER <= this")
    c.add_argument("--threshold-method", default="eer", choices=("eer", "min_hter", "target_apcer"),
                   help="how the threshold is chosen on dev (default: eer)")
    if queue:
        c.add_argument("--reject", type=REJECT, default=0.1, help="fraction to flag by confidence, in [0, 1) "
                                                                  "(default 0.1)")
        c.add_argument("--band", type=BAND, default=0.05, help="uncertainty band around the threshold, in [0, 0.5] "
                                                              "(default 0.05; 0: no flag)")
        c.add_argument("--calibration-split", default="dev", choices=("dev", "test"))
        c.add_argument("--calibration-run", type=int, help="fit the confidence on another run's labelled features")


def add_commands(sub) -> None:
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
    c.add_argument("--allow-duplicate", action="store_true",
                   help="import a file already imported with the same features as another run (say, to compare "
                        "aggregations side by side)")
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
    c.add_argument("--bootstrap", type=_rounds, default=0, metavar="N", help="add N-round bootstrap intervals")
    c.add_argument("--json", action="store_true")
    c.set_defaults(func=cmd_audit_metrics)

    c = asub.add_parser("confidence", help="flag samples outside the model's knowledge (Mahalanobis confidence)")
    c.add_argument("dir")
    c.add_argument("run_id", type=int)
    c.add_argument("--calibration-split", default="dev", choices=("dev", "test"))
    c.add_argument("--calibration-run", type=int, help="fit on another run's labelled features")
    c.add_argument("--reject", type=REJECT, default=0.1, help="fraction to flag, in [0, 1) (default 0.1)")
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
    c.add_argument("--bootstrap", type=_rounds, default=1000, metavar="N", help="bootstrap rounds (default 1000)")
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
