"""Continuous valence/arousal rating, CARMA-style: press Record, play the video, and keep the mouse on the
pad (or use the arrow keys while the pad has focus); the pad's position is written to every frame that
plays. Stopping saves the pass for the current annotator, as an edit that Ctrl+Z takes back."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from annotation.commands import Add, Update
from annotation.emotion.rating import Rating, RatingTrace
from gui.emotion.state import emotion_state

STEP = 0.1  # per arrow key


class RatingPad(QWidget):
    """A square: valence left (-1) to right (+1), arousal bottom (-1) to top (+1)."""
    moved = Signal(float, float)

    def __init__(self):
        super().__init__()
        self.valence, self.arousal = 0.0, 0.0
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMouseTracking(True)
        self.setMinimumSize(100, 100)
        self.setMaximumSize(260, 260)  # a bigger square rates no finer: room goes to the panels beside it
        self.setToolTip("Valence (left–right) and arousal (down–up): move the mouse here, or use the arrow keys")

    def sizeHint(self) -> QSize:
        return QSize(160, 160)

    def _square(self) -> QRectF:
        side = min(self.width(), self.height()) - 8
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def set_value(self, valence: float, arousal: float) -> None:
        self.valence, self.arousal = max(-1.0, min(1.0, valence)), max(-1.0, min(1.0, arousal))
        self.moved.emit(self.valence, self.arousal)
        self.update()

    def mouseMoveEvent(self, event) -> None:
        sq = self._square()
        pos = event.position()
        if sq.contains(pos) or event.buttons() & Qt.LeftButton:
            self.set_value((pos.x() - sq.center().x()) / (sq.width() / 2),
                           (sq.center().y() - pos.y()) / (sq.height() / 2))

    def mousePressEvent(self, event) -> None:
        self.mouseMoveEvent(event)

    def event(self, event) -> bool:  # arrows move the pad, not the video, while the pad has focus
        if event.type() == QEvent.ShortcutOverride and event.key() in (Qt.Key_Left, Qt.Key_Right, Qt.Key_Up,
                                                                        Qt.Key_Down):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        dv, da = {Qt.Key_Left: (-STEP, 0), Qt.Key_Right: (STEP, 0), Qt.Key_Up: (0, STEP),
                  Qt.Key_Down: (0, -STEP)}.get(event.key(), (0, 0))
        if dv or da:
            self.set_value(self.valence + dv, self.arousal + da)
        else:
            super().keyPressEvent(event)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        sq = self._square()
        pal = self.palette()
        p.setPen(QPen(pal.color(QPalette.Mid), 1))
        p.setBrush(pal.color(QPalette.Base))
        p.drawRect(sq)
        p.drawLine(QPointF(sq.left(), sq.center().y()), QPointF(sq.right(), sq.center().y()))
        p.drawLine(QPointF(sq.center().x(), sq.top()), QPointF(sq.center().x(), sq.bottom()))
        p.setPen(pal.color(QPalette.PlaceholderText))
        p.drawText(sq.adjusted(4, 2, -4, -2), Qt.AlignTop | Qt.AlignHCenter, "aroused")
        p.drawText(sq.adjusted(4, 2, -4, -2), Qt.AlignBottom | Qt.AlignHCenter, "calm")
        p.drawText(sq.adjusted(4, 2, -4, -2), Qt.AlignVCenter | Qt.AlignLeft, "−")
        p.drawText(sq.adjusted(4, 2, -4, -2), Qt.AlignVCenter | Qt.AlignRight, "+")
        x = sq.center().x() + self.valence * sq.width() / 2
        y = sq.center().y() - self.arousal * sq.height() / 2
        p.setPen(QPen(QColor("white"), 2))
        p.setBrush(QColor("#f58231"))
        p.drawEllipse(QPointF(x, y), 7, 7)


class RatingPanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.state = emotion_state(window)
        self.pad = RatingPad()
        self.record = QCheckBox("Record while playing")
        self.record.setToolTip("Write the pad's position to every frame that plays; saved when playback stops")
        self.readout = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.record)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.addLayout(row)
        lay.addWidget(self.pad, 1, Qt.AlignHCenter)
        lay.addWidget(self.readout)
        self.setMaximumHeight(340)  # the pad at its largest, the switch and the readout
        self.trace: RatingTrace | None = None
        self.trace_media: int | None = None  # the video the trace rates
        self._last_frame: int | None = None
        self._dirty = False
        self.pad.moved.connect(self._show)
        self.record.toggled.connect(self._record_toggled)
        window.frameChanged.connect(self._frame)
        window.playback.playingChanged.connect(self._playing)
        window.playback.jumped.connect(self._jumped)
        window.mediaChanged.connect(lambda *_: self.save())  # before the state loads the next video's rating
        window.commandApplied.connect(self._command_applied)
        self.state.changed.connect(self._loaded)
        self._show(0.0, 0.0)

    def _loaded(self) -> None:
        if not self._dirty:  # our own copy: the state's trace is what is stored, ours what is being rated
            rating = self.state.rating
            self.trace = None if rating is None else RatingTrace(rating.fps, rating.frame_count, rating.to_array())
            self.trace_media = self.state.media.id if self.state.media else None
            self._show(self.pad.valence, self.pad.arousal)

    def _playing(self, playing: bool) -> None:
        if playing:  # the frame on screen when playback starts is rated too, not only the ones after it
            self._last_frame = (self.window.current_frame or 0) - 1
        else:
            self.save()

    def _jumped(self, frame: int) -> None:
        """The frames skipped by a jump were never shown, so they are not rated (nor overwritten)."""
        self._last_frame = frame - 1

    def _show(self, valence: float, arousal: float) -> None:
        rated = int(self.trace.rated().sum()) if self.trace is not None else 0
        self.readout.setText(f"valence {valence:+.2f}  arousal {arousal:+.2f}   ·   {rated} frames rated")

    def _record_toggled(self, on: bool) -> None:
        self._last_frame = self.window.current_frame
        if not on:
            self.save()

    def _frame(self, frame: int) -> None:
        """Sampled at the video's frame rate: every frame shown while recording and playing gets the pad."""
        if not (self.record.isChecked() and self.window.playback.playing and self.state.media is not None):
            self._last_frame = frame
            return
        if self.trace is None or self.trace_media != self.state.media.id:
            self.trace = RatingTrace(self.state.fps, self.state.frame_count)
            self.trace_media = self.state.media.id
        first = frame if self._last_frame is None or self._last_frame >= frame else self._last_frame + 1
        self.trace.set_span(first, frame, self.pad.valence, self.pad.arousal)
        self._last_frame = frame
        self._dirty = True
        self._show(self.pad.valence, self.pad.arousal)

    def save(self) -> None:
        """The pass as one edit: the first rating of the video is added, a later pass replaces it (both undoable).
        A rating is a few numbers per frame, so it is written at once, like any other edit."""
        if not self._dirty or self.trace is None or self.window.project is None or self.trace_media is None:
            return
        self._dirty = False
        annotator = self.state.annotator
        before = self.window.project.ratings.stored(self.trace_media, annotator)
        after = Rating(self.trace_media, annotator, self.trace, before.id if before else None)
        rated = int(after.trace.rated().sum())
        text = f"Rating: {rated} frames"
        self.window.push(Update(before, after, text) if before else Add(after, text))

    def _command_applied(self, command, how: str) -> None:
        if any(isinstance(r, Rating) for r in command.records()):
            if how != "do":
                self._dirty = False  # an undo or redo: the pad's trace becomes what is stored again
            self.state.reload()
