"""The tiers panel: which classes to label with, the whole-clip (or image) labels of the current annotator,
and the ER/FER tiers themselves."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from annotation.commands import Add, Delete, Update
from annotation.emotion.tracks import TRACKS, label_of, scope_of, whole_clip
from gui.actions import add_action, key_of_widget
from gui.emotion.classes import DEFAULT_TAXONOMY, class_taxonomies, classes_of
from gui.emotion.state import emotion_state
from gui.emotion.scrolling import VerticalScroll
from gui.emotion.tiers import JUMP, KEY_HELP, OTHER, ROW, TierView

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
        self.hint = QLabel()  # which keys label, and how to give the tiers the focus they need
        self.hint.setEnabled(False)  # drawn muted
        top.addWidget(self.hint)
        self.who = QLabel()
        top.addWidget(self.who)
        self.view = TierView(window, self.state, self.classes)
        self.view.focusChanged.connect(self._show_hint)
        self._show_hint(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        # many annotators' rows scroll; up to four of them (and the two rows being labelled) always show
        self.scroll = VerticalScroll(self.view, max_min_height=2 * ROW + 4 * OTHER + 12)
        self.view.width_source = self.scroll
        lay.addWidget(self.scroll, 1)
        self._menu()
        self.taxonomy.currentIndexChanged.connect(self._taxonomy_changed)
        window.projectChanged.connect(lambda *_: self._fill_taxonomies())
        self.state.segmentsChanged.connect(self._show_clip_labels)
        self._fill_taxonomies()

    def _menu(self) -> None:
        """The tier edits in the Emotion menu, with their keys: menus and Help → Shortcuts list them, and they
        act while the tiers have focus (Ctrl+T), so S, [ ], - and the digits keep their meaning elsewhere."""
        menu = self.window.menu("emotion", "E&motion")
        v = self.view
        add_action(self.window, menu, "emotion.focus_tiers", "Label on the tiers", self.focus_tiers,
                   shortcut="Ctrl+T", tip=f"Put the focus on the ER/FER tiers; then {KEY_HELP}")
        self.classes_menu = menu.addMenu("Label segment at cursor")
        self._class_actions: list[QAction] = []
        self.classes_menu.setToolTipsVisible(True)
        for key, text, slot, keys in (
                ("emotion.split", "Split segment at cursor", v.split, "S"),
                ("emotion.merge", "Merge with next segment", v.merge_next, "M"),
                ("emotion.start_here", "Start segment here", lambda: v.set_edge("start"), "["),
                ("emotion.end_here", "End segment here", lambda: v.set_edge("end"), "]"),
                ("emotion.move_earlier", "Move segment a frame earlier", lambda: v.move_by(-1), "Alt+Left"),
                ("emotion.move_later", "Move segment a frame later", lambda: v.move_by(1), "Alt+Right"),
                ("emotion.move_earlier_more", f"Move segment {JUMP} frames earlier", lambda: v.move_by(-JUMP),
                 "Alt+Shift+Left"),
                ("emotion.move_later_more", f"Move segment {JUMP} frames later", lambda: v.move_by(JUMP),
                 "Alt+Shift+Right"),
                ("emotion.delete", "Delete segment at cursor", v.delete, "Del"),
                ("emotion.er_track", "Label the ER track", lambda: v.set_active_track("er"), "Up"),
                ("emotion.fer_track", "Label the FER track", lambda: v.set_active_track("fer"), "Down")):
            self._tier_action(menu, key, text, slot, keys)
        menu.addSeparator()

    def _tier_action(self, menu, key: str, text: str, slot, keys: str) -> list[QAction]:
        """The key acts while the tiers have focus; the menu lists it (see ``key_of_widget``)."""
        tip = f"{text} ({keys} while the tiers have focus: Ctrl+T or a click on them)" if keys else text
        return list(key_of_widget(self.window, menu, self.view, key, text, slot, keys, tip))

    def focus_tiers(self) -> None:
        self.view.setFocus(Qt.ShortcutFocusReason)

    def _show_hint(self, focused: bool) -> None:
        self.hint.setText(f"keys: {KEY_HELP}" if focused else "Ctrl+T or a click on a tier to label with the keys")
        self.hint.setEnabled(focused)

    def _fill_classes_menu(self) -> None:
        """One entry per class of the chosen taxonomy, with its key (rebuilt when the taxonomy changes)."""
        for act in self._class_actions:
            self.view.removeAction(act)
            self.window.removeAction(act)
            act.deleteLater()
        self.classes_menu.clear()
        self._class_actions = []
        for c in self.classes():
            self._class_actions += self._tier_action(self.classes_menu, f"emotion.label.{c.name}", c.name,
                                                     lambda _=False, n=c.name: self.view.assign(n), c.key)

    def classes(self):
        t = class_taxonomies(self.window.project).get(self.taxonomy.currentText())
        return classes_of(t) if t else []

    def _fill_taxonomies(self) -> None:
        names = list(class_taxonomies(self.window.project))
        self.taxonomy.blockSignals(True)
        self.taxonomy.clear()
        self.taxonomy.addItems(names)
        remembered = self.window.settings.get("emotion/taxonomy")
        self.taxonomy.setCurrentText(remembered if remembered in names else DEFAULT_TAXONOMY)
        self.taxonomy.blockSignals(False)
        self._taxonomy_changed(remember=False)

    def _taxonomy_changed(self, *_, remember: bool = True):
        if remember:
            self.window.settings.set("emotion/taxonomy", self.taxonomy.currentText())
        self._fill_classes_menu()
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
        names = [c.name for c in self.classes()]
        for track, box in self.clip.items():
            box.setEnabled(m is not None)
            seg = self._clip_segment(track)
            label = label_of(seg) if seg else NONE
            # A stored label of another taxonomy is listed too: showing "—" would hide it, and choosing
            # "—" there would delete it.
            items = [NONE] + names + ([label] if label not in names and label != NONE else [])
            box.blockSignals(True)
            if [box.itemText(i) for i in range(box.count())] != items:
                box.clear()
                box.addItems(items)
            box.setCurrentText(label)
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
