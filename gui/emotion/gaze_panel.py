"""The Gaze panel: which recording is shown, the overlays (each with a switch and an opacity), and the work
that makes eye data: importing a tracker file, detecting fixations, measuring the eyes from the face video.
The work runs as engine jobs; the panel only starts them and shows what they found."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDoubleSpinBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QMessageBox, QPushButton, QSlider, QToolButton, QVBoxLayout, QWidget)

from annotation.gaze.formats import detect_format
from annotation.gaze.recording import Alignment
from annotation.words import counted
from engine.gaze.detect import METHODS
from engine.gaze.face_eyes_job import measure_eyes_job
from engine.gaze.importing import aligned_by, coordinates_note, import_gaze, remove_recording, same_file_note
from engine.gaze.jobs import detect_for_recording
from gui.actions import add_action
from gui.emotion.overlays import install_gaze_layers
from gui.emotion.scrolling import scrolling_panel
from gui.emotion.state import emotion_state

OVERLAYS = (("point", "Gaze point and trail"), ("scanpath", "Scanpath"), ("map", "Fixation map"))
PUPIL_FIXATIONS = "fixations.csv"  # Pupil Player exports it beside gaze_positions.csv


def recording_summary(info) -> str:
    """One line on how a recording was imported: samples kept and dropped, span, alignment."""
    p = info.params
    if info.kind != "gaze":
        return f"{info.samples} samples"
    offset = float(p.get("offset", 0.0))
    drift = float(p.get("drift", 0.0))
    scale = f" × (1 {'-' if drift < 0 else '+'} {abs(drift) * 1e6:.1f} ppm)" if drift else ""
    how = (f"video time = gaze time{scale} {'-' if offset < 0 else '+'} {abs(offset):.6g} s, "
           f"{aligned_by(p.get('alignment', 'manual'))}")
    dropped = f", {p['dropped']} dropped below confidence {p.get('min_confidence', 0.6):g}" if p.get("dropped") else ""
    outside = f"; {p['outside_video']} outside the video" if p.get("outside_video") else ""
    return f"{info.samples} samples{dropped}; {how}{outside}"


def _number_box(limit: float, decimals: int, suffix: str, tip: str) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(-limit, limit)
    box.setDecimals(decimals)
    box.setSuffix(suffix)
    box.setToolTip(tip)
    return box


class GazePanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.state = emotion_state(window)
        self.layers = install_gaze_layers(window, self.state)
        self.recording = QComboBox()
        self.recording.setToolTip("The gaze recording shown on the video and in the plots")
        self.recording.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.recording.setMinimumContentsLength(14)  # long file names do not widen the dock
        self.recording.activated.connect(lambda i: self.state.choose_recording(self.recording.itemData(i)))
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.remove_button = QToolButton()
        self.remove_button.setText("Remove…")
        self.remove_button.setToolTip("Remove this recording and its fixations (one imported with the wrong "
                                      "alignment, say: import the file again after)")
        self.remove_button.clicked.connect(self.ask_remove)
        recording_row = QHBoxLayout()
        recording_row.addWidget(self.recording, 1)
        recording_row.addWidget(self.remove_button)
        form = QFormLayout()
        form.addRow("Recording", recording_row)
        self.switches, self.opacity = {}, {}
        for key, title in OVERLAYS:
            box = QCheckBox(title)
            box.setChecked(self.layers[key].visible)
            box.toggled.connect(lambda on, k=key: self.layers[k].set_visible(on))
            slider = QSlider(Qt.Horizontal)
            slider.setRange(0, 100)
            slider.setValue(round(self.layers[key].opacity * 100))
            slider.setToolTip(f"{title}: opacity")
            slider.valueChanged.connect(lambda v, k=key: self.layers[k].set_opacity(v / 100))
            self.switches[key], self.opacity[key] = box, slider
            form.addRow(box, slider)
        self.scope = QComboBox()
        self.scope.addItem("segment under the cursor", "segment")
        self.scope.addItem("whole clip", "clip")
        self.scope.setToolTip("Which fixations the map sums: those of the ER/FER segment under the cursor, or all")
        self.scope.currentIndexChanged.connect(lambda _: self.layers["map"].set_scope(self.scope.currentData()))
        form.addRow("Map of", self.scope)

        self.offset = _number_box(1e7, 3, " s", "Video time = gaze time × (1 + drift) + offset (Pupil files line "
                                                "up by world_index when both are 0)")
        # A tracker clock that runs fast or slow: two sync events measure it, or type it in.
        self.drift = _number_box(1e5, 1, " ppm", "How much faster the video's clock runs than the tracker's, in "
                                                 "parts per million (two sync events measure it)")
        self.syncs: list[tuple[float, float]] = []  # (tracker time, video time) of the sync events given so far
        self.import_button = QPushButton("Import gaze file…")
        self.import_button.clicked.connect(self.ask_import)
        self.method = QComboBox()
        self.method.addItems(sorted(METHODS))
        self.detect_button = QPushButton("Detect fixations")
        self.detect_button.clicked.connect(self.detect)
        self.eyes_button = QPushButton("Eyes from the face video")
        self.eyes_button.setToolTip("No eye tracker? Measure eye openness, blinks and iris position with the "
                                    "face mesh on every frame")
        self.eyes_button.clicked.connect(self.measure_eyes)
        # a sync event (a flash, a clap) seen on the video and in the tracker's log gives the offset
        self.sync_time = _number_box(1e7, 3, " s", "The tracker's time of a sync event (a flash, a clap) that the "
                                                   "video shows on the frame on screen")
        self.sync_button = QPushButton("Sync here")
        self.sync_button.setToolTip("Offset = the time of the frame on screen − the tracker's time of the event")
        self.sync_button.clicked.connect(self.sync_here)
        row0, row1, row2 = QHBoxLayout(), QHBoxLayout(), QHBoxLayout()
        row0.addWidget(QLabel("Sync event at"))
        row0.addWidget(self.sync_time, 1)
        row0.addWidget(self.sync_button)
        row1.addWidget(QLabel("Offset"))
        row1.addWidget(self.offset)
        row1.addWidget(QLabel("Drift"))
        row1.addWidget(self.drift)
        row3 = QHBoxLayout()
        row3.addStretch(1)
        row3.addWidget(self.import_button)
        row2.addWidget(self.method)
        row2.addWidget(self.detect_button)
        body = QWidget()
        lay = QVBoxLayout(body)
        lay.addLayout(form)
        lay.addWidget(self.info)
        lay.addLayout(row0)
        lay.addLayout(row1)
        lay.addLayout(row3)
        lay.addLayout(row2)
        lay.addWidget(self.eyes_button)
        lay.addStretch(1)
        scrolling_panel(self, body)  # a short dock scrolls the panel rather than squeezing its rows
        menu = window.menu("emotion", "E&motion")
        add_action(window, menu, "emotion.import_gaze", "Import gaze file…", self.ask_import,
                   tip="Import Pupil Player, Tobii Pro Lab or CSV gaze onto the video on screen")
        add_action(window, menu, "emotion.detect", "Detect fixations", self.detect,
                   tip="Find fixations, saccades and blinks in the gaze recording shown")
        add_action(window, menu, "emotion.remove_gaze", "Remove gaze recording…", self.ask_remove,
                   tip="Remove the gaze recording shown and the fixations found in it")
        add_action(window, menu, "emotion.eyes", "Eyes from the face video", self.measure_eyes,
                   tip="Measure eye openness, blinks and iris position with the face mesh")
        self.state.changed.connect(self._show)
        window.mediaChanged.connect(self._media_changed)
        self._show()

    def _media_changed(self, *_) -> None:
        self.syncs = []  # sync events belong to the video they were seen on
        self._show()

    def _show(self) -> None:
        s = self.state
        self.recording.clear()
        for r in s.recordings:
            self.recording.addItem(f"{r.id}: {r.name} ({r.samples} samples)", r.id)
        if s.samples is not None:
            chosen = s.recording_id if s.recording_id in [r.id for r in s.recordings] else s.recordings[-1].id
            self.recording.setCurrentIndex(self.recording.findData(chosen))
        video = s.media is not None
        for w in (self.import_button, self.detect_button, self.eyes_button, self.offset, self.drift, self.method,
                  self.sync_time, self.sync_button):
            w.setEnabled(video and self.window.project is not None)
        self.detect_button.setEnabled(video and bool(s.recordings))
        self.remove_button.setEnabled(video and bool(s.recordings))
        lines = []
        if not video:
            lines.append("Select a video to see its eye data.")
        elif not s.recordings:
            lines.append("No gaze recording on this video: import a Pupil, Tobii or CSV file, "
                         "or measure the eyes from the face.")
        else:
            shown = [r for r in s.recordings if r.id == self.recording.currentData()]
            if shown:
                lines.append(recording_summary(shown[0]))
        if s.events is not None:
            e = s.events
            lines.append(f"{e.method.upper()}: {counted(len(e.fixations), 'fixation')}, "
                         f"{counted(len(e.saccades), 'saccade')}, {counted(len(e.blinks), 'blink')}")
        if s.face is not None:
            lines.append(f"Face: {counted(len(s.face_blinks), 'blink')}")
        self.info.setText("\n".join(lines))

    def _from_syncs(self) -> tuple[float, float]:
        """The offset and drift boxes' values that the sync events give (unless the user typed others)."""
        alignment = Alignment.from_sync(self.syncs)
        return self.offset.valueFromText(self.offset.textFromValue(alignment.offset)), \
            self.drift.valueFromText(self.drift.textFromValue(alignment.drift * 1e6))

    def sync_here(self) -> None:
        """Line the sync event's tracker time up with the frame on screen (used by the next import). One event
        gives the offset; each further one (at another tracker time) refines the offset and measures the drift."""
        pair = (self.sync_time.value(), self.state.now)
        self.syncs = [p for p in self.syncs if p[0] != pair[0]] + [pair]
        alignment = Alignment.from_sync(self.syncs)
        self.offset.setValue(alignment.offset)
        self.drift.setValue(alignment.drift * 1e6)
        drift = f", drift {alignment.drift * 1e6:+.1f} ppm" if len(self.syncs) > 1 else ""
        self.window.statusBar().showMessage(
            f"Offset {alignment.offset:+.3f} s{drift} from {len(self.syncs)} sync "
            f"event{'s' if len(self.syncs) > 1 else ''}: the next import lines them up with the video", 6000)

    # --- jobs ----------------------------------------------------------------------------------------------
    def ask_import(self) -> None:
        if self.state.media is None:
            self.window.statusBar().showMessage("Select a video first: gaze is imported onto a video", 5000)
            return
        path, _ = QFileDialog.getOpenFileName(self, "Import gaze", "", "Gaze files (*.csv *.tsv *.txt);;All (*)")
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path, fmt: str | None = None):
        """Import on the engine thread; a Pupil Player ``fixations.csv`` beside the file comes along."""
        project, media = self.window.project, self.state.media
        drift = self.drift.value() * 1e-6
        offset = self.offset.value() if self.offset.value() or drift else None  # None: what the file implies
        sync = None
        if self.syncs and self._from_syncs() == (self.offset.value(), self.drift.value()):
            sync, offset, drift = list(self.syncs), None, None  # the events, so the recording says it was synced

        def job(ctx):
            kind = fmt or detect_format(path)
            beside = path.with_name(PUPIL_FIXATIONS)
            fixations = beside if kind == "pupil" and beside.is_file() and beside != path else None
            return import_gaze(project, media.id, path, kind, offset, drift, sync, fixations=fixations)

        return self.window.engine.submit(job, f"Importing gaze from {path.name}", on_done=self._imported)

    def _imported(self, result) -> None:
        if result.ok:
            r = result.value
            extra = f", {r['tracker_fixations']} tracker fixations" if r.get("tracker_fixations") else ""
            note = f" — {same_file_note(r)}" if same_file_note(r) else ""
            self.window.statusBar().showMessage(f"Imported {r['samples']} gaze samples ({r['dropped']} dropped"
                                                f"{extra}, {coordinates_note(r, cli_hint=False)}) as recording "
                                                f"{r['recording_id']}{note}", 12000)
            self.state.choose_recording(r["recording_id"])

    def ask_remove(self) -> None:
        recording = self.recording.currentData()
        if recording is None:
            self.window.statusBar().showMessage("This video has no gaze recording to remove", 5000)
            return
        answer = QMessageBox.question(
            self, "Remove gaze recording",
            f"Remove recording {self.recording.currentText()} and the fixations found in it?\n\nThe file it "
            f"came from is not touched: import it again to have it back.")
        if answer == QMessageBox.Yes:
            self.remove(recording)

    def remove(self, recording_id: int):
        project = self.window.project
        return self.window.engine.submit(lambda ctx: remove_recording(project, recording_id),
                                         f"Removing gaze recording {recording_id}", on_done=self._removed)

    def _removed(self, result) -> None:
        if result.ok:
            r = result.value
            self.window.statusBar().showMessage(f"Removed gaze recording {r['recording_id']} ({r['name']})", 8000)
            self.state.choose_recording(None)

    def detect(self):
        if self.recording.currentData() is None:
            self.window.statusBar().showMessage("This video has no gaze recording to detect fixations in", 5000)
            return None
        project, recording = self.window.project, self.recording.currentData()
        method = self.method.currentText()
        return self.window.engine.submit(lambda ctx: detect_for_recording(project, recording, method),
                                         f"Detecting fixations ({method.upper()})", on_done=self._done)

    def measure_eyes(self):
        if self.state.media is None:
            self.window.statusBar().showMessage("Select a video first", 5000)
            return None
        job = measure_eyes_job(self.window.project, self.state.media.id)
        return self.window.engine.submit(job, "Measuring the eyes (face mesh)", on_done=self._done)

    def _done(self, result) -> None:
        if result.ok:
            self.window.statusBar().showMessage(f"{result.name}: done", 5000)
            self.state.reload()
