"""Starting the window: ``run(project_dir)`` is what ``python main.py``, ``main.py open DIR`` and
``main.py demo`` call.

With no project given it opens the last project from the settings, else the per-user demo project, which is
built on first use as an engine job (progress in the status bar) while the window stays responsive.
"""
from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from gui.settings import Settings
from storage.project import DB_NAME


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("FaceLens")
    app.setOrganizationName("FaceLens")
    app.setApplicationDisplayName("FaceLens")
    app.setStyle("Fusion")  # the same look everywhere; Fusion follows the system's light or dark palette
    app.setAttribute(Qt.AA_DontShowIconsInMenus, False)
    return app


def start_target(settings: Settings, project_dir: str | Path | None) -> Path | None:
    """The project to open: the one asked for, else the last one (if it is still there); None means the demo."""
    if project_dir is not None:
        return Path(project_dir)
    last = settings.last_project()
    if last and (Path(last) / DB_NAME).is_file():
        return Path(last)
    return None


def run(project_dir: str | Path | None = None) -> int:
    if project_dir is not None and not (Path(project_dir) / DB_NAME).is_file():
        # One clear line, as every command gives, rather than a window that opens only to show an error.
        print(f"facelens: error: {Path(project_dir).resolve()}: not a FaceLens project (no {DB_NAME} in it)",
              file=sys.stderr)
        return 2
    app = make_application()
    from gui.errors import install_excepthook
    from gui.main_window import MainWindow

    settings = Settings()
    window = MainWindow(settings)
    install_excepthook(window.report_error)
    app.aboutToQuit.connect(window.close)  # settings and layouts are saved however the app ends
    window.show()
    target = start_target(settings, project_dir)
    if target is None:
        window.open_demo()
    else:
        window.open_project(target)
    code = app.exec()
    # The loop can end without the window having closed (the desktop session ending while a job finishes its
    # step): wait for the engine and close the project here, or the exit aborts inside torch.
    window.shut_down()
    return code
