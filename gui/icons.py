"""Simple painted icons, drawn in the palette's text colour so they suit light and dark themes.

``icon(name)`` returns a QIcon; ``PAINTERS`` maps each name to a function that draws it on a 24×24 grid.
Anything not here comes from QStyle's standard icons (``standard(QStyle.SP_...)``).
"""
from __future__ import annotations


from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QApplication, QStyle

SIZE = 24


def _pen(c: QColor, w: float = 1.8) -> QPen:
    pen = QPen(c, w)
    pen.setJoinStyle(Qt.RoundJoin)
    pen.setCapStyle(Qt.RoundCap)
    return pen


def _select(p: QPainter, c: QColor):
    arrow = QPolygonF([QPointF(6, 3), QPointF(6, 19), QPointF(10, 15), QPointF(13, 21), QPointF(15.5, 20),
                       QPointF(12.5, 14), QPointF(18, 14)])
    p.setPen(_pen(c, 1.5))
    p.setBrush(QBrush(c))
    p.drawPolygon(arrow)


def _box(p: QPainter, c: QColor):
    p.setPen(_pen(c))
    p.drawRect(QRectF(4, 6, 16, 12))
    p.setBrush(QBrush(c))
    for x, y in ((4, 6), (20, 6), (4, 18), (20, 18)):
        p.drawRect(QRectF(x - 1.5, y - 1.5, 3, 3))


def _polygon(p: QPainter, c: QColor):
    pts = [QPointF(12, 3), QPointF(21, 10), QPointF(17, 20), QPointF(6, 20), QPointF(3, 10)]
    p.setPen(_pen(c))
    p.drawPolygon(QPolygonF(pts))
    p.setBrush(QBrush(c))
    for q in pts:
        p.drawEllipse(q, 1.8, 1.8)


def _point(p: QPainter, c: QColor):
    p.setPen(_pen(c, 1.5))
    p.drawEllipse(QPointF(12, 12), 7, 7)
    p.setBrush(QBrush(c))
    p.drawEllipse(QPointF(12, 12), 3, 3)


def _brush(p: QPainter, c: QColor):
    p.setPen(_pen(c, 1.6))
    p.drawLine(QPointF(19, 4), QPointF(11, 13))
    path = QPainterPath(QPointF(11, 13))
    path.cubicTo(QPointF(6, 12), QPointF(6, 17), QPointF(4, 20))
    path.cubicTo(QPointF(9, 21), QPointF(14, 19), QPointF(13, 15))
    path.closeSubpath()
    p.setBrush(QBrush(c))
    p.drawPath(path)


def _eraser(p: QPainter, c: QColor):
    p.setPen(_pen(c, 1.6))
    p.translate(12, 12)
    p.rotate(-40)
    p.drawRoundedRect(QRectF(-9, -5, 18, 10), 2, 2)
    p.setBrush(QBrush(c))
    p.drawRoundedRect(QRectF(-9, -5, 7, 10), 2, 2)
    p.resetTransform()
    p.drawLine(QPointF(4, 21), QPointF(20, 21))


def _fit(p: QPainter, c: QColor):
    p.setPen(_pen(c))
    for sx, sy in ((1, 1), (-1, 1), (1, -1), (-1, -1)):
        x, y = 12 - sx * 8, 12 - sy * 8
        p.drawLine(QPointF(x, y), QPointF(x + sx * 5, y))
        p.drawLine(QPointF(x, y), QPointF(x, y + sy * 5))
    p.drawRect(QRectF(8, 8, 8, 8))


def _magnifier(p: QPainter, c: QColor, plus: bool):
    p.setPen(_pen(c, 2))
    p.drawEllipse(QPointF(10, 10), 6, 6)
    p.drawLine(QPointF(14.5, 14.5), QPointF(20, 20))
    p.drawLine(QPointF(7, 10), QPointF(13, 10))
    if plus:
        p.drawLine(QPointF(10, 7), QPointF(10, 13))


def _annotate(p: QPainter, c: QColor):
    p.setPen(_pen(c))
    p.drawRect(QRectF(3, 5, 13, 11))
    p.drawLine(QPointF(21, 8), QPointF(12, 19))
    p.drawLine(QPointF(12, 19), QPointF(11, 22))


def _emotion(p: QPainter, c: QColor):
    p.setPen(_pen(c))
    p.drawEllipse(QPointF(12, 12), 8.5, 8.5)
    p.setBrush(QBrush(c))
    p.drawEllipse(QPointF(9, 10), 1.2, 1.2)
    p.drawEllipse(QPointF(15, 10), 1.2, 1.2)
    p.setBrush(Qt.NoBrush)
    p.drawArc(QRectF(8, 9, 8, 7), -20 * 16, -140 * 16)


