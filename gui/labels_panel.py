"""The label panel: the labels of one of the project's taxonomies, with their colours and keys. The current
label is what new shapes get; picking a label while annotations are selected relabels them (one undoable
step). Number keys pick labels too (Tools → Labels). With several taxonomies, a box above the list chooses
which one the list and the keys show. *Add label…* adds one (name, colour) to the taxonomy shown; *Import
taxonomy…* reads a taxonomy JSON file (the format of ``annotation/taxonomies/*.json``). Both are stored in the
project, with their audit entry, through ``storage.label_edits``, as ``main.py labels`` does."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QAbstractItemView, QColorDialog, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem,
                               QPushButton, QVBoxLayout, QWidget)

from annotation.commands import Batch, RelabelTrack, Update
from annotation.errors import FaceLensError
from annotation.model import Label
from annotation.words import counted
from gui.actions import add_action
from gui.errors import short_message
from gui.icons import color_swatch
from storage.label_edits import LABEL_KEYS, add_label, import_taxonomy, next_color


def label_shortcuts(labels: list[Label]) -> dict[int, str]:
    """Each label's key: its own from the taxonomy file, else its position 1–9 (first taxonomy wins)."""
    out, used = {}, set()
    for label in labels:
        if label.key and label.key not in used:
            out[label.id] = label.key
            used.add(label.key)
    free = [str(k) for k in range(1, 10) if str(k) not in used]
    for label in labels:
        if label.id not in out and free:
            out[label.id] = free.pop(0)
    return out


class LabelsPanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.taxonomy_box = QComboBox()
        self.taxonomy_box.setToolTip("Which taxonomy's labels to draw with")
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.setAlternatingRowColors(True)
        self.hint = QLabel("Click a label (or press its key) to draw with it; with shapes selected, it relabels them.")
        self.hint.setWordWrap(True)
        self.hint.setForegroundRole(QPalette.PlaceholderText)  # muted, in light and dark themes
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.taxonomy_box)
        lay.addWidget(self.list, 1)
        self.add_button = QPushButton("Add label…")
        self.add_button.setToolTip("Add a label (name, colour) to the taxonomy shown")
        self.import_button = QPushButton("Import taxonomy…")
        self.import_button.setToolTip("Add the labels of a taxonomy JSON file (as annotation/taxonomies/*.json)")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.import_button)
        lay.addLayout(buttons)
        lay.addWidget(self.hint)
        self._actions = []
        self.add_dialog: AddLabelDialog | None = None
        self.list.itemClicked.connect(self._clicked)
        self.taxonomy_box.activated.connect(self._taxonomy_chosen)
        self.add_button.clicked.connect(self.open_add_dialog)
        self.import_button.clicked.connect(self.choose_taxonomy_file)
        window.labelsChanged.connect(self.refresh)
        window.currentLabelChanged.connect(self._show_current)
        self.refresh()

    def _label(self, item: QListWidgetItem) -> Label | None:
        return next((l for l in self.window.labels if l.id == item.data(Qt.UserRole)), None)

    @property
    def taxonomy(self) -> str:
        return self.taxonomy_box.currentData() or ""

    def labels(self) -> list[Label]:
        """The labels the list and the number keys offer: those of the chosen taxonomy."""
        return [l for l in self.window.labels if l.taxonomy == self.taxonomy]

    def _taxonomy_chosen(self, _index: int) -> None:
        self.window.settings.set("labels/taxonomy", self.taxonomy)
        self.refresh()

    def _fill_taxonomies(self) -> None:
        names = list(dict.fromkeys(l.taxonomy for l in self.window.labels))
        wanted = self.taxonomy or self.window.settings.get("labels/taxonomy") or (names[0] if names else "")
        self.taxonomy_box.blockSignals(True)
        self.taxonomy_box.clear()
        for name in names:
            self.taxonomy_box.addItem(name, name)
        self.taxonomy_box.setCurrentIndex(max(self.taxonomy_box.findData(wanted), 0))
        self.taxonomy_box.blockSignals(False)
        self.taxonomy_box.setVisible(len(names) > 1)

    def refresh(self) -> None:
        self._fill_taxonomies()
        for button in (self.add_button, self.import_button):
            button.setEnabled(self.window.project is not None)
        labels = self.labels()
        keys = label_shortcuts(labels)
        self.list.clear()
        for label in labels:
            key = keys.get(label.id, "")
            item = QListWidgetItem(color_swatch(label.color), label.name + (f"\t{key}" if key else ""))
            item.setData(Qt.UserRole, label.id)
            item.setToolTip(f"{label.taxonomy} › {label.name}" + (f" (key {key})" if key else ""))
            self.list.addItem(item)
        self._rebuild_actions(keys)
        current = self.window.current_label
        if labels and (current is None or current.taxonomy != self.taxonomy):
            self.window.set_current_label(labels[0])  # new shapes get a label of the taxonomy on show
        self._show_current(self.window.current_label)

    def _rebuild_actions(self, keys: dict[int, str]) -> None:
        menu = self.window.menus.get("labels")
        for act in self._actions:
            self.window.removeAction(act)
            if menu is not None:
                menu.removeAction(act)
            act.deleteLater()
        self._actions = []
        for label in self.labels():
            key = keys.get(label.id)
            if key:
                act = add_action(self.window, menu, f"label.{label.id}", f"Label: {label.name}",
                                 lambda _=False, l=label: self.pick(l), shortcut=key,
                                 tip=f"Draw with {label.name}; relabel the selection", icon=color_swatch(label.color))
                self._actions.append(act)

    def _clicked(self, item: QListWidgetItem) -> None:
        self.pick(self._label(item))
        # The keys of the drawing tools (Enter to accept, Esc ...) go to the canvas: a label picked with the mouse
        # must not leave the keyboard in this list, where Enter would do nothing.
        self.window.canvas.setFocus(Qt.OtherFocusReason)

    def pick(self, label: Label | None) -> None:
        if label is None:
            return
        w = self.window
        selected = [a for a in w.annotations_here() if a.id in w.selected_ids]
        # An annotation on a track is one frame of an object: the object is relabelled, on every frame and for the
        # frames a propagation adds later (one frame's mask alone went back to the track's label at the next one).
        # So is a track picked in the objects list, also where it has no mask on this frame.
        tracks = {a.track_id for a in selected if a.track_id is not None}
        objects = w.panel("objects")
        tracks |= objects.picked_tracks() if objects is not None else set()
        tracks = [t for t in map(w.project.tracks.get, sorted(tracks)) if t is not None]
        if w.rewriting_media is not None and any(r.media_id == w.rewriting_media for r in [*selected, *tracks]):
            w.say_propagating("relabel it")  # (and the label to draw with stays: nothing was drawn or relabelled)
            return
        w.set_current_label(label)
        plain = [a for a in selected if a.track_id is None and a.label_id != label.id]
        relabel = [RelabelTrack(t, label.id, f"Relabel track {t.id} as {label.name}") for t in tracks
                   if t.label_id != label.id or any(a.track_id == t.id and a.label_id != label.id for a in selected)]
        steps = relabel + [Update(a, a.with_(label_id=label.id)) for a in plain]
        text = (steps[0].text if len(relabel) == 1 and not plain else
                f"Relabel as {label.name}" if len(steps) == 1 else f"Relabel {len(steps)} as {label.name}")
        if steps:
            w.push(Batch(steps, text))
        self._say(label, _relabelled(relabel, plain, label) if steps else "")

    def _say(self, label: Label, relabelled: str) -> None:
        """What a label key did, where it is not seen: the selection relabelled (a shape selected before a drawing
        tool was taken still is, and was relabelled by a key meant for the next shape, with only "saved ✓" said),
        or the drawing label changed where this panel is not in view (the Emotion workspace).
        ``relabelled``: what it did to the selection, if anything."""
        w = self.window
        dock = w.docks.get("labels")
        hidden = dock is None or dock.visibleRegion().isEmpty()
        if not relabelled and not hidden:
            return
        text = (relabelled or f"Drawing with {label.name}") + (" (the Labels panel is not in view)" if hidden else "")
        if hidden and w.layouts.current == "emotion":
            text += "; number keys label the ER/FER tiers while they have the focus (Ctrl+T)"
        w.statusBar().showMessage(text, 8000)

    # --- adding labels and taxonomies ----------------------------------------------------------------------
    def open_add_dialog(self) -> "AddLabelDialog | None":
        if self.window.project is None:
            return None
        taxonomy = self.taxonomy or "faces"
        self.add_dialog = AddLabelDialog(self, taxonomy, next_color(self.window.project.labels.taxonomy(taxonomy)))
        self.add_dialog.open()
        return self.add_dialog

    def add_label(self, name: str, color: str, key: str = "") -> Label:
        """Add a label to the taxonomy shown and draw with it; an InputError says what is wrong (nothing changes)."""
        w = self.window
        taxonomy = self.taxonomy or "faces"
        add_label(w.project, taxonomy, name, color=color, key=key, new_taxonomy=not self.taxonomy)
        w.reload_labels()
        label = w.project.labels.by_name(name.strip(), taxonomy)
        self._select_taxonomy(taxonomy)
        w.set_current_label(next((l for l in w.labels if l.id == label.id), None))
        w.statusBar().showMessage(f"Added label '{label.name}' to taxonomy '{taxonomy}'", 6000)
        return label

    def choose_taxonomy_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import a taxonomy", "", "Taxonomy JSON (*.json);;All files (*)")
        if path:
            self.import_taxonomy(path)

    def import_taxonomy(self, path: str | Path) -> bool:
        """Import a taxonomy file; what went wrong is shown naming the file and field, and nothing changes."""
        w = self.window
        if w.project is None:
            return False
        try:
            result = import_taxonomy(w.project, path)
        except FaceLensError as e:
            w.report_error(f"Taxonomy not imported: {short_message(e)}")
            return False
        w.reload_labels()
        if result.taxonomy.kind == "classes":
            self._select_taxonomy(result.taxonomy.name)
        summary = result.summary()
        w.statusBar().showMessage(summary[0].upper() + summary[1:], 8000)
        return True

    def _select_taxonomy(self, name: str) -> None:
        if name != self.taxonomy:
            self.window.settings.set("labels/taxonomy", name)
            self.taxonomy_box.setCurrentIndex(max(self.taxonomy_box.findData(name), 0))
            self.refresh()

    def _show_current(self, label) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if label is not None and item.data(Qt.UserRole) == label.id:
                self.list.setCurrentItem(item)
                return
        self.list.clearSelection()


