"""The ER and FER tiers of the video on screen, drawn like ELAN tiers under the timeline.

Each track has a row for the current annotator (editable) and a thin row per other annotator (to compare).
Mouse: click empty space to move the cursor there; drag a segment to move it, its edge to resize it (both
snap to frames and stop at the neighbours); double-click to add a segment. Keys, while the tiers have focus
(Ctrl+T, or a click): the class keys (1-9, 0, -) label the segment under the cursor or start a new one there,
S splits at the cursor, M merges with the next segment, [ and ] move the start and the end to the cursor (the
segment under it, else the nearest one after or before it, so a segment can grow too), Alt+Left/Right move
the segment a frame (Alt+Shift ten), Delete removes, Up/Down switch between ER and FER. Every edit is an
undoable command.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QMenu, QSizePolicy, QWidget

from annotation.commands import Delete
from annotation.emotion import editing
from annotation.emotion.tracks import TRACKS, label_of, scope_of

HEADER = 120  # px of the row names; time starts here (the plots line up with it)
RIGHT = 16  # px after the end of the video (room for the plots' scroll bar)
ROW = 26
OTHER = 14
EDGE = 5  # px around a segment edge that grab it for resizing
NEW_SEGMENT = 1.0  # s, the default length of a segment started with a key
JUMP = 10  # frames an Alt+Shift+arrow moves a segment
KEYS = {Qt.Key_S, Qt.Key_M, Qt.Key_Delete, Qt.Key_Backspace, Qt.Key_BracketLeft, Qt.Key_BracketRight, Qt.Key_Up,
        Qt.Key_Down} | {getattr(Qt, f"Key_{d}") for d in range(10)}
MOVE_KEYS = {Qt.Key_Left: -1, Qt.Key_Right: 1}  # with Alt
KEY_HELP = "1–9, 0, - label · S split · M merge · [ ] start/end here · Alt+←/→ move · Del delete · ↑↓ ER/FER"


class TierView(QWidget):
    activeTrackChanged = Signal(str)
    focusChanged = Signal(bool)

    def __init__(self, window, state, classes):
        super().__init__()
        self.window, self.state = window, state
        self.classes = classes  # callable: the EmotionClass list on offer
        self.active_track = "er"
        self.width_source = None  # the widget whose width the time axis spans (the panel's scroll area)
        self._drag = None  # (segment, mode, press time)
        self._preview = None
        self.setFocusPolicy(Qt.StrongFocus)
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.setToolTip("ER and FER tiers: click to move the cursor, drag to move or resize, double-click to add;\n"
                        f"keys (Ctrl+T puts the focus here): {KEY_HELP}")
        state.segmentsChanged.connect(self._rows_changed)
        state.viewChanged.connect(self.update)
        window.frameChanged.connect(lambda *_: self.update())

    def sizeHint(self) -> QSize:
        return QSize(600, self._height())

    def minimumSizeHint(self) -> QSize:
        return QSize(300, self._height())

    # --- layout ------------------------------------------------------------------------------------------
    def rows(self) -> list[tuple[str, str, bool, float, float]]:
        """(track, annotator, editable, y, height) top to bottom."""
        me = self.state.annotator
        out, y = [], 2.0
        for track in TRACKS:
            out.append((track, me, True, y, ROW))
            y += ROW
            others = sorted({s.annotator for s in self.state.segments() if s.tier == track and s.annotator != me})
            for a in others:
                out.append((track, a, False, y, OTHER))
                y += OTHER
            y += 3
        return out

    def time_width(self) -> int:
        """The width the time axis spans: the panel's, so a scroll bar beside the tiers (in the right margin)
        does not shift the times away from the plots'."""
        return self.width_source.width() if self.width_source is not None else self.width()

    def _rows_changed(self) -> None:
        self.updateGeometry()  # another annotator's rows: the panel makes room, or scrolls
        if self.width_source is not None:
            self.width_source.updateGeometry()
        self.update()

    def _height(self) -> int:
        rows = self.rows()
        return int(rows[-1][3] + rows[-1][4] + 4) if rows else 2 * ROW

    def x_of(self, t: float) -> float:
        span = max(self.time_width() - HEADER - RIGHT, 1)
        t0, t1 = self.state.visible()
        return HEADER + ((t - t0) / (t1 - t0)) * span if t1 > t0 else HEADER

    def t_of(self, x: float) -> float:
        span = max(self.time_width() - HEADER - RIGHT, 1)
        t0, t1 = self.state.visible()
        return min(max(t0 + (x - HEADER) / span * (t1 - t0), 0.0), self.state.duration)

    def row_at(self, y: float):
        return next((r for r in self.rows() if r[3] <= y < r[3] + r[4]), None)

    def _mine(self, track: str) -> list:
        return [s for s in self.state.segments() if s.tier == track and s.annotator == self.state.annotator
                and scope_of(s) == "time"]

    @property
    def frame(self) -> int:
        """The cursor's frame: the one asked for, even while it is still being decoded, so keys typed quickly
        (an arrow, then a class key) act where the user has gone."""
        wanted = self.window.playback.wanted
        return int(wanted if wanted is not None else self.window.current_frame or 0)

    @property
    def now(self) -> float:
        return self.state.time_of(self.frame)

    def segment_under_cursor(self, track: str | None = None):
        return editing.segment_at(self._mine(track or self.active_track), self.now + 0.5 / self.state.fps)

    # --- painting ------------------------------------------------------------------------------------------
    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        pal = self.palette()
        colors = {c.name: c.color for c in self.classes()}
        for track, annotator, editable, y, h in self.rows():
            active = editable and track == self.active_track
            p.fillRect(QRectF(0, y, self.width(), h), pal.color(QPalette.AlternateBase if active else QPalette.Base))
            p.setPen(pal.color(QPalette.Text if editable else QPalette.PlaceholderText))
            name = f"{track.upper()}  {annotator}" if editable else f"   {annotator}"
            p.drawText(QRectF(6, y, HEADER - 8, h), Qt.AlignVCenter | Qt.AlignLeft, name)
            segments = [s for s in self.state.segments() if s.tier == track and s.annotator == annotator
                        and scope_of(s) == "time"]
            p.save()
            p.setClipRect(QRectF(HEADER, y, max(self.time_width() - HEADER - RIGHT, 1), h))  # a zoomed view
            for s in segments:
                if self._preview is not None and s.id == self._preview.id:
                    s = self._preview
                rect = QRectF(self.x_of(s.start), y + 2, max(self.x_of(s.end) - self.x_of(s.start), 2), h - 4)
                color = QColor(colors.get(label_of(s), "#909090"))
                color.setAlpha(220 if editable else 150)
                p.setPen(QPen(color.darker(140), 1))
                p.setBrush(color)
                p.drawRoundedRect(rect, 3, 3)
                if editable and rect.width() > 30:
                    p.setPen(QColor("black") if color.lightnessF() > 0.5 else QColor("white"))
                    p.drawText(rect.adjusted(4, 0, -2, 0), Qt.AlignVCenter | Qt.AlignLeft, label_of(s) or "")
            p.restore()
        if self.window.current_media is not None and not self.window.current_media.is_video:
            p.setPen(pal.color(QPalette.PlaceholderText))
            p.drawText(QRectF(HEADER, 0, self.width() - HEADER, self.height()), Qt.AlignCenter,
                       "An image has no time line: give it its ER and FER labels in the Image boxes above")
        t0, t1 = self.state.visible()
        if self.state.media is not None and t0 <= self.state.now <= t1:
            x = self.x_of(self.state.now)
            p.setPen(QPen(pal.color(QPalette.Highlight), 2))
            p.drawLine(int(x), 0, int(x), self.height())
        if self.hasFocus():  # the keys work now: say so with a frame
            p.setPen(QPen(pal.color(QPalette.Highlight), 2))
            p.setBrush(Qt.NoBrush)
            p.drawRect(QRectF(1, 1, self.width() - 2, self.height() - 2))

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.focusChanged.emit(True)
        self.update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.focusChanged.emit(False)
        self.update()

    # --- mouse ---------------------------------------------------------------------------------------------
    def _hit(self, x: float, y: float):
        """(segment, mode) under the mouse on an editable row: mode is start, end or move."""
        row = self.row_at(y)
        if row is None or not row[2]:
            return None, None
        for s in self._mine(row[0]):
            x0, x1 = self.x_of(s.start), self.x_of(s.end)
            if abs(x - x0) <= EDGE:
                return s, "start"
            if abs(x - x1) <= EDGE:
                return s, "end"
            if x0 < x < x1:
                return s, "move"
        return None, None

    def mousePressEvent(self, event) -> None:
        if self.state.media is None:
            return
        pos = event.position()
        row = self.row_at(pos.y())
        if row is not None and row[2] and row[0] != self.active_track:
            self.set_active_track(row[0])
        if event.button() == Qt.RightButton:
            return self._context_menu(event)
        seg, mode = self._hit(pos.x(), pos.y())
        if seg is not None:
            self._drag = (seg, mode, self.t_of(pos.x()))
        else:
            self.window.seek(self.state.frame_at(self.t_of(pos.x())))

    def mouseMoveEvent(self, event) -> None:
        pos = event.position()
        if self._drag is None:
            _, mode = self._hit(pos.x(), pos.y())
            self.setCursor(Qt.SizeHorCursor if mode in ("start", "end") else
                           Qt.OpenHandCursor if mode == "move" else Qt.ArrowCursor)
            return
        command = self._drag_command(self.t_of(pos.x()))
        self._preview = command.after if command else None
        self.update()

    def mouseReleaseEvent(self, event) -> None:
        if self._drag is None:
            return
        command = self._drag_command(self.t_of(event.position().x()))
        self._drag, self._preview = None, None
        if command is not None and (command.after.start, command.after.end) != (command.before.start,
                                                                                command.before.end):
            self.window.push(command)
        self.update()

    def _drag_command(self, t: float):
        seg, mode, pressed = self._drag
        siblings = self._mine(seg.tier)
        if mode == "move":
            return editing.move(seg, t - pressed, self.state.fps, siblings, self.state.duration)
        return editing.resize(seg, mode, t, self.state.fps, siblings, self.state.duration)

    def mouseDoubleClickEvent(self, event) -> None:
        pos = event.position()
        row = self.row_at(pos.y())
        if row is None or not row[2] or self._hit(pos.x(), pos.y())[0] is not None:
            return
        classes = self.classes()
        if classes:
            self.window.seek(self.state.frame_at(self.t_of(pos.x())))
            self.new_segment(classes[0].name, row[0], self.t_of(pos.x()))

    # --- keys ----------------------------------------------------------------------------------------------
    def _is_tier_key(self, event) -> bool:
        mods = event.modifiers() & (Qt.ControlModifier | Qt.AltModifier)
        if mods == Qt.AltModifier:
            return event.key() in MOVE_KEYS
        return not mods and (event.key() in KEYS or event.text() in {c.key for c in self.classes() if c.key})

    def event(self, event) -> bool:
        # Keys the tiers use win over window-wide shortcuts (label keys, S for SAM, [ ] for the brush, - for
        # zoom) while the tiers have focus.
        if event.type() == QEvent.ShortcutOverride and self._is_tier_key(event):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event) -> None:
        key, text = event.key(), event.text()
        by_key = {c.key: c for c in self.classes() if c.key}
        if event.modifiers() & Qt.AltModifier and key in MOVE_KEYS:
            self.move_by(MOVE_KEYS[key] * (JUMP if event.modifiers() & Qt.ShiftModifier else 1))
        elif text in by_key and not event.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            self.assign(by_key[text].name)
        elif key == Qt.Key_S:
            self.split()
        elif key == Qt.Key_M:
            self.merge_next()
        elif key in (Qt.Key_Delete, Qt.Key_Backspace):
            self.delete()
        elif key in (Qt.Key_BracketLeft, Qt.Key_BracketRight):
            self.set_edge("start" if key == Qt.Key_BracketLeft else "end")
        elif key in (Qt.Key_Up, Qt.Key_Down):
            self.set_active_track("er" if key == Qt.Key_Up else "fer")
        else:
            super().keyPressEvent(event)

    def set_active_track(self, track: str) -> None:
        if track != self.active_track:
            self.active_track = track
            self.activeTrackChanged.emit(track)
            self.update()
        row = next((r for r in self.rows() if r[0] == track and r[2]), None)
        if row is not None and hasattr(self.width_source, "ensureVisible"):  # scrolled: bring the row into view
            self.width_source.ensureVisible(0, int(row[3] + row[4] / 2), 0, int(row[4]))

    # --- edits (each one command) ------------------------------------------------------------------------
    def assign(self, label: str) -> None:
        """Label the segment under the cursor, or start a new one at the cursor."""
        seg = self.segment_under_cursor()
        if seg is not None:
            if label_of(seg) != label:
                self.window.push(editing.relabel(seg, label))
        else:
            self.new_segment(label, self.active_track, self.now)

    def new_segment(self, label: str, track: str, t: float) -> None:
        if self.state.media is None:
            return
        start = self.state.frame_at(t) / self.state.fps
        later = [s.start for s in self._mine(track) if s.start > start + 1e-9]
        end = min([start + NEW_SEGMENT, self.state.duration] + later)
        if end - start < 1 / self.state.fps - 1e-9:
            return
        self.window.push(editing.create(self.state.media.id, track, start, end, label, self.state.fps,
                                        self.state.annotator, self._mine(track), self.state.duration))

    def split(self) -> None:
        seg = self.segment_under_cursor()
        # In whole frames: 0.2 s + 1/25 s is 0.24000000000000002 s, past frame 6's 0.24 s.
        fps = self.state.fps
        if seg is not None and round(seg.start * fps) + 1 <= self.frame <= round(seg.end * fps) - 1:
            self.window.push(editing.split(seg, self.now, fps))

    def merge_next(self) -> None:
        seg = self.segment_under_cursor()
        later = [s for s in self._mine(self.active_track) if seg is not None and s.start >= seg.end - 1e-9]
        if seg is not None and later:
            self.window.push(editing.merge([seg, min(later, key=lambda s: s.start)]))

    def delete(self) -> None:
        seg = self.segment_under_cursor()
        if seg is not None:
            self.window.push(Delete(seg, f"Delete {seg.tier.upper()} segment"))

    def set_edge(self, edge: str) -> None:
        """Start a segment at the cursor's frame ([) or end it after that frame (]): the segment under the
        cursor, else the nearest one after the cursor for [ and before it for ], which then grows to it."""
        seg = self.segment_under_cursor()
        now = self.now + 0.5 / self.state.fps
        if seg is None:
            mine = self._mine(self.active_track)
            if edge == "start":
                seg = min((s for s in mine if s.start >= now), key=lambda s: s.start, default=None)
            else:
                seg = max((s for s in mine if s.end <= now), key=lambda s: s.end, default=None)
        if seg is not None:
            t = self.now + (1 / self.state.fps if edge == "end" else 0.0)
            command = editing.resize(seg, edge, t, self.state.fps, self._mine(seg.tier), self.state.duration)
            if (command.after.start, command.after.end) != (seg.start, seg.end):
                self.window.push(command)

    def move_by(self, frames: int) -> None:
        """Move the segment under the cursor by whole frames (it stops at its neighbours); the cursor moves
        along, so the next press moves the same segment."""
        seg = self.segment_under_cursor()
        if seg is None or not frames:
            return
        command = editing.move(seg, frames / self.state.fps, self.state.fps, self._mine(seg.tier),
                               self.state.duration)
        moved = round((command.after.start - seg.start) * self.state.fps)
        if moved:
            self.window.push(command)
            self.window.seek(min(max(self.frame + moved, 0), max(self.state.frame_count - 1, 0)))

    def _context_menu(self, event) -> None:
        menu = QMenu(self)
        for c in self.classes():
            menu.addAction(f"{c.name}\t{c.key}", lambda n=c.name: self.assign(n))
        menu.addSeparator()
        menu.addAction("Split at cursor\tS", self.split)
        menu.addAction("Merge with next\tM", self.merge_next)
        menu.addAction("Delete\tDel", self.delete)
        menu.popup(event.globalPosition().toPoint())