def _audit(p: QPainter, c: QColor):
    path = QPainterPath(QPointF(12, 3))
    path.lineTo(20, 6)
    path.cubicTo(QPointF(20, 14), QPointF(16, 19), QPointF(12, 21))
    path.cubicTo(QPointF(8, 19), QPointF(4, 14), QPointF(4, 6))
    path.closeSubpath()
    p.setPen(_pen(c))
    p.drawPath(path)
    p.drawPolyline(QPolygonF([QPointF(8.5, 12), QPointF(11, 14.5), QPointF(16, 9)]))


def _curate(p: QPainter, c: QColor):
    p.setPen(_pen(c, 1.5))
    for x in (4, 13):
        for y in (4, 13):
            p.drawRoundedRect(QRectF(x, y, 7, 7), 1.5, 1.5)


def _play(p: QPainter, c: QColor):
    p.setPen(Qt.NoPen)
    p.setBrush(QBrush(c))
    p.drawPolygon(QPolygonF([QPointF(7, 4), QPointF(20, 12), QPointF(7, 20)]))


def _pause(p: QPainter, c: QColor):
    p.setPen(Qt.NoPen)
    p.setBrush(QBrush(c))
    p.drawRect(QRectF(6, 4, 4, 16))
    p.drawRect(QRectF(14, 4, 4, 16))


def _step(p: QPainter, c: QColor, forward: bool, to_end: bool):
    p.setPen(Qt.NoPen)
    p.setBrush(QBrush(c))
    if not forward:
        p.translate(24, 0)
        p.scale(-1, 1)
    p.drawPolygon(QPolygonF([QPointF(6, 5), QPointF(15, 12), QPointF(6, 19)]))
    p.drawRect(QRectF(16, 5, 2.5, 14))
    if to_end:
        p.drawRect(QRectF(19.5, 5, 2.5, 14))


def _missing(p: QPainter, c: QColor):
    p.setPen(Qt.NoPen)
    p.setBrush(QColor("#d9534f"))
    p.drawPolygon(QPolygonF([QPointF(12, 2), QPointF(23, 21), QPointF(1, 21)]))
    p.setPen(_pen(QColor("white"), 2.4))
    p.drawLine(QPointF(12, 8), QPointF(12, 14))
    p.drawPoint(QPointF(12, 18))


PAINTERS = {
    "select": _select, "box": _box, "polygon": _polygon, "point": _point, "brush": _brush, "eraser": _eraser,
    "fit": _fit, "zoom-in": lambda p, c: _magnifier(p, c, True), "zoom-out": lambda p, c: _magnifier(p, c, False),
    "annotate": _annotate, "emotion": _emotion, "audit": _audit, "curate": _curate,
    "play": _play, "pause": _pause,
    "step-forward": lambda p, c: _step(p, c, True, False), "step-back": lambda p, c: _step(p, c, False, False),
    "last-frame": lambda p, c: _step(p, c, True, True), "first-frame": lambda p, c: _step(p, c, False, True),
    "missing": _missing,
}


def icon(name: str, color: QColor | None = None) -> QIcon:
    """A painted icon; an unknown name gives an empty icon (so a plug-in's typo never breaks the window)."""
    painter_fn = PAINTERS.get(name)
    if painter_fn is None:
        return QIcon()
    base = color or QApplication.palette().color(QPalette.WindowText)
    out = QIcon()
    for scale in (1, 2):
        pm = QPixmap(SIZE * scale, SIZE * scale)
        pm.setDevicePixelRatio(scale)
        pm.fill(Qt.transparent)
        p = QPainter(pm)
        p.setRenderHint(QPainter.Antialiasing)
        painter_fn(p, base)
        p.end()
        out.addPixmap(pm)
    disabled = QColor(base)
    disabled.setAlphaF(0.35)
    pm = QPixmap(SIZE, SIZE)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    painter_fn(p, disabled)
    p.end()
    out.addPixmap(pm, QIcon.Disabled)
    return out


def standard(which: QStyle.StandardPixmap) -> QIcon:
    return QApplication.style().standardIcon(which)


def color_swatch(color: str, size: int = 14) -> QIcon:
    pm = QPixmap(size, size)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    p.setPen(QPen(QColor(color).darker(150), 1))
    p.setBrush(QColor(color))
    p.drawRoundedRect(QRectF(1, 1, size - 2, size - 2), 3, 3)
    p.end()
    return QIcon(pm)


