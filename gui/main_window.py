"""The FaceLens main window: canvas in the middle, docks from the panel registry, four workspaces.

What panels, tools and layers may use (the window's public API):
  project, undo_stack, engine (``gui.engine_bridge.EngineBridge``), settings, canvas, tools, playback,
  current_media, current_frame, current_label, selected_ids, labels,
  seek(n), set_media(item), push(command), set_selection(ids), annotations_here(), label_color(label_id),
  make_annotation(shape), action(key), menu(key, title), panel(key), add_header_widget(widget),
  and the signals below.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox, QToolBar, QWidget

from annotation.commands import UndoStack
from annotation.model import Annotation, Label, MediaItem
from engine.worker import Priority
from gui.actions import find_action, refresh_tooltips, repaint_themed_icons
from gui.canvas.view import Canvas
from gui.editing import EditingMixin
from gui.engine_bridge import EngineBridge
from gui.errors import show_error
from gui.import_drop import Importer
from gui.job_status import JobStatus, SavedIndicator
from gui.outside_changes import OutsideChanges
from gui.panels import PanelSpec, load_panel_modules
from gui.playback import Playback
from gui.settings import Settings
from gui.tools.manager import ToolManager
from gui.workspaces import WorkspaceLayouts
from storage.project import Project, read_only_remedy
from storage.video_locks import PROGRAM

DEFAULT_OPACITY = 0.45


class MainWindow(EditingMixin, QMainWindow):
    projectChanged = Signal(object)  # Project | None
    mediaListChanged = Signal()  # media were imported
    mediaChanged = Signal(object)  # MediaItem | None
    frameChanged = Signal(int)  # the video frame now on screen
    annotationsChanged = Signal()  # after every committed edit, undo and redo
    commandApplied = Signal(object, str)  # the command, and "do", "undo" or "redo"
    # A running model job stored annotations: (media id, the frames that now carry some), read off the GUI thread
    annotatedFramesChanged = Signal(int, object)
    selectionChanged = Signal()
    labelsChanged = Signal()
    currentLabelChanged = Signal(object)  # Label | None
    overlayOpacityChanged = Signal(float)

    def __init__(self, settings: Settings | None = None, engine: EngineBridge | None = None):
        super().__init__()
        self.setObjectName("FaceLensMainWindow")
        self.setWindowTitle("FaceLens")
        self.setDockOptions(QMainWindow.AnimatedDocks | QMainWindow.AllowTabbedDocks | QMainWindow.AllowNestedDocks)
        self.setAcceptDrops(True)
        self.settings = settings or Settings()
        self.engine = engine or EngineBridge(parent=self)
        self.project: Project | None = None
        PROGRAM[0] = "a FaceLens window"  # (who holds a video it propagates, as other programs are told)
        self._switching_to: Project | None = None  # the project to show once the jobs on this one have ended
        self.undo_stack: UndoStack | None = None
        self.labels: list[Label] = []
        self._colors: dict[int, str] = {}
        self.current_media: MediaItem | None = None
        self.current_frame: int | None = None
        self.current_label: Label | None = None
        self.selected_ids: set[int] = set()
        self.overlay_opacity = self.settings.get_float("canvas/overlay_opacity", DEFAULT_OPACITY)
        self._here: list[Annotation] | None = None  # annotations on the image or frame on screen
        self._last_frames: dict[int, int] = {}  # where each video was left, this session
        self.menus: dict[str, QMenu] = {}
        self.toolbars: dict[str, QToolBar] = {}
        self.docks: dict[str, QDockWidget] = {}
        self.panels: dict[str, QWidget] = {}
        self.tools = None
        self.last_error: tuple[str, str] | None = None

        self.canvas = Canvas(self)
        self.setCentralWidget(self.canvas)
        self.playback = Playback(self)
        self.playback.frameReady.connect(self._frame_ready)
        self.playback.failed.connect(self._media_failed)
        self.importer = Importer(self)
        self.outside_changes = OutsideChanges(self)
        self.tools = ToolManager(self, self.settings)
        self._build_status_bar()
        self.engine.errorRaised.connect(self.report_error)

        from gui.menus import build_menus  # (menus need the window's parts above)

        build_menus(self)
        self.panel_specs: list[PanelSpec] = load_panel_modules()
        self._build_docks()
        self.layouts = WorkspaceLayouts(self, self.settings)
        self._restore_window()
        self.tools.restore()
        refresh_tooltips(self)
        self._show_empty_state()

    # --- building ------------------------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.job_status = JobStatus(self.engine)
        self.saved_indicator = SavedIndicator()
        bar.addPermanentWidget(self.job_status)
        bar.addPermanentWidget(self.saved_indicator)
        bar.messageChanged.connect(lambda text: bar.setToolTip(text))  # a message cut short beside the widgets, read whole

    def _build_docks(self) -> None:
        for spec in self.panel_specs:
            dock = QDockWidget(spec.title, self)
            dock.setObjectName(f"panel:{spec.key}")
            widget = spec.factory(self)
            dock.setWidget(widget)
            self.docks[spec.key] = dock
            self.panels[spec.key] = widget
            self.addDockWidget(spec.area, dock)
            self.menus["panels"].addAction(dock.toggleViewAction())

    def _restore_window(self) -> None:
        geometry = self.settings.get("window/geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            self.resize(1440, 900)
        self.layouts.restore()
        self.action(f"workspace.{self.layouts.current}").setChecked(True)

    def size_docks(self) -> None:
        """Sensible first sizes: media list and side panels narrow, timeline short."""
        by_area: dict = {}
        for spec in self.panel_specs:
            dock = self.docks[spec.key]
            if dock.isVisibleTo(self) and not dock.isFloating():
                by_area.setdefault(self.dockWidgetArea(dock), []).append((spec, dock))
        for area, items in by_area.items():
            docks = [d for _, d in items]
            if area in (Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea):
                self.resizeDocks(docks, [max(s.min_width, 240) for s, _ in items], Qt.Horizontal)
                if len(docks) > 1:
                    self.resizeDocks(docks, [s.min_height or 300 for s, _ in items], Qt.Vertical)
            else:
                self.resizeDocks(docks, [max(s.min_height, 60) for s, _ in items], Qt.Vertical)

    def add_header_widget(self, widget: QWidget) -> None:
        """Put a small widget at the right end of the workspace bar (a model status, for example)."""
        self.toolbars["toolbar:workspaces"].addWidget(widget)

    def menu(self, key: str, title: str = "") -> QMenu:
        """A top-level menu by key (file, edit, view, media, tools, workspace, help), made if it is new."""
        if key not in self.menus:
            menu = QMenu(title or key.title(), self)
            before = self.menus.get("workspace")
            self.menuBar().insertMenu(before.menuAction() if before else None, menu)
            self.menus[key] = menu
        return self.menus[key]

    def action(self, key: str) -> QAction | None:
        return find_action(self, key)

    def panel(self, key: str) -> QWidget | None:
        return self.panels.get(key)

    def panel_spec(self, key: str) -> PanelSpec:
        return next(s for s in self.panel_specs if s.key == key)

    # --- projects ------------------------------------------------------------------------------------------
    def open_project(self, path: str | Path) -> None:
        """Open a project in the background; the window switches to it when it is open."""
        path = Path(path).expanduser()
        if self.project is not None and path.resolve() == self.project.root.resolve():
            # (Open recent lists it: opening it again cancelled a propagation and emptied the undo history)
            self.statusBar().showMessage(f"{path} is the project open already", 6000)
            return
        # Asked now, not once open: the opening itself waits for the frame being tracked.
        asked = self.rewriting_media is not None
        if not self._may_stop_propagating(path.name):
            return
        if asked:  # cancelled now, as agreed: the panel says so at once, not once the project is open
            self.engine.cancel_all()
        self.statusBar().showMessage(f"Opening {path}…")
        # (read only where it cannot be written: a reviewer looks at evidence on a disc or write-blocked drive)
        self.engine.submit(lambda ctx: Project.open_for_reading(path), f"Opening {path.name}", Priority.INTERACTIVE,
                           on_done=lambda r: self.set_project(r.value, asked) if r.ok else
                           self._show_empty_state())

    def open_demo(self) -> None:
        from storage.demo import build_demo
        from storage.locations import default_demo_dir
        from storage.project import DB_NAME

        root = default_demo_dir()
        if (root / DB_NAME).exists():
            self.open_project(root)
            return
        self.canvas.clear_image("Building the demo project (a photo and a short video)…")
        self.engine.submit(lambda ctx: build_demo(root), "Building the demo project", Priority.NORMAL,
                           on_done=lambda r: self.set_project(r.value) if r.ok else None)

    def set_project(self, project: Project | None, asked: bool = False) -> None:
        """``asked``: the user was asked before it was opened whether to cancel a propagation for it."""
        if self.project is not None and project is not self.project and self.engine.busy():
            if self._switching_to is None and not asked and not self._may_stop_propagating(
                    project.root.name if project is not None else "no project"):
                if project is not None:
                    project.close()  # chosen, opened, and not wanted after all: this project stays
                return
            self._switch_when_idle(project)
            return
        if self._switching_to is not None:
            self._switching_to = None
            self.engine.jobFinished.disconnect(self._switch_if_idle)
        self._remember_place()
        self.playback.load(None, None)
        old, self.project = self.project, project
        if old is not None and old is not project:
            old.close()
        self.undo_stack = UndoStack(project.store) if project else None
        if self.undo_stack is not None:
            self.undo_stack.subscribe(self._command_done)
        self.current_media, self.current_frame, self.selected_ids, self._here = None, None, set(), None
        self._last_frames.clear()
        self.current_label = None  # (the last project's: another label of this one may have its id)
        self.reload_labels()
        title = (project.settings.get("title") or project.root.name) if project else ""
        read_only = project is not None and project.read_only
        self.setWindowTitle(f"{title}{f' (read-only: {project.read_only})' if read_only else ''} — FaceLens"
                            if project else "FaceLens")
        if read_only:
            then = read_only_remedy(project.read_only, "work on it")
            self.saved_indicator.read_only(f"{project.root} cannot be written ({project.read_only}): everything can "
                                           "be looked at, played and verified; edits, imports and exports (logged in "
                                           f"its audit chain) are refused. {then[0].upper()}{then[1:]}.")
        else:
            self.saved_indicator.clear()
        if project is not None:
            self.settings.add_recent_project(project.root)
        self._update_undo_actions()
        self.projectChanged.emit(project)
        self.mediaListChanged.emit()
        self._show_empty_state()
        media = project.media.all() if project is not None else []
        remembered = self.settings.get_int(self.place_key("media"), -1)
        item = next((m for m in media if m.id == remembered), media[0] if media else None)
        # (with no media, the layers, timeline and panels are told too: the last project's video stayed drawn)
        self.set_media(item, self.settings.get_int(self.place_key("frame"), 0) if item else None)
        if project is not None:
            self.statusBar().showMessage(f"Opened {project.root}" + (f" read-only ({project.read_only}): it cannot be "
                                                                     "written, edits are refused" if read_only else ""),
                                         8000)

    def _may_stop_propagating(self, where: str) -> bool:
        """Another project (``where``) chosen during a propagation, minutes of work: ask before cancelling it."""
        return self._ask_to_stop_propagating("Open another project", f"Opening {where}", "open",
                                             f"{where} not opened")

    def _ask_to_stop_propagating(self, title: str, doing: str, verb: str, refused: str) -> bool:
        """Whether the user lets ``doing`` ("Opening next") cancel the running propagation; kept, the status bar
        says ``refused`` and that it goes on. True where nothing propagates."""
        if self.rewriting_media is None:
            return True
        box = QMessageBox(QMessageBox.Question, title, f"{self._what_runs()} is running.", parent=self)
        box.setInformativeText(f"{doing} cancels it once the frame being tracked is done; the frames tracked so far "
                               "are kept.")
        stop = box.addButton(f"Cancel it and {verb}", QMessageBox.AcceptRole)
        box.setDefaultButton(box.addButton("Keep propagating", QMessageBox.RejectRole))
        box.exec()
        box.deleteLater()
        if box.clickedButton() is stop:
            return True
        self.statusBar().showMessage(f"{refused}: {self._what_runs()} goes on", 8000)
        return False

    def _switch_when_idle(self, project: Project | None) -> None:
        """Another project chosen while jobs run on this one: closing it under them failed them (a propagation
        with "KeyError: 'output_dict_per_obj'"). They are cancelled, and the window switches once each has
        finished its current step (a propagation keeps the frames it did), as closing the window does."""
        skipped, self._switching_to = self._switching_to, project
        if skipped is not None and skipped is not project:
            skipped.close()  # chosen while waiting, and chosen over since
        if skipped is None:
            self.engine.jobFinished.connect(self._switch_if_idle)
        what = self._what_runs()
        self.engine.cancel_all()
        where = project.root.name if project is not None else "the project"
        self.statusBar().showMessage(f"{where} opens after this step: {what} cancelled (what is finished stays)…")

    def _switch_if_idle(self, _result) -> None:
        if self._switching_to is not None and not self.engine.busy():
            QTimer.singleShot(0, lambda: self._switching_to is not None and self.set_project(self._switching_to))

    def place_key(self, what: str) -> str:
        digest = hashlib.sha1(str(self.project.root).encode()).hexdigest()[:16] if self.project else "none"
        return f"project/{digest}/{what}"

    def _remember_place(self) -> None:
        if self.project is None or self.current_media is None:
            return
        self.settings.set(self.place_key("media"), self.current_media.id)
        self.settings.set(self.place_key("frame"), self.current_frame or 0)

    def reload_labels(self) -> None:
        self.labels = self.project.labels.all() if self.project else []
        self._colors = {l.id: l.color for l in self.labels}
        keep = self.current_label and next((l for l in self.labels if l.id == self.current_label.id), None)
        if keep is None and self.project is not None:  # the project just opened: the label last drawn with in it
            remembered = self.settings.get_int(self.place_key("label"), -1)
            keep = next((l for l in self.labels if l.id == remembered), None)
        self.set_current_label(keep or (self.labels[0] if self.labels else None))
        self.labelsChanged.emit()

    # --- media and frames ----------------------------------------------------------------------------------
    def set_media(self, item: MediaItem | int | None, frame: int | None = None) -> None:
        if isinstance(item, int):
            item = self.project.media.get(item) if self.project else None
        if item is not None and self.current_media is not None and item.id == self.current_media.id:
            if frame is not None:
                self.seek(frame)
            return
        if self.current_media is not None and self.current_media.is_video and self.current_frame is not None:
            self._last_frames[self.current_media.id] = self.current_frame
        self.tools.reset_active()
        self.selected_ids = set()
        self.current_media = item
        start = frame if frame is not None else self._last_frames.get(item.id, 0) if item else 0
        self.current_frame = max(0, min(start, (item.frame_count or 1) - 1)) if item and item.is_video else None
        self._here = None
        self.canvas.clear_image(f"Loading {item.name}…" if item else "")
        self.playback.load(self.project, item, self.current_frame or 0)
        self.canvas.notify_layers("media_changed", item)
        self.mediaChanged.emit(item)
        self.selectionChanged.emit()
        self._remember_place()
        if item is None:
            self._show_empty_state()

    def reopen_media(self) -> None:
        """Read the media on screen again (its fast-seek proxy was just built), staying on the same frame."""
        if self.current_media is not None:
            self.playback.load(self.project, self.current_media, self.current_frame or 0)

    def step_media(self, delta: int) -> None:
        browser = self.panel("media")
        order = browser.visible_media() if browser is not None else (self.project.media.all() if self.project else [])
        if not order:
            return
        ids = [m.id for m in order]
        here = ids.index(self.current_media.id) if self.current_media and self.current_media.id in ids else -1
        target = min(max(here + delta, 0), len(ids) - 1) if here >= 0 else 0
        if target != here:
            self.set_media(order[target])

    def seek(self, frame: int) -> None:
        """Show video frame ``frame`` (it arrives from the decoder; ``frameChanged`` says when)."""
        if self.current_media is None or not self.current_media.is_video:
            return
        self.playback.jump(frame)

    def _frame_ready(self, frame: int | None, image) -> None:
        previous = self.canvas.shown_frame
        self.canvas.show_frame(image, frame)
        if frame is None:
            return
        if frame != self.current_frame:
            self.tools.reset_active()
            self.current_frame = frame
            self._here = None
            self.selected_ids = set()
            self.canvas.notify_layers("frame_changed", frame)
            self.selectionChanged.emit()
        if frame != previous:
            self.frameChanged.emit(frame)

    def _media_failed(self, message: str, details: str) -> None:
        name = self.current_media.name if self.current_media else "this media"
        self.canvas.clear_image(f"Cannot show {name}:\n{message}")
        self.statusBar().showMessage(message, 8000)

    def _show_empty_state(self) -> None:
        if self.project is None:
            self.canvas.clear_image("No project is open.\nFile → New project… or Open project… to begin.")
        elif self.current_media is None:
            self.canvas.clear_image("Drop images or videos here\n(or File → Import files…)")

    # --- overlays ------------------------------------------------------------------------------------------
    def set_overlay_opacity(self, value: float) -> None:
        value = max(0.0, min(1.0, float(value)))
        if abs(value - self.overlay_opacity) < 1e-6:
            return
        self.overlay_opacity = value
        self.settings.set("canvas/overlay_opacity", value)
        self.canvas.notify_layers("overlay_opacity_changed", value)
        self.overlayOpacityChanged.emit(value)

    # --- errors --------------------------------------------------------------------------------------------
    def report_error(self, message: str, details: str = "") -> None:
        self.last_error = (message, details)
        self.statusBar().showMessage(message, 10000)
        show_error(self, message, details or None)

    # --- drops ---------------------------------------------------------------------------------------------
    def dragEnterEvent(self, event) -> None:
        self.importer.drag_enter(event)

    def dragMoveEvent(self, event) -> None:
        self.importer.drag_enter(event)

    def dropEvent(self, event) -> None:
        self.importer.drop(event)

    def changeEvent(self, event) -> None:
        if event.type() == event.Type.ApplicationPaletteChange:
            repaint_themed_icons(self)  # light and dark follow the system
        super().changeEvent(event)

    # --- closing -------------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if getattr(self, "_closed", False):
            return super().closeEvent(event)
        if not getattr(self, "_closing", False) and not self._ask_to_stop_propagating(
                "Close FaceLens", "Closing FaceLens", "close", "FaceLens stays open"):
            event.ignore()
            return
        self._save_window_state()  # as the user left it when asking to close, even if closing must wait
        if self.engine.busy():
            # Closing now would close the project under a running job and exit with the engine thread inside
            # torch (the process aborts). Cancel everything, let the current item finish (a propagation keeps
            # the frames it did), and close once the engine is idle; the window stays usable meanwhile.
            event.ignore()
            self._close_when_idle()
            return
        self.shut_down()
        super().closeEvent(event)

    def _what_runs(self) -> str:
        names = [j.name for j in self.engine.running.values() if j.shown] or ["background work"]
        return "“" + "”, “".join(dict.fromkeys(names)) + "”"

    def _close_when_idle(self) -> None:
        what = self._what_runs()
        if getattr(self, "_closing", False):  # closed again while waiting: say so again, nothing more
            self.statusBar().showMessage(f"Still finishing the current step of {what}: FaceLens closes by itself "
                                         f"when it is done")
            return
        self._closing = True
        self.engine.wind_down()
        self.engine.jobFinished.connect(self._closing_job_finished)
        # (short: the job's own line and progress stay on the right of the status bar, and a longer message ran
        # under them)
        self.statusBar().showMessage(f"Closing after this step: {what} cancelled (what is finished stays)…")

    def _closing_job_finished(self, _result) -> None:
        if not self.engine.busy():
            QTimer.singleShot(0, self.close)  # after every other listener of this job's end has run

    def shut_down(self) -> None:
        """Save the window's state, stop the engine and close the project (once; closing calls it)."""
        if getattr(self, "_closed", False):
            return
        self._closed = True
        self._save_window_state()
        self.playback.pause()
        self.playback.close()
        self.engine.stop()
        for project in {self.project, self._switching_to} - {None}:  # (one opened meanwhile, never shown)
            project.close()

    def _save_window_state(self) -> None:
        if getattr(self, "_state_saved", False):
            return
        self._state_saved = True
        self._remember_place()
        self.layouts.save()
        self.settings.set("window/geometry", self.saveGeometry())
        self.settings.sync()

    def sizeHint(self) -> QSize:
        return QSize(1440, 900)


