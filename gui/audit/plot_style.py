"""pyqtgraph plots that follow the window's palette (light or dark), set per plot so other panels are untouched."""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QPalette


def styled_plot(parent, title: str = "", x: str = "", y: str = "", legend: bool = True) -> pg.PlotWidget:
    w = pg.PlotWidget(parent, title=title or None)
    pal = parent.palette()
    w.setBackground(pal.color(QPalette.Base))
    fg = pal.color(QPalette.Text)
    for name in ("left", "bottom"):
        axis = w.getAxis(name)
        axis.setPen(fg)
        axis.setTextPen(fg)
        axis.enableAutoSIPrefix(False)  # "risk (x0.001)" over 0..200 read as a percentage; plain numbers instead
    w.getPlotItem().titleLabel.setAttr("color", fg.name())
    if x:
        w.setLabel("bottom", x)
    if y:
        w.setLabel("left", y)
    w.showGrid(x=True, y=True, alpha=0.2)
    if legend:
        back = pal.color(QPalette.Base)
        back.setAlpha(210)  # the legend stays readable over the curves it sits on
        w.addLegend(offset=(-10, 10), labelTextColor=fg, brush=back)
    return w
