"""The PDF report, drawn with matplotlib (PdfPages): a summary page, the plots, then the flagged samples and
the media hashes. The manifest travels in the document's Keywords entry."""
from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from engine.audit.report import tables
from engine.audit.report.manifest import pdf_keywords
from engine.audit.report.plots import report_figures

A4 = (8.27, 11.69)
ROWS_PER_PAGE = 38


def _text_page(title: str, blocks: list[tuple[str, list]]) -> Figure:
    fig = Figure(figsize=A4)
    y = 0.95
    fig.text(0.06, y, title, fontsize=14, weight="bold")
    y -= 0.04
    for heading, rows in blocks:
        fig.text(0.06, y, heading, fontsize=11, weight="bold")
        y -= 0.022
        for row in rows:
            if isinstance(row, tuple):
                fig.text(0.08, y, row[0], fontsize=7.5)
                fig.text(0.42, y, _clip(row[1], 80), fontsize=7.5, family="monospace")
            else:
                fig.text(0.08, y, "   ".join(f"{c:<{w}}" for c, w in zip(row, _widths(len(row)))), fontsize=7,
                         family="monospace")
            y -= 0.016
        y -= 0.015
    return fig


def _widths(n: int) -> list[int]:
    return [36] + [34] * (n - 1)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _table_pages(title: str, header: list[str], rows: list[list[str]], widths: list[float]) -> list[Figure]:
    pages = []
    for start in range(0, max(len(rows), 1), ROWS_PER_PAGE):
        chunk = rows[start:start + ROWS_PER_PAGE]
        fig = Figure(figsize=A4)
        fig.text(0.04, 0.96, f"{title} ({start + 1}-{start + len(chunk)} of {len(rows)})", fontsize=12, weight="bold")
        ax = fig.add_axes((0.03, 0.04, 0.94, 0.9))
        ax.axis("off")
        if chunk:
            t = ax.table(cellText=[[_clip(c, 60) for c in r] for r in chunk], colLabels=header, colWidths=widths,
                         loc="upper center", cellLoc="left")
            t.auto_set_font_size(False)
            t.set_fontsize(5.5)
            t.scale(1, 1.15)
        else:
            ax.text(0.0, 0.95, "none", fontsize=9)
        pages.append(fig)
    return pages


def write_pdf(data, path: Path) -> dict:
    header, rows = tables.metric_rows(data)
    summary = _text_page(f"Audit report: detector run {data.run.id}, {data.run.model}", [
        ("Run", tables.run_rows(data)),
        ("Metrics", [header] + rows if data.evaluations else [("metrics", "no labelled samples")]),
        ("Confidence", tables.confidence_rows(data)),
        ("Audit chain", tables.audit_rows(data)),
    ])
    pages = [summary]
    for caption, fig in report_figures(data):
        fig.set_size_inches(A4[0], A4[0] * 0.62)
        fig.suptitle(caption, fontsize=9, y=0.995)
        pages.append(fig)
    pages += _table_pages("Flagged samples and verdicts", tables.FLAGGED_HEADER, tables.flagged_rows(data),
                          [0.05, 0.16, 0.05, 0.04, 0.06, 0.1, 0.17, 0.05, 0.07, 0.1, 0.07, 0.12])
    pages += _table_pages("Media files and SHA-256", tables.MEDIA_HEADER, tables.media_rows(data),
                          [0.06, 0.06, 0.34, 0.54])
    tmp = path.with_name(path.name + ".part")
    with PdfPages(tmp, metadata={"Title": f"FaceLens audit report, run {data.run.id}", "Creator": "FaceLens",
                                 "Keywords": pdf_keywords(data.manifest)}) as pdf:
        for fig in pages:
            pdf.savefig(fig)
    tmp.replace(path)
    return data.manifest
