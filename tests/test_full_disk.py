"""A project on a disk that has filled up: everything can still be read and verified where it lies (SQLite could
not even make its -shm file, so `info` and `verify` failed like the rest), writing is refused saying why, and once
space is freed the project is as it was and can be edited again. On a real full disk (a small tmpfs)."""
from __future__ import annotations

from annotation.model import Annotation
from annotation.shapes import Box
from storage.media.importer import import_paths
from storage.project import Project
from tests.cli import run_cli
from tests.media_factory import photo
from tests.test_gui_support import close_window, make_window


def test_a_project_on_a_full_disk_is_read_verified_and_shown_but_not_written(qtbot, tmp_path, small_disk):
    disk, fill = small_disk
    root = disk / "case"
    with Project.create(root) as p:
        (media_id, _), = import_paths(p, [photo(tmp_path / "suspect.png")]).imported
        p.annotations.add(Annotation(media_id=media_id, shape=Box(4, 4, 30, 30)))
    fill()

    assert "1 media, 1 annotations" in run_cli("info", root).stdout
    assert run_cli("verify", root).stdout.startswith("verify: ok (database intact, 1 media files unchanged")
    refused = run_cli("labels", "add", root, "faces", "nose", check=2).stderr
    assert "its disk is full" in refused and "free some disk space" in refused

    window = make_window(qtbot, root)
    assert window.project.read_only == "its disk is full" and "(read-only)" in window.windowTitle()
    assert [a.id for a in window.project.annotations.for_media(media_id)] == [1]
    close_window(window)

    (disk / "filler").unlink()
    with Project.open(root) as p:
        assert not p.read_only and len(p.annotations.for_media(media_id)) == 1
    run_cli("labels", "add", root, "faces", "nose")
    assert run_cli("verify", root).stdout.startswith("verify: ok")
