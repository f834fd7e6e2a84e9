"""The timeline of the video on screen: transport buttons, "frame N / count  mm:ss.cc", a scrub bar with a
marker wherever a frame carries annotations, and a go-to-frame box."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontDatabase, QPainter, QPalette, QPen
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QSpinBox, QToolButton, QVBoxLayout, QWidget


def clock(seconds: float) -> str:
    m, s = divmod(max(seconds, 0.0), 60)
    return f"{int(m):02d}:{s:05.2f}"


class ScrubBar(QWidget):
    """A groove with the playhead and annotation markers; click or drag to scrub."""
    scrubbed = Signal(int)

    MARGIN = 8

    def __init__(self, parent=None):
        super().__init__(parent)
        self.count = 0
        self.frame = 0
        self.markers = np.zeros(0, np.int64)
        self.setMinimumHeight(28)
        self.setMinimumWidth(160)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setMouseTracking(True)
        self.setCursor(Qt.PointingHandCursor)
        self.setToolTip("Click or drag to scrub; marks show frames with annotations")

    def sizeHint(self) -> QSize:
        return QSize(400, 28)

    def set_video(self, count: int, markers) -> None:
        self.count = count
        self.markers = np.asarray(markers, np.int64)
        self.update()

    def set_frame(self, frame: int) -> None:
        self.frame = frame
        self.update()

    def x_of(self, frame: float) -> float:
        span = self.width() - 2 * self.MARGIN
        return self.MARGIN + (frame / max(self.count - 1, 1)) * span

    def frame_at(self, x: float) -> int:
        span = max(self.width() - 2 * self.MARGIN, 1)
        f = round((x - self.MARGIN) / span * (self.count - 1))
        return int(min(max(f, 0), max(self.count - 1, 0)))

    def mousePressEvent(self, event) -> None:
        if event.button() == Qt.LeftButton and self.count:
            self.scrubbed.emit(self.frame_at(event.position().x()))

    def mouseMoveEvent(self, event) -> None:
        if self.count:
            f = self.frame_at(event.position().x())
            self.setToolTip(f"frame {f}")
            if event.buttons() & Qt.LeftButton:
                self.scrubbed.emit(f)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        pal = self.palette()
        h = self.height()
        groove = QRectF(self.MARGIN, h / 2 - 3, self.width() - 2 * self.MARGIN, 6)
        p.setPen(Qt.NoPen)
        p.setBrush(pal.color(QPalette.Mid))
        p.drawRoundedRect(groove, 3, 3)
        if not self.count:
            return
        accent = pal.color(QPalette.Highlight)
        played = QRectF(groove.left(), groove.top(), self.x_of(self.frame) - groove.left(), groove.height())
        p.setBrush(accent)
        p.drawRoundedRect(played, 3, 3)
        if len(self.markers):
            # One tick per screen pixel that holds annotated frames, however many frames there are.
            xs = np.unique(np.round([self.x_of(f) for f in self.markers[:: max(1, len(self.markers) // 4000)]]))
            p.setPen(QPen(QColor("#f0a030"), 2))
            for x in xs:
                p.drawLine(int(x), int(groove.top() - 6), int(x), int(groove.top() - 1))
        x = self.x_of(self.frame)
        p.setPen(QPen(pal.color(QPalette.Base), 2))
        p.setBrush(accent)
        p.drawEllipse(QRectF(x - 7, h / 2 - 7, 14, 14))


class Timeline(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.buttons = []
        row = QHBoxLayout()
        row.setContentsMargins(6, 2, 6, 2)
        for key in ("media.first_frame", "media.step_back", "media.play", "media.step_forward", "media.last_frame"):
            b = QToolButton()
            b.setDefaultAction(window.action(key))
            b.setAutoRaise(True)
            b.setIconSize(QSize(18, 18))
            row.addWidget(b)
            self.buttons.append(b)
        self.position = QLabel()
        mono = QFontDatabase.systemFont(QFontDatabase.FixedFont)
        self.position.setFont(mono)
        self.position.setToolTip("Frame on screen (counted from 0) / frames in the video, and its time")
        row.addWidget(self.position)
        self.bar = ScrubBar()
        row.addWidget(self.bar, 1)
        row.addWidget(QLabel("Go to"))
        self.goto = QSpinBox()
        self.goto.setKeyboardTracking(False)
        self.goto.setToolTip("Type a frame number and press Enter (Ctrl+G)")
        self.goto.setMinimumWidth(80)
        row.addWidget(self.goto)
        self.hint = QLabel()
        self.hint.setForegroundRole(QPalette.PlaceholderText)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.hint)
        self.bar.scrubbed.connect(self._scrub)
        self.goto.editingFinished.connect(lambda: self._scrub(self.goto.value()))
        window.mediaChanged.connect(self._media_changed)
        window.playback.opened.connect(self._media_changed)
        window.frameChanged.connect(self._frame_changed)
        window.annotationsChanged.connect(self._refresh_markers)
        window.annotatedFramesChanged.connect(self._show_markers)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Maximum)
        self._media_changed()

    def _scrub(self, frame: int) -> None:
        self.bar.set_frame(frame)  # the bar follows the hand at once; the label follows the frame shown
        self.window.seek(frame)

    def _media_changed(self, *_):
        m = self.window.current_media
        video = m is not None and m.is_video
        for w in self.buttons + [self.bar, self.goto, self.position]:
            w.setEnabled(video)
        self.hint.setVisible(not video)
        self.hint.setText("  Select a video to see its timeline" if m is None else f"  {m.name}: a still image")
        if not video:
            self.bar.set_video(0, [])
            self.position.setText("frame – / –")
            self.goto.blockSignals(True)  # (it kept the video's frame number, greyed, on a photo)
            self.goto.setRange(0, 0)
            self.goto.blockSignals(False)
            return
        count = self.window.playback.frame_count
        self.goto.setRange(0, max(count - 1, 0))
        digits = len(str(count))
        sample = f"frame {'0' * digits} / {'0' * digits}  00:00.00"
        self.position.setMinimumWidth(self.position.fontMetrics().horizontalAdvance(sample) + 8)
        self._refresh_markers()
        self._frame_changed(self.window.current_frame or 0)

    def _refresh_markers(self) -> None:
        m, project = self.window.current_media, self.window.project
        if m is None or not m.is_video or project is None:
            return
        self.bar.set_video(self.window.playback.frame_count, project.annotations.annotated_frames(m.id))

    def _show_markers(self, media_id: int, frames) -> None:
        m = self.window.current_media
        if m is not None and m.is_video and m.id == media_id:
            self.bar.set_video(self.window.playback.frame_count, frames)

    def _frame_changed(self, frame: int) -> None:
        pb = self.window.playback
        count = pb.frame_count
        self.position.setText(f"frame {frame} / {count}  {clock(pb.time_of(frame))}")
        self.bar.set_frame(frame)
        self.goto.blockSignals(True)
        self.goto.setValue(frame)
        self.goto.blockSignals(False)
