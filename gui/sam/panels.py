"""Registers the SAM 2 panel (which also installs the preview layer, the Models menu and the segmenter badge)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from gui.panels import PanelSpec, register_panel


def _sam(window):
    from gui.sam.panel import make_panel

    return make_panel(window)


register_panel(PanelSpec("sam", "SAM 2", _sam, ("annotate",), Qt.RightDockWidgetArea, order=30,
                         min_width=300, min_height=320))
