"""How each kind of annotation is drawn: one factory per kind in ``ITEM_FACTORIES``.

Outlines use cosmetic pens (the same width at every zoom); fills and masks take the overlay opacity, so
the image stays readable under dense masks while outlines stay visible.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainterPath, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsPathItem, QGraphicsPixmapItem,
                               QGraphicsPolygonItem, QGraphicsRectItem)

from annotation.model import ROLE_PROMPT, Annotation
from annotation.shapes import Box, Keypoints, Mask, Points, Polygon

POINT_RADIUS = 5.0  # screen pixels
FILL = 0.3  # share of the overlay opacity that box and polygon fills get


def outline_pen(color: QColor, selected: bool) -> QPen:
    pen = QPen(color, 3.0 if selected else 2.0)
    pen.setCosmetic(True)
    pen.setJoinStyle(Qt.RoundJoin)
    return pen


def fill_brush(color: QColor, opacity: float, selected: bool) -> QBrush:
    c = QColor(color)
    c.setAlphaF(min(1.0, opacity * FILL * (1.4 if selected else 1.0)))
    return QBrush(c)


def _box(a: Annotation, color: QColor, opacity: float, selected: bool) -> QGraphicsItem:
    b: Box = a.shape
    item = QGraphicsRectItem(QRectF(b.x0, b.y0, b.x1 - b.x0, b.y1 - b.y0))
    item.setPen(outline_pen(color, selected))
    item.setBrush(fill_brush(color, opacity, selected))
    if a.attributes.get("role") == ROLE_PROMPT:  # a SAM 2 prompt's box, not an object's: dashed, unfilled
        pen = outline_pen(color, selected)
        pen.setStyle(Qt.DashLine)
        item.setPen(pen)
        item.setBrush(Qt.NoBrush)
    return item


def _polygon(a: Annotation, color: QColor, opacity: float, selected: bool) -> QGraphicsItem:
    p: Polygon = a.shape
    item = QGraphicsPolygonItem(QPolygonF([QPointF(x, y) for x, y in p.points]))
    item.setPen(outline_pen(color, selected))
    item.setBrush(fill_brush(color, opacity, selected))
    return item


def mask_image(mask: np.ndarray, color: QColor, opacity: float, outline: bool = True) -> QImage:
    """A boolean mask as an indexed image: 0 clear, 1 the label colour at ``opacity``, 2 the opaque edge."""
    index = mask.astype(np.uint8)
    if outline:
        inner = mask.copy()
        inner[1:, :] &= mask[:-1, :]
        inner[:-1, :] &= mask[1:, :]
        inner[:, 1:] &= mask[:, :-1]
        inner[:, :-1] &= mask[:, 1:]
        index[mask & ~inner] = 2
    index = np.ascontiguousarray(index)
    h, w = index.shape
    image = QImage(index.data, w, h, w, QImage.Format_Indexed8)
    fill = QColor(color)
    fill.setAlphaF(max(0.0, min(1.0, opacity)))
    image.setColorTable([0, fill.rgba(), QColor(color).rgba()])
    return image.copy()  # detach from the numpy buffer


def _mask(a: Annotation, color: QColor, opacity: float, selected: bool) -> QGraphicsItem:
    m: Mask = a.shape
    item = QGraphicsPixmapItem(QPixmap.fromImage(mask_image(m.to_array(), color, opacity * (1.3 if selected else 1))))
    item.setShapeMode(QGraphicsPixmapItem.MaskShape)  # clicks hit the painted pixels only
    if selected:
        x, y, w, h = m.bbox()
        frame = QGraphicsRectItem(QRectF(x, y, w, h), item)
        pen = outline_pen(color, True)
        pen.setStyle(Qt.DashLine)
        frame.setPen(pen)
        frame.setAcceptedMouseButtons(Qt.NoButton)
    return item


def _dots(points, color: QColor, selected: bool, hollow=()) -> QGraphicsItem:
    root = QGraphicsPathItem(QPainterPath())
    root.setPen(Qt.NoPen)
    r = POINT_RADIUS + (1.5 if selected else 0.0)
    for i, (x, y) in enumerate(points):
        dot = QGraphicsEllipseItem(QRectF(-r, -r, 2 * r, 2 * r), root)
        dot.setPos(x, y)
        dot.setFlag(QGraphicsItem.ItemIgnoresTransformations, True)
        edge = QPen(QColor("white") if not selected else QColor("black"), 1.5)
        dot.setPen(edge)
        dot.setBrush(Qt.NoBrush if i in hollow else QBrush(color))
    return root


def _points(a: Annotation, color: QColor, opacity: float, selected: bool) -> QGraphicsItem:
    p: Points = a.shape
    negative = {i for i, v in enumerate(p.labels) if v == 0}
    return _dots(p.points, color, selected, hollow=negative)


def _keypoints(a: Annotation, color: QColor, opacity: float, selected: bool) -> QGraphicsItem:
    k: Keypoints = a.shape
    shown = [(x, y) for x, y, v in k.points if v > 0]
    hidden = {i for i, (_, _, v) in enumerate(p for p in k.points if p[2] > 0) if v == 1}
    item = _dots(shown, color, selected, hollow=hidden)
    names = [n for n, p in zip(k.names, k.points) if p[2] > 0] if k.names else []
    for dot, name in zip(item.childItems(), names):
        dot.setToolTip(name)
    return item


ItemFactory = Callable[[Annotation, QColor, float, bool], QGraphicsItem]
ITEM_FACTORIES: dict[str, ItemFactory] = {
    "box": _box, "polygon": _polygon, "mask": _mask, "points": _points, "keypoints": _keypoints,
}


def make_item(a: Annotation, color: QColor, opacity: float, selected: bool) -> QGraphicsItem | None:
    """The item for an annotation, or None for kinds with nothing to draw (a tag)."""
    factory = ITEM_FACTORIES.get(a.kind)
    return factory(a, color, opacity, selected) if factory else None
