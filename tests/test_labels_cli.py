"""Labels and taxonomies from the command line: list them, add a label, import a taxonomy JSON; every change is in
the project (and its audit log) after a restart, and bad input is one line naming the file or field."""
from __future__ import annotations

import json

import pytest

from storage.project import Project
from tests.cli import run_cli
from tests.inprocess_cli import main_json, run_main


@pytest.fixture
def root(tmp_path):
    root = tmp_path / "proj"
    Project.create(root).close()
    return root


def _state(root):
    """What a user could see change: every label and the audit log's length."""
    with Project.open(root) as p:
        return [(l.taxonomy, l.name, l.color, l.key) for l in p.labels.all()], len(p.audit.entries())


def test_labels_lists_the_taxonomies_with_their_labels_colours_and_keys(root, capsys):
    out = run_main(capsys, "labels", root).out.splitlines()
    assert out[0] == "faces: Faces and people (7 labels; from builtin:faces.json)"
    assert out[1].split() == ["1", "#e6194b", "face"]
    listed = main_json(capsys, "labels", root)["taxonomies"]
    assert [t["name"] for t in listed] == ["faces"]
    assert listed[0]["labels"][-1] == {"id": 7, "name": "background", "color": "#808080", "key": "0"}


def test_a_label_added_on_the_command_line_is_in_the_project_after_a_restart(root, capsys):
    out = run_main(capsys, "labels", "add", root, "faces", "nose", "--color", "#1E90FF", "--key", "7").out
    assert out.strip() == "added label 'nose' (#1e90ff, key 7) to taxonomy 'faces'"
    second = main_json(capsys, "labels", "add", root, "faces", "ear")
    assert second["label"]["name"] == "ear" and second["label"]["key"] == ""
    assert second["label"]["color"] not in {l[2] for l in _state(root)[0][:8]}  # a colour not taken yet

    with Project.open(root) as p:
        assert [l.name for l in p.labels.all("faces")][-2:] == ["nose", "ear"]
        assert p.labels.by_name("nose").color == "#1e90ff" and p.labels.by_name("nose").key == "7"
        entries = [(e.entity, e.payload["labels"]) for e in p.audit.entries() if e.action == "add taxonomy"]
        assert entries[-2:] == [("taxonomy:faces", ["nose"]), ("taxonomy:faces", ["ear"])]
        assert p.audit.verify() == []
    assert "  7  #1e90ff  nose" in run_main(capsys, "labels", root).out

    started = main_json(capsys, "labels", "add", root, "sign", "thumbs up", "--new")
    assert started["new_taxonomy"] and started["taxonomy"] == "sign"
    with Project.open(root) as p:
        assert [l.name for l in p.labels.all("sign")] == ["thumbs up"]


@pytest.mark.parametrize("args, message", [
    (("faces", "face"), "field 'name': taxonomy 'faces' already has a label 'face'"),
    (("facse", "nose"), "field 'taxonomy': the project has no taxonomy 'facse' (it has faces)"),
    (("faces", "nose", "--color", "blue"), "field 'color': expected a colour like #e6194b, got 'blue'"),
    (("faces", "nose", "--key", "1"), "field 'key': key 1 is taken by label 'face' in taxonomy 'faces'; expected a "
                                      "free key ("),
    (("faces", "nose", "--key", "R"), "field 'key': expected one of 1 2 3 4 5 6 7 8 9 0 - (or none), got 'R'"),
    (("faces", "  "), "field 'name': must not be empty"),
])
def test_a_bad_label_is_one_line_naming_the_field_and_changes_nothing(root, capsys, args, message):
    before = _state(root)
    err = run_main(capsys, "labels", "add", root, *args, code=2).err
    assert err.startswith(f"facelens: error: {message}") and err.count("\n") == 1
    assert _state(root) == before


def _write(path, data):
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_a_taxonomy_file_is_imported_and_a_second_import_adds_only_what_is_new(root, tmp_path, capsys):
    gestures = _write(tmp_path / "gestures.json", {"name": "gestures", "title": "Hand gestures", "kind": "classes",
                                                   "labels": [{"name": "wave", "color": "#aa0000", "key": "1"},
                                                              "point", "fist"]})
    out = run_main(capsys, "labels", "import", root, gestures).out
    assert out.strip() == "imported taxonomy 'gestures' with 3 labels: wave, point, fist"
    with Project.open(root) as p:
        assert [(l.name, l.key) for l in p.labels.all("gestures")] == [("wave", "1"), ("point", ""), ("fist", "")]
        assert p.labels.taxonomy("gestures").title == "Hand gestures"
        assert p.audit.entries()[-1].entity == "taxonomy:gestures"

    before = _state(root)
    err = run_main(capsys, "labels", "import", root, gestures, code=2).err
    assert err == (f"facelens: error: {gestures}, field 'name': the project already has taxonomy 'gestures' with all "
                   "3 of its labels; nothing was added\n")
    assert _state(root) == before

    _write(gestures, {"name": "gestures", "kind": "classes", "labels": ["wave", "peace"]})
    result = main_json(capsys, "labels", "import", root, gestures)
    assert result == {"taxonomy": "gestures", "kind": "classes", "new": False, "added": ["peace"], "kept": ["wave"]}
    assert [t["name"] for t in main_json(capsys, "labels", root)["taxonomies"]] == ["faces", "gestures"]


@pytest.mark.parametrize("text, message", [
    ('{"name": "x",\n "kind": }', "line 2: not valid JSON: Expecting value"),
    ('{"name": "x", "kind": "classes", "labels": [{"name": "a", "color": "red"}]}',
     "field 'labels[0].color': expected a colour like #e6194b, got 'red'"),
    ('{"name": "x", "kind": "classes", "labels": [{"name": "a", "key": "3"}, {"name": "b", "key": "3"}]}',
     "field 'labels[1].key': key 3 is taken by label 'a' (labels[0]): expected a key of its own (or none)"),
    ('{"name": "faces", "kind": "classes", "labels": [{"name": "ear", "key": "2"}]}',
     "field 'labels[0].key': key 2 is taken by label 'person' in the project's taxonomy"),
    ('{"name": "faces", "kind": "scale", "range": [0, 1]}',
     "field 'kind': the project's taxonomy 'faces' is a classes, not a scale"),
    ('["face", "ear"]', "expected a JSON object with name, kind and labels"),
])
def test_a_bad_taxonomy_file_is_one_line_naming_the_file_and_field_and_changes_nothing(root, tmp_path, text, message):
    path = _write(tmp_path / "bad.json", text)
    before = _state(root)
    p = run_cli("labels", "import", root, path, check=2)
    assert p.stdout == "" and p.stderr.count("\n") == 1
    assert p.stderr.startswith(f"facelens: error: {path}") and message in p.stderr
    assert _state(root) == before


def test_options_that_belong_to_add_are_refused_elsewhere(root, capsys):
    with pytest.raises(SystemExit) as e:
        run_main(capsys, "labels", root, "--color", "#ffffff")
    assert e.value.code == 2
    assert capsys.readouterr().err == "facelens labels: error: --color: only with 'labels add' (see --help)\n"
    with pytest.raises(SystemExit):
        run_main(capsys, "labels", "add", root, "faces")
    assert "expected 'labels add DIR TAXONOMY NAME" in capsys.readouterr().err
