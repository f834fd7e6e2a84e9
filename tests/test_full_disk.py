"""A project on a disk that has filled up: everything can still be read and verified where it lies (SQLite could
not even make its -shm file, so `info` and `verify` failed like the rest), writing is refused saying why, and once
space is freed the project is as it was and can be edited again. On a real full disk (a small tmpfs)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from annotation.model import Annotation
from annotation.shapes import Box
from engine.audit.importer import import_scores
from gui.audit import menu
from gui.audit.state import audit_state
from storage.media.importer import import_paths
from storage.project import Project
from tests.audit_factory import make_dataset
from tests.cli import run_cli
from tests.media_factory import photo
from tests.test_gui_audit import look
from tests.test_gui_support import TIMEOUT, close_window, drag, make_window, press_keys, wait_picture


def _case(tmp_path, disk):
    root = disk / "case"
    data = make_dataset(tmp_path / "data", per_class=12, unseen=4)
    with Project.create(root) as p:
        (media_id, _), = import_paths(p, [photo(tmp_path / "suspect.png")]).imported
        p.annotations.add(Annotation(media_id=media_id, shape=Box(4, 4, 30, 30)))
        run_id = import_scores(p, data.csv).run_id
    return root, media_id, run_id


def test_a_project_on_a_full_disk_is_read_verified_and_shown_but_not_written(qtbot, tmp_path, small_disk):
    disk, fill = small_disk
    root, media_id, run_id = _case(tmp_path, disk)
    fill()

    info = run_cli("info", root).stdout
    assert "annotations" in info and "read where it lies, writing nothing: its disk is full" in info
    assert run_cli("verify", root).stdout.startswith("verify: ok (database intact, ")
    assert "ER vs FER over" in run_cli("emotion", "report", root).stdout
    refused = run_cli("labels", "add", root, "faces", "nose", check=2).stderr
    assert "its disk is full" in refused and "free some disk space" in refused

    window = make_window(qtbot, root)
    assert window.project.read_only == "its disk is full"
    assert window.windowTitle().endswith("(read-only: its disk is full) — FaceLens")
    assert [a.id for a in window.project.annotations.for_media(media_id)] == [1]
    # the Audit workspace says at once that no verdict can be recorded, and refuses a verdict and a report in words
    # (they failed with SQLite's "attempt to write a readonly database", the report written but not logged)
    press_keys(qtbot, window, Qt.Key_3, Qt.ControlModifier)
    state, panel = audit_state(window), window.panel("audit.queue")
    qtbot.waitUntil(lambda: state.current is not None, timeout=TIMEOUT)
    wait_picture(qtbot, window)
    look(qtbot)
    assert panel.verdict_bar.who.text() == "Verdicts cannot be recorded: the project is open read-only (its disk " \
                                           "is full)"
    menu.record(window, "attack")
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=TIMEOUT)
    assert "is open read-only (its disk is full): cannot change it; free some disk space, then open the project " \
           "again to edit it" in window.last_error[0]
    window.last_error = None
    menu.export_report(window, str(tmp_path / "report.html"))
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=TIMEOUT)
    assert "cannot write a report from it" in window.last_error[0] and not (tmp_path / "report.html").exists()
    close_window(window)

    (disk / "filler").unlink()
    with Project.open(root) as p:
        assert not p.read_only and len(p.annotations.for_media(media_id)) == 1
        assert p.detectors.verdicts(run_id) == []
    run_cli("labels", "add", root, "faces", "nose")
    assert run_cli("verify", root).stdout.startswith("verify: ok")


def test_a_disk_that_fills_up_while_the_window_is_open_refuses_edits_in_words(qtbot, tmp_path, small_disk):
    """Each edit said "OperationalError: (sqlite3.OperationalError) database or disk is full" (found by a tester);
    once space is freed the same edit is saved."""
    disk, fill = small_disk
    root, media_id, _ = _case(tmp_path, disk)
    window = make_window(qtbot, root)
    window.set_media(media_id)
    wait_picture(qtbot, window)
    fill()
    window.tools.activate("box")
    drag(window.canvas, [(2, 2), (20, 20)])
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=TIMEOUT)
    assert window.last_error[0] == "Not saved: the project's disk is full: nothing was changed; free some disk space " \
                                   "and do it again"
    assert len(window.project.annotations.for_media(media_id)) == 1
    (disk / "filler").unlink()
    drag(window.canvas, [(2, 2), (20, 20)])
    qtbot.waitUntil(lambda: len(window.project.annotations.for_media(media_id)) == 2, timeout=TIMEOUT)
    assert window.saved_indicator.text() == "saved ✓"
    close_window(window)


def test_a_copy_that_does_not_fit_says_to_free_space_and_leaves_nothing(tmp_path, small_disk):
    import numpy as np
    from PIL import Image

    disk, _fill = small_disk
    root = disk / "case"
    Project.create(root).close()
    big = tmp_path / "big.png"  # noise does not compress: bigger than the whole disk
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (1400, 1400, 3), np.uint8)).save(big)
    done = run_cli("import", root, big, "--copy", check=2)
    said = done.stdout + done.stderr
    assert "No space left on device; free some disk space" in said
    assert list((root / "media").iterdir()) == []
