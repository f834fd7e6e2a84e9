"""The SAM state one window shares between its tool, preview layer, panel and Models menu.

It holds the prompt being built (points, labels, box), the latest preview (a ``Clicked`` from the engine),
the running propagation, and the active segmenter. Everything that touches a model, a file or the model
settings runs as an engine job through ``window.engine``; results come back on the GUI thread. Clicks
coalesce: while one click's job runs, further clicks only mark the prompt dirty, and the newest whole
prompt goes next, so the preview never lags behind a burst of clicks.
"""
from __future__ import annotations

import time
from collections import OrderedDict

import numpy as np
from PySide6.QtCore import QElapsedTimer, QObject, Qt, QTimer, Signal

from annotation.errors import BusyElsewhere, InputError
from annotation.model import Annotation, Track
from annotation.words import counted
from engine.pace import Pace
from engine.segmentation.compiled import compile_refusal
from engine.segmentation.grabcut import small_blob_hint
from engine.segmentation.prompt import Prompt
from engine.segmentation.segmenters import file_stamp, grabcut_instead
from engine.segmentation.service import Clicked, Segmentation
from engine.segmentation.store import MANUAL, PROMPT, mask_annotation
from engine.worker import Priority
from gui.sam.commands import AcceptObject

RECENT_FRAMES = 32  # propagated frames' masks kept for display (and the frame on screen's) until the window re-reads them
FOLLOW_MS = 150  # while propagating, the view follows the newest frame at most this often
AHEAD_DELAY_MS = 300  # the look-ahead starts once the user has stayed on an image or frame this long
MARKERS_MS = 2000  # while propagating, the timeline re-reads which frames have masks at most this often
BUSY_MS = 400  # a click's mask not back after this long: the status bar says it is being computed
BUSY = ("SAM 2: computing the mask… (the first click on an image or frame computes its embedding: a few seconds "
        "on a CPU)")
# (a click waits for the frame being tracked: the engine runs one thing at a time, and a frame is not cut short)
BUSY_TRACKING = ("SAM 2: computing the mask once the frame being tracked is done… (a few seconds on a CPU; the first "
                 "click on an image also computes its embedding)")
MODE_WORDS = {"positive": "left click adds a positive point", "negative": "left click adds a negative point",
              "box": "left drag draws a box"}


def sam_controller(window) -> "SamController":
    if getattr(window, "_sam_controller", None) is None:
        window._sam_controller = SamController(window)
    return window._sam_controller


