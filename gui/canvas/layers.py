"""Overlay layers: anything drawn over the image (annotations, gaze, a model's live mask preview).

A layer owns one root item; everything it draws hangs under it, so the layer is shown, hidden, faded and
stacked as a whole. The canvas tells each layer what is on screen::

    class GazeLayer(CanvasLayer):
        name = "gaze"
        z = 200                                   # stacking: see Z below
        def media_changed(self, media):           # a new image or video (or None)
            self.clear()
        def frame_changed(self, frame):           # the video frame now shown (None for an image)
            self.clear()
            self.add_item(QGraphicsEllipseItem(x - 8, y - 8, 16, 16))   # scene units are image pixels

    window.canvas.add_layer(GazeLayer())

Scene coordinates are the image's pixel coordinates (pixel (i, j) covers [i, i+1) × [j, j+1)). Layers read
the project through ``self.window`` (``project``, ``current_media``, ``current_frame``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QGraphicsItem

from annotation.model import MediaItem

if TYPE_CHECKING:
    from gui.canvas.view import Canvas

# Where layers stack (higher is drawn on top). A layer may use any z for its own items: they stay inside it.
Z = {"image": 0, "annotations": 100, "gaze": 200, "model preview": 300, "tool": 1000}


class LayerRoot(QGraphicsItem):
    """An item that draws nothing and holds a layer's items."""

    def __init__(self):
        super().__init__()
        self.setFlag(QGraphicsItem.ItemHasNoContents, True)

    def boundingRect(self) -> QRectF:
        return QRectF()

    def paint(self, painter, option, widget=None):
        pass


class CanvasLayer:
    name = "layer"
    z = 150.0
    follows_overlay_opacity = True  # faded by View → Overlay opacity
    hides_with_overlays = True  # hidden by View → Hide overlays (H), whatever the layer's own visibility

    def __init__(self):
        self.root = LayerRoot()
        self.canvas: "Canvas | None" = None
        self._opacity = 1.0
        self._overlay_opacity = 1.0
        self._shown = True  # the layer's own visibility (a gaze overlay unticked stays so when H is pressed twice)
        self._overlays_hidden = False

    @property
    def window(self):
        return self.canvas.window if self.canvas else None

    # --- told by the canvas --------------------------------------------------------------------------------
    def attach(self, canvas: "Canvas") -> None:
        """Called once by ``canvas.add_layer``."""

    def media_changed(self, media: MediaItem | None) -> None:
        self.clear()

    def frame_changed(self, frame: int | None) -> None:
        pass

    def annotations_changed(self) -> None:
        pass

    def overlay_opacity_changed(self, value: float) -> None:
        self._overlay_opacity = value
        self._apply_opacity()

    # --- what a layer does with its items ------------------------------------------------------------------
    def add_item(self, item: QGraphicsItem) -> QGraphicsItem:
        item.setParentItem(self.root)
        return item

    def clear(self) -> None:
        scene = self.root.scene()
        for child in self.root.childItems():
            if scene is not None:
                scene.removeItem(child)
            else:
                child.setParentItem(None)

    @property
    def visible(self) -> bool:
        return self.root.isVisible()

    def set_visible(self, visible: bool) -> None:
        self._shown = visible
        self._apply_visible()

    def set_overlays_hidden(self, hidden: bool) -> None:
        """View → Hide overlays."""
        self._overlays_hidden = hidden
        self._apply_visible()

    def _apply_visible(self) -> None:
        self.root.setVisible(self._shown and not (self._overlays_hidden and self.hides_with_overlays))

    @property
    def opacity(self) -> float:
        return self._opacity

    def set_opacity(self, value: float) -> None:
        self._opacity = max(0.0, min(1.0, value))
        self._apply_opacity()

    def _apply_opacity(self) -> None:
        self.root.setOpacity(self._opacity * (self._overlay_opacity if self.follows_overlay_opacity else 1.0))
