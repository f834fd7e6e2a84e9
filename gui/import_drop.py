"""Importing media from the window: files or folders dropped on it, or chosen in File → Import.

The import runs as an engine job with progress in the status bar; when it ends the media browser refreshes
and a summary says what was imported, what was already in the project and what was skipped, and why.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox

from annotation.words import counted
from engine.worker import Priority
from gui.jobs import import_job
from storage.media.importer import ImportReport


def dropped_paths(mime) -> list[Path]:
    return [Path(u.toLocalFile()) for u in mime.urls() if u.isLocalFile()] if mime.hasUrls() else []


class Importer(QObject):
    finished = Signal(object)  # ImportReport

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.last_report: ImportReport | None = None
        self.summary_box: QMessageBox | None = None

    # --- drag and drop -------------------------------------------------------------------------------------
    def drag_enter(self, event) -> None:
        if dropped_paths(event.mimeData()) and self.window.project is not None:
            event.setDropAction(Qt.CopyAction)
            event.accept()
        else:
            event.ignore()

    def drop(self, event) -> None:
        paths = dropped_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.setDropAction(Qt.CopyAction)
        event.accept()
        self.import_paths(paths)

    # --- the job -------------------------------------------------------------------------------------------
    def import_paths(self, paths: Iterable[str | Path]) -> None:
        w = self.window
        paths = list(paths)
        if w.project is None:
            w.statusBar().showMessage("Open or create a project first, then drop media on it", 5000)
            return
        name = f"Importing {counted(len(paths), 'item')}"
        job, report = import_job(w.project, paths)
        w.engine.submit(job, name, Priority.BATCH, on_done=lambda result: self._done(result, report))

    def _done(self, result, report: ImportReport) -> None:
        w = self.window
        report.cancelled = result.cancelled
        self.last_report = report
        if result.error:
            w.mediaListChanged.emit()  # what was committed before the error stays; the bridge shows the error
            return
        w.mediaListChanged.emit()
        if w.current_media is None and report.imported:
            w.set_media(report.imported[0][0])
        w.statusBar().showMessage(report.summary(), 8000)
        self._show_summary(report)
        self.finished.emit(report)

    def _show_summary(self, report: ImportReport) -> None:
        lines = [f"skipped {p}: {r}" for p, r in report.skipped]
        lines += [f"already in the project as media {i}: {p}" for p, i in report.duplicates]
        lines += [f"relinked media {i} to {p}" for i, p in report.relinked]
        box = QMessageBox(QMessageBox.Warning if report.skipped else QMessageBox.Information, "Import",
                          report.summary().capitalize() + ".", QMessageBox.Ok, self.window)
        if lines:
            box.setInformativeText("\n".join(lines[:8]) + ("\n…" if len(lines) > 8 else ""))
            box.setDetailedText("\n".join(lines))
        box.setModal(False)
        box.setAttribute(Qt.WA_DeleteOnClose)
        box.show()
        self.summary_box = box
