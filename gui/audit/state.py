"""What the Audit panels share: the detector runs, the chosen run's queue and metrics, the sample under review.

Everything that touches the project runs as an engine job; results come back as signals on the GUI thread.
One ``AuditState`` per window: ``audit_state(window)`` finds or makes it.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QElapsedTimer, QObject, Signal

from engine.worker import Priority
from gui.audit import jobs

LOOK_MS = 400  # a verdict on a sample that came on screen less than this ago is refused: no one judged it
HABITS = {"reject": (0.0, 0.5), "band": (0.0, 0.5)}  # queue settings kept for the reviewer: their range in the panel
OBJECT_NAME = "auditState"


class AuditState(QObject):
    runsChanged = Signal(list)  # RunRecord
    overviewChanged = Signal(object)  # engine.audit.report.data.ReportData | None
    loadFailed = Signal(str)  # why the run's queue could not be built
    currentChanged = Signal(object)  # QueueItem | None
    faceReady = Signal(object)  # engine.audit.crops.FaceView
    verdictRecorded = Signal(object)  # VerdictRecord
    verdictsChanged = Signal(list)  # VerdictRecord: the latest ones another program recorded on the run on screen
    message = Signal(str)  # one line for the panel's status

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName(OBJECT_NAME)
        self.window = window
        self.runs: list = []
        self.run_id: int | None = None
        self.overview = None
        self.current = None
        self._saving: int | None = None  # the result whose verdict is being saved
        self._shown = QElapsedTimer()  # since the sample under review changed
        self.settings = jobs.queue_settings()
        for key in HABITS:  # the reviewer's habits, kept from run to run and from one start to the next
            value = window.settings.get_float(f"audit/{key}", getattr(self.settings, key))
            if HABITS[key][0] <= value <= HABITS[key][1]:
                setattr(self.settings, key, value)
        window.projectChanged.connect(self._project_changed)
        window.outside_changes.changed.connect(self._changed_elsewhere)

    # --- loading -------------------------------------------------------------------------------------------
    def _project_changed(self, _project) -> None:
        self.run_id = None  # (another project's run of the same id is another run)
        self.reload_runs()

    def reload_runs(self, select: int | None = None) -> None:
        project = self.window.project
        self.set_current(None)
        if project is None:
            self.runs, self.run_id, self.overview = [], None, None
            self.runsChanged.emit([])
            self.overviewChanged.emit(None)
            return

        def done(result):
            if not result.ok or project is not self.window.project:
                return
            self.runs = result.value
            self.runsChanged.emit(self.runs)
            ids = [r.id for r in self.runs]
            last = self.window.settings.get_int(self.window.place_key("audit/run"), -1)  # reviewed before a restart
            self.load(next((i for i in (select, self.run_id, last) if i in ids), ids[-1] if ids else None))

        self.window.engine.submit(lambda ctx: project.detectors.runs(), "Reading detector runs",
                                  Priority.INTERACTIVE, on_done=done, show=False)

    def _changed_elsewhere(self, reloads: set, entries: list) -> None:
        """Runs imported or re-aggregated and verdicts recorded by another program (the command line, a second
        reviewer's window): shown without losing the reviewer's place, unless the run on screen was re-aggregated
        (its queue is another one then)."""
        if self.window.project is None:
            return
        if self.run_id is not None and any(e.entity == f"detector_run:{self.run_id}" and e.action == "aggregation"
                                           for e in entries):
            self.reload_runs(select=self.run_id)  # (reads its verdicts too)
            return
        if "audit runs" in reloads:
            self._refresh_run_list()
        if "audit verdicts" in reloads:
            self._refresh_verdicts()

    def _refresh_run_list(self) -> None:
        project = self.window.project

        def done(result):
            if not result.ok or project is not self.window.project:
                return
            self.runs = result.value
            self.runsChanged.emit(self.runs)
            if self.run_id is None and self.runs:
                self.load(self.runs[-1].id)

        self.window.engine.submit(lambda ctx: project.detectors.runs(), "Reading detector runs",
                                  Priority.INTERACTIVE, on_done=done, show=False)

    def _refresh_verdicts(self) -> None:
        project, run_id = self.window.project, self.run_id
        if run_id is None or self.overview is None:
            return

        def done(result):
            if not result.ok or run_id != self.run_id or self.overview is None:
                return
            latest = {v.result_id: v for v in result.value}
            changed = []
            for q in self.overview.queue.items:
                v = latest.get(q.result_id)
                if v is not None and (q.verdict is None or q.verdict.id != v.id):
                    q.verdict = v
                    changed.append(v)
            if changed:
                self.verdictsChanged.emit(changed)

        self.window.engine.submit(lambda ctx: project.detectors.verdicts(run_id, latest_only=True),
                                  "Reading verdicts", Priority.INTERACTIVE, on_done=done, show=False)

    def load(self, run_id: int | None) -> None:
        """Build the run's queue and metrics (in the background)."""
        self.run_id = run_id
        self.set_current(None)
        project = self.window.project
        if run_id is None or project is None:
            self.overview = None
            self.overviewChanged.emit(None)
            return
        self.settings.threshold = self._thresholds().get(self._run_key(run_id))  # None: the run's own (auto)
        self.window.settings.set(self.window.place_key("audit/run"), run_id)
        settings = self.settings

        def done(result):
            if run_id != self.run_id or project is not self.window.project:
                return  # another run was chosen meanwhile
            if result.ok:
                self.overview = result.value
                self.overviewChanged.emit(self.overview)
            else:
                self.overview = None
                self.overviewChanged.emit(None)
                self.loadFailed.emit(result.error or "cancelled")

        self.window.engine.submit(jobs.overview_job(project, run_id, settings), f"Reviewing run {run_id}",
                                  Priority.INTERACTIVE, on_done=done, on_error=lambda r: None)

    def set_settings(self, **changes) -> None:
        for k, v in changes.items():
            setattr(self.settings, k, v)
        if "threshold" in changes and self.run_id is not None and self.window.project is not None:
            self._remember_threshold(self.run_id, changes["threshold"])
        for key in HABITS.keys() & changes.keys():
            self.window.settings.set(f"audit/{key}", changes[key])
        self.load(self.run_id)

    # A threshold set by hand belongs to its run (another detector's scores live on another scale); the reject
    # share and the band are the reviewer's habits and stay as they are from run to run.
    def _run_key(self, run_id: int) -> str:
        return f"{self.window.project.root}#{run_id}"

    def _thresholds(self) -> dict:
        return self.window.settings.get_json("audit/thresholds", {})

    def _remember_threshold(self, run_id: int, threshold: float | None) -> None:
        chosen = self._thresholds()
        if threshold is None:
            chosen.pop(self._run_key(run_id), None)
        else:
            chosen[self._run_key(run_id)] = threshold
        self.window.settings.set_json("audit/thresholds", chosen)

    # --- the sample under review ---------------------------------------------------------------------------
    def set_current(self, item) -> None:
        self.current = item
        self._shown.start()
        self.currentChanged.emit(item)
        if item is None:
            return
        self.window.settings.set(self.window.place_key("audit/sample"), f"{self.run_id}:{item.result_id}")
        self.show_current()
        project = self.window.project

        def done(result):
            if result.ok and self.current is not None and self.current.result_id == result.value.result_id:
                self.faceReady.emit(result.value)

        self.window.engine.submit(jobs.face_job(project, item.result_id), "Finding the face", Priority.INTERACTIVE,
                                  on_done=done, on_error=lambda r: self.message.emit(r.error or ""), show=False)

    def last_reviewed(self) -> int | None:
        """The result under review in this run when the window last closed (the reviewer's place in the queue)."""
        run, _, result = str(self.window.settings.get(self.window.place_key("audit/sample")) or "").partition(":")
        return int(result) if run == str(self.run_id) and result.isdigit() else None

    def show_current(self) -> None:
        """The sample under review on the canvas, in the Audit workspace: elsewhere the queue filling as a project
        opens took the view from where the user had left it (and that place was saved over)."""
        w = self.window
        if self.current is not None and w.layouts.current == "audit":
            w.set_media(self.current.media_id, self.current.frame)

    def not_on_screen(self) -> str | None:
        """Why the canvas does not show the sample under review (its media, at its frame for a video scored per
        frame), or None when it does."""
        item, w = self.current, self.window
        if item is None:
            return "No sample under review"
        # (what the run's overview read with it: no database read on the GUI thread at a key)
        media = next((m for m in self.overview.media if m["id"] == item.media_id), None) if self.overview else None
        name = Path(media["path"]).name if media is not None else f"media {item.media_id}"
        frame = item.frame if media is not None and media["kind"] == "video" else None  # (a photo may say frame 0)
        where = name if frame is None else f"{name}, frame {frame}"
        other_frame = frame is not None and w.canvas.image is not None and w.canvas.shown_frame != frame
        if w.current_media is None or w.current_media.id != item.media_id or other_frame:
            return f"The picture on screen was not the sample under review: {where} is shown again"
        if w.canvas.image is None:  # still being read, or its file cannot be shown (missing, unreadable)
            failed = w.canvas.message.startswith("Cannot show")
            return f"{where} is not on screen ({'it cannot be shown: see why in its place' if failed else 'loading'})"
        return None

    def record(self, verdict: str, note: str = "") -> None:
        """Save a verdict on the sample under review, given with it on screen: never another picture (a media key,
        the media list or the timeline moved the view), nor none, nor one seen for milliseconds; refused in words
        otherwise."""
        item, project, w = self.current, self.window.project, self.window
        if item is None or project is None:
            return
        if self._shown.isValid() and self._shown.elapsed() < LOOK_MS:
            # (a second key right after the first: the queue had moved on, and it judged a sample seen for
            # milliseconds)
            self.message.emit(f"Result {item.result_id} came on screen just now: look at it first; no verdict saved")
            return
        if self._saving is not None:
            # A second key before the first verdict is saved and the queue has moved on: it was saved on the same
            # sample, over the first, though meant for the next one, which was not on screen yet.
            self.message.emit(f"The verdict on result {self._saving} is being saved; no verdict saved: give it "
                              f"once the next sample is on screen")
            return
        why = self.not_on_screen()
        if why is not None:
            w.playback.pause()  # (playing, it was not "shown again")
            if w.current_media is not None and w.current_media.id == item.media_id and w.canvas.image is None:
                w.reopen_media()  # its file may be back: read it again
            else:
                self.show_current()
            self.message.emit(f"{why}; no verdict saved: give it with the sample on screen")
            return

        def done(result):
            self._saving = None
            if not result.ok:
                return
            v = result.value
            if self.overview is not None:
                for q in self.overview.queue.items:
                    if q.result_id == v.result_id:
                        q.verdict = v
            self.verdictRecorded.emit(v)
            self.message.emit(f"result {v.result_id}: {v.verdict.replace('_', ' ')} (by {v.reviewer}), saved")
            self.window.saved_indicator.saved(f"The verdict on result {v.result_id}")  # (a failed one said not)

        self._saving = item.result_id
        self.window.engine.submit(lambda ctx: project.detectors.add_verdict(item.result_id, verdict, note),
                                  "Recording the verdict", Priority.INTERACTIVE, on_done=done, show=False)

    # --- whole-run work ------------------------------------------------------------------------------------
    def import_scores(self, scores: str, features: str | None, model: str | None, version: str,
                      aggregation: str) -> None:
        project = self.window.project

        def done(result):
            if result.ok:
                self.message.emit(" · ".join(result.value.summary_lines()))
                self.window.mediaListChanged.emit()
                self.reload_runs(select=result.value.run_id)

        self.window.engine.submit(jobs.import_job(project, scores, features, model, version, aggregation),
                                  f"Importing {Path(scores).name}", on_done=done)

    def run_detector(self, spec, settings, media_ids=None) -> None:
        project = self.window.project

        def done(result):
            if result.ok:
                self.message.emit(f"run {result.value['run_id']}: {result.value['rows']} faces scored")
                self.reload_runs(select=result.value["run_id"])
            elif result.cancelled:
                self.message.emit("detector run cancelled; nothing was stored")

        self.window.engine.submit(jobs.detector_job(project, spec, settings, media_ids),
                                  f"Running {Path(spec.path).name}", Priority.BATCH, on_done=done)

    def export_report(self, path: str) -> None:
        project, run_id, settings = self.window.project, self.run_id, self.settings

        def done(result):
            if result.ok:
                self.message.emit(f"report written to {path}")

        self.window.engine.submit(jobs.report_job(project, run_id, path, settings), f"Writing {Path(path).name}",
                                  on_done=done)

    def verify_report(self, path: str, on_result) -> None:
        project = self.window.project
        self.window.engine.submit(jobs.verify_job(project, path), f"Checking {Path(path).name}",
                                  on_done=lambda r: on_result(r.value) if r.ok else None)


def audit_state(window) -> AuditState:
    return window.findChild(AuditState, OBJECT_NAME) or AuditState(window)
