"""The Models menu and the segmenter badge in the workspace bar.

The menu lists the SAM 2.1 models with where each one's weights come from (a checkpoint chosen here, the
models folder, or none), the device, and lets the user pick the active model, choose a checkpoint file for
it (checked against the model before it is kept) or download the official one (only when asked; its
SHA-256 is checked). The badge says which segmenter is active: SAM 2 with its model and device, or GrabCut.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QUrl
from PySide6.QtGui import QActionGroup, QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from engine.segmentation.compiled import compile_refusal
from engine.worker import Priority
from gui.actions import add_action

OFFLOAD_TEXT, COMPILE_TEXT = "Keep SAM 2's video memory in RAM", "Compile SAM 2 for propagation"
COMPILE_TIP = ("Track videos several times faster on a CUDA GPU; the first propagation compiles for minutes, later "
               "ones reuse it. Clicks are never compiled.")


class SegmenterBadge(QLabel):
    def __init__(self, controller):
        super().__init__()
        self.setObjectName("samSegmenterBadge")
        self.setContentsMargins(8, 0, 8, 0)
        controller.statusChanged.connect(self.show_status)
        self.show_status(controller.status)

    def show_status(self, status: dict) -> None:
        if status.get("kind") == "sam2":
            self.setText(f"SAM 2: {status['model'].replace('sam2.1_hiera_', '')} · {status['device'].split(' ')[0]}")
        elif status.get("kind") == "grabcut":
            self.setText("Segmenter: GrabCut (no SAM 2 weights)")
        else:
            self.setText(status.get("title", ""))
        self.setToolTip("\n".join(v for v in (status.get("title"), status.get("weights") and
                                              f"weights: {status['weights']}", status.get("note")) if v))


def install_models_menu(window, controller) -> None:
    menu = window.menu("models", "&Models")
    static = {
        "checkpoint": add_action(window, None, "models.checkpoint", "Choose checkpoint file…",
                                 lambda: _choose_file(window, controller, _model(controller)),
                                 tip="Point the active model at a .pt checkpoint you have (checked against it)"),
        "download": add_action(window, None, "models.download", "Download checkpoint…",
                               lambda: _download(window, controller, _model(controller)),
                               tip="Download the official checkpoint (its published SHA-256 is checked)"),
        "folder": add_action(window, None, "models.folder", "Open models folder", lambda: _open_folder(window),
                             tip="Where downloads go, and where a checkpoint with its official name is found"),
        "offload": add_action(window, None, "models.offload", OFFLOAD_TEXT,
                              controller.set_offload, checkable=True,
                              tip="For long videos on a small GPU: slower, but the GPU holds only the frame at work"),
        "compile": add_action(window, None, "models.compile", COMPILE_TEXT,
                              controller.set_compile, checkable=True, tip=COMPILE_TIP),
    }
    static["offload"].setChecked(controller.offload_state)
    static["compile"].setChecked(controller.compile_propagation)
    menu.aboutToShow.connect(lambda: _fill(controller, menu, static))
    menu.aboutToShow.connect(controller.recheck)  # (the files as they are now: the menu refills if they changed)
    controller.statusChanged.connect(lambda _s: _fill(controller, menu, static))
    _fill(controller, menu, static)


def _model(controller) -> str:
    return controller.status.get("model") or "sam2.1_hiera_tiny"


def _fill(controller, menu, static: dict) -> None:
    """The menu as it is now: the active segmenter, the device, each model with its weights, then the actions."""
    menu.clear()  # (the per-model actions belong to the menu and go; the static ones stay with the window)
    status = controller.status
    menu.addAction(f"Active: {status.get('title', '')}").setEnabled(False)
    if status.get("waiting"):
        menu.addAction(f"Next: {status['waiting']}").setEnabled(False)
    if status.get("device"):
        menu.addAction(f"Device: {status['device']}").setEnabled(False)
    menu.addSeparator()
    # A greyed item says why in its own text (a menu shows no status tip for it, nor a tooltip by default).
    busy = controller.propagation is not None  # (not while a video is being tracked: it goes on with its model)
    not_now = " (not while a video is being propagated)" if busy else ""
    group = QActionGroup(menu)
    for row in controller.models:
        where = row["weights"] or f"no weights (needs {row['needs']})"
        act = menu.addAction(f"{row['title']} — {where}" + (not_now if not row["active"] else ""))
        act.setObjectName(f"action:models.use.{row['model']}")
        act.setCheckable(True)
        act.setChecked(row["active"])
        act.setEnabled(not busy)
        act.triggered.connect(lambda _=False, m=row["model"]: controller.choose(m))
        group.addAction(act)
    menu.addSeparator()
    model = _model(controller)
    static["checkpoint"].setText(f"Choose checkpoint file for {model}…" + not_now)
    static["download"].setText(f"Download {model}.pt…" + not_now)
    for key in ("checkpoint", "download", "offload"):
        static[key].setEnabled(not busy)
    static["offload"].setText(OFFLOAD_TEXT + not_now)
    refusal = compile_refusal(controller.active.device) if controller.active is not None else "no segmenter yet"
    static["compile"].setEnabled(refusal is None and not busy)
    static["compile"].setText(COMPILE_TEXT + (f" ({refusal})" if refusal else not_now))
    static["compile"].setStatusTip(refusal or COMPILE_TIP)
    static["compile"].setToolTip(refusal or COMPILE_TIP)
    for act in static.values():
        menu.addAction(act)


def _choose_file(window, controller, model: str) -> None:
    path, _ = QFileDialog.getOpenFileName(window, f"Checkpoint for {model}", str(checkpoint_folder()),
                                          "PyTorch checkpoints (*.pt *.pth)")
    if path:
        use_checkpoint(window, controller, model, path)


def checkpoint_folder() -> Path:
    """Where the file dialog opens: beside a checkpoint chosen before (the others are usually there too), else
    the Downloads folder, else home (it used to open wherever FaceLens was started from)."""
    from engine.models.registry import MODELS
    from engine.models.weights import ModelSettings

    settings = ModelSettings()
    for name in MODELS:
        chosen = settings.checkpoint(name)
        if chosen is not None and chosen.parent.is_dir():
            return chosen.parent
    downloads = Path.home() / "Downloads"
    return downloads if downloads.is_dir() else Path.home()


def use_checkpoint(window, controller, model: str, path: str):
    """Check the file against the model in a job, keep it in the model settings and switch to it."""
    def job(ctx):
        from engine.models.checkpoint import check_state_dict, read_state_dict
        from engine.models.registry import model_entry
        from engine.models.weights import ModelSettings
        from engine.segmentation.sam2_models import looks_like

        entry, p = model_entry(model, family="sam2"), Path(path)
        check_state_dict(read_state_dict(p, entry), entry.expected_shapes(entry), entry, p, looks_like)
        ModelSettings().set_checkpoint(entry.name, p)

    return window.engine.submit(job, f"Checking the checkpoint for {model}", Priority.NORMAL,
                                on_done=lambda r: controller.choose(model) if r.ok else None)


def _download(window, controller, model: str) -> None:
    answer = QMessageBox.question(window, "Download checkpoint",
                                  f"Download the official {model}.pt from Hugging Face into the models folder? "
                                  "Its SHA-256 is checked against the published one.")
    if answer != QMessageBox.Yes:
        return

    def job(ctx):
        from engine.models.download import download_checkpoint
        from engine.models.registry import model_entry
        from engine.models.weights import ModelSettings

        entry = model_entry(model, family="sam2")
        path = download_checkpoint(entry, progress=lambda done, total: ctx.progress(done, total, f"{done >> 20} MB"))
        ModelSettings().set_checkpoint(entry.name, path)

    window.engine.submit(job, f"Downloading {model}.pt", Priority.BATCH,
                         on_done=lambda r: controller.choose(model) if r.ok else None)


def _open_folder(window) -> None:
    """The models folder in the file manager, and its path in the status bar: without a file manager (a bare
    desktop, a remote session) nothing opened and nothing was said."""
    from engine.models.weights import models_dir

    folder = models_dir()
    folder.mkdir(parents=True, exist_ok=True)
    opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder)))
    window.statusBar().showMessage(f"Models folder: {folder}" if opened else
                                   f"Models folder: {folder} (no file manager could open it here)", 15000)
