"""The SAM 2 panel: which segmenter is active, the video's objects (tracks with their ids and the frames they
were prompted on), and propagation over a range of frames with progress and Cancel."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QFrame, QHBoxLayout, QHeaderView, QLabel, QProgressBar, QPushButton,
                               QScrollArea, QSpinBox, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget)

from annotation.words import counted
from engine.pace import time_left
from engine.worker import Priority
from gui.icons import color_swatch
from gui.sam.controller import sam_controller
from gui.sam.models_menu import SegmenterBadge, install_models_menu
from gui.sam.preview_layer import SamPreviewLayer

EMPTY = ("None yet: S, click the object, Enter", "No object yet: take the SAM tool (S), click the object, press Enter")
HINT = "S: SAM tool · Q positive · E negative · B box · W next mask · Enter accept · Esc discard"


class SamPanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.sam = sam_controller(window)
        self._showing_media: int | None = None  # the video whose frame range the boxes show
        self._listed_media: int | None = None  # the video whose objects the list shows
        self._prompted = False  # the video on screen has an object prompted (something to propagate)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setObjectName("samStatus")
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setEnabled(False)
        self.mode = QLabel()  # what a left click adds now (Q / E / B), which a user cannot otherwise see
        self.mode.setObjectName("samMode")
        self.objects = QTreeWidget()
        self.objects.setHeaderLabels(["Object", "Prompted on frames"])
        self.objects.setRootIsDecorated(False)
        self.objects.header().setSectionResizeMode(0, QHeaderView.ResizeToContents)  # "track N (label)" in full
        self.objects.setToolTip("Double-click an object to correct it on the frame on screen")
        self.objects.setMinimumHeight(96)  # a few objects in view (it opened one row tall, with a scroll bar)
        self.objects.itemDoubleClicked.connect(self._correct)
        self.first, self.last = QSpinBox(), QSpinBox()
        for box, tip in ((self.first, "First frame to propagate over"), (self.last, "Last frame to propagate over")):
            box.setToolTip(tip)
            box.setKeyboardTracking(False)
        self.propagate_button = QPushButton("Propagate")
        self.propagate_button.setToolTip("Track every prompted object over these frames (masks are stored as they come)")
        self.propagate_button.clicked.connect(self._propagate)
        self.from_here = QPushButton("From this frame")
        self.from_here.setToolTip("Propagate again only from the frame on screen (after a correction)")
        self.from_here.clicked.connect(self._propagate_from_here)
        self.cancel = QPushButton("Cancel")
        self.cancel.setToolTip("Stop the propagation; the frames done are kept")
        self.cancel.clicked.connect(self.sam.cancel)
        self.follow = QCheckBox("Follow the frames as they are tracked")
        self.follow.setChecked(self.sam.follow)
        self.follow.toggled.connect(self.sam.set_follow)
        self.sam.followChanged.connect(self.follow.setChecked)
        self.bar = QProgressBar()
        self.result = QLabel()
        self.result.setWordWrap(True)
        # The buttons stay put while the bar comes and goes and the text changes length (a user aiming at Cancel
        # missed it when they moved): both keep their room.
        keep = self.bar.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        self.bar.setSizePolicy(keep)
        self.result.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        # Four lines, scrolled when an outcome is longer (with remarks, or an error), so that the rows above do not
        # move when it replaces the progress bar.
        self.result_box = QScrollArea()
        self.result_box.setWidget(self.result)
        self.result_box.setWidgetResizable(True)
        self.result_box.setFrameShape(QFrame.NoFrame)
        self.result_box.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.result_box.setFixedHeight(4 * self.result.fontMetrics().lineSpacing())
        for box in (self.first, self.last):
            box.valueChanged.connect(self._range_chosen)

        rng = QHBoxLayout()
        rng.addWidget(QLabel("Frames"))
        rng.addWidget(self.first)
        rng.addWidget(QLabel("to"))
        rng.addWidget(self.last)
        buttons = QHBoxLayout()
        for b in (self.propagate_button, self.from_here, self.cancel):
            buttons.addWidget(b)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        for w in (self.status, hint, self.mode, self.objects):
            lay.addWidget(w)
        lay.addLayout(rng)
        lay.addLayout(buttons)
        for w in (self.follow, self.bar, self.result_box):
            lay.addWidget(w)

        self.sam.statusChanged.connect(self._show_status)
        self.sam.modeChanged.connect(self._show_mode)
        self._show_mode()
        self.sam.propagationChanged.connect(self._show_propagation)
        self.sam.objectsChanged.connect(self.refresh)
        window.mediaChanged.connect(self._media_changed)
        window.annotationsChanged.connect(self.refresh)
        self._show_status(self.sam.status)
        self._media_changed(window.current_media)

    # --- showing ---------------------------------------------------------------------------------------------
    def _show_status(self, status: dict) -> None:
        text = status.get("title", "")
        if status.get("note"):
            text += f"\nSAM 2 is off: {status.get('off') or 'no weights'} (Models → Choose checkpoint file…)"
        if status.get("waiting"):
            text += f"\nNext: {status['waiting']}"
        self.status.setText(text)
        self.status.setToolTip(status.get("note") or status.get("weights") or "")
        self._fit_status()
        self._show_propagation()

    def _fit_status(self) -> None:
        """The status's lines all in sight: a dock lays out a wrapped label by its one-line height, and with the
        checkpoint's path and a "Next:" line it was cut at the top and bottom."""
        self.status.setMinimumHeight(self.status.heightForWidth(max(self.status.width(), 100)))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_status()

    def _show_mode(self, *_) -> None:
        self.mode.setText(f"Now: {self.sam.mode_words}")

    def _media_changed(self, item) -> None:
        count = (item.frame_count or 1) if item is not None and item.is_video else 1
        saved = self._ranges().get(str(item.id)) if item is not None else None
        ok = isinstance(saved, list) and len(saved) == 2 and all(isinstance(v, int) for v in saved)
        first, last = saved if ok else (0, count - 1)
        self._showing_media = None  # (the boxes change below: not the user's choice)
        for box in (self.first, self.last):
            box.setRange(0, count - 1)
        self.first.setValue(first)
        self.last.setValue(last)
        self._showing_media = item.id if item is not None and item.is_video else None
        self.refresh()
        self._show_propagation()

    def _ranges(self) -> dict[str, list[int]]:
        """Video id -> the frames chosen to propagate over, kept per project in the settings."""
        w = self.window
        ranges = w.settings.get_json(w.place_key("sam_ranges"), {}) if w.project is not None else {}
        return ranges if isinstance(ranges, dict) else {}

    def _range_chosen(self, *_) -> None:
        """The range chosen for a video stays with it: coming back to it (during a propagation, or after a restart)
        showed 0..end."""
        if getattr(self, "_showing_media", None) is not None and self.window.project is not None:
            ranges = self._ranges()
            ranges[str(self._showing_media)] = [self.first.value(), self.last.value()]
            self.window.settings.set_json(self.window.place_key("sam_ranges"), ranges)

    def _show_propagation(self) -> None:
        item, running = self.window.current_media, self.sam.propagation is not None
        video = item is not None and item.is_video
        for w in (self.first, self.last, self.propagate_button, self.from_here):
            w.setEnabled(video and not running and self.sam.can_propagate and self._prompted)
        self.cancel.setEnabled(running and not self.sam.cancelling)
        done, total = self.sam.progress
        on_the_way = "on the way" in self.sam.progress_message  # tracking to a range before every prompt
        self.bar.setVisible(running)
        self.bar.setRange(0, 0 if on_the_way else int(total or 0))  # (0, 0): busy, no fraction to show yet
        self.bar.setValue(int(done))
        if running and self.sam.cancelling:
            kept = f"the {counted(int(done), 'frame')} done are kept" if done else "nothing was stored yet"
            self.result.setText(f"Cancelling: finishing the frame being tracked; {kept}")
        elif running and on_the_way:
            self.result.setText(f"Tracking… {int(done)}/{int(total)} frames: SAM 2 is at "
                                f"{self.sam.progress_message} (no mask is stored until it gets there)")
        elif running:
            starting = self.sam.progress_message or "opening the video and loading the model"
            self.result.setText(f"Tracking… {int(done)}/{int(total)} frames{time_left(self.sam.seconds_left)}"
                                if total else f"Starting: {starting}…")
        else:  # the last propagation's outcome, under its own video only
            mine = item is not None and item.id == self.sam.last_result_media
            self.result.setText(self.sam.last_result if mine else "")

    def refresh(self, *_) -> None:
        """The video's objects, read in a job (finding the prompts reads every annotation of the video)."""
        item, project = self.window.current_media, self.window.project
        if item is None or project is None or not item.is_video:
            self.objects.clear()
            self._prompted, self._listed_media = False, None
            return
        if self._listed_media != item.id:  # another video's objects must not stay meanwhile
            self.objects.clear()  # (the listing waits for the frame a propagation is tracking: seconds on a CPU)
            self._prompted, self._listed_media = False, None
            waiting = QTreeWidgetItem(self.objects, ["listing this video's objects…"])
            waiting.setDisabled(True)
            waiting.setFirstColumnSpanned(True)
        else:  # nor a deleted track (reading the video's tracks alone is quick)
            there = {t.id for t in project.tracks.for_media(item.id)}
            for row in [self.objects.topLevelItem(i) for i in range(self.objects.topLevelItemCount())]:
                if row.data(0, Qt.UserRole) is not None and row.data(0, Qt.UserRole) not in there:
                    self.objects.takeTopLevelItem(self.objects.indexOfTopLevelItem(row))

        def job(ctx):
            from engine.segmentation.store import load_prompts

            frames: dict[int, list[int]] = {}
            for track_id, frame in load_prompts(project, item.id):
                frames.setdefault(track_id, []).append(frame)
            return project.tracks.for_media(item.id), frames

        self.window.engine.submit(job, "Listing SAM objects", Priority.INTERACTIVE, show=False,
                                  on_done=lambda r: self._fill(item, r.value) if r.ok else None)

    def _fill(self, item, value) -> None:
        if self.window.current_media is None or self.window.current_media.id != item.id:
            return
        tracks, frames = value
        self.objects.clear()
        self._listed_media = item.id
        self._prompted = bool(frames)  # propagation starts from prompts: without one there is nothing to track
        if not tracks:
            hint = QTreeWidgetItem(self.objects, [EMPTY[0]])
            hint.setToolTip(0, EMPTY[1])
            hint.setDisabled(True)
            hint.setFirstColumnSpanned(True)
        for t in tracks:
            custom = f" · {t.name}" if t.name and t.name != f"object {t.id}" else ""
            row = QTreeWidgetItem(self.objects, [f"track {t.id}{custom} ({self.window.label_name(t.label_id)})",
                                                 ", ".join(map(str, sorted(frames.get(t.id, [])))) or "—"])
            row.setIcon(0, color_swatch(self.window.label_color(t.label_id)))
            row.setData(0, Qt.UserRole, t.id)
        self._show_propagation()

    # --- doing -------------------------------------------------------------------------------------------------
    def _range(self) -> tuple[int, int]:
        """The frames to propagate over, in order (the boxes accept 30 to 25; "From this frame" refused 27 there)."""
        first, last = sorted((self.first.value(), self.last.value()))
        return first, last

    def _propagate(self) -> None:
        self.sam.propagate(*self._range())

    def _propagate_from_here(self) -> None:
        frame = self.window.current_frame
        if frame is not None:
            self.sam.propagate(*self._range(), from_frame=frame)

    def _correct(self, row, _col) -> None:
        track_id = row.data(0, Qt.UserRole)
        if track_id is not None:
            self.window.tools.activate("sam")
            self.sam.correct(int(track_id))
            self.window.canvas.setFocus(Qt.OtherFocusReason)  # Q / E / B go to the canvas, not this list


def make_panel(window) -> SamPanel:
    """The panel, plus what SAM adds to the window once: the preview layer, the Models menu, the badge."""
    controller = sam_controller(window)
    window.canvas.add_layer(SamPreviewLayer(controller))
    install_models_menu(window, controller)
    window.add_header_widget(SegmenterBadge(controller))
    return SamPanel(window)
