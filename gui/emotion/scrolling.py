"""A panel body that scrolls up and down when its dock is short, and is never narrower than its content."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QFrame, QScrollArea, QSlider, QStyle,
                               QVBoxLayout, QWidget)

MIN_HEIGHT = 80  # px a panel keeps before it scrolls


class VerticalScroll(QScrollArea):
    """``max_min_height``: show all of the body's minimum height up to this many px before scrolling (else
    ``MIN_HEIGHT``)."""

    def __init__(self, body: QWidget, max_min_height: int | None = None):
        super().__init__()
        self._wheel_passes: list[QWidget] = []
        self.max_min_height = max_min_height
        self.setWidget(body)
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        # The wheel scrolls the panel: a combo box or spin box it passes over changes only once clicked.
        self._wheel_passes = [w for kind in (QComboBox, QAbstractSpinBox, QSlider) for w in body.findChildren(kind)]
        for w in self._wheel_passes:
            w.setFocusPolicy(Qt.StrongFocus)
            w.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # (the scroll area also filters its own scroll bars' events: those go on as they are)
        if event.type() == QEvent.Wheel and watched in self._wheel_passes and not watched.hasFocus():
            QApplication.sendEvent(self.verticalScrollBar(), event)
            return True
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        bar = self.style().pixelMetric(QStyle.PM_ScrollBarExtent)
        body = self.widget().minimumSizeHint()
        height = MIN_HEIGHT if self.max_min_height is None else min(body.height(), self.max_min_height)
        return QSize(body.width() + bar, height)

    def sizeHint(self) -> QSize:
        hint = self.widget().sizeHint()
        return QSize(hint.width() + self.style().pixelMetric(QStyle.PM_ScrollBarExtent), hint.height())


def scrolling_panel(panel: QWidget, body: QWidget) -> VerticalScroll:
    """Put ``body`` into ``panel`` inside a vertical scroll area."""
    scroll = VerticalScroll(body)
    outer = QVBoxLayout(panel)
    outer.setContentsMargins(0, 0, 0, 0)
    outer.addWidget(scroll)
    return scroll
