"""The canvas view: shows an image or video frame (scene units are image pixels), zooms and pans, stacks
overlay layers, and hands mouse and key input to the active tool (``gui.tools``).

Zoom: mouse wheel (around the cursor), + and -; F fits the image. Pan: middle-button drag, or drag empty
space with the select tool. The canvas never decodes: it is given frames that are ready (``show_frame``).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QFrame, QGraphicsPixmapItem, QGraphicsScene,
                               QGraphicsView, QLineEdit, QPlainTextEdit, QTextEdit)

from gui.canvas.annotation_layer import AnnotationLayer
from gui.canvas.layers import Z, CanvasLayer
from gui.tools import ToolEvent

if TYPE_CHECKING:
    from gui.main_window import MainWindow

MIN_ZOOM, MAX_ZOOM = 0.02, 64.0
MARGIN = 4000  # scene room around the image, so it can be panned off-centre


def rgb_to_qimage(frame: np.ndarray) -> QImage:
    frame = np.ascontiguousarray(frame)
    h, w = frame.shape[:2]
    if frame.ndim == 2:
        return QImage(frame.data, w, h, w, QImage.Format_Grayscale8).copy()
    fmt = QImage.Format_RGBA8888 if frame.shape[2] == 4 else QImage.Format_RGB888
    return QImage(frame.data, w, h, frame.strides[0], fmt).copy()


class ToolPreviewLayer(CanvasLayer):
    """Where tools draw what is being made (a box being dragged, a polygon's open outline)."""
    name = "tool"
    z = Z["tool"]
    follows_overlay_opacity = False
    hides_with_overlays = False  # (what is being drawn stays in view)

    def media_changed(self, media):
        self.clear()


class Canvas(QGraphicsView):
    zoomChanged = Signal(float)

    def __init__(self, window: "MainWindow"):
        super().__init__()
        self.window = window
        self.setScene(QGraphicsScene(self))
        self.setFrameShape(QFrame.NoFrame)
        self.setRenderHints(QPainter.Antialiasing | QPainter.SmoothPixmapTransform)
        self.setTransformationAnchor(QGraphicsView.NoAnchor)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setAcceptDrops(True)
        self.image_item = QGraphicsPixmapItem()
        self.image_item.setZValue(Z["image"])
        self.image_item.setShapeMode(QGraphicsPixmapItem.BoundingRectShape)
        self.scene().addItem(self.image_item)
        self.image: np.ndarray | None = None  # the pixels on screen (RGB)
        self.shown_frame: int | None = None  # which video frame they are (None for an image)
        self.message = ""  # the empty-state text, shown when there is no image
        self.fit_mode = True
        self._pan_from: QPointF | None = None
        self.layers: list[CanvasLayer] = []
        self.overlays_hidden = False  # View → Hide overlays
        self.annotation_layer = self.add_layer(AnnotationLayer())
        self.tool_layer = self.add_layer(ToolPreviewLayer())
        self._update_background()

    # --- layers --------------------------------------------------------------------------------------------
    def add_layer(self, layer: CanvasLayer) -> CanvasLayer:
        layer.canvas = self
        layer.root.setZValue(layer.z)
        self.scene().addItem(layer.root)
        self.layers.append(layer)
        layer.attach(self)
        layer.overlay_opacity_changed(self.window.overlay_opacity)
        layer.set_overlays_hidden(self.overlays_hidden)
        if self.window.current_media is not None:
            layer.media_changed(self.window.current_media)
            layer.frame_changed(self.window.current_frame)
        return layer

    def remove_layer(self, layer: CanvasLayer) -> None:
        if layer in self.layers:
            layer.clear()
            self.scene().removeItem(layer.root)
            self.layers.remove(layer)
            layer.canvas = None

    def hide_overlays(self, hidden: bool) -> None:
        """View → Hide overlays (H): the picture without what is drawn over it (annotations, masks, gaze, face
        boxes); the drawing tools' own marks stay."""
        self.overlays_hidden = hidden
        for layer in self.layers:
            layer.set_overlays_hidden(hidden)

    def layer(self, name: str) -> CanvasLayer | None:
        return next((l for l in self.layers if l.name == name), None)

    def notify_layers(self, method: str, *args) -> None:
        for layer in list(self.layers):
            getattr(layer, method)(*args)

    # --- pixels --------------------------------------------------------------------------------------------
    def show_frame(self, frame: np.ndarray, index: int | None) -> None:
        first = self.image is None or self.image.shape[:2] != frame.shape[:2]
        self.image, self.shown_frame, self.message = frame, index, ""
        self.image_item.setPixmap(QPixmap.fromImage(rgb_to_qimage(frame)))
        if first:
            h, w = frame.shape[:2]
            self.setSceneRect(QRectF(-MARGIN, -MARGIN, w + 2 * MARGIN, h + 2 * MARGIN))
            if self.fit_mode:
                self.fit()
        self.viewport().update()

    def clear_image(self, message: str = "") -> None:
        self.image, self.shown_frame, self.message = None, None, message
        self.image_item.setPixmap(QPixmap())
        self.fit_mode = True
        self.viewport().update()

    def image_size(self) -> tuple[int, int] | None:
        """(width, height) of what is on screen, or None."""
        return None if self.image is None else (self.image.shape[1], self.image.shape[0])

    def image_rect(self) -> QRectF:
        size = self.image_size()
        return QRectF(0, 0, *size) if size else QRectF()

    # --- zoom and pan --------------------------------------------------------------------------------------
    @property
    def zoom(self) -> float:
        return self.transform().m11()

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom to ``zoom`` (1 = one image pixel per screen pixel), keeping the image point under ``anchor``
        (a viewport point, the cursor for the wheel) in place, or the view's centre."""
        zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
        factor = zoom / self.zoom
        anchor = QPointF(anchor) if anchor is not None else QPointF(self.viewport().rect().center())
        fixed = self.to_scene(anchor)
        self.setTransformationAnchor(QGraphicsView.NoAnchor)
        self.scale(factor, factor)
        self.pan_by(anchor - QPointF(self.mapFromScene(fixed)))
        self.fit_mode = False
        # Pixels show as crisp squares when zoomed far in, smoothed when shrunk.
        self.image_item.setTransformationMode(Qt.FastTransformation if self.zoom >= 3 else Qt.SmoothTransformation)
        self.zoomChanged.emit(self.zoom)

    def zoom_in(self) -> None:
        self.set_zoom(self.zoom * 1.25)

    def zoom_out(self) -> None:
        self.set_zoom(self.zoom / 1.25)

    def fit(self) -> None:
        if self.image is None:
            return
        self.resetTransform()
        rect = self.image_rect()
        self.fitInView(rect.adjusted(-8, -8, 8, 8), Qt.KeepAspectRatio)
        self.fit_mode = True
        self.image_item.setTransformationMode(Qt.FastTransformation if self.zoom >= 3 else Qt.SmoothTransformation)
        self.zoomChanged.emit(self.zoom)

    def pixels(self, screen_px: float) -> float:
        """Scene units (image pixels) that ``screen_px`` screen pixels cover at this zoom."""
        return screen_px / max(self.zoom, 1e-6)

    def pan_by(self, delta) -> None:
        self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - round(delta.x()))
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() - round(delta.y()))
        self.fit_mode = False

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self.fit_mode:
            self.fit()

    def wheelEvent(self, event) -> None:
        steps = event.angleDelta().y() / 120.0
        if steps:
            self.set_zoom(self.zoom * (1.25 ** steps), anchor=event.position())
        event.accept()

    # --- input → the active tool ---------------------------------------------------------------------------
    def _tool(self):
        return self.window.tools.active if self.window.tools else None

    def mousePressEvent(self, event) -> None:
        self.setFocus(Qt.MouseFocusReason)
        if event.button() == Qt.MiddleButton:
            self._pan_from = event.position()
            self.viewport().setCursor(Qt.ClosedHandCursor)
            return
        tool = self._tool()
        if tool is None or not tool.mouse_press(self._tool_event(event)):
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event) -> None:
        if self._pan_from is not None:
            self.pan_by(event.position() - self._pan_from)
            self._pan_from = event.position()
            return
        tool = self._tool()
        if tool is None or not tool.mouse_move(self._tool_event(event)):
            super().mouseMoveEvent(event)

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MiddleButton and self._pan_from is not None:
            self._pan_from = None
            tool = self._tool()
            self.viewport().setCursor(tool.cursor if tool else Qt.ArrowCursor)
            return
        tool = self._tool()
        if tool is None or not tool.mouse_release(self._tool_event(event)):
            super().mouseReleaseEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        tool = self._tool()
        if tool is None or not tool.mouse_double_click(self._tool_event(event)):
            super().mouseDoubleClickEvent(event)

    def keyPressEvent(self, event) -> None:
        tool = self._tool()
        if tool is not None and tool.key_press(event):
            event.accept()
            return
        super().keyPressEvent(event)

    def enterEvent(self, event) -> None:
        # Keys go to the active tool while the mouse is over the picture, unless the user is typing somewhere.
        focus = QApplication.focusWidget()
        if not isinstance(focus, (QLineEdit, QAbstractSpinBox, QTextEdit, QPlainTextEdit)):
            self.setFocus(Qt.MouseFocusReason)
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        tool = self._tool()
        if tool is not None:
            tool.leave()
        super().leaveEvent(event)

    def _tool_event(self, event) -> ToolEvent:
        pos = event.position()
        return ToolEvent(scene=self.to_scene(pos), button=event.button(), buttons=event.buttons(),
                         modifiers=event.modifiers(), view=pos)

    def to_scene(self, view_pos: QPointF) -> QPointF:
        """Scene (image pixel) coordinates of a viewport point, keeping sub-pixel precision."""
        inverse, _ok = self.viewportTransform().inverted()
        return inverse.map(QPointF(view_pos))

    # --- drops import files (the window does the work) -----------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        self.window.importer.drag_enter(event)

    def dragMoveEvent(self, event) -> None:
        self.window.importer.drag_enter(event)

    def dropEvent(self, event) -> None:
        self.window.importer.drop(event)

    # --- looks ---------------------------------------------------------------------------------------------
    def _update_background(self) -> None:
        base = self.palette().color(QPalette.Window)
        # A neutral grey a little darker than the window, in light and dark themes alike.
        self.setBackgroundBrush(QColor(base).darker(165 if base.lightness() > 128 else 70))

    def changeEvent(self, event) -> None:
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange):
            self._update_background()
        super().changeEvent(event)

    def drawForeground(self, painter: QPainter, rect) -> None:
        if self.image is not None or not self.message:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(self.palette().color(QPalette.PlaceholderText))
        font = painter.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        painter.setFont(font)
        painter.drawText(self.viewport().rect().adjusted(40, 40, -40, -40), Qt.AlignCenter | Qt.TextWordWrap,
                         self.message)
        painter.restore()
