"""The panels every workspace builds on: media browser, labels, objects and tracks, timeline."""
from __future__ import annotations

from PySide6.QtCore import Qt

from gui.panels import PanelSpec, register_panel

ALL = ("annotate", "emotion", "audit", "curate")


def _media(window):
    from gui.media_browser import MediaBrowser

    return MediaBrowser(window)


def _labels(window):
    from gui.labels_panel import LabelsPanel

    return LabelsPanel(window)


def _objects(window):
    from gui.objects_panel import ObjectsPanel

    return ObjectsPanel(window)


def _timeline(window):
    from gui.timeline import Timeline

    return Timeline(window)


register_panel(PanelSpec("media", "Media", _media, ALL, Qt.LeftDockWidgetArea, order=10, min_width=260))
register_panel(PanelSpec("labels", "Labels", _labels, ("annotate",), Qt.RightDockWidgetArea, order=10,
                         min_width=310, min_height=230))
register_panel(PanelSpec("objects", "Objects and tracks", _objects, ("annotate", "audit"), Qt.RightDockWidgetArea,
                         order=20, min_width=310, min_height=420))
register_panel(PanelSpec("timeline", "Timeline", _timeline, ALL, Qt.BottomDockWidgetArea, order=10, min_height=70))
