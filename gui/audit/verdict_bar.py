"""The verdict bar: one button per verdict (the Audit menu's actions, so the keys are the same), and a note
that goes with the next verdict. From the keyboard: N writes a note, Enter or Esc goes back to the queue (the
note is kept for the verdict), then Shift+B/A/F/U decides."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QGridLayout, QLabel, QLineEdit, QSizePolicy, QToolButton, QWidget

from gui.audit.menu import VERDICT_KEYS
from gui.audit.state import audit_state


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
        self.note.setPlaceholderText("Note for the next verdict (N; Enter: back to the queue)")
        self.note.setToolTip("What you saw: it goes with the next verdict. N writes here; Enter or Esc goes back "
                             "to the queue and keeps the note")
        self.note.setClearButtonEnabled(True)
        self.note.returnPressed.connect(self.done)
        QShortcut(QKeySequence(Qt.Key_Escape), self.note, self.done.emit, context=Qt.WidgetShortcut)
        grid.addWidget(self.note, 1, 0, 1, len(VERDICT_KEYS))
        self.who = QLabel()
        self.who.setStyleSheet("color: palette(mid)")
        grid.addWidget(self.who, 2, 0, 1, len(VERDICT_KEYS))
        self.refresh_reviewer()
        # A note belongs to the sample it was written on: moving on took it along, and the next verdict saved it
        # under another result. It waits for its sample instead.
        self._drafts: dict[tuple[str, int], str] = {}  # (project, result) -> the note written for it
        self._sample: tuple[str, int] | None = None
        audit_state(window).currentChanged.connect(self._sample_changed)

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

    def refresh_reviewer(self) -> None:
        p = self.window.project
        text = f"Verdicts are recorded as {p.actor}, each hashed into the audit log (not signed)" if p else ""
        self.who.setText(text)

    def write_note(self) -> None:
        self.note.setFocus(Qt.ShortcutFocusReason)
        self.note.selectAll()
