"""The label panel: the project's labels with their colours and keys. The current label is what new shapes
get; picking a label while annotations are selected relabels them (one undoable step). Number keys pick
labels too (Tools → Labels)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

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
        self.list = QListWidget()
        self.list.setSelectionMode(QAbstractItemView.SingleSelection)
        self.list.setAlternatingRowColors(True)
        self.hint = QLabel("Click a label (or press its key) to draw with it; with shapes selected, it relabels them.")
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(placeholder-text)")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.hint)
        self._actions = []
        self.list.itemClicked.connect(lambda item: self.pick(self._label(item)))
        window.labelsChanged.connect(self.refresh)
        window.currentLabelChanged.connect(self._show_current)
        self.refresh()

    def _label(self, item: QListWidgetItem) -> Label | None:
        return next((l for l in self.window.labels if l.id == item.data(Qt.UserRole)), None)

    def refresh(self) -> None:
        w = self.window
        keys = label_shortcuts(w.labels)
        self.list.clear()
        several = len({l.taxonomy for l in w.labels}) > 1
        for label in w.labels:
            key = keys.get(label.id, "")
            text = f"{label.name}" + (f"  ({label.taxonomy})" if several else "")
            item = QListWidgetItem(color_swatch(label.color), text + (f"\t{key}" if key else ""))
            item.setData(Qt.UserRole, label.id)
            item.setToolTip(f"{label.taxonomy} › {label.name}" + (f" (key {key})" if key else ""))
            self.list.addItem(item)
        self._rebuild_actions(keys)
        self._show_current(w.current_label)

    def _rebuild_actions(self, keys: dict[int, str]) -> None:
        menu = self.window.menus.get("labels")
        for act in self._actions:
            self.window.removeAction(act)
            if menu is not None:
                menu.removeAction(act)
            act.deleteLater()
        self._actions = []
        for label in self.window.labels:
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
