"""Registers the Audit workspace's panels and its face-box canvas layer."""
from __future__ import annotations

from PySide6.QtCore import Qt

from gui.panels import PanelSpec, register_panel


def _queue(window):
    from gui.audit.face_layer import FaceBoxLayer
    from gui.audit.queue_panel import QueuePanel
    from gui.audit.state import audit_state

    panel = QueuePanel(window)
    window.canvas.add_layer(FaceBoxLayer(audit_state(window)))
    return panel


def _metrics(window):
    from gui.audit.metrics_panel import MetricsPanel

    return MetricsPanel(window)


def _scores(window):
    from gui.audit.score_plot import ScorePlot

    return ScorePlot(window)


# The queue, the metrics and the objects share the right column as tabs, so that each gets its full height:
# stacked, none of them had room at 1280x800. The queue is tabbed last, so it is the one in front.
register_panel(PanelSpec("audit.metrics", "Metrics", _metrics, ("audit",), Qt.RightDockWidgetArea, order=21,
                         tab_with="objects", min_width=440))
register_panel(PanelSpec("audit.queue", "Review queue", _queue, ("audit",), Qt.RightDockWidgetArea, order=22,
                         tab_with="objects", min_width=440))
register_panel(PanelSpec("audit.scores", "Score over time", _scores, ("audit",), Qt.BottomDockWidgetArea, order=30,
                         min_height=110))
