"""The object list: the annotations of the image or frame on screen (label colour, kind, source, score)
and the video's tracks. Selecting a row selects it on the canvas and the other way round."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from annotation.model import ROLE_PROMPT
from gui.icons import color_swatch

ANNOTATION, TRACK = 1, 2  # what a row stands for (Qt.UserRole + 1)


class ObjectsPanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels(["Object", "Kind", "Source"])
        self.tree.setIndentation(14)
        self.tree.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        # The object (its label, id and track) is what the user reads; a long source (a model name) is elided.
        header.setSectionResizeMode(2, QHeaderView.Stretch)
        for col in (0, 1):
            header.setSectionResizeMode(col, QHeaderView.ResizeToContents)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.tree)
        self._syncing = False
        self.tree.itemSelectionChanged.connect(self._picked)
        for signal in (window.mediaChanged, window.frameChanged, window.annotationsChanged, window.labelsChanged):
            signal.connect(self.refresh)
        window.selectionChanged.connect(self._show_selection)
        self.refresh()

    def refresh(self, *_):
        w = self.window
        self._syncing = True
        self.tree.clear()
        m = w.current_media
        if m is None:
            QTreeWidgetItem(self.tree, ["Nothing on screen"]).setDisabled(True)
            self._syncing = False
            return
        here = w.annotations_here()
        where = f"Frame {w.current_frame}" if m.is_video else "This image"
        group = QTreeWidgetItem(self.tree, [f"{where} ({len(here)})"])
        group.setFlags(Qt.ItemIsEnabled)
        for a in here:
            score = f" {a.score:.2f}" if a.score is not None else ""
            track = f", track {a.track_id}" if a.track_id is not None else ""
            prompt = a.attributes.get("role") == ROLE_PROMPT  # the clicks behind a SAM 2 object, not an object
            row = QTreeWidgetItem(group, [f"{w.label_name(a.label_id)} #{a.id}{track}",
                                          "prompt" if prompt else a.kind, a.source + score])
            row.setIcon(0, color_swatch(w.label_color(a.label_id)))
            row.setData(0, Qt.UserRole, a.id)
            row.setData(0, Qt.UserRole + 1, ANNOTATION)
            row.setToolTip(0, w.describe(a))
            if prompt:
                row.setToolTip(1, f"The {a.kind} SAM 2 was given for track {a.track_id} on this frame: propagation "
                                  f"starts from it. It is not an object and is left out of exports.")
        if not here:
            hint = QTreeWidgetItem(group, ["none yet"])
            hint.setDisabled(True)
        if m.is_video and w.project is not None:
            tracks = w.project.tracks.for_media(m.id)
            tgroup = QTreeWidgetItem(self.tree, [f"Tracks ({len(tracks)})"])
            tgroup.setFlags(Qt.ItemIsEnabled)
            on_frame = {a.track_id: a.id for a in here if a.track_id is not None}
            for t in tracks:
                custom = t.name if t.name and t.name != f"object {t.id}" else ""
                row = QTreeWidgetItem(tgroup, [f"track {t.id}" + (f" · {custom}" if custom else ""), "track",
                                               "on this frame" if t.id in on_frame else ""])
                row.setIcon(0, color_swatch(w.label_color(t.label_id)))
                row.setData(0, Qt.UserRole, on_frame.get(t.id))
                row.setData(0, Qt.UserRole + 1, TRACK)
        self.tree.expandAll()
        self._syncing = False
        self._show_selection()

    def _picked(self) -> None:
        if self._syncing:
            return
        ids = {item.data(0, Qt.UserRole) for item in self.tree.selectedItems()}
        ids.discard(None)
        self._syncing = True
        self.window.set_selection(ids)
        self._syncing = False

    def _show_selection(self) -> None:
        if self._syncing:
            return
        self._syncing = True
        selected = self.window.selected_ids
        it = self._rows()
        for item in it:
            item.setSelected(item.data(0, Qt.UserRole + 1) == ANNOTATION and item.data(0, Qt.UserRole) in selected)
        self._syncing = False

    def _rows(self):
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                yield group.child(j)