class AddLabelDialog(QDialog):
    """Name and colour (and, if wanted, a key) of a new label; it stays open with the reason when it is refused."""

    def __init__(self, panel: LabelsPanel, taxonomy: str, color: str):
        super().__init__(panel)
        self.panel = panel
        self.setWindowTitle(f"Add a label to {taxonomy}")
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. nose")
        self.color_edit = QLineEdit(color)
        self.color_edit.setToolTip("#rrggbb")
        self.color_button = QPushButton()
        self.color_button.setToolTip("Choose the colour")
        self.color_button.clicked.connect(self._choose_color)
        self.color_edit.textChanged.connect(self._show_color)
        self.key_box = QComboBox()
        self.key_box.addItem("none", "")
        for key in LABEL_KEYS:
            self.key_box.addItem(key, key)
        self.key_box.setToolTip("The key that picks this label (another label of the taxonomy must not have it)")
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #d9534f")
        self.error.hide()
        color_row = QHBoxLayout()
        color_row.addWidget(self.color_edit, 1)
        color_row.addWidget(self.color_button)
        form = QFormLayout()
        form.addRow("Taxonomy", QLabel(taxonomy))
        form.addRow("Name", self.name_edit)
        form.addRow("Colour", color_row)
        form.addRow("Key", self.key_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Add")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.buttons)
        self.setAttribute(Qt.WA_DeleteOnClose)
        self._show_color(color)

    def _show_color(self, text: str) -> None:
        c = QColor(text.strip())
        if c.isValid():
            self.color_button.setIcon(color_swatch(c.name()))

    def _choose_color(self) -> None:
        c = QColorDialog.getColor(QColor(self.color_edit.text().strip()), self, "Label colour")
        if c.isValid():
            self.color_edit.setText(c.name())

    def accept(self) -> None:
        try:
            self.panel.add_label(self.name_edit.text(), self.color_edit.text(), self.key_box.currentData() or "")
        except FaceLensError as e:
            self.error.setText(short_message(e))
            self.error.show()
            return
        super().accept()


def _relabelled(relabel: list, plain: list, label: Label) -> str:
    """What a label key did to the selection, in words: "Relabelled tracks 1, 2 as mouth, on every frame of their
    tracks" ("Relabelled 2 as mouth, on every frame of its track" read like track 2)."""
    parts = []
    if relabel:
        parts.append(f"track{'s' if len(relabel) > 1 else ''} {', '.join(str(r.track.id) for r in relabel)}")
    if plain:
        parts.append(counted(len(plain), "annotation"))
    every = f", on every frame of {'its track' if len(relabel) == 1 else 'their tracks'}" if relabel else ""
    return f"Relabelled {' and '.join(parts)} as {label.name}{every}"
