"""Tables for the PDF report whose cells wrap instead of being cut: a reviewer's note, a media path and a
SHA-256 are evidence and must be printed whole. Text is measured with matplotlib's own renderer, so every line
fits its column; rows grow to their tallest cell and pages break between rows."""
from __future__ import annotations

import re
from dataclasses import dataclass

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle

FONT_SIZE = 6.0
LINE = FONT_SIZE * 1.3 / 72  # inches between lines
PAD = 0.03  # inches around a cell's text
LEFT, RIGHT, TOP, BOTTOM = 0.35, 0.35, 0.75, 0.45  # page margins, inches
DPI = 720  # of the measuring renderer
BREAK_AFTER = re.compile(r"[^ /_;,.\-]*[ /_;,.\-]*")  # a word, and the separators a line may break after


@dataclass
class Column:
    title: str
    share: float  # of the page's text width
    mono: bool = False


class _Measure:
    def __init__(self):
        self.renderer = FigureCanvasAgg(Figure(dpi=DPI)).get_renderer()  # fine pixels: little rounding per glyph
        self.fonts = {m: FontProperties(family="monospace" if m else "sans-serif", size=FONT_SIZE)
                      for m in (False, True)}
        self.weights = {m: FontProperties(family="monospace" if m else "sans-serif", size=FONT_SIZE,
                                          weight="bold") for m in (False, True)}

    def width(self, text: str, mono: bool, bold: bool = False) -> float:
        """Width of ``text`` in inches."""
        font = (self.weights if bold else self.fonts)[mono]
        return self.renderer.get_text_width_height_descent(text, font, ismath=False)[0] / DPI


def wrap(text: str, fits) -> list[str]:
    """Lines of ``text`` that each satisfy ``fits``: broken after spaces and path separators where possible,
    inside a word only when the word alone is too wide. Joining the lines gives the text back."""
    lines, line = [], ""
    for token in (t for t in BREAK_AFTER.findall(text) if t):
        if fits(line + token):
            line += token
            continue
        if line:
            lines.append(line)
            line = ""
        for ch in token:  # a word wider than the column: break it where it must
            if line and not fits(line + ch):
                lines.append(line)
                line = ""
            line += ch
    if line or not lines:
        lines.append(line)
    return lines


def table_pages(title: str, columns: list[Column], rows: list[list[str]], size: tuple[float, float]) -> list[Figure]:
    """The table on as many pages of ``size`` (inches) as it needs, its header repeated on each."""
    measure = _Measure()
    width = size[0] - LEFT - RIGHT
    inner = [c.share * width - 2 * PAD for c in columns]

    def cells(row: list[str], bold: bool = False) -> list[list[str]]:
        return [wrap(str(text), lambda s, w=w, c=c: measure.width(s.rstrip(), c.mono, bold) <= w)
                for text, c, w in zip(row, columns, inner)]

    header = cells([c.title for c in columns], bold=True)
    body = [cells(r) for r in rows]
    pages, start = [], 0
    while True:
        fig = Figure(figsize=size)
        y = size[1] - TOP
        y = _row(fig, columns, header, y, size, width, bold=True)
        first = start
        while start < len(body) and y - _height(body[start]) >= BOTTOM:
            y = _row(fig, columns, body[start], y, size, width)
            start += 1
        if start == first and start < len(body):  # a row taller than a page: print it anyway, cut at the bottom
            y = _row(fig, columns, body[start], y, size, width)
            start += 1
        shown = f"{first + 1}-{start} of {len(rows)}" if rows else "none"
        fig.text(LEFT / size[0], 1 - 0.4 / size[1], f"{title} ({shown})", fontsize=12, weight="bold")
        pages.append(fig)
        if start >= len(body):
            return pages


def _height(lines: list[list[str]]) -> float:
    return max(len(c) for c in lines) * LINE + 2 * PAD


def _row(fig, columns, lines, top: float, size, width: float, bold: bool = False) -> float:
    """Draw one row whose top edge is ``top`` inches above the page's bottom; returns its bottom edge."""
    w, h = size
    bottom = top - _height(lines)
    if bold:
        fig.add_artist(Rectangle((LEFT / w, bottom / h), width / w, (top - bottom) / h, facecolor="#eeeeee",
                                 edgecolor="none", transform=fig.transFigure))
    x = LEFT
    for col, text in zip(columns, lines):
        for k, line in enumerate(text):
            fig.text((x + PAD) / w, (top - PAD - k * LINE) / h, line.rstrip(), fontsize=FONT_SIZE, va="top",
                     family="monospace" if col.mono else "sans-serif", weight="bold" if bold else "normal")
        x += col.share * width
        if x < LEFT + width - 1e-6:
            fig.add_artist(Line2D([x / w] * 2, [bottom / h, top / h], color="#cccccc", linewidth=0.4,
                                  transform=fig.transFigure))
    fig.add_artist(Line2D([LEFT / w, (LEFT + width) / w], [bottom / h] * 2, color="#999999", linewidth=0.4,
                          transform=fig.transFigure))
    return bottom
