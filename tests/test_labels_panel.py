"""The Labels panel adds labels and imports taxonomies: stored in the project, there after a restart, and a
duplicate or a bad file says what is wrong (file and field) without changing anything."""
from __future__ import annotations

import json

from PySide6.QtWidgets import QDialogButtonBox

from storage.project import Project
from tests.test_gui_support import close_window, drag, make_window, photo_project


def _listed(panel):
    return [panel.list.item(i).text().split("\t")[0] for i in range(panel.list.count())]


def _labels(root):
    with Project.open(root) as p:
        return [(l.taxonomy, l.name, l.color, l.key) for l in p.labels.all()], len(p.audit.entries())


def test_add_label_stores_a_label_the_user_then_draws_with_and_it_is_there_after_a_restart(qtbot, tmp_path):
    root = photo_project(tmp_path)
    window = make_window(qtbot, root)
    panel = window.panel("labels")
    assert panel.add_button.text() == "Add label…" and panel.import_button.text() == "Import taxonomy…"
    panel.add_button.click()
    dialog = panel.add_dialog
    assert dialog.isVisible() and dialog.color_edit.text() not in {l.color for l in window.labels}
    dialog.name_edit.setText("nose")
    dialog.color_edit.setText("#1E90FF")
    dialog.key_box.setCurrentIndex(dialog.key_box.findData("7"))
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert not dialog.isVisible()
    assert _listed(panel)[-1] == "nose"
    assert window.current_label.name == "nose"  # the new label is the one to draw with
    assert window.statusBar().currentMessage() == "Added label 'nose' to taxonomy 'faces'"

    window.tools.activate("box")
    drag(window.canvas, [(40, 30), (90, 80), (140, 120)])
    [box] = window.project.annotations.for_media(window.current_media.id)
    nose = window.project.labels.by_name("nose")
    assert box.label_id == nose.id and nose.color == "#1e90ff" and nose.key == "7"
    close_window(window)

    again = make_window(qtbot, root)
    assert "nose" in _listed(again.panel("labels"))
    assert again.label_color(nose.id) == "#1e90ff"
    close_window(again)
    with Project.open(root) as p:
        [entry] = [e for e in p.audit.entries() if e.action == "add taxonomy" and e.payload["labels"] == ["nose"]]
        assert entry.entity == "taxonomy:faces" and entry.actor == "tester"


def test_a_duplicate_or_a_bad_colour_keeps_the_dialog_open_with_the_reason_and_changes_nothing(qtbot, tmp_path):
    root = photo_project(tmp_path)
    window = make_window(qtbot, root)
    before = _labels(root)
    dialog = window.panel("labels").open_add_dialog()
    dialog.name_edit.setText("face")
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert dialog.isVisible()
    assert dialog.error.text() == "field 'name': taxonomy 'faces' already has a label 'face'"
    dialog.name_edit.setText("chin")
    dialog.color_edit.setText("skin")
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert dialog.isVisible() and dialog.error.text() == "field 'color': expected a colour like #e6194b, got 'skin'"
    dialog.color_edit.setText("#aabbcc")
    dialog.key_box.setCurrentIndex(dialog.key_box.findData("1"))
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert dialog.error.text().startswith("field 'key': key 1 is taken by label 'face' in taxonomy 'faces'; expected "
                                          "a free key (")
    assert _labels(root) == before
    dialog.buttons.button(QDialogButtonBox.Cancel).click()
    assert _labels(root) == before


def test_import_taxonomy_shows_the_new_taxonomy_and_a_bad_file_is_named_with_its_field(qtbot, tmp_path):
    root = photo_project(tmp_path)
    window = make_window(qtbot, root)
    panel = window.panel("labels")
    assert not panel.taxonomy_box.isVisible()  # one taxonomy: no box to choose

    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"name": "gestures", "kind": "classes", "labels": [{"name": "wave", "color": "red"}]}))
    before = _labels(root)
    assert not panel.import_taxonomy(bad)
    assert window.last_error[0] == (f"Taxonomy not imported: {bad}, field 'labels[0].color': expected a colour like "
                                    "#e6194b, got 'red'")
    assert _labels(root) == before and _listed(panel)[0] == "face"

    good = tmp_path / "gestures.json"
    good.write_text(json.dumps({"name": "gestures", "title": "Hand gestures", "kind": "classes",
                                "labels": [{"name": "wave", "color": "#aa0000", "key": "1"}, "point"]}))
    assert panel.import_taxonomy(good)
    assert panel.taxonomy == "gestures" and panel.taxonomy_box.isVisible()
    assert _listed(panel) == ["wave", "point"] and window.current_label.name == "wave"
    assert window.statusBar().currentMessage() == "Imported taxonomy 'gestures' with 2 labels: wave, point"

    assert not panel.import_taxonomy(good)  # again: nothing new
    assert window.last_error[0] == (f"Taxonomy not imported: {good}, field 'name': the project already has taxonomy "
                                    "'gestures' with all 2 of its labels; nothing was added")
    close_window(window)
    again = make_window(qtbot, root)
    assert [again.panel("labels").taxonomy_box.itemText(i) for i in range(2)] == ["faces", "gestures"]
    close_window(again)
