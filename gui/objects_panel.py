"""The object list: the annotations of the image or frame on screen (label colour, kind, source, score)
and the video's tracks. Selecting a row selects it on the canvas and the other way round. Del on a selected
track (or its context menu) deletes the track with its annotations on every frame, after asking."""
from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QMenu, QMessageBox, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from annotation.commands import Batch
from annotation.model import ROLE_PROMPT
from annotation.words import counted
from gui.icons import color_swatch
from gui.sam.controller import sam_controller
from gui.track_commands import DeleteTrack

ANNOTATION, TRACK = 1, 2  # what a row stands for (Qt.UserRole + 1); a track row's track id is at Qt.UserRole + 2


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
        self.tree.installEventFilter(self)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        for signal in (window.mediaChanged, window.frameChanged, window.annotationsChanged, window.labelsChanged):
            signal.connect(self.refresh)
        sam = sam_controller(window)
        sam.previewChanged.connect(lambda: self.refresh() if sam.propagation is not None else None)
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
        here = w.annotations_shown()
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
            row.setToolTip(2, a.source + (f", score {a.score:.3f}" if a.score is not None else ""))  # elided when narrow
            if prompt:
                row.setToolTip(1, f"The {a.kind} SAM 2 was given for track {a.track_id} on this frame: propagation "
                                  f"starts from it. It is not an object and is left out of exports.")
        tracks = w.project.tracks.for_media(m.id) if m.is_video and w.project is not None else []
        arriving = self._add_tracked_just_now(group, here, tracks)
        if not here and not arriving:
            hint = QTreeWidgetItem(group, ["none yet"])
            hint.setDisabled(True)
        if m.is_video and w.project is not None:
            tgroup = QTreeWidgetItem(self.tree, [f"Tracks ({len(tracks)})"])
            tgroup.setFlags(Qt.ItemIsEnabled)
            on_frame = {a.track_id: a.id for a in here if a.track_id is not None}
            for t in tracks:
                custom = t.name if t.name and t.name != f"object {t.id}" else ""
                there = t.id in on_frame or t.id in arriving
                row = QTreeWidgetItem(tgroup, [f"track {t.id}" + (f" · {custom}" if custom else ""), "track",
                                               "on this frame" if there else ""])
                row.setIcon(0, color_swatch(w.label_color(t.label_id)))
                row.setData(0, Qt.UserRole, on_frame.get(t.id))
                row.setData(0, Qt.UserRole + 1, TRACK)
                row.setData(0, Qt.UserRole + 2, t.id)
                row.setToolTip(0, f"Track {t.id}: a label's key relabels it on every frame; Del (or its right-click "
                                  f"menu) deletes it with its annotations on every frame")
        self.tree.expandAll()
        self._syncing = False
        self._show_selection()

    def _add_tracked_just_now(self, group, here, tracks) -> set[int]:
        """Rows for the masks a running propagation has made on this frame that the window has not read back
        from the project yet (it re-reads them when the propagation ends), so the mask on the canvas is listed,
        not "none yet" nor the older mask it replaces. Returns their track ids."""
        sam = sam_controller(self.window)
        if sam.propagation is None:
            return set()
        there = {t.id for t in tracks}  # (not a track another program deleted while it was being tracked)
        arriving = {t for t, mask in sam.live_here(self.window.annotations_here()).items()
                    if t in there and mask.any()}
        if arriving:
            group.setText(0, f"Frame {self.window.current_frame} ({len(here) + len(arriving)})")
            labels = {t.id: t.label_id for t in tracks}
            for t in sorted(arriving):
                row = QTreeWidgetItem(group, [f"{self.window.label_name(labels.get(t))}, track {t}", "mask",
                                              "tracked just now"])
                row.setIcon(0, color_swatch(self.window.label_color(labels.get(t))))
                row.setData(0, Qt.UserRole + 2, t)  # (its track: a label key on it is refused with a word)
                row.setToolTip(0, "SAM 2 is propagating: this mask is stored as it goes, and listed in full (to "
                                  "select and edit) when the propagation ends")
        return arriving

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

    # --- deleting tracks -----------------------------------------------------------------------------------
    def eventFilter(self, obj, event) -> bool:
        # Del with a track selected deletes the track: claim the key from Edit → Delete, which would delete only
        # the track's annotation on this frame. With annotations alone selected, Edit → Delete keeps it.
        if obj is self.tree and event.type() in (QEvent.ShortcutOverride, QEvent.KeyPress) \
                and event.key() == Qt.Key_Delete and self.selected_tracks():
            event.accept()
            if event.type() == QEvent.KeyPress:
                self.delete_tracks(self.selected_tracks())
            return True
        return super().eventFilter(obj, event)

    def selected_tracks(self) -> list[int]:
        return [item.data(0, Qt.UserRole + 2) for item in self.tree.selectedItems()
                if item.data(0, Qt.UserRole + 1) == TRACK]

    def picked_tracks(self) -> set[int]:
        """The tracks of the rows picked: track rows, and the masks a running propagation has just tracked (no
        annotation the window has read yet)."""
        return {item.data(0, Qt.UserRole + 2) for item in self.tree.selectedItems()} - {None}

    def _context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is None or item.data(0, Qt.UserRole + 1) != TRACK:
            return
        track_id = item.data(0, Qt.UserRole + 2)
        menu = QMenu(self)
        menu.addAction(f"Delete track {track_id}…", lambda: self.delete_tracks([track_id]))
        menu.exec(self.tree.viewport().mapToGlobal(pos))

    def delete_tracks(self, track_ids: list[int]) -> bool:
        """Delete tracks with all their annotations, once the user agreed; one undoable step. True if done."""
        w = self.window
        if w.project is None or not track_ids:
            return False
        sam = sam_controller(w)
        tracks = [t for t in (w.project.tracks.get(i) for i in track_ids) if t is not None]
        if not tracks:
            return False
        if sam.propagation is not None and any(t.media_id == sam.propagating_media for t in tracks):
            # (its mask writer would store masks for a track that is gone; another video's tracks may go)
            w.statusBar().showMessage("SAM 2 is propagating this video: cancel it or let it finish before deleting "
                                      "its tracks", 6000)
            return False
        count, frames = w.project.tracks.usage(*(t.id for t in tracks))
        names = ", ".join(f"track {t.id}" for t in tracks)
        what = f"Delete {names}?" if len(tracks) > 1 else f"Delete {names} ({w.label_name(tracks[0].label_id)})?"
        box = QMessageBox(QMessageBox.Warning, "Delete track" if len(tracks) == 1 else "Delete tracks", what,
                          QMessageBox.Cancel, self)
        box.setInformativeText(f"{counted(count, 'annotation')} on {counted(frames, 'frame')} "
                               f"{'goes' if count == 1 else 'go'} with {'it' if len(tracks) == 1 else 'them'} "
                               f"(prompts, masks and edits). "
                               f"Edit → Undo (Ctrl+Z) brings {'it' if len(tracks) == 1 else 'them'} back.")
        delete = box.addButton("Delete", QMessageBox.DestructiveRole)
        box.setDefaultButton(QMessageBox.Cancel)
        box.exec()
        box.deleteLater()
        if box.clickedButton() is not delete:
            return False
        if sam.prompting and sam.track_id in track_ids:  # a correction being made to a track that goes
            sam.discard()
        commands = [DeleteTrack(t) for t in tracks]
        text = commands[0].text if len(commands) == 1 else f"Delete {len(commands)} tracks"
        return w.push(Batch(commands, text)) is not None
