"""The panel registry: dock widgets that workspaces show, hide and arrange.

To add a panel, write a module that registers it and append that module to ``PANEL_MODULES`` (one line)::

    # gui/emotion/panels.py
    from PySide6.QtCore import Qt
    from gui.panels import PanelSpec, register_panel

    register_panel(PanelSpec(
        key="emotion.tiers",                 # unique; also the dock's objectName, so layouts are remembered
        title="ER / FER tiers",
        factory=lambda window: TiersWidget(window),   # called once per window, with the MainWindow
        workspaces=("emotion",),             # where it is shown by default (any of gui.workspaces.WORKSPACES)
        area=Qt.BottomDockWidgetArea,        # where it docks by default
        order=20,                            # lower comes first (above, or left) among panels of one area
        tab_with="",                         # key of a panel to share a tabbed dock with, if any
    ))

The factory gets the ``MainWindow``; use its public API: ``project``, ``undo_stack``, ``engine``,
``current_media``, ``current_frame``, ``seek(n)`` and the signals ``projectChanged``, ``mediaChanged``,
``frameChanged(int)``, ``annotationsChanged``, ``selectionChanged``. ``window.panel(key)`` finds a panel's
widget; View → Panels lists them all.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

# Modules that register panels, imported when a window is built. Others append one line each.
PANEL_MODULES = [
    "gui.builtin_panels",
    "gui.emotion.panels",
    "gui.audit.panels",
    "gui.sam.panels",
]


@dataclass(frozen=True)
class PanelSpec:
    key: str
    title: str
    factory: Callable[[object], QWidget]
    workspaces: tuple[str, ...] = ("annotate",)
    area: Qt.DockWidgetArea = Qt.RightDockWidgetArea
    order: int = 100
    tab_with: str = ""
    min_width: int = 0  # default size hints, so a first layout looks right
    min_height: int = 0


PANELS: dict[str, PanelSpec] = {}


def register_panel(spec: PanelSpec) -> PanelSpec:
    if spec.key in PANELS and PANELS[spec.key] != spec:
        raise ValueError(f"a panel {spec.key!r} is already registered")
    PANELS[spec.key] = spec
    return spec


def load_panel_modules() -> list[PanelSpec]:
    """Import every module in ``PANEL_MODULES`` and return the registered panels in layout order."""
    for name in PANEL_MODULES:
        importlib.import_module(name)
    return sorted(PANELS.values(), key=lambda s: (s.order, s.key))
