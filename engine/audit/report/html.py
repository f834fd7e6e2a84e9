"""The HTML report: one self-contained file (plots as PNG data URIs, no external resources)."""
from __future__ import annotations

import base64
import io
from html import escape
from pathlib import Path

from engine.audit.report import tables
from engine.audit.report.manifest import HTML_CLOSE, HTML_OPEN, embed_html, html_body_digest
from engine.audit.report.plots import report_figures

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85em;margin:.5em 0}td,th{border:1px solid #ddd;padding:3px 7px;
text-align:left;vertical-align:top}th{background:#f3f3f3}td.num{text-align:right;font-variant-numeric:tabular-nums}
code,.hash{font-family:ui-monospace,monospace;font-size:.85em;word-break:break-all}
figure{display:inline-block;margin:.5em}figcaption{font-size:.8em;color:#555}
"""


def _png(fig) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _kv(rows) -> str:
    return "<table>" + "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows) + "</table>"


def _table(header, rows, mono: set[int] = frozenset()) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f'<td{" class=hash" if j in mono else ""}>{escape(c)}</td>'
                                    for j, c in enumerate(r)) + "</tr>" for r in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def render_html(data) -> str:
    header, rows = tables.metric_rows(data)
    flagged = tables.flagged_rows(data)
    parts = [
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        f"<title>FaceLens audit report: run {data.run.id} ({escape(data.run.model)})</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>Audit report: detector run {data.run.id}, {escape(data.run.model)}</h1>",
        "<h2>Run</h2>", _kv(tables.run_rows(data)),
        "<h2>Metrics</h2>",
        _table(header, rows) if data.evaluations else "<p>The run has no labelled bona fide and attack samples: "
                                                      "no metrics.</p>",
        "<p>A sample is called an attack when its score is at or above the threshold. APCER: attacks of a type "
        "called bona fide; BPCER: bona fide called attack; ACER: mean of the largest APCER and the BPCER; HTER: mean "
        "of the APCER over all attacks and the BPCER at the threshold chosen on dev. Intervals: bootstrap, 95%.</p>",
        "<h2>Confidence</h2>", _kv(tables.confidence_rows(data)),
        "<h2>Plots</h2>",
        "".join(f'<figure><img alt="{escape(c)}" src="{_png(f)}"><figcaption>{escape(c)}</figcaption></figure>'
                for c, f in report_figures(data)),
        f"<h2>Flagged samples and verdicts ({len(flagged)})</h2>",
        _table(tables.FLAGGED_HEADER, flagged) if flagged else "<p>No sample was flagged.</p>",
        f"<h2>Media files ({len(data.media)})</h2>", _table(tables.MEDIA_HEADER, tables.media_rows(data), {3}),
        "<h2>Audit chain</h2>", _kv(tables.audit_rows(data)),
        "<p>Check this report against the project with <code>python main.py audit verify-report PROJECT "
        "REPORT</code>.</p>",
        HTML_OPEN + HTML_CLOSE, "</body></html>\n",
    ]
    return "\n".join(parts)


def write_html(data, path: Path) -> dict:
    page = render_html(data)
    manifest = {**data.manifest, "body_sha256": html_body_digest(page)}
    tmp = path.with_name(path.name + ".part")
    tmp.write_text(embed_html(page, manifest), encoding="utf-8")
    tmp.replace(path)
    return manifest
