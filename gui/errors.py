"""Errors as the user sees them: a short message, with the details (a traceback) one click away.

The box is not modal, so an error never freezes the window; unexpected exceptions in slots reach the same
box through ``install_excepthook``.
"""
from __future__ import annotations

import sys
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(parent: QWidget | None, message: str, details: str | None = None,
               title: str = "FaceLens") -> QMessageBox:
    """Show ``message``; while the window's error box is still open, a new error joins it (newest first)
    instead of opening a box over it: several errors in a row (a folder of rejected files, say) make one box
    to read and close, not a stack of them. The same message again is counted, not repeated."""
    box = _open_box(parent, title)
    if box is None:
        box = QMessageBox(QMessageBox.Warning, title, message, QMessageBox.Ok, parent)
        box.setModal(False)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.setProperty(_MESSAGES, [[message, 1]])
        if details:
            box.setDetailedText(details)
        if parent is not None:
            setattr(parent, _BOX, box)
        box.show()
        return box
    messages = box.property(_MESSAGES)
    if messages[0][0] == message:
        messages[0][1] += 1
    else:
        messages.insert(0, [message, 1])
    box.setProperty(_MESSAGES, messages)
    box.setText(_listed(messages))
    if details:
        earlier = box.detailedText()
        box.setDetailedText(details + ("\n" + "-" * 40 + "\n" + earlier if earlier else ""))
    box.raise_()
    return box


_BOX, _MESSAGES = "_facelens_error_box", "facelens_messages"
_SHOWN = 12  # messages listed in one box; older ones are counted


def _open_box(parent: QWidget | None, title: str) -> QMessageBox | None:
    box = getattr(parent, _BOX, None) if parent is not None else None
    try:
        if box is not None and box.isVisible() and box.windowTitle() == title:
            return box
    except RuntimeError:  # closed: Qt deleted it (WA_DeleteOnClose)
        pass
    return None


def _listed(messages: list) -> str:
    total = sum(n for _, n in messages)
    lines = [f"{m} (×{n})" if n > 1 else m for m, n in messages[:_SHOWN]]
    if len(messages) > _SHOWN:
        lines.append(f"… and {len(messages) - _SHOWN} earlier ones")
    return f"{total} errors, the latest first:\n\n" + "\n\n".join(lines)


def short_message(error: BaseException) -> str:
    """One line: the message of an error the user can act on, or the type and first line of a bug."""
    from engine.worker import one_line

    return one_line(error)


def install_excepthook(report) -> None:
    """Route exceptions that escape a Qt slot to ``report(message, details)`` instead of stderr only."""
    previous = sys.excepthook

    def hook(kind, value, tb):
        if issubclass(kind, KeyboardInterrupt):
            return previous(kind, value, tb)
        details = "".join(traceback.format_exception(kind, value, tb))
        sys.stderr.write(details)
        try:
            report(short_message(value), details)
        except Exception:  # the report itself failed: at least keep the trace on stderr
            traceback.print_exc()

    sys.excepthook = hook
