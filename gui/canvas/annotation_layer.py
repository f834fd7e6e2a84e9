"""The annotations of the image or frame on screen, coloured by label, with handles on the selected ones."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsRectItem

from annotation.model import Annotation
from gui.canvas import geometry
from gui.canvas.layers import Z, CanvasLayer
from gui.canvas.shape_items import make_item

HANDLE = 7.0  # screen pixels
ID_KEY = 0  # QGraphicsItem.data key holding the annotation id


class AnnotationLayer(CanvasLayer):
    name = "annotations"
    z = Z["annotations"]
    follows_overlay_opacity = False  # it fades fills and masks itself, so outlines stay visible

    def __init__(self):
        super().__init__()
        self.items: dict[int, QGraphicsItem] = {}
        self.annotations: dict[int, Annotation] = {}
        self.handles: dict[int, list[QGraphicsItem]] = {}
        self.hidden: set[int] = set()  # drawn by a tool while it edits them

    def media_changed(self, media) -> None:
        self.refresh()

    def frame_changed(self, frame) -> None:
        self.refresh()

    def annotations_changed(self) -> None:
        self.refresh()

    def overlay_opacity_changed(self, value: float) -> None:
        self._overlay_opacity = value
        self.refresh()

    def refresh(self) -> None:
        self.clear()
        self.items.clear()
        self.annotations.clear()
        self.handles.clear()
        w = self.window
        if w is None:
            return
        selected = w.selected_ids
        for a in w.annotations_shown():
            if a.id in self.hidden:
                continue
            color = QColor(w.label_color(a.label_id))
            item = make_item(a, color, self._overlay_opacity, a.id in selected)
            if item is None:
                continue
            item.setData(ID_KEY, a.id)
            item.setZValue(1 if a.id in selected else 0)
            item.setToolTip(w.describe(a))
            self.add_item(item)
            self.items[a.id] = item
            self.annotations[a.id] = a
            if a.id in selected:
                self.handles[a.id] = self._handles(a, color)

    def _handles(self, a: Annotation, color: QColor) -> list[QGraphicsItem]:
        out = []
        for x, y in geometry.handles(a.shape) if a.kind in ("box", "polygon") else []:
            h = QGraphicsRectItem(QRectF(-HANDLE / 2, -HANDLE / 2, HANDLE, HANDLE))
            h.setPos(QPointF(x, y))
            h.setFlag(QGraphicsItem.ItemIgnoresTransformations, True)
            h.setPen(QPen(QColor("black"), 1))
            h.setBrush(QBrush(QColor("white")))
            h.setZValue(2)
            h.setAcceptedMouseButtons(Qt.NoButton)
            self.add_item(h)
            out.append(h)
        return out

    # --- hit tests for the tools ---------------------------------------------------------------------------
    def annotation_at(self, view_pos) -> Annotation | None:
        """The annotation under a viewport point; where several overlap, the smallest (a face in a person)."""
        hits = []
        for item in self.canvas.items(view_pos):
            while item is not None and item.data(ID_KEY) is None:
                item = item.parentItem()
            if item is not None:
                ann = self.annotations.get(item.data(ID_KEY))
                if ann is not None and ann not in hits:
                    hits.append(ann)
        if not hits:
            return None
        return min(hits, key=lambda a: (a.shape.area() or 0.0, -(a.id or 0)))

    def handle_at(self, scene_pos: QPointF, tolerance: float) -> tuple[Annotation, int] | None:
        """A selected shape's handle within ``tolerance`` scene units of ``scene_pos``."""
        w = self.window
        for a_id in w.selected_ids:
            a = self.annotations.get(a_id)
            if a is None or not geometry.editable(a.shape):
                continue
            for i, (x, y) in enumerate(geometry.handles(a.shape)):
                if abs(x - scene_pos.x()) <= tolerance and abs(y - scene_pos.y()) <= tolerance:
                    return a, i
        return None
