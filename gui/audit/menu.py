"""The Audit menu: import scores, run a detector, export and verify reports, and the verdict keys.

Verdict actions are enabled only in the Audit workspace with a sample selected, so their keys never take a
key from another workspace. After a verdict, the queue moves on to the next sample without one.
"""
from __future__ import annotations

from PySide6.QtWidgets import QFileDialog, QMessageBox

from gui.actions import add_action
from gui.audit.state import audit_state

VERDICT_KEYS = (  # verdict, menu text, shortcut, tip
    ("bona_fide", "Bona fide", "Shift+B", "A live face: the detector's alarm (if any) was false"),
    ("attack", "Attack", "Shift+A", "A presentation attack (print, replay, mask...)"),
    ("deepfake", "Deepfake", "Shift+F", "A manipulated or synthesised face"),
    ("unsure", "Unsure", "Shift+U", "Cannot decide: leave it for a second reviewer"),
)


def install_audit_menu(window) -> None:
    if "audit" in window.menus:
        return
    state = audit_state(window)
    menu = window.menu("audit", "&Audit")
    add_action(window, menu, "audit.import", "Import detector scores…", lambda: import_scores(window),
               tip="Import a CSV or JSON of detector scores (and .npy features) as a detector run")
    add_action(window, menu, "audit.detect", "Run a detector…", lambda: run_detector(window),
               tip="Find faces with mediapipe and score them with a TorchScript or timm model")
    menu.addSeparator()
    for verdict, text, key, tip in VERDICT_KEYS:
        act = add_action(window, menu, f"audit.verdict.{verdict}", text,
                         lambda _=False, v=verdict: record(window, v), shortcut=key, tip=tip)
        act.setEnabled(False)
    add_action(window, menu, "audit.note", "Write a note…", lambda: write_note(window), shortcut="N",
               tip="Type a note for the next verdict; Enter goes back to the queue").setEnabled(False)
    add_action(window, menu, "audit.next", "Next sample", lambda: step(window, +1), shortcut="Shift+Down",
               tip="Review the next sample in the queue").setEnabled(False)
    add_action(window, menu, "audit.previous", "Previous sample", lambda: step(window, -1), shortcut="Shift+Up",
               tip="Review the previous sample in the queue").setEnabled(False)
    menu.addSeparator()
    add_action(window, menu, "audit.report", "Export report…", lambda: export_report(window),
               shortcut="Ctrl+Shift+R", tip="Write the run's HTML or PDF report (metrics, plots, verdicts, hashes)")
    add_action(window, menu, "audit.verify", "Verify a report…", lambda: verify_report(window),
               tip="Check that a report still matches this project")

    def refresh(*_):
        reviewing = window.action("workspace.audit").isChecked()  # checked before the layout switches
        has_item = reviewing and state.current is not None
        for verdict, *_rest in VERDICT_KEYS:
            window.action(f"audit.verdict.{verdict}").setEnabled(has_item)
        window.action("audit.note").setEnabled(has_item)
        has_queue = reviewing and state.overview is not None and bool(state.overview.queue.items)
        window.action("audit.next").setEnabled(has_queue)
        window.action("audit.previous").setEnabled(has_queue)
        window.action("audit.report").setEnabled(state.run_id is not None)

    state.currentChanged.connect(refresh)
    state.overviewChanged.connect(refresh)
    window.action("workspace.audit").toggled.connect(refresh)
    refresh()


def panel(window):
    return window.panel("audit.queue")


def record(window, verdict: str) -> None:
    p = panel(window)
    note = p.verdict_bar.note.text().strip() if p is not None else ""
    audit_state(window).record(verdict, note)  # (the note is cleared once the verdict is saved with it)


def write_note(window) -> None:
    p = panel(window)
    if p is not None:
        p.verdict_bar.write_note()


def step(window, delta: int) -> None:
    p = panel(window)
    if p is not None:
        p.step(delta)


def import_scores(window) -> None:
    if window.project is None:
        window.statusBar().showMessage("Open a project first (File → Open)", 5000)
        return
    from gui.audit.dialogs import ImportScoresDialog

    dialog = ImportScoresDialog(window)
    if dialog.exec():
        audit_state(window).import_scores(*dialog.values())


def run_detector(window) -> None:
    if window.project is None:
        window.statusBar().showMessage("Open a project first (File → Open)", 5000)
        return
    from gui.audit.dialogs import RunDetectorDialog

    dialog = RunDetectorDialog(window)
    if dialog.exec():
        audit_state(window).run_detector(*dialog.values())


def export_report(window, path: str | None = None) -> None:
    state = audit_state(window)
    if state.run_id is None:
        return
    if path is None:
        default = str(window.project.exports_dir / f"audit-run-{state.run_id}.html")
        path, _ = QFileDialog.getSaveFileName(window, "Export audit report", default,
                                              "HTML report (*.html);;PDF report (*.pdf)")
    if path:
        state.export_report(path)


def verify_report(window, path: str | None = None) -> None:
    if window.project is None:
        return
    if path is None:
        path, _ = QFileDialog.getOpenFileName(window, "Verify an audit report", str(window.project.exports_dir),
                                              "Audit reports (*.html *.pdf)")
    if not path:
        return

    def show(problems: list[str]) -> None:
        if problems:
            box = QMessageBox(QMessageBox.Warning, "Report does not match",
                              f"{len(problems)} difference(s) between the report and the project.",
                              QMessageBox.Ok, window)
            box.setDetailedText("\n".join(problems))
        else:
            box = QMessageBox(QMessageBox.Information, "Report verified",
                              "The report matches the project: its numbers, verdicts, media hashes and audit chain.",
                              QMessageBox.Ok, window)
        box.setObjectName("auditVerifyResult")
        box.setModal(False)
        box.show()

    audit_state(window).verify_report(path, show)
