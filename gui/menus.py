"""The menu bar and toolbars: File, Edit, View, Media, Tools, Workspace, Help.

Each entry is an action made with ``gui.actions.add_action``, so its shortcut is in its tooltip and in
Help → Shortcuts. Others add menus with ``window.menu(key, title)`` (placed before Workspace).
"""
from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QLabel, QSizePolicy, QSlider, QSpinBox, QStyle, QToolBar, QWidget, QWidgetAction

from gui import icons
from gui.actions import add_action
from gui.help import install_help
from gui.media_actions import install_media_actions
from gui.project_actions import install_file_menu
from gui.workspaces import WORKSPACES


def build_menus(window) -> None:
    bar = window.menuBar()
    for key, title in (("file", "&File"), ("edit", "&Edit"), ("view", "&View"), ("media", "&Media"),
                       ("tools", "&Tools"), ("workspace", "&Workspace"), ("help", "&Help")):
        window.menus[key] = bar.addMenu(title)
    _toolbars(window)
    install_file_menu(window, window.menus["file"])
    _edit_menu(window, window.menus["edit"])
    _view_menu(window, window.menus["view"])
    install_media_actions(window, window.menus["media"])
    window.tools.install(window.menus["tools"], window.toolbars["toolbar:tools"])
    window.menus["labels"] = window.menus["tools"].addMenu("&Labels")
    _workspace_menu(window, window.menus["workspace"])
    install_help(window, window.menus["help"])
    _canvas_toolbar(window, window.toolbars["toolbar:canvas"])


def _toolbars(window) -> None:
    specs = (("toolbar:workspaces", "Workspaces", Qt.TopToolBarArea), ("toolbar:canvas", "Canvas", Qt.TopToolBarArea),
             ("toolbar:tools", "Tools", Qt.LeftToolBarArea))
    for name, title, area in specs:
        tb = QToolBar(title, window)
        tb.setObjectName(name)
        tb.setMovable(True)
        tb.setIconSize(QSize(20, 20))
        window.addToolBar(area, tb)
        window.toolbars[name] = tb
    window.toolbars["toolbar:tools"].setToolButtonStyle(Qt.ToolButtonIconOnly)
    window.toolbars["toolbar:workspaces"].setToolButtonStyle(Qt.ToolButtonTextBesideIcon)


def _edit_menu(window, menu) -> None:
    add_action(window, menu, "edit.undo", "Undo", window.undo, shortcut="Ctrl+Z",
               tip="Undo the last edit (it is saved at once)", icon=icons.standard(QStyle.SP_ArrowBack))
    add_action(window, menu, "edit.redo", "Redo", window.redo, shortcut=("Ctrl+Shift+Z", "Ctrl+Y"),
               tip="Redo the edit just undone", icon=icons.standard(QStyle.SP_ArrowForward))
    menu.addSeparator()
    add_action(window, menu, "edit.delete", "Delete", window.delete_selection, shortcut="Delete",
               tip="Delete the selected annotations", icon=icons.standard(QStyle.SP_TrashIcon))
    add_action(window, menu, "edit.select_none", "Select none", lambda: window.set_selection(set()),
               shortcut="Ctrl+Shift+A", tip="Clear the selection")
    add_action(window, menu, "edit.select_all", "Select all here",
               lambda: window.set_selection({a.id for a in window.annotations_here()}), shortcut="Ctrl+A",
               tip="Select every annotation on this image or frame")
    window._update_undo_actions()


