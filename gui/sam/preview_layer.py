"""The live SAM preview over the image: the mask for the prompt being built (in the current label's colour),
its clicks (green positive, red negative) and box, and during a propagation the masks that have just arrived
for the frame on screen (before the database has them)."""
from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen, QPixmap
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QGraphicsPixmapItem, QGraphicsRectItem

from gui.canvas.layers import Z, CanvasLayer
from gui.canvas.shape_items import mask_image

POSITIVE, NEGATIVE = QColor("#2ecc40"), QColor("#ff4136")
MARK_RADIUS = 5.0
PREVIEW_OPACITY = 0.5


class SamPreviewLayer(CanvasLayer):
    name = "sam preview"
    z = Z["model preview"]
    follows_overlay_opacity = False  # the live preview stays visible however faint the stored masks are

    def __init__(self, controller):
        super().__init__()
        self.controller = controller
        controller.previewChanged.connect(self.refresh)
        self.mask_item: QGraphicsPixmapItem | None = None  # what a test (or a curious user) can inspect

    def attach(self, canvas) -> None:
        if self.window is not None:  # the preview is drawn in the colour of the label it will be stored with
            self.window.currentLabelChanged.connect(lambda _label: self.refresh())

    def media_changed(self, media) -> None:
        self.refresh()

    def frame_changed(self, frame) -> None:
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        self.mask_item = None
        w, c = self.window, self.controller
        if w is None or w.current_media is None:
            return
        for track_id, mask in c.live_here(w.annotations_here()).items():
            self.add_item(_mask_item(mask, QColor(_track_color(w, track_id))))
        if c.clicked is not None and c.clicked.result.mask.shape == _image_shape(w):
            # A correction is drawn in its track's colour; a new object in the label it will get.
            color = _track_color(w, c.track_id) if c.track_id is not None and c.track_id >= 0 \
                else w.label_color(w.current_label_id())
            self.mask_item = self.add_item(_mask_item(c.clicked.result.mask, QColor(color)))
        if c.box is not None:
            for item in box_outline(QRectF(*c.box[:2], c.box[2] - c.box[0], c.box[3] - c.box[1])):
                self.add_item(item)
        for (x, y), label in zip(c.points, c.labels):
            self.add_item(_mark(x, y, POSITIVE if label else NEGATIVE))


def box_outline(rect: QRectF) -> list[QGraphicsRectItem]:
    """A box prompt: white dashes on black, visible over the mask of any label colour and over any image."""
    items = []
    for color, style, width in ((QColor("black"), Qt.SolidLine, 3.0), (QColor("white"), Qt.DashLine, 1.5)):
        item = QGraphicsRectItem(rect)
        pen = QPen(color, width, style)
        pen.setCosmetic(True)
        item.setPen(pen)
        item.setAcceptedMouseButtons(Qt.NoButton)
        items.append(item)
    return items


def _image_shape(window):
    image = window.canvas.image
    return None if image is None else image.shape[:2]


def _track_color(window, track_id: int) -> str:
    track = window.project.tracks.get(track_id) if window.project is not None and track_id >= 0 else None
    return window.label_color(track.label_id if track else None)


def _mask_item(mask, color: QColor) -> QGraphicsItem:
    item = QGraphicsPixmapItem(QPixmap.fromImage(mask_image(mask, color, PREVIEW_OPACITY)))
    item.setAcceptedMouseButtons(Qt.NoButton)
    return item


def _mark(x: float, y: float, color: QColor) -> QGraphicsItem:
    dot = QGraphicsEllipseItem(QRectF(-MARK_RADIUS, -MARK_RADIUS, 2 * MARK_RADIUS, 2 * MARK_RADIUS))
    dot.setPos(x, y)
    dot.setFlag(QGraphicsItem.ItemIgnoresTransformations, True)
    dot.setPen(QPen(QColor("white"), 1.5))
    dot.setBrush(QBrush(color))
    dot.setAcceptedMouseButtons(Qt.NoButton)
    return dot
