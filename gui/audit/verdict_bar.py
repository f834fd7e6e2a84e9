"""The verdict bar: one button per verdict (the Audit menu's actions, so the keys are the same), a note on the
sample under review (it waits with its sample until its verdict is saved), and who records the verdicts. From the
keyboard: N writes a note, Enter or Esc goes back to the queue (the note is kept), then Shift+B/A/F/U decides."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QSizePolicy, QToolButton, QWidget

from annotation.errors import InputError
from gui.audit.menu import VERDICT_KEYS
from gui.audit.state import audit_state
from storage.detector_repo import reviewer_name

FIELD = "field 'reviewer': "


class VerdictBar(QWidget):
    done = Signal()  # the note is written: back to the queue

    def __init__(self, window):
        super().__init__()
        self.window = window
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.buttons = {}
        for i, (verdict, _text, _key, _tip) in enumerate(VERDICT_KEYS):
            b = QToolButton()
            b.setDefaultAction(window.action(f"audit.verdict.{verdict}"))
            b.setToolButtonStyle(Qt.ToolButtonTextOnly)
            b.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
            grid.addWidget(b, 0, i)
            self.buttons[verdict] = b
        self.note = QLineEdit()
        self.note.setPlaceholderText("Note on this sample (N; Enter: back to the queue)")
        self.note.setToolTip("What you saw: it is saved with this sample's verdict, and waits here while you look "
                             "at others. N writes here; Enter or Esc goes back to the queue and keeps the note")
        self.note.setEnabled(False)  # (until a sample is picked: a note belongs to one)
        self.note.setClearButtonEnabled(True)
        self.note.returnPressed.connect(self.done)
        QShortcut(QKeySequence(Qt.Key_Escape), self.note, self.done.emit, context=Qt.WidgetShortcut)
        grid.addWidget(self.note, 1, 0, 1, len(VERDICT_KEYS))
        self.who = QLabel()
        self.who.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)  # (a long name must not widen the dock)
        self.who.setWordWrap(True)
        grid.addWidget(self.who, 2, 0, 1, len(VERDICT_KEYS))
        self.refresh_reviewer()
        # A note belongs to the sample it was written on: moving on took it along, and the next verdict saved it
        # under another result. It waits for its sample instead.
        self._drafts: dict[tuple[str, int], str] = {}  # (project, result) -> the note written for it
        self._sample: tuple[str, int] | None = None
        state = audit_state(window)
        state.currentChanged.connect(self._sample_changed)
        state.verdictRecorded.connect(self._verdict_saved)

    def _sample_changed(self, item) -> None:
        if self._sample is not None:
            text = self.note.text()
            if text.strip():
                self._drafts[self._sample] = text
            else:
                self._drafts.pop(self._sample, None)
        project = self.window.project
        self._sample = (str(project.root), item.result_id) if item is not None and project is not None else None
        self.note.setText(self._drafts.get(self._sample, "") if self._sample is not None else "")
        self.note.setEnabled(self._sample is not None)

    def _verdict_saved(self, v) -> None:
        """Its note went with it (kept until then: a verdict that could not be saved kept none, and the note was
        lost)."""
        project = self.window.project
        key = (str(project.root), v.result_id) if project is not None else None
        self._drafts.pop(key, None)
        if key == self._sample:
            self.note.clear()

    def refresh_reviewer(self) -> None:
        p = self.window.project
        if p is None:
            self.who.setText("")
            return
        try:
            name = reviewer_name(p.actor)
        except InputError as e:  # (FACELENS_USER or the project's annotator setting): said before a verdict fails
            self._cannot(f"Verdicts cannot be recorded as this user ({str(e).removeprefix(FIELD)}): set "
                         f"FACELENS_USER to your name")
            return
        if p.read_only:
            self._cannot(f"Verdicts cannot be recorded: the project is open read-only ({p.read_only})")
            return
        self.who.setText(f"Verdicts are recorded as {name}, each hashed into the audit log (not signed)")
        self.who.setStyleSheet("color: palette(mid)")
        self.who.setToolTip(name)

    def _cannot(self, text: str) -> None:
        self.who.setText(text)
        self.who.setStyleSheet("color: #c62828")
        self.who.setToolTip(text)

    def write_note(self) -> None:
        self.note.setFocus(Qt.ShortcutFocusReason)
        self.note.selectAll()
