"""Workspaces: the same docks arranged for each kind of work, each layout remembered per user.

A workspace is a saved ``QMainWindow.saveState`` plus which panels it shows by default (``PanelSpec.workspaces``
and the toolbars listed here). Moving a dock changes the current workspace's layout; switching workspace saves
it first. A panel registered after a layout was saved is placed by its defaults.
"""
from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtWidgets import QMainWindow

from gui.settings import Settings


@dataclass(frozen=True)
class Workspace:
    key: str
    title: str
    icon: str
    shortcut: str
    toolbars: tuple[str, ...]  # objectNames of the toolbars it puts forward
    tip: str


WORKSPACES = (
    Workspace("annotate", "Annotate", "annotate", "Ctrl+1", ("toolbar:tools", "toolbar:canvas"),
              "Masks, boxes, polygons and points on images and video frames"),
    Workspace("emotion", "Emotion", "emotion", "Ctrl+2", ("toolbar:tools", "toolbar:canvas"),
              "ER and FER time segments, ratings and gaze"),
    Workspace("audit", "Audit", "audit", "Ctrl+3", ("toolbar:canvas",),
              "Review flagged detector results and record verdicts"),
    Workspace("curate", "Curate", "curate", "Ctrl+4", ("toolbar:canvas",),
              "Search, cluster, pre-label and export collections"),
)
BY_KEY = {w.key: w for w in WORKSPACES}
STATE_VERSION = 1


class WorkspaceLayouts:
    def __init__(self, window: QMainWindow, settings: Settings):
        self.window = window
        self.settings = settings
        self.current = settings.get("workspace/current") or WORKSPACES[0].key
        if self.current not in BY_KEY:
            self.current = WORKSPACES[0].key

    def save(self) -> None:
        key = self.current
        self.settings.set(f"workspace/{key}/state", self.window.saveState(STATE_VERSION))
        self.settings.set_json(f"workspace/{key}/panels", sorted(self.window.docks))
        self.settings.set("workspace/current", key)

    def switch(self, key: str) -> None:
        if key not in BY_KEY:
            raise ValueError(f"no workspace {key!r}")
        if key != self.current:
            self.save()
            self.current = key
        self.restore()
        self.settings.set("workspace/current", key)

    def restore(self) -> None:
        """Apply the current workspace's saved layout, or its default one."""
        state = self.settings.get(f"workspace/{self.current}/state")
        known = set(self.settings.get_json(f"workspace/{self.current}/panels", []))
        restored = isinstance(state, (QByteArray, bytes)) and self.window.restoreState(state, STATE_VERSION)
        if not restored:
            self.apply_default()
            return
        for key, dock in self.window.docks.items():
            if key not in known:  # registered since the layout was saved
                self._place(key, dock)

    def reset(self) -> None:
        self.settings.set(f"workspace/{self.current}/state", None)
        self.apply_default()
        self.save()

    # --- default layouts -----------------------------------------------------------------------------------
    def apply_default(self) -> None:
        w = self.window
        for key, dock in w.docks.items():
            w.removeDockWidget(dock)
        placed: dict = {}
        for spec in w.panel_specs:
            dock = w.docks[spec.key]
            if spec.tab_with and spec.tab_with in placed and w.docks[spec.tab_with].isVisibleTo(w):
                w.addDockWidget(spec.area, dock)
                w.tabifyDockWidget(w.docks[spec.tab_with], dock)
            else:
                # Panels of one area stack: side panels one above the other, and at the bottom the timeline
                # runs full width with tiers and plots below it, as the window sketch has them.
                w.addDockWidget(spec.area, dock, Qt.Vertical)
            dock.setVisible(self.current in spec.workspaces)
            placed[spec.key] = dock
        for bar_name, bar in w.toolbars.items():
            bar.setVisible(bar_name in BY_KEY[self.current].toolbars or bar_name not in _WORKSPACE_TOOLBARS)
        w.size_docks()

    def _place(self, key: str, dock) -> None:
        spec = self.window.panel_spec(key)
        self.window.addDockWidget(spec.area, dock)
        dock.setVisible(self.current in spec.workspaces)


# Toolbars that workspaces show or hide; any other toolbar stays as the user left it.
_WORKSPACE_TOOLBARS = {name for w in WORKSPACES for name in w.toolbars}
