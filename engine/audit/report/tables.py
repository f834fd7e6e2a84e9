"""The report's tables as rows of text, shared by the HTML and the PDF writers."""
from __future__ import annotations

from datetime import datetime, timezone

from engine.audit.review import REASONS

METRIC_NAMES = [  # key in the metrics, what the reader sees, key of its interval
    ("n_bona_fide", "bona fide samples", None), ("n_attack", "attack samples", None),
    ("auc", "ROC AUC", "auc"), ("ap", "average precision", "ap"), ("eer", "EER", "eer"),
    ("eer_threshold", "EER threshold", None), ("threshold", "operating threshold", None),
    ("acc", "accuracy", "acc"), ("apcer_max", "APCER (largest over attack types)", "apcer_max"),
    ("bpcer", "BPCER", "bpcer"), ("acer", "ACER", "acer"), ("hter", "HTER", "hter"),
    ("bpcer_at_apcer_5", "BPCER at APCER = 5%", None), ("bpcer_at_apcer_10", "BPCER at APCER = 10%", None),
]


def fmt(v) -> str:
    if v is None:
        return "-"
    if isinstance(v, int):
        return str(v)
    return f"{v:.4f}"


def fmt_ci(ci) -> str:
    return f"[{fmt(ci[0])}, {fmt(ci[1])}]" if ci and ci[0] is not None else ""


def run_rows(data) -> list[tuple[str, str]]:
    r, q = data.run, data.queue
    rows = [("project", data.project_name), ("detector run", str(r.id)), ("model", r.model),
            ("version", r.version or "-"), ("parameters", ", ".join(f"{k}={v}" for k, v in sorted(r.params.items()))
                                             or "-"),
            ("scores from", r.source or "-"), ("scores SHA-256", r.source_sha256 or "-"),
            ("features SHA-256", r.features_sha256 or "-"), ("rows", str(r.rows)),
            ("frame-to-video aggregation", r.aggregation),
            ("operating threshold", f"{fmt(q.point.threshold)} ({q.point.how()})"),
            ("uncertainty band", f"± {data.settings.queue.band:g}"),
            ("fraction rejected by confidence", f"{data.settings.queue.reject:g}"),
            ("bootstrap", f"{data.settings.bootstrap} rounds, seed {data.settings.seed}, 95% intervals"),
            ("report written", data.created_at)]
    return rows


def metric_rows(data) -> tuple[list[str], list[list[str]]]:
    levels = list(data.evaluations)
    header = ["metric"] + [f"{lvl} level ({data.evaluations[lvl].split or 'all rows'})" for lvl in levels]
    rows = []
    for key, name, ci_key in METRIC_NAMES:
        cells = [name]
        for lvl in levels:
            ev = data.evaluations[lvl].to_json(extended=True)
            v = ev.get(key)
            cells.append(fmt(v) + (" " + fmt_ci(ev["ci"].get(ci_key)) if ci_key and ev["ci"] else ""))
        rows.append(cells)
    types = sorted({t for lvl in levels for t in data.evaluations[lvl].values["apcer"]})
    for t in types:
        rows.append([f"APCER {t}"] + [fmt(data.evaluations[lvl].values["apcer"].get(t)) for lvl in levels])
    return header, rows


def confidence_rows(data) -> list[tuple[str, str]]:
    c = data.queue.confidence
    if c is None:
        return [("confidence", n) for n in data.queue.notes] or [("confidence", "not computed")]
    groups = ", ".join(f"{n} ({k})" for n, k in zip(c.bank.names, c.bank.counts))
    return [("Gaussians fitted to", groups), ("confidence threshold", fmt(c.threshold)),
            ("flagged outside the model's knowledge", str(len(c.flagged))),
            ("AURC, rejecting by score margin", fmt(c.aurc_score)),
            ("AURC, rejecting by Mahalanobis confidence", fmt(c.aurc_mahalanobis))]


FLAGGED_HEADER = ["result", "media", "frame", "face", "score", "label", "why flagged", "risk", "verdict", "note",
                  "reviewer", "when"]


def flagged_rows(data) -> list[list[str]]:
    rows = []
    for i in data.queue.items:
        v = i.verdict
        rows.append([str(i.result_id), data.media_path(i.media_id), fmt(i.frame), fmt(i.face), fmt(i.score),
                     (i.label or "-") + (f" ({i.attack_type})" if i.attack_type else ""),
                     "; ".join(REASONS[r] for r in i.reasons), f"{i.risk:.3f}", v.verdict if v else "-",
                     v.note if v else "", v.reviewer if v else "", when(v.created_at) if v else ""])
    return rows


def when(t: float) -> str:
    return datetime.fromtimestamp(t, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


MEDIA_HEADER = ["media", "kind", "path", "SHA-256"]


def media_rows(data) -> list[list[str]]:
    return [[str(m["id"]), m["kind"], m["path"], m["sha256"]] for m in data.media]


def audit_rows(data) -> list[tuple[str, str]]:
    h = data.audit_head
    return [("entries", str(h.get("seq", 0))), ("head entry hash", h.get("hash", "-")),
            ("head written", h.get("time", "-"))]