def _view_menu(window, menu) -> None:
    c = window.canvas
    add_action(window, menu, "view.zoom_in", "Zoom in", c.zoom_in, shortcut=("+", "="), tip="Zoom in",
               icon="zoom-in")
    add_action(window, menu, "view.zoom_out", "Zoom out", c.zoom_out, shortcut="-", tip="Zoom out",
               icon="zoom-out")
    add_action(window, menu, "view.fit", "Fit to window", c.fit, shortcut="F", tip="Fit the image in the window",
               icon="fit")
    add_action(window, menu, "view.actual_size", "Actual pixels", lambda: c.set_zoom(1.0), shortcut="Ctrl+0",
               tip="One image pixel per screen pixel")
    menu.addSeparator()
    hide = add_action(window, menu, "view.hide_overlays", "Hide overlays",
                      window.canvas.hide_overlays, shortcut="H",
                      tip="Hide what is drawn over the picture (annotations, SAM 2's masks, gaze, face boxes)",
                      checkable=True)
    hide.setChecked(False)
    opacity = menu.addMenu("Overlay &opacity")
    slider_action = QWidgetAction(window)
    slider_action.setDefaultWidget(_opacity_slider(window, 160))
    opacity.addAction(slider_action)
    add_action(window, opacity, "view.opacity_up", "More opaque",
               lambda: window.set_overlay_opacity(window.overlay_opacity + 0.1), shortcut="Shift+O",
               tip="Make mask and shape fills more opaque")
    add_action(window, opacity, "view.opacity_down", "More transparent",
               lambda: window.set_overlay_opacity(window.overlay_opacity - 0.1), shortcut="Alt+O",
               tip="Make mask and shape fills more transparent")
    menu.addSeparator()
    window.menus["panels"] = menu.addMenu("&Panels")
    window.menus["toolbars"] = menu.addMenu("&Toolbars")
    for tb in window.toolbars.values():
        window.menus["toolbars"].addAction(tb.toggleViewAction())


def _opacity_slider(window, width: int) -> QSlider:
    s = QSlider(Qt.Horizontal)
    s.setRange(0, 100)
    s.setValue(round(window.overlay_opacity * 100))
    s.setFixedWidth(width)
    s.setToolTip("Overlay opacity: how strongly masks and fills cover the picture (Shift+O / Alt+O)")
    s.valueChanged.connect(lambda v: window.set_overlay_opacity(v / 100))
    window.overlayOpacityChanged.connect(lambda v: (s.blockSignals(True), s.setValue(round(v * 100)),
                                                    s.blockSignals(False)))
    return s


def _canvas_toolbar(window, tb: QToolBar) -> None:
    for key in ("view.fit", "view.zoom_out", "view.zoom_in"):
        tb.addAction(window.action(key))
    zoom = QLabel("100%")
    zoom.setMinimumWidth(48)
    zoom.setAlignment(Qt.AlignCenter)
    zoom.setToolTip("Zoom (mouse wheel, + and -; F fits)")
    window.canvas.zoomChanged.connect(lambda z: zoom.setText(f"{z * 100:.0f}%"))
    tb.addWidget(zoom)
    tb.addSeparator()
    tb.addWidget(QLabel(" Opacity "))
    tb.addWidget(_opacity_slider(window, 110))
    tb.addSeparator()
    tb.addWidget(QLabel(" Brush "))
    size = QSpinBox()
    size.setRange(1, 512)
    size.setSuffix(" px")
    size.setValue(window.tools.brush_size)
    size.setToolTip("Brush and eraser size ([ and ])")
    size.valueChanged.connect(window.tools.set_brush_size)
    window.tools.brushSizeChanged.connect(lambda v: (size.blockSignals(True), size.setValue(v),
                                                     size.blockSignals(False)))
    tb.addWidget(size)


def _workspace_menu(window, menu) -> None:
    group = QActionGroup(window)
    bar = window.toolbars["toolbar:workspaces"]
    for w in WORKSPACES:
        act = add_action(window, menu, f"workspace.{w.key}", w.title, lambda _=False, k=w.key: switch(window, k),
                         shortcut=w.shortcut, tip=w.tip, icon=w.icon, checkable=True)
        group.addAction(act)
        bar.addAction(act)
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
    bar.addWidget(spacer)
    menu.addSeparator()
    add_action(window, menu, "workspace.reset", "Reset layout", lambda: window.layouts.reset(),
               tip="Put this workspace's panels back where they start")


def switch(window, key: str) -> None:
    window.layouts.switch(key)
    window.action(f"workspace.{key}").setChecked(True)