class SamController(QObject):
    statusChanged = Signal(dict)  # the active segmenter (see ActiveSegmenter.status) and the model list
    previewChanged = Signal()  # the prompt, the preview mask or arrived propagated masks changed
    propagationChanged = Signal()  # started, progressed or finished
    objectsChanged = Signal()  # tracks were added or propagated
    masksArrived = Signal(int, object)  # (frame, {track id: mask}), emitted on the engine thread
    followChanged = Signal(bool)  # following the tracked frames was turned off (the user moved) or on
    modeChanged = Signal(str)  # what a left click adds: "positive", "negative" or "box"

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.active = None  # ActiveSegmenter, once the first job has chosen it
        self._damaged: tuple | None = None  # (path, size, mtime) of a chosen checkpoint that could not be loaded
        self.status: dict = {"title": "SAM 2: looking for weights…", "kind": None}
        self.models: list[dict] = []
        self.seg: Segmentation | None = None
        self._mode = "positive"  # what a left click adds: positive / negative point, or a box drag
        self.points: list[tuple[float, float]] = []
        self.labels: list[int] = []
        self.box: tuple[float, float, float, float] | None = None
        self._steps: list[tuple] = []  # the prompt's steps in order: ("point",), or ("box", the box it replaced)
        self._taken_back: list[tuple] = []  # taken back by Ctrl+Z, for Ctrl+Shift+Z: ("point", xy, label), ("box", box)
        self.clicked: Clicked | None = None
        self.track_id: int | None = None  # the object being prompted (provisional < 0, or a track to correct)
        self._generation = 0  # bumps when the prompt is dropped, so a late preview is ignored
        self._in_flight = False
        self._dirty = False
        self._hint = ""  # what the status bar says about the prompt being built
        self.propagation = None  # JobHandle
        self._use_after_propagation = None  # (segmenter, models) chosen while a propagation ran
        self.propagating_media: int | None = None  # the video being propagated (its masks are being rewritten)
        self.cancelling = False  # Cancel was pressed; the frame being tracked finishes first
        # The frame a video shown again comes back on: its arrival is no move of the user's (a jump made before it
        # arrived is: both were taken for the restoring, and following went on).
        self._restoring: int | None = None
        # SAM 2's video memory in RAM instead of on the GPU: slower, but a long video fits a small GPU
        self.offload_state = str(window.settings.get("sam/offload_state", "false")).lower() == "true"
        # Propagate with SAM 2's compiled predictor (CUDA only; the first run compiles for minutes)
        self.compile_propagation = str(window.settings.get("sam/compile_propagation", "false")).lower() == "true"
        self.progress: tuple[float, float | None] = (0, None)
        self.progress_message = ""  # what the propagation is doing (e.g. giving SAM 2 the stored prompts)
        self._pace = Pace()
        self.seconds_left: float | None = None  # the propagation's time left at its pace so far
        self.last_result: str = ""
        self.last_result_media: int | None = None  # the video the last propagation was of
        self.last_result_tracks: set[int] = set()  # the objects it tracked: it is told while one is still there
        self.recent: OrderedDict[int, dict] = OrderedDict()
        self._older_than = 0  # the first annotation id stored after the running propagation began
        self._deleted_meanwhile: set[int] = set()  # tracks another program deleted during this propagation
        self._follow = QElapsedTimer()
        self._markers = QElapsedTimer()
        self.follow = window.settings.get("sam/follow", "true") not in ("false", False)  # (unticked, it stays so)
        self._follow_paused = False  # following stopped by a move away, not by the user: the next propagation follows
        self._follow_targets: set[int] = set()  # frames the view was sent to by following, not by the user
        self._ahead: dict = {}  # (media id, frame) -> its look-ahead job; dropped when the user moves on
        self._ahead_timer = QTimer(self)
        self._ahead_timer.setSingleShot(True)
        self._ahead_timer.setInterval(AHEAD_DELAY_MS)
        self._ahead_timer.timeout.connect(self.prefetch)
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(BUSY_MS)
        self._busy_timer.timeout.connect(self._say_busy)
        self.masksArrived.connect(self._masks_arrived, Qt.QueuedConnection)
        window.projectChanged.connect(self._project_changed)
        window.mediaChanged.connect(self._media_changed)
        window.frameChanged.connect(self._frame_changed)
        window.engine.jobProgress.connect(self._job_progress)
        window.engine.jobCancelling.connect(self._job_cancelling)
        window.outside_changes.changed.connect(self._changed_elsewhere)
        window.replaced_here = self.replaced_here  # (the canvas and the objects list draw the new masks instead)
        window.commandApplied.connect(lambda command, _how: self._forget_result_of_gone_tracks(command.records()))
        self.choose()
        if window.project is not None:
            self._project_changed(window.project)

    # --- the segmenter ---------------------------------------------------------------------------------------
    def choose(self, model: str | None = None) -> None:
        """Find the active model's weights (and every model's) in a job; the window updates when it is done."""
        self.window.engine.submit(_finding_weights(model), "Choosing the segmenter", Priority.INTERACTIVE,
                                  on_done=self._chosen, show=False)

    def recheck(self) -> None:
        """Look for the weights again (the Models menu opened, the SAM tool picked): a checkpoint put back where it
        was chosen turns SAM 2 on without choosing it again, and the menu says which files are missing now. SAM 2
        on whose checkpoint went away stays on while its model is loaded (the menu says it runs from memory), and
        is turned off otherwise (its first click would fail)."""
        def done(result):
            if not result.ok:
                return
            found, models, gone, in_memory, stamp = result.value
            if self._damaged is not None:
                if stamp == self._damaged:  # the file SAM 2 went off for, unchanged
                    return
                self._damaged = None
            if (self.status.get("kind") != "sam2" and found.weights is not None) or (gone and not in_memory):
                self._use(found, models)
                return
            status = self.active.status()
            if gone:
                where = (f"in memory, loaded from {self.active.weights.path}, which has gone since (choose it again "
                         "where it is now)")
                models = [dict(row, weights=where) if row["active"] and not row["weights"] else row for row in models]
                # The "Active:" line and the SAM 2 panel say it too (they still named the file "chosen in the settings").
                status = dict(status, weights=where, title=f"{self.active.model.title} ({where}) on {status['device']}")
            if self.status.get("waiting"):  # (a segmenter chosen meanwhile is still to come: it stays said)
                status = dict(status, waiting=self.status["waiting"])
            if models != self.models or status != self.status:
                self.models, self.status = models, status
                self.statusChanged.emit(self.status)

        self.window.engine.submit(_looking_again(self.active), "Looking for SAM 2 weights", Priority.INTERACTIVE,
                                  on_done=done, show=False)

    def _chosen(self, result) -> None:
        if result.ok:
            self._use(*result.value)

    def _use(self, active, models: list[dict]) -> None:
        if self.propagation is not None:  # (a checkpoint checked or downloaded meanwhile) it goes on with its model
            self._use_after_propagation = (active, models)
            waiting = f"{active.status().get('title', 'The segmenter')} is used once the propagation is done"
            self.window.statusBar().showMessage(waiting, 8000)
            self.status = dict(self.status, waiting=waiting)  # (the panel and the menu say it meanwhile)
            self.statusChanged.emit(self.status)
            return
        self.active, self.models = active, models
        self.status = self.active.status()
        if self.seg is not None:
            self.window.engine.submit(self.seg.use_job(self.active), "Switching segmenter", Priority.INTERACTIVE,
                                      show=False)
            self._apply_compile()  # the device decides whether compiling applies
        self.discard()
        self.statusChanged.emit(self.status)
        self.prefetch()

    def _project_changed(self, project) -> None:
        self.discard()
        # (the last project's outcome showed under a video of the new one with the same id)
        self.last_result, self.last_result_media, self.last_result_tracks = "", None, set()
        old, self.seg = self.seg, None
        if old is not None:
            self.window.engine.submit(lambda ctx: old.release_sessions(), "Closing SAM sessions", Priority.NORMAL,
                                      show=False)
        if project is not None and self.active is not None:
            self.seg = self._new_segmentation(project)
        self.objectsChanged.emit()

    def _segmentation(self) -> Segmentation | None:
        if self.seg is None and self.window.project is not None and self.active is not None:
            self.seg = self._new_segmentation(self.window.project)
        return self.seg

    def _new_segmentation(self, project) -> Segmentation:
        return Segmentation(None, project, self.active, offload_state=self.offload_state,
                            compile_propagation=self.compiles)

    @property
    def compiles(self) -> bool:
        """Whether propagation is compiled: the user's choice, where the device allows it (a CUDA GPU)."""
        return self.compile_propagation and self.active is not None and compile_refusal(self.active.device) is None

    def set_compile(self, on: bool) -> None:
        """Propagate with SAM 2's compiled predictor from the next propagation on (kept between runs)."""
        self.compile_propagation = bool(on)
        self.window.settings.set("sam/compile_propagation", "true" if on else "false")
        self._apply_compile()

    def _apply_compile(self) -> None:
        seg, compiles = self.seg, self.compiles
        if seg is not None:
            self.window.engine.submit(lambda ctx: setattr(seg, "compile_propagation", compiles),
                                      "SAM 2 compile setting", Priority.INTERACTIVE, show=False)

    def set_offload(self, on: bool) -> None:
        """Keep SAM 2's video memory in RAM (or on the device again); open video sessions start afresh."""
        self.offload_state = bool(on)
        self.window.settings.set("sam/offload_state", "true" if on else "false")
        seg = self.seg
        if seg is None:
            return
        self.discard()  # (a prompt not accepted yet lives in the session that is closed)

        def job(ctx):
            seg.offload_state = self.offload_state
            seg.release_sessions()

        self.window.engine.submit(job, "SAM 2 memory setting", Priority.INTERACTIVE, show=False)

    @property
    def can_propagate(self) -> bool:
        return bool(self.active and self.active.can_propagate)

    # --- building a prompt -----------------------------------------------------------------------------------
    @property
    def mode(self) -> str:
        return self._mode

    @mode.setter
    def mode(self, mode: str) -> None:
        if mode != self._mode:
            self._mode = mode
            self.modeChanged.emit(mode)

    @property
    def mode_words(self) -> str:
        return MODE_WORDS[self._mode]

    def add_point(self, x: float, y: float, positive: bool) -> None:
        new_object = self.track_id is None or self.track_id < 0
        if not positive and new_object and not any(self.labels) and self.box is None:
            # Only where the object is not: SAM 2 gives "everything but here" (the CLI refuses it too).
            self.window.statusBar().showMessage(
                "A new object starts with a positive click (Q) or a box (B); a negative click (E) then says where "
                "it is not", 6000)
            return
        self.points.append((round(x, 2), round(y, 2)))
        self.labels.append(1 if positive else 0)
        self._steps.append(("point",))
        self._taken_back.clear()
        self._request()

    def set_box(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self._steps.append(("box", self.box))
        self._taken_back.clear()
        self.box = (round(min(x0, x1), 2), round(min(y0, y1), 2), round(max(x0, x1), 2), round(max(y0, y1), 2))
        self._request()

    def undo_step(self) -> None:
        """Take back the prompt's last step, click or box (a box drawn after two clicks went only once both
        clicks had); the prompt goes once nothing is left."""
        if not self._steps:
            return
        step = self._steps.pop()
        if step[0] == "point":
            self._taken_back.append(("point", self.points.pop(), self.labels.pop()))
        else:
            self._taken_back.append(("box", self.box))
            self.box = step[1]
        if self.prompting:
            self._request()
        else:
            correcting = self.track_id if self.track_id is not None and self.track_id > 0 else None
            self.discard()
            if correcting is not None:  # still correcting that track: the next click is not a new object
                self.track_id = correcting

    @property
    def last_step_is_box(self) -> bool:
        return bool(self._steps) and self._steps[-1][0] == "box"

    @property
    def can_redo_step(self) -> bool:
        return self.prompting and bool(self._taken_back)

    def redo_step(self) -> None:
        """Put back the step ``undo_step`` took last (while the prompt is still being built)."""
        if not self.can_redo_step:
            return
        step = self._taken_back.pop()
        if step[0] == "point":
            self.points.append(step[1])
            self.labels.append(step[2])
            self._steps.append(("point",))
        else:
            self._steps.append(("box", self.box))
            self.box = step[1]
        self._request()

    @property
    def prompting(self) -> bool:
        return bool(self.points or self.box)

    def prompt(self) -> Prompt:
        previous = None
        m = self.window.current_media
        if m is not None and not m.is_video and self.clicked is not None and len(self.points) > 1 and self.box is None:
            previous = self.clicked.result.logits  # refine the last mask (SAM's iterative clicks)
        return Prompt(tuple(self.points), tuple(self.labels), self.box, previous)

    def _request(self) -> None:
        seg, w = self._segmentation(), self.window
        if seg is None or w.current_media is None:
            w.statusBar().showMessage("The segmenter is not ready yet", 3000)
            return
        self.previewChanged.emit()  # the markers show at once; the mask follows
        if self._in_flight:
            self._dirty = True
            return
        self._in_flight, self._dirty = True, False
        generation = self._generation
        item, frame = w.current_media, w.current_frame if w.current_media.is_video else None
        job = seg.click_job(item, frame, self.prompt(), self.track_id, replace=True)
        w.engine.submit(job, "SAM 2 click", Priority.INTERACTIVE, show=False,
                        on_done=lambda r: self._previewed(r, generation, item, seg), on_error=self._click_failed)
        self._busy_timer.start()

    def _say_busy(self) -> None:
        if self._in_flight:
            self.window.statusBar().showMessage(BUSY if self.propagation is None else BUSY_TRACKING)

    def _previewed(self, result, generation: int, item, seg) -> None:
        self._in_flight = False
        self._busy_timer.stop()
        bar = self.window.statusBar()
        if bar.currentMessage() in (BUSY, BUSY_TRACKING):
            bar.clearMessage()
        if generation != self._generation:  # the prompt was dropped meanwhile (Esc before its mask came)
            if result.ok and seg is self.seg:  # the object this click added to the video goes too: it was
                self.window.engine.submit(seg.discard_job(item, result.value),  # tracked by every propagation
                                          "SAM 2 discard", Priority.INTERACTIVE, show=False)
            if self._dirty and self.prompting:  # (and a new one begun: its click waited for this one)
                self._request()
            return
        if result.ok:
            self.clicked = result.value
            self.track_id = result.value.track_id
            self.previewChanged.emit()
            mask = self.clicked.result.mask
            grabcut = self.clicked.result.segmenter == "grabcut"
            if not self._dirty and not mask.any():
                self._hint = (f"{'GrabCut' if grabcut else 'SAM 2'} found no object at this prompt: click inside "
                              f"the object or draw a box around it (Esc drops the prompt)")
                bar.showMessage(self._hint, 6000)
            elif not self._dirty and grabcut and (hint := small_blob_hint(int(mask.sum()), mask.size,
                                                                          self.clicked.prompt, "B")):
                self._hint = hint
                bar.showMessage(hint, 8000)
        if self._dirty and self.prompting:
            self._request()

    def _click_failed(self, result) -> None:
        active, error = self.active, result.exception
        weights = active.weights if active is not None else None
        if (weights is not None and weights.kind == "checkpoint" and isinstance(error, InputError)
                and error.path == str(weights.path)):
            # The chosen checkpoint cannot be loaded (damaged, another model's): SAM 2 goes off, saying why, as for
            # a missing file (it was said for 8 s, then clicks did nothing and the panel still said SAM 2).
            self.window.engine.submit(lambda ctx: file_stamp(weights.path), "Noting the damaged checkpoint",
                                      Priority.INTERACTIVE, show=False,
                                      on_done=lambda r: setattr(self, "_damaged", r.value if r.ok else None))
            self.window.report_error(f"{result.error}. SAM 2 is off: the SAM tool segments with GrabCut until "
                                     "another checkpoint is chosen (Models → Choose checkpoint file…)")
            self._use(grabcut_instead(active, result.error), self.models)
            return
        self.window.statusBar().showMessage(f"SAM 2: {result.error}", 8000)

    def next_candidate(self) -> None:
        """Show SAM's next mask for an ambiguous single click (the part, the whole, ...); Enter keeps it."""
        c, bar = self.clicked, self.window.statusBar()
        if c is None or self._in_flight:
            bar.showMessage("The mask is still being computed; press W again in a moment", 3000)
            return
        if len(c.result.candidates) < 2:
            bar.showMessage("SAM 2 offers one mask here (several only for a single click on a photo)", 3000)
            return
        result = c.result.choose(c.result.chosen + 1)
        self.clicked = Clicked(result, c.prompt, c.track_id)
        bar.showMessage(f"SAM 2 mask {result.chosen + 1} of {len(result.candidates)} (score {result.score:.2f}); "
                        f"W for the next, Enter to keep it", 4000)
        self.previewChanged.emit()

    # --- accept / discard ------------------------------------------------------------------------------------
    def accept(self) -> bool:
        w, clicked = self.window, self.clicked
        if clicked is None or w.current_media is None or self._in_flight:
            if self.prompting:
                w.statusBar().showMessage("The mask is still being computed; press Enter again in a moment", 3000)
            return False
        item = w.current_media
        source = clicked.result.segmenter
        if not clicked.result.mask.any():
            w.statusBar().showMessage("The mask is empty: click inside the object or draw a box around it "
                                      "(Esc drops the prompt)", 5000)
            return True
        if not item.is_video:
            from annotation.commands import Add

            a = mask_annotation(item, None, clicked.result.mask, clicked.result.score, source,
                                label_id=w.current_label_id(), prompt=clicked.prompt)
            stored = w.push(Add(a, f"SAM mask ({source})")) is not None
        else:
            stored = self._accept_object(item, clicked, source)
        if stored:  # (not stored, the prompt stays: Enter again once the reason is gone)
            self._reset_prompt()
        return True

    def _accept_object(self, item, clicked: Clicked, source: str) -> bool:
        w, frame = self.window, w_frame(self.window)
        provisional = clicked.track_id is None or clicked.track_id < 0
        track, new = (None, True) if provisional else (w.project.tracks.get(clicked.track_id), False)
        deleted = not provisional and track is None  # the track being corrected, deleted by another program
        if track is None:
            track, new = Track(media_id=item.id, label_id=w.current_label_id()), True
        here = w.annotations_here()
        replaced = [] if new else [a for a in here if a.track_id == track.id and (
            a.attributes.get("role") == PROMPT or (a.kind == "mask" and a.source != MANUAL))]

        def make(track_id: int) -> list[Annotation]:
            prompts = [Annotation(media_id=item.id, frame=frame, shape=s, track_id=track_id,
                                  label_id=track.label_id, source=source, attributes={"role": PROMPT})
                       for s in clicked.prompt.shapes()] if self.can_propagate else []
            return prompts + [mask_annotation(item, frame, clicked.result.mask, clicked.result.score, source,
                                              track_id, track.label_id)]

        command = w.push(AcceptObject(track, new, make, replaced, "SAM 2 object" if new else "SAM 2 correction"))
        if command is None:
            return False
        if new and clicked.track_id is not None and self.seg is not None:
            w.engine.submit(self.seg.adopt_job(item, clicked.track_id, command.track.id), "SAM 2 object id",
                            Priority.INTERACTIVE, show=False)
        if deleted:
            w.statusBar().showMessage(f"Track {clicked.track_id} was deleted meanwhile (by another program): this "
                                      f"mask is a new object, track {command.track.id}", 8000)
        elif not new:
            w.statusBar().showMessage(f"Corrected track {track.id} on frame {frame}: press From this frame (SAM 2 "
                                      f"panel) to carry the correction on", 8000)
        self.objectsChanged.emit()
        return True

    def discard(self) -> None:
        if self.clicked is not None and self.seg is not None and self.window.current_media is not None:
            self.window.engine.submit(self.seg.discard_job(self.window.current_media, self.clicked),
                                      "SAM 2 discard", Priority.INTERACTIVE, show=False)
        self._reset_prompt()

    def _reset_prompt(self) -> None:
        self._generation += 1
        if self._hint and self.window.statusBar().currentMessage() == self._hint:
            self.window.statusBar().clearMessage()  # (about the prompt just dropped or accepted)
        self._hint = ""
        self.points, self.labels, self.box, self.clicked, self.track_id = [], [], None, None, None
        self._steps, self._taken_back = [], []
        self._dirty = False
        self.mode = "positive"  # the next object starts with a positive click, whatever the last one ended with
        self.previewChanged.emit()

    def correct(self, track_id: int) -> None:
        """The next clicks correct this track on the frame on screen (instead of starting a new object)."""
        self.discard()
        self.track_id = track_id
        self.window.statusBar().showMessage(f"Clicks now correct track {track_id} on this frame", 5000)

    # --- propagation -----------------------------------------------------------------------------------------
    def propagate(self, first: int = 0, last: int | None = None, from_frame: int | None = None) -> bool:
        w, seg = self.window, self._segmentation()
        item = w.current_media
        if seg is None or item is None or not item.is_video or self.propagation is not None:
            return False
        if from_frame is not None and not (first <= from_frame <= (item.frame_count or 1) - 1 if last is None
                                           else first <= from_frame <= last):
            w.statusBar().showMessage(f"The frame on screen ({from_frame}) is outside the frames to propagate over "
                                      f"({first}–{last}): widen them to re-propagate from this frame", 8000)
            return False
        if not self.can_propagate:
            w.statusBar().showMessage(f"Propagation needs SAM 2 weights: {self.status.get('note')}", 10000)
            return False
        if self.prompting:
            w.statusBar().showMessage("Accept (Enter) or discard (Esc) the object being prompted first", 5000)
            w.canvas.setFocus(Qt.OtherFocusReason)  # where Enter and Esc act (the panel's button had the keys)
            return False
        try:
            job = seg.propagate_job(item, first, last, from_frame, on_masks=_Throttled(self.masksArrived.emit))
        except Exception as e:
            w.report_error(str(e))
            return False
        self.recent.clear()
        self._deleted_meanwhile.clear()
        self._follow_targets.clear()
        self._older_than = w.project.annotations.last_id() + 1  # (ids are never reused: newer ones are this run's)
        if self._follow_paused:  # a move away during the last one; unticked by the user it stays off
            self.set_follow(True)
        self.progress, self.progress_message, self.last_result = (0, None), "", ""
        self._pace, self.seconds_left = Pace(), None
        self._follow.start()
        self._markers.start()
        self.propagation = w.engine.submit(job, f"Propagating {item.name}", Priority.BATCH,
                                           on_done=self._propagated)
        self.propagating_media, self.cancelling = item.id, False
        w.rewriting_media = item.id  # the drawing tools wait on this video until it is done
        self.propagationChanged.emit()
        return self.propagation is not None

    def _job_cancelling(self, job_id: int) -> None:
        """The propagation cancelled elsewhere (the status bar's ✗, closing the window, opening another project): the
        panel says it is finishing its frame, as its own Cancel does (it went on saying "Starting…")."""
        if self.propagation is not None and job_id == self.propagation.id and not self.cancelling:
            self.cancelling = True
            self.propagationChanged.emit()

    def cancel(self) -> None:
        if self.propagation is not None and not self.cancelling:
            self.window.engine.cancel(self.propagation.id)  # the panel says so until the frame being tracked is done

    def _job_progress(self, job_id: int) -> None:
        if self.propagation is not None and job_id == self.propagation.id:
            job = self.window.engine.running.get(job_id)
            if job is not None:
                self.progress = (job.done, job.total)
                self.progress_message = job.message
                self.seconds_left = self._pace.seconds_left(job.done, job.total)
                self.propagationChanged.emit()
                if self._markers.elapsed() >= MARKERS_MS:
                    self._markers.restart()
                    self._show_stored_frames()

    def _show_stored_frames(self) -> None:
        """The frames stored so far, marked on the timeline as the propagation goes. Only the markers: re-reading
        the annotations would rebuild the canvas under a user editing meanwhile; and read on the engine (between
        two tracked frames): on a long video the query takes a good part of a screen refresh."""
        item, project = self.window.current_media, self.window.project
        if item is None or project is None or not item.is_video:
            return
        self.window.engine.submit(lambda ctx: project.annotations.annotated_frames(item.id), "Timeline markers",
                                  Priority.INTERACTIVE, show=False, on_error=lambda r: None,
                                  on_done=lambda r: self.window.annotatedFramesChanged.emit(item.id, r.value)
                                  if r.ok else None)

    def _changed_elsewhere(self, _reloads: set, entries: list) -> None:
        """A track another program deleted while it is being propagated: its masks leave the canvas now (the
        propagation goes on for the others and does not store its masks), not when the propagation ends."""
        gone = {int(e.entity.split(":")[1]) for e in entries
                if e.entity.startswith("track:") and e.action.startswith("delete")}
        if gone & self.last_result_tracks:
            self._forget_result_of_gone_tracks()
        if self.propagation is None or not gone:
            return
        self._deleted_meanwhile |= gone
        for masks in self.recent.values():
            for track_id in gone:
                masks.pop(track_id, None)
        self.previewChanged.emit()

    def _forget_result_of_gone_tracks(self, records: list | None = None) -> None:
        """The last propagation's outcome leaves the SAM 2 panel once none of the objects it tracked is in the
        project (deleted, or their accept undone): "Propagated 1 object" under "Tracks (0)" was stale. ``records``:
        those an edit changed; only an edit of that video can have taken them."""
        project = self.window.project
        if not self.last_result_tracks or project is None:
            return
        if records is not None and not any(getattr(r, "media_id", None) == self.last_result_media for r in records):
            return
        if all(project.tracks.get(t) is None for t in self.last_result_tracks):
            self.last_result, self.last_result_tracks = "", set()
            self.propagationChanged.emit()

    def _masks_arrived(self, frame: int, masks: dict) -> None:
        if self._deleted_meanwhile:
            masks = {t: m for t, m in masks.items() if t not in self._deleted_meanwhile}
        self.recent[frame] = masks
        on_screen = self.window.current_frame
        for old in list(self.recent)[:max(0, len(self.recent) - RECENT_FRAMES)]:
            if old != on_screen:  # the frame on screen keeps its masks in view until the window re-reads them
                del self.recent[old]
        if not self.showing_propagation:
            return  # the user is on other media: nothing to draw or follow there
        if self.follow and self._follow.elapsed() >= FOLLOW_MS:
            self._follow.restart()
            self._follow_targets.add(frame)
            self.window.seek(frame)
        if frame == self.window.current_frame:
            if self.replaced_here(self.window.annotations_here()):
                self.window.canvas.notify_layers("annotations_changed")  # the old masks leave for the new ones
            self.previewChanged.emit()

    def live_here(self, here: list[Annotation]) -> dict[int, np.ndarray]:
        """The masks just tracked on the frame on screen (``here``: its stored annotations) that are drawn in place
        of what is stored: not those of tracks whose mask there the propagation keeps (corrected by hand, or
        accepted with this frame's prompt: the mask writer's rule) or the window has read back already."""
        if not self.showing_propagation or not self.recent.get(self.window.current_frame):
            return {}
        prompted = {a.track_id for a in here if a.attributes.get("role") == PROMPT}
        settled = {a.track_id for a in here if a.kind == "mask" and (
            a.source == MANUAL or a.track_id in prompted or a.id >= self._older_than)}
        return {t: m for t, m in self.recent[self.window.current_frame].items() if t not in settled}

    def replaced_here(self, here: list[Annotation]) -> set[int]:
        """Ids of the stored masks on the frame on screen that the masks just tracked replace: a re-propagation
        (a correction carried on, a range tracked again) showed each frame's old masks as it went."""
        live = self.live_here(here)
        return {a.id for a in here if a.kind == "mask" and a.track_id in live} if live else set()

    def tracked_at(self, x: float, y: float) -> int | None:
        """The track whose mask, just tracked and not read back from the project yet, covers image pixel (x, y)
        of the frame on screen."""
        for track_id, mask in self.live_here(self.window.annotations_here()).items():
            if 0 <= y < mask.shape[0] and 0 <= x < mask.shape[1] and mask[int(y), int(x)]:
                return track_id
        return None

    @property
    def showing_propagation(self) -> bool:
        """Whether the video on screen is the one being propagated (its arriving masks belong on it)."""
        m = self.window.current_media
        return m is not None and self.propagating_media is not None and m.id == self.propagating_media

    def set_follow(self, on: bool, paused: bool = False) -> None:
        """``paused``: turned off by a move away from the tracked frames, for this propagation only."""
        if on != self.follow:  # (the check box echoes each change back: that is no change)
            self._follow_paused = paused and not on
            self.follow = on
            if not paused:  # the user's choice, not a pause for this propagation
                self.window.settings.set("sam/follow", "true" if on else "false")
            self._follow_targets.clear()
            self.followChanged.emit(on)

    def _propagated(self, result) -> None:
        showing = self.showing_propagation
        self.last_result_media = self.propagating_media
        self.propagation, self.propagating_media, self.cancelling = None, None, False
        self.window.rewriting_media = None
        done = result.value
        if self.follow and showing and result.ok and done.frames:
            self._follow_targets.add(list(done.frames)[-1])
            self.window.seek(list(done.frames)[-1])  # end on the last frame tracked, not the last one shown
        self.last_result_tracks = set(done.tracks) if result.ok else set()
        if result.cancelled:
            finished, total = self.progress
            self.last_result = (f"Cancelled after {int(finished)} of {counted(int(total or 0), 'frame')}; "
                                f"{'those are kept' if finished else 'nothing was stored'}")
        elif result.ok:
            self.last_result = (f"Propagated {counted(len(self.last_result_tracks), 'object')} over "
                                f"{counted(len(done.frames), 'frame')}; {counted(done.annotations, 'mask')} stored"
                                f"{done.remarks()}")
        elif isinstance(result.exception, BusyElsewhere):
            # Refused, nothing tracked: said once (the error box, the status bar), not kept as this video's last
            # propagation (the panel said "Propagation failed" long after the other program was done).
            self.last_result = ""
        else:
            self.last_result = f"Propagation failed: {result.error}"
        self.recent.clear()
        self.window.reload_annotations()
        self.window.statusBar().showMessage(self.last_result or f"Not propagated: {result.error}", 8000)
        self.propagationChanged.emit()
        self.objectsChanged.emit()
        self.previewChanged.emit()
        if self._use_after_propagation is not None:
            chosen, self._use_after_propagation = self._use_after_propagation, None
            self._use(*chosen)

    # --- look-ahead ------------------------------------------------------------------------------------------
    def prefetch(self) -> None:
        """Compute the embedding of what is on screen, and of the next image or frame, at batch priority."""
        w, seg = self.window, self._segmentation()
        item = w.current_media
        if seg is None or item is None or self.propagation is not None:
            return
        targets = [(item, w.current_frame)]
        if item.is_video:
            if w.current_frame is not None and w.current_frame + 1 < (item.frame_count or 0):
                targets.append((item, w.current_frame + 1))
        else:
            nxt = self._next_media(item)
            if nxt is not None and not nxt.is_video:
                targets.append((nxt, None))
        wanted = {(media.id, frame if media.is_video else None): media for media, frame in targets}
        for key, handle in list(self._ahead.items()):
            if key not in wanted or handle.done():
                handle.cancel()  # (one running stops at its next block; one still wanted goes on)
                del self._ahead[key]
        for (media_id, frame), media in wanted.items():
            if (media_id, frame) in self._ahead:
                continue
            job = seg.prefetch_job(media, frame)
            if job is not None:
                handle = w.engine.submit(job, "SAM 2 look-ahead", Priority.BATCH, show=False, on_error=lambda r: None)
                if handle is not None:
                    self._ahead[(media_id, frame)] = handle

    def _sam_tool_active(self) -> bool:
        active = self.window.tools.active if self.window.tools is not None else None
        return active is not None and active.key == "sam"

    def _media_changed(self, *_) -> None:
        self._restoring = self.window.current_frame
        self.discard()
        if self._sam_tool_active():
            self._ahead_timer.start()

    def _next_media(self, item):
        browser = self.window.panel("media")
        order = browser.visible_media() if browser is not None and hasattr(browser, "visible_media") else []
        ids = [m.id for m in order]
        if item.id in ids and ids.index(item.id) + 1 < len(ids):
            return order[ids.index(item.id) + 1]
        return None

    def _frame_changed(self, frame: int) -> None:
        restored, self._restoring = frame == self._restoring, None
        if self.propagation is not None and self.follow and not restored:  # (coming back to a video is no move)
            if frame in self._follow_targets:
                self._follow_targets.discard(frame)
            else:  # the user went elsewhere (scrubbed, stepped): stop pulling the view back to the tracked frames
                self.set_follow(False, paused=True)
                self.window.statusBar().showMessage("Stopped following the tracked frames; tick Follow to go back "
                                                    "to them", 5000)
        if self.prompting and self.clicked is not None:
            self.discard()  # a prompt belongs to its frame
        self.previewChanged.emit()
        if self._sam_tool_active() and self.propagation is None:
            self._ahead_timer.start()  # restarted on every frame while playing: it fires once the video rests


class _Throttled:
    """Hands masks to the window at most every ``SHOW_EVERY`` seconds (called on the engine thread): the screen
    cannot show more, and a window busy elsewhere never piles up a queue of full-resolution masks."""

    SHOW_EVERY = 0.04

    def __init__(self, emit):
        self.emit, self.last = emit, 0.0

    def __call__(self, frame: int, masks: dict) -> None:
        now = time.monotonic()
        if now - self.last >= self.SHOW_EVERY:
            self.last = now
            self.emit(frame, masks)


def w_frame(window) -> int | None:
    return window.current_frame if window.current_media is not None and window.current_media.is_video else None


def _finding_weights(model: str | None):
    """A job: the segmenter for the active model (``model`` made active first), and every model's weights."""
    def job(ctx):
        from engine.models.weights import ModelSettings, describe_models
        from engine.segmentation.segmenters import choose_segmenter

        settings = ModelSettings()
        if model:
            settings.set_active("sam2", model)
        return choose_segmenter(settings=settings), describe_models("sam2", settings)

    return job


def _looking_again(active):
    """A job: ``_finding_weights``'s answer, whether the active SAM 2's checkpoint file has gone (and if so,
    whether its model is loaded all the same), and the found checkpoint's ``file_stamp``."""
    def job(ctx):
        from engine.models.cache import MODEL_CACHE

        found, models = _finding_weights(None)(ctx)
        weights = active.weights if active is not None else None
        gone = bool(weights and weights.kind == "checkpoint" and not weights.path.is_file())
        in_memory = gone and MODEL_CACHE.holds(active.model, weights, active.device)
        stamp = file_stamp(found.weights.path) if found.weights and found.weights.kind == "checkpoint" else None
        return found, models, gone, in_memory, stamp

    return job
