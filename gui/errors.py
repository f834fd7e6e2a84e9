"""Errors as the user sees them: a short message, with the details (a traceback) one click away.

The box is not modal, so an error never freezes the window; unexpected exceptions in slots reach the same
box through ``install_excepthook``.
"""
from __future__ import annotations

import sys
import traceback

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

from annotation.errors import FaceLensError


def show_error(parent: QWidget | None, message: str, details: str | None = None,
               title: str = "FaceLens") -> QMessageBox:
    box = QMessageBox(QMessageBox.Warning, title, message, QMessageBox.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.setModal(False)
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.show()
    return box


def short_message(error: BaseException) -> str:
    """One line: the message of an error the user can act on, or the type and first line of a bug."""
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return text if isinstance(error, FaceLensError) else f"{type(error).__name__}: {text}"


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
