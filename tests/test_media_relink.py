"""A media file that was moved or renamed is relinked: its record points at the new path once the file there has
the SHA-256 recorded at import; another file is refused with both hashes, and nothing changes."""
from __future__ import annotations

import shutil

import pytest

from annotation.errors import InputError
from annotation.model import Annotation
from annotation.shapes import Box
from storage.media.hashing import sha256_file
from storage.media.importer import import_paths
from storage.project import Project
from tests.inprocess_cli import main_json, run_main
from tests.media_factory import photo


@pytest.fixture
def moved(tmp_path):
    """A project with one photo (annotated), whose file was then renamed behind FaceLens's back."""
    root = tmp_path / "proj"
    original = photo(tmp_path / "face.png", 64, 48, seed=3)
    with Project.create(root) as p:
        [(media_id, _)] = import_paths(p, [original]).imported
        p.annotations.add(Annotation(media_id=media_id, shape=Box(1, 1, 20, 20)))
    renamed = original.with_name("face-renamed.png")
    original.rename(renamed)
    return root, media_id, original, renamed


def _media_and_audit(root):
    with Project.open(root) as p:
        return [(m.id, m.path) for m in p.media.all()], len(p.audit.entries())


def test_relink_points_the_media_at_the_renamed_file(moved, capsys):
    root, media_id, original, renamed = moved
    out = run_main(capsys, "relink", root, media_id, renamed).out
    assert out.strip() == f"relinked media {media_id} to {renamed.as_posix()}"
    with Project.open(root) as p:
        item = p.media.get(media_id)
        assert item.path == renamed.as_posix() and not p.media.file_missing(item)
        assert p.annotations.count(media_id) == 1  # the annotations stay with the media
        [entry] = p.audit.find("relink", f"media:{media_id}")
        assert entry.payload == {"from": original.as_posix(), "to": renamed.as_posix(), "sha256": item.sha256}
        assert p.audit.verify() == []
    again = main_json(capsys, "relink", root, media_id, renamed)
    assert again["changed"] is False and again["path"] == renamed.as_posix()


def test_verify_passes_again_after_a_relink(moved, capsys):
    root, media_id, _original, renamed = moved
    assert f"media {media_id} (" in run_main(capsys, "verify", root, code=1).out  # file is missing
    run_main(capsys, "relink", root, media_id, renamed)
    assert run_main(capsys, "verify", root).out.startswith("verify: ok")


def test_a_file_moved_into_the_project_is_stored_relative(moved, capsys):
    root, media_id, _original, renamed = moved
    inside = root / "media" / "face.png"
    shutil.move(renamed, inside)
    result = main_json(capsys, "relink", root, media_id, inside)
    assert result["path"] == "media/face.png" and result["changed"] is True


def test_relink_refuses_another_file_naming_both_hashes_and_changes_nothing(moved, tmp_path, capsys):
    root, media_id, original, _renamed = moved
    other = photo(tmp_path / "someone-else.png", 64, 48, seed=4)
    before = _media_and_audit(root)
    with Project.open(root) as p:
        recorded = p.media.get(media_id).sha256
    err = run_main(capsys, "relink", root, media_id, other, code=2).err
    assert err == (f"facelens: error: {other}: its SHA-256 is {sha256_file(other)}, but media {media_id} (face.png) "
                   f"was imported with SHA-256 {recorded}; a different file, not relinked\n")
    assert _media_and_audit(root) == before
    assert "no such file" in run_main(capsys, "relink", root, media_id, tmp_path / "nope.png", code=2).err
    assert "no media 9 in this project (it has 1)" in run_main(capsys, "relink", root, 9, other, code=2).err
    assert _media_and_audit(root) == before


def test_relink_if_missing_relinks_only_a_media_whose_file_is_gone(moved, tmp_path):
    root, media_id, original, renamed = moved
    with Project.open(root) as p:
        sha = p.media.get(media_id).sha256
        item = p.media.relink_if_missing(media_id, renamed, sha)
        assert item.path == renamed.as_posix()
        copy = shutil.copy(renamed, tmp_path / "a-copy.png")
        assert p.media.relink_if_missing(media_id, copy, sha) is None  # its file is there: a duplicate
        assert p.media.get(media_id).path == renamed.as_posix()
        with pytest.raises(InputError, match="a different file"):
            p.media.relink(media_id, photo(tmp_path / "x.png", seed=9))


def test_importing_a_renamed_file_relinks_the_media_whose_file_is_gone(moved, capsys):
    root, media_id, _original, renamed = moved
    out = run_main(capsys, "import", root, renamed).out
    assert out.splitlines() == ["0 imported, 1 relinked", f"  relinked media {media_id} to {renamed.as_posix()}"]
    with Project.open(root) as p:
        assert p.media.get(media_id).path == renamed.as_posix() and p.media.count() == 1
        assert len(p.audit.find("relink", f"media:{media_id}")) == 1
    out = run_main(capsys, "import", root, renamed).out  # its file is there now: a duplicate
    assert out.splitlines()[0] == "0 imported, 1 already in the project"
