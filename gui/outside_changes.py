"""Changes another program makes to the open project (the command line, a second window) show in this one.

Every change to a project comes with an entry in its audit log, in the same transaction. Once a second the
window reads the newest entry's number (one indexed query); when entries came that this program did not
write, it reloads what they touched: the media list, the labels, the annotations and tracks on screen. Without
this, a track deleted with ``facelens tracks delete`` stayed in the window's lists until the project was opened
again, and masks stored by ``facelens segment`` did not show.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

INTERVAL_MS = 1000

# An entry's entity ("track:12", "annotations", ...) up to its colon -> what the user calls it, and what to reload.
TOUCHES = {"media": ("media", "media"), "annotation": ("annotations", "annotations"),
           "annotations": ("annotations", "annotations"), "track": ("tracks", "annotations"),
           "segment": ("emotion segments", "annotations"), "segments": ("emotion segments", "annotations"),
           "taxonomy": ("labels", "labels"), "series": ("eye tracking data and ratings", "emotion"),
           "eye_events": ("eye events", "emotion"), "detector_run": ("detector runs", "audit runs"),
           "verdict": ("verdicts", "audit verdicts")}

# Entries that record a file written from the project (a report), not a change to it.
NOT_CHANGES = {"report", "export"}


class OutsideChanges(QObject):
    # What to reload ({"emotion", "audit runs", ...}) with the entries behind it: for the workspaces' states,
    # which reload their own data.
    changed = Signal(object, list)

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.seen = 0  # the newest audit entry the window shows
        self._timer = QTimer(self, interval=INTERVAL_MS, timeout=self.check)
        window.projectChanged.connect(self._project_changed)

    def _project_changed(self, project) -> None:
        self._timer.stop()
        if project is not None:
            self.seen = project.audit.last_seq()
            self._timer.start()

    def check(self) -> list[str]:
        """Reload what other programs changed since the last look; returns what that was, in the user's words."""
        project = self.window.project
        if project is None:
            return []
        try:
            if project.audit.last_seq() <= self.seen:
                return []
            entries, self.seen = project.audit.written_elsewhere(self.seen)
        except Exception:  # the database unreadable for a moment (another program's long write): the next tick
            return []
        entries = [e for e in entries if e.entity.split(":")[0] in TOUCHES and e.action not in NOT_CHANGES]
        touched = [TOUCHES[e.entity.split(":")[0]] for e in entries]
        reloads = {reload for _, reload in touched}
        if "media" in reloads:
            self.window.mediaListChanged.emit()
        if "labels" in reloads:
            self.window.reload_labels()
        if "annotations" in reloads:
            self.window.reload_annotations()
        if reloads:
            self.changed.emit(reloads, entries)
        words = list(dict.fromkeys(word for word, _ in touched))
        if words:
            # (no count: an audit entry is a whole batch of a propagation, which the user would not call one change)
            self.window.statusBar().showMessage(f"{', '.join(words).capitalize()} changed by another program: shown "
                                                f"as they are now", 8000)
        return words
