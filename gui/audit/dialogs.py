"""Dialogs of the Audit menu: importing a score file, and running a detector model on the project's faces."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLineEdit, QPushButton, QSpinBox, QWidget)

from engine.audit.runner.spec import MODEL_KINDS, DetectorSettings, ModelSpec


def _file_row(parent, edit: QLineEdit, title: str, filters: str) -> QWidget:
    row = QWidget()
    lay = QHBoxLayout(row)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.addWidget(edit, 1)
    browse = QPushButton("Browse…")

    def pick():
        path, _ = QFileDialog.getOpenFileName(parent, title, edit.text() or str(Path.home()), filters)
        if path:
            edit.setText(path)

    browse.clicked.connect(pick)
    lay.addWidget(browse)
    return row


class _Form(QDialog):
    def __init__(self, window, title: str):
        super().__init__(window)
        self.setWindowTitle(title)
        self.setMinimumWidth(620)  # room for a full path and the placeholders that say what each field takes
        self.form = QFormLayout(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.form.addRow(self.buttons)
        self._check()

    def _check(self, *_):
        self.buttons.button(QDialogButtonBox.Ok).setEnabled(self.ready())

    def ready(self) -> bool:
        return True


class ImportScoresDialog(_Form):
    """Score file (CSV or JSON), optional features (.npy), model name and version, frame-to-video aggregation."""

    def __init__(self, window):
        super().__init__(window, "Import detector scores")
        self.scores = QLineEdit()
        self.scores.setPlaceholderText("columns: media, frame, face, score, label, attack_type, split")
        self.features = QLineEdit()
        self.features.setPlaceholderText("optional: one feature vector per row, for the confidence step")
        self.model = QLineEdit()
        self.model.setPlaceholderText("default: the file's name")
        self.version = QLineEdit()
        self.aggregation = QComboBox()
        self.aggregation.addItems(["mean", "max", "median"])
        self.aggregation.setToolTip("How a video's frame scores make its video score")
        self.form.addRow("Scores", _file_row(self, self.scores, "Detector scores", "Scores (*.csv *.json)"))
        self.form.addRow("Features", _file_row(self, self.features, "Feature vectors", "NumPy array (*.npy)"))
        self.form.addRow("Model", self.model)
        self.form.addRow("Version", self.version)
        self.form.addRow("Video score", self.aggregation)
        self.scores.textChanged.connect(self._check)
        self.finish()

    def ready(self) -> bool:
        return bool(self.scores.text().strip())

    def values(self) -> tuple:
        return (self.scores.text().strip(), self.features.text().strip() or None, self.model.text().strip() or None,
                self.version.text().strip(), self.aggregation.currentText())


class RunDetectorDialog(_Form):
    """A TorchScript file, or a timm architecture and its checkpoint; crop size, margin, frame stride."""

    def __init__(self, window):
        super().__init__(window, "Run a detector")
        self.path = QLineEdit()
        self.kind = QComboBox()
        self.kind.addItems(MODEL_KINDS)
        self.arch = QLineEdit()
        self.arch.setPlaceholderText("timm architecture, e.g. efficientnet_b4 (for timm checkpoints)")
        self.size = QSpinBox()
        self.size.setRange(32, 1024)
        self.size.setValue(224)
        self.size.setSuffix(" px")
        self.margin = QDoubleSpinBox()
        self.margin.setRange(0.0, 1.0)
        self.margin.setSingleStep(0.05)
        self.margin.setValue(0.25)
        self.margin.setToolTip("Context around each face, as a share of its size on each side")
        self.stride = QSpinBox()
        self.stride.setRange(1, 1000)
        self.stride.setToolTip("Score every Nth frame of a video")
        self.full_range = QCheckBox("faces far from the camera (mediapipe full range)")
        self.form.addRow("Model file", _file_row(self, self.path, "Detector model",
                                                 "Models (*.pt *.pth *.ts *.torchscript *.bin);;All files (*)"))
        self.form.addRow("Kind", self.kind)
        self.form.addRow("Architecture", self.arch)
        self.form.addRow("Face crop", self.size)
        self.form.addRow("Margin", self.margin)
        self.form.addRow("Every Nth frame", self.stride)
        self.form.addRow("", self.full_range)
        for w in (self.path, self.arch):
            w.textChanged.connect(self._check)
        self.kind.currentTextChanged.connect(self._check)
        self.finish()

    def ready(self) -> bool:
        return bool(self.path.text().strip()) and (self.kind.currentText() != "timm" or bool(self.arch.text().strip()))

    def values(self) -> tuple:
        spec = ModelSpec(self.kind.currentText(), self.path.text().strip(), self.arch.text().strip() or None,
                         self.size.value())
        return spec, DetectorSettings(margin=self.margin.value(), stride=self.stride.value(),
                                      full_range=self.full_range.isChecked())
