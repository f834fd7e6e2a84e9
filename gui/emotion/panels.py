"""Registers the Emotion workspace's panels (``gui.panels``): tiers and rating at the bottom with the plots,
gaze overlays and the gap/agreement analysis on the right."""
from __future__ import annotations

from PySide6.QtCore import Qt

from gui.panels import PanelSpec, register_panel


def _tiers(window):
    from gui.emotion.tiers_panel import TiersPanel

    return TiersPanel(window)


def _plots(window):
    from gui.emotion.plots import EmotionPlots
    from gui.emotion.state import emotion_state

    return EmotionPlots(window, emotion_state(window))


def _rating(window):
    from gui.emotion.rating_panel import RatingPanel

    return RatingPanel(window)


def _gaze(window):
    from gui.emotion.gaze_panel import GazePanel

    return GazePanel(window)


def _analysis(window):
    from gui.emotion.analysis_panel import AnalysisPanel

    return AnalysisPanel(window)


register_panel(PanelSpec("emotion.tiers", "ER / FER tiers", _tiers, ("emotion",), Qt.BottomDockWidgetArea,
                         order=20, min_height=110))
register_panel(PanelSpec("emotion.plots", "Plots", _plots, ("emotion",), Qt.BottomDockWidgetArea, order=30,
                         min_height=200))
register_panel(PanelSpec("emotion.rating", "Valence / arousal", _rating, ("emotion",), Qt.RightDockWidgetArea,
                         order=40, min_width=200, min_height=160))
register_panel(PanelSpec("emotion.gaze", "Gaze", _gaze, ("emotion",), Qt.RightDockWidgetArea, order=30,
                         min_width=300, min_height=280))
register_panel(PanelSpec("emotion.analysis", "Gap and agreement", _analysis, ("emotion",), Qt.RightDockWidgetArea,
                         order=50, min_width=300, tab_with="emotion.gaze"))
