"""The File menu: new and open project, recent projects, import, export (from ``storage.export.EXPORTERS``),
verify, quit. Anything that touches many files runs as an engine job with progress."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QStyle

from engine.worker import Priority
from gui import icons
from gui.actions import add_action
from gui.jobs import export_job, verify_job
from storage.export import EXPORTERS, describe_export
from storage.media.kinds import IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from storage.project import Project

# How the File > Export menu names each format of ``EXPORTERS`` and what its file dialog asks for: (title,
# file suffix; "" for a format that writes a new folder). A format not listed here still appears, by its name.
EXPORT_FILE_TYPES = {
    "coco": ("COCO JSON", ".json"),
    "eaf": ("ELAN annotation file (EAF)", ".eaf"),
    "emotion-csv": ("Emotion segments CSV", ".csv"),
    "emotion-dataset": ("Emotion training dataset (a new folder)", ""),
}


def export_type(name: str) -> tuple[str, str]:
    return EXPORT_FILE_TYPES.get(name, (name.replace("-", " ").capitalize(), ""))


def install_file_menu(window, menu) -> None:
    add_action(window, menu, "file.new", "&New project…", lambda: new_project(window), shortcut="Ctrl+N",
               tip="Create an empty project in a folder", icon=icons.standard(QStyle.SP_FileDialogNewFolder))
    add_action(window, menu, "file.open", "&Open project…", lambda: open_project(window), shortcut="Ctrl+O",
               tip="Open a project folder", icon=icons.standard(QStyle.SP_DialogOpenButton))
    recent = menu.addMenu("Open &recent")
    recent.aboutToShow.connect(lambda: _fill_recent(window, recent))
    window.menus["recent"] = recent
    add_action(window, menu, "file.demo", "Open the &demo project", window.open_demo,
               tip="The astronaut photo and a short video of her head, built on first use")
    menu.addSeparator()
    add_action(window, menu, "file.import_files", "&Import files…", lambda: import_files(window), shortcut="Ctrl+I",
               tip="Add images or videos to the project (or drop them on the window)",
               icon=icons.standard(QStyle.SP_FileIcon))
    add_action(window, menu, "file.import_folder", "Import &folder…", lambda: import_folder(window),
               shortcut="Ctrl+Shift+I", tip="Add every image and video in a folder, recursively",
               icon=icons.standard(QStyle.SP_DirIcon))
    export = menu.addMenu("&Export")
    window.menus["export"] = export
    for name in sorted(EXPORTERS):
        title = export_type(name)[0]
        add_action(window, export, f"file.export.{name}", f"{title}…", lambda _=False, n=name: export_as(window, n),
                   tip=f"Export the project's annotations as {title}")
    add_action(window, menu, "file.verify", "&Verify project", lambda: verify(window),
               tip="Check the database, every media file's SHA-256 and the audit chain")
    menu.addSeparator()
    add_action(window, menu, "file.quit", "&Quit", window.close, shortcut="Ctrl+Q", tip="Close FaceLens")


def _fill_recent(window, menu) -> None:
    menu.clear()
    recent = window.settings.recent_projects()
    if not recent:
        menu.addAction("(none yet)").setEnabled(False)
    for path in recent:
        act = menu.addAction(path, lambda p=path: window.open_project(p))
        act.setEnabled(Path(path, "project.db").exists())


def new_project(window) -> None:
    folder = QFileDialog.getExistingDirectory(window, "Choose an empty folder for the new project")
    if folder:
        window.engine.submit(lambda ctx: Project.create(folder), "Creating the project", Priority.INTERACTIVE,
                             on_done=lambda r: window.set_project(r.value) if r.ok else None)


def open_project(window) -> None:
    folder = QFileDialog.getExistingDirectory(window, "Open a FaceLens project folder")
    if folder:
        window.open_project(folder)


def import_files(window) -> None:
    if window.project is None:
        window.statusBar().showMessage("Open or create a project first", 4000)
        return
    patterns = " ".join(f"*{e}" for e in IMAGE_EXTENSIONS + VIDEO_EXTENSIONS)
    files, _ = QFileDialog.getOpenFileNames(window, "Import images or videos", "",
                                            f"Images and videos ({patterns});;All files (*)")
    if files:
        window.importer.import_paths(files)


def import_folder(window) -> None:
    if window.project is None:
        window.statusBar().showMessage("Open or create a project first", 4000)
        return
    folder = QFileDialog.getExistingDirectory(window, "Import every image and video in a folder")
    if folder:
        window.importer.import_paths([folder])


def export_as(window, name: str) -> None:
    if window.project is None:
        return
    title, suffix = export_type(name)
    default = window.project.exports_dir / f"{window.project.root.name}-{name}{suffix}"
    out, _ = QFileDialog.getSaveFileName(window, f"Export {title}", str(default),
                                         f"{title} (*{suffix});;All files (*)" if suffix else "All files (*)")
    if out:
        export_to(window, name, Path(out))


def export_to(window, name: str, out: Path) -> None:
    """Run the exporter ``name`` as an engine job writing ``out``; the status bar says what was written."""
    window.engine.submit(export_job(window.project, name, out), f"Exporting {export_type(name)[0]}",
                         on_done=lambda r: _exported(window, r))


def _exported(window, result) -> None:
    if not result.ok:
        return
    info = result.value
    text = "; ".join(describe_export(info))
    window.statusBar().showMessage(text[:1].upper() + text[1:], 10000)
    window.last_export = info


def verify(window) -> None:
    if window.project is None:
        return
    window.engine.submit(verify_job(window.project), "Verifying the project", on_done=lambda r: _verified(window, r))


def _verified(window, result) -> None:
    if not result.ok:
        return
    problems = result.value
    if problems:
        box = QMessageBox(QMessageBox.Warning, "Verify", f"{len(problems)} problem(s) found.", QMessageBox.Ok, window)
        box.setInformativeText("\n".join(problems[:10]))
        box.setDetailedText("\n".join(problems))
    else:
        box = QMessageBox(QMessageBox.Information, "Verify",
                          "The project holds: database intact, media files unchanged, audit chain unbroken.",
                          QMessageBox.Ok, window)
    box.setModal(False)
    box.show()
    window.verify_box = box
