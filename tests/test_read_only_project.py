"""A project on media that cannot be written (a disc, a write-protected share, evidence handed over) can still be
read and verified: ``info``, ``verify``, ``tracks list`` and the audit's read-only commands work there and write
nothing, not even SQLite's -wal and -shm files. They could not open it at all ("unable to open database file").

The folder is made unwritable with ``chattr +i``, which binds root too (plain permissions do not); where that is
not available the tests are skipped."""
from __future__ import annotations

import hashlib
import shutil

import pytest

from annotation.errors import ProjectError
from annotation.model import Annotation
from annotation.shapes import Box
from storage.media.importer import import_paths
from storage import schema
from storage.project import Project
from tests.cli import run_cli
from tests.media_factory import photo


def _project(tmp_path):
    root = tmp_path / "evidence"
    picture = photo(tmp_path / "suspect.png")
    with Project.create(root) as p:
        (media_id, _path), = import_paths(p, [picture]).imported
        p.annotations.add(Annotation(media_id=media_id, shape=Box(4, 4, 30, 30)))
    return root, picture


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_read_only_project_is_verified_where_it_lies_and_left_as_it_was(tmp_path, write_protect):
    root, picture = _project(tmp_path)
    before = _digest(root / "project.db")
    write_protect(root / "project.db", root)

    out = run_cli("verify", root).stdout
    assert out.startswith("verify: ok (database intact, 1 media files unchanged, audit chain of")
    assert f"schema {schema.HEAD}: 1 media, 1 annotations" in run_cli("info", root).stdout
    assert run_cli("tracks", "list", root).stdout.strip() == "no tracks in this project"
    assert "no detector runs yet" in run_cli("audit", "runs", root).stdout
    assert "   1  #e6194b  face" in run_cli("labels", root).stdout
    assert run_cli("gaze", "list", root).stdout.startswith("no gaze recordings")
    picture.write_bytes(picture.read_bytes() + b"tampered")  # the media file is not on the protected folder
    changed = run_cli("verify", root, check=1)
    assert "suspect.png" in changed.stdout and "1 problem(s) found" in changed.stderr

    for writes in (("import", root, photo(tmp_path / "more.png", seed=3)), ("labels", "add", root, "faces", "nose")):
        refused = run_cli(*writes, check=2)
        assert "project.db" in refused.stderr and "permissions" in refused.stderr
    assert sorted(p.name for p in root.iterdir()) == ["cache", "exports", "media", "project.db"]
    assert _digest(root / "project.db") == before


def test_a_copy_made_while_the_project_was_open_says_what_to_do(tmp_path, write_protect):
    """Its newest edits are in project.db-wal, which only a writable folder lets SQLite merge: reading project.db
    alone would verify an older state without saying so."""
    root, _ = _project(tmp_path)
    copy = tmp_path / "copy"
    with Project.open(root) as p:  # still open, its last edit in the -wal file, when the folder is copied
        p.annotations.add(Annotation(media_id=1, shape=Box(1, 1, 9, 9)))
        shutil.copytree(root, copy)
    assert (copy / "project.db-wal").stat().st_size > 0
    write_protect(*copy.iterdir(), copy)
    refused = run_cli("verify", copy, check=2)
    assert f"{copy / 'project.db-wal'}: holds changes not yet written into project.db" in refused.stderr
    assert "copy the project folder somewhere writable" in refused.stderr


def test_the_window_shows_a_read_only_project_and_refuses_edits_saying_why(qtbot, tmp_path, write_protect):
    """A reviewer opens evidence on a write-blocked drive in the window: it could not open it at all
    ("OperationalError: unable to open database file"). It is shown, marked read-only, and every edit is
    refused in words, the project left as it was; a writable project opened next is editable again."""
    from gui.job_status import SavedIndicator
    from gui.project_actions import export_to
    from tests.test_gui_support import drag, make_window, wait_picture

    root, _ = _project(tmp_path)
    before = _digest(root / "project.db")
    write_protect(root / "project.db", root)
    window = make_window(qtbot, root)
    assert window.windowTitle().endswith("(read-only: read-only media or a write-protected folder) — FaceLens")
    indicator: SavedIndicator = window.saved_indicator
    assert indicator.text() == "read-only" and "edits, imports and exports" in indicator.toolTip()
    assert window.canvas.image is not None and len(window.annotations_here()) == 1  # the photo and its box

    window.tools.activate("box")
    drag(window.canvas, [(2, 2), (20, 20)])
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=10_000)
    assert f"Not saved: {root} is open read-only" in window.last_error[0]
    assert len(window.annotations_here()) == 1
    window.last_error = None
    window.importer.import_paths([photo(tmp_path / "more.png", seed=3)])
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=10_000)
    assert "is open read-only" in window.last_error[0] and "cannot import into it" in window.last_error[0]
    assert len(window.project.media.all()) == 1
    window.last_error = None
    export_to(window, "coco", tmp_path / "evidence.json")
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=10_000)
    assert "cannot export from it (every export is logged in its audit chain)" in window.last_error[0]
    assert not (tmp_path / "evidence.json").exists()
    assert sorted(p.name for p in root.iterdir()) == ["cache", "exports", "media", "project.db"]
    assert _digest(root / "project.db") == before

    (tmp_path / "writable").mkdir()
    other, _ = _project(tmp_path / "writable")
    window.open_project(other)
    qtbot.waitUntil(lambda: window.project is not None and window.project.root == other.resolve(), timeout=10_000)
    assert "read-only" not in window.windowTitle() and indicator.text() == ""
    wait_picture(qtbot, window)
    window.tools.activate("box")
    drag(window.canvas, [(2, 2), (20, 20)])
    qtbot.waitUntil(lambda: len(window.annotations_here()) == 2, timeout=10_000)


def test_a_read_only_project_refuses_what_would_write_beside_its_database(tmp_path, write_protect):
    """A propagation's lock file and an import's copies go into the project folder too: refused up front, in
    words, instead of an OSError from deep inside (or, for the import, one skipped file per file)."""
    from storage.video_locks import rewriting_masks

    root, _ = _project(tmp_path)
    write_protect(root / "project.db", root)
    with Project.open_for_reading(root) as p:
        assert p.read_only
        item = p.media.all()[0]
        with pytest.raises(ProjectError, match=r"is open read-only .*: cannot propagate it; copy the project folder"):
            with rewriting_masks(p, item, "propagate it"):
                pass
        with pytest.raises(ProjectError, match="cannot import into it"):
            import_paths(p, [photo(tmp_path / "more.png", seed=3)])
    copy = shutil.copytree(root, tmp_path / "copy")  # what the message says to do
    with Project.open_for_reading(copy) as p:
        assert not p.read_only


def test_an_import_copy_that_cannot_be_written_is_one_line_and_leaves_no_half_copy(tmp_path, write_protect):
    """A full disk or a protected media folder: it ended in a traceback and left media/NAME.part behind."""
    root, _ = _project(tmp_path)
    write_protect(root / "media")
    more = [photo(tmp_path / "more.png", seed=3), photo(tmp_path / "other.png", seed=4)]
    p = run_cli("import", root, *more, "--copy", check=2)
    assert p.stderr.startswith(f"facelens: error: {more[0]}: cannot copy it into {root / 'media'}: Operation not "
                               "permitted") and "Traceback" not in p.stderr
    assert list((root / "media").iterdir()) == []
    with Project.open(root) as project:
        assert len(project.media.all()) == 1
