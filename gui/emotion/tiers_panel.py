"""The tiers panel: which classes to label with, the whole-clip (or image) labels of the current annotator,
and the ER/FER tiers themselves."""
from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from annotation.commands import Add, Delete, Update
from annotation.emotion.tracks import TRACKS, label_of, scope_of, whole_clip
from gui.actions import add_action
from gui.emotion.classes import DEFAULT_TAXONOMY, class_taxonomies, classes_of
from gui.emotion.state import emotion_state
from gui.emotion.tiers import TierView

NONE = "—"


class TiersPanel(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.state = emotion_state(window)
        self.taxonomy = QComboBox()
        self.taxonomy.setToolTip("The classes the number keys assign (labels are stored by name)")
        self.clip = {t: QComboBox() for t in TRACKS}
        top = QHBoxLayout()
        top.setContentsMargins(6, 2, 6, 0)
        top.addWidget(QLabel("Classes"))
        top.addWidget(self.taxonomy)
        self.scope_label = QLabel("Whole clip:")
        top.addWidget(self.scope_label)
        for track, box in self.clip.items():
            box.setToolTip(f"A label for the whole clip (or image) on the {TRACKS[track]} track")
            top.addWidget(QLabel(track.upper()))
            top.addWidget(box)
            box.activated.connect(lambda _=0, t=track: self._clip_chosen(t))
        top.addStretch(1)
        self.who = QLabel()
        top.addWidget(self.who)
        self.view = TierView(window, self.state, self.classes)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.view, 1)
        self._menu()
        self.taxonomy.currentIndexChanged.connect(self._taxonomy_changed)
        window.projectChanged.connect(lambda *_: self._fill_taxonomies())
        self.state.segmentsChanged.connect(self._show_clip_labels)
        self._fill_taxonomies()

    def _menu(self) -> None:
        """The tier edits in the Emotion menu too (their keys work while the tiers have focus)."""
        menu = self.window.menu("emotion", "E&motion")
        v = self.view
        for key, text, slot, keys in (
                ("emotion.focus_tiers", "Label on the tiers", v.setFocus, "Ctrl+T"),
                ("emotion.split", "Split segment at cursor (S on the tiers)", v.split, ""),
                ("emotion.merge", "Merge with next segment (M on the tiers)", v.merge_next, ""),
                ("emotion.start_here", "Start segment here ([ on the tiers)", lambda: v.set_edge("start"), ""),
                ("emotion.end_here", "End segment here (] on the tiers)", lambda: v.set_edge("end"), ""),
                ("emotion.delete", "Delete segment at cursor (Del on the tiers)", v.delete, "")):
            add_action(self.window, menu, key, text, slot, shortcut=keys,
                       tip=text if keys else f"{text}; number keys on the tiers assign classes")
        menu.addSeparator()

    def classes(self):
        t = class_taxonomies(self.window.project).get(self.taxonomy.currentText())
        return classes_of(t) if t else []

    def _fill_taxonomies(self) -> None:
        names = list(class_taxonomies(self.window.project))
        self.taxonomy.blockSignals(True)
        self.taxonomy.clear()
        self.taxonomy.addItems(names)
        self.taxonomy.setCurrentText(DEFAULT_TAXONOMY)
        self.taxonomy.blockSignals(False)
        self._taxonomy_changed()

    def _taxonomy_changed(self, *_):
        names = [c.name for c in self.classes()]
        for box in self.clip.values():
            box.blockSignals(True)
            box.clear()
            box.addItems([NONE] + names)
            box.blockSignals(False)
        self._show_clip_labels()
        self.view.update()

    def _clip_segment(self, track: str):
        m = self.window.current_media
        mine = [s for s in self.state.segments() if s.tier == track and s.annotator == self.state.annotator
                and scope_of(s) != "time"] if m else []
        return mine[0] if mine else None

    def _show_clip_labels(self) -> None:
        m = self.window.current_media
        self.scope_label.setText("Whole clip:" if m is None or m.is_video else "Image:")
        self.who.setText(f"annotator: {self.state.annotator}" if self.window.project else "")
        for track, box in self.clip.items():
            box.setEnabled(m is not None)
            seg = self._clip_segment(track)
            box.blockSignals(True)
            box.setCurrentText(label_of(seg) if seg else NONE)
            box.blockSignals(False)

    def _clip_chosen(self, track: str) -> None:
        m = self.window.current_media
        if m is None:
            return
        label = self.clip[track].currentText()
        seg = self._clip_segment(track)
        if label == NONE:
            if seg is not None:
                self.window.push(Delete(seg, f"Clear whole-clip {track.upper()} label"))
        elif seg is None:
            self.window.push(Add(whole_clip(m, track, label, self.state.annotator),
                                 f"Whole-clip {track.upper()}: {label}"))
        elif label_of(seg) != label:
            self.window.push(Update(seg, seg.with_(values={**seg.values, "label": label}),
                                    f"Whole-clip {track.upper()}: {label}"))
