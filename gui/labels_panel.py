"""The label panel: the labels of one of the project's taxonomies, with their colours and keys. The current
label is what new shapes get; picking a label while annotations are selected relabels them (one undoable
step). Number keys pick labels too (Tools → Labels). With several taxonomies, a box above the list chooses
which one the list and the keys show."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout,
                               QWidget)

from annotation.commands import Batch, Update
from annotation.model import Label
from gui.actions import add_action
from gui.icons import color_swatch


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
        lay.addWidget(self.hint)
        self._actions = []
        self.list.itemClicked.connect(lambda item: self.pick(self._label(item)))
        self.taxonomy_box.activated.connect(self._taxonomy_chosen)
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

    def pick(self, label: Label | None) -> None:
        if label is None:
            return
        w = self.window
        w.set_current_label(label)
        chosen = [a for a in w.annotations_here() if a.id in w.selected_ids and a.label_id != label.id]
        if chosen:
            w.push(Batch([Update(a, a.with_(label_id=label.id)) for a in chosen],
                         f"Relabel as {label.name}" if len(chosen) == 1 else f"Relabel {len(chosen)} as {label.name}"))

    def _show_current(self, label) -> None:
        for i in range(self.list.count()):
            item = self.list.item(i)
            if label is not None and item.data(Qt.UserRole) == label.id:
                self.list.setCurrentItem(item)
                return
        self.list.clearSelection()
