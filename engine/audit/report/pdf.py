"""The PDF report, drawn with matplotlib (PdfPages): a summary page, the plots, then the flagged samples and
the media hashes (tables whose cells wrap: nothing a reviewer vouches for is cut). The manifest travels in the
document's Keywords entry."""
from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from engine.audit.report import tables
from engine.audit.report.manifest import pdf_keywords
from engine.audit.report.pdf_table import Column, table_pages, wrap
from engine.audit.report.plots import report_figures

A4 = (8.27, 11.69)
VALUE_CHARS = 80  # monospace characters per line of a summary value
FLAGGED_COLUMNS = [Column(t, w) for t, w in zip(tables.FLAGGED_HEADER, (
    0.05, 0.165, 0.045, 0.04, 0.06, 0.09, 0.15, 0.05, 0.07, 0.13, 0.07, 0.08))]
MEDIA_COLUMNS = [Column("media", 0.06), Column("kind", 0.07), Column("path", 0.42),
                 Column("SHA-256", 0.45, mono=True)]


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
                for k, line in enumerate(wrap(row[1], lambda s: len(s) <= VALUE_CHARS)):  # a long path: more lines
                    y -= 0.016 * (k > 0)
                    fig.text(0.42, y, line, fontsize=7.5, family="monospace")
            else:
                fig.text(0.08, y, "   ".join(f"{c:<{w}}" for c, w in zip(row, _widths(len(row)))), fontsize=7,
                         family="monospace")
            y -= 0.016
        y -= 0.015
    return fig


def _widths(n: int) -> list[int]:
    return [36] + [34] * (n - 1)


def pdf_pages(data) -> list[Figure]:
    """Every page of the report, in order."""
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
        fig.suptitle(caption, fontsize=11)
        fig.tight_layout(rect=(0, 0, 1, 0.95))  # room for the caption above the plot
        pages.append(fig)
    pages += table_pages("Flagged samples and verdicts", FLAGGED_COLUMNS, tables.flagged_rows(data), A4)
    pages += table_pages("Media files and SHA-256", MEDIA_COLUMNS, tables.media_rows(data), A4)
    return pages


def write_pdf(data, path: Path) -> dict:
    pages = pdf_pages(data)
    tmp = path.with_name(path.name + ".part")
    with PdfPages(tmp, metadata={"Title": f"FaceLens audit report, run {data.run.id}", "Creator": "FaceLens",
                                 "Keywords": pdf_keywords(data.manifest)}) as pdf:
        for fig in pages:
            pdf.savefig(fig)
    tmp.replace(path)
    return data.manifest
