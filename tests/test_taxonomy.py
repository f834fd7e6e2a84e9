import json

import pytest

from annotation.errors import InputError
from annotation.taxonomy import builtin_taxonomies, load_taxonomy


def test_builtin_faces_taxonomy_loads():
    faces = builtin_taxonomies()["faces"]
    assert faces.kind == "classes"
    assert "face" in faces.names()


def test_user_taxonomy_file_extends_a_project(project, tmp_path):
    path = tmp_path / "extra.json"
    path.write_text(json.dumps({"name": "faces", "kind": "classes", "labels": ["face", "ear", {"name": "nose"}]}))
    project.labels.add_taxonomy(load_taxonomy(path))
    names = [l.name for l in project.labels.all("faces")]
    assert names[-2:] == ["ear", "nose"]
    assert names.count("face") == 1


@pytest.mark.parametrize("text, needle", [
    ('{"name": "x", "kind": "classes"}', "field 'labels'"),
    ('{"name": "x", "kind": "colours", "labels": []}', "field 'kind'"),
    ('{"name": "x", "kind": "classes", "labels": ["a", "a"]}', "field 'labels[1]'"),
    ('{"name": "x", "kind": "classes", "labels": [{"name": "a", "color": "red"}]}', "labels[0].color"),
    ('{"name": "x", "kind": "scale", "range": [1, -1]}', "field 'range'"),
    ('{"name": "x",\n "kind": }', "line 2"),
])
def test_bad_taxonomy_file_is_reported_with_file_and_field(tmp_path, text, needle):
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError) as e:
        load_taxonomy(path)
    assert str(path) in str(e.value) and needle in str(e.value)
