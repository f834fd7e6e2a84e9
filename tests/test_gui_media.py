"""The media browser: thumbnails, filters, missing files, D/A, and importing by drag and drop."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from storage.project import Project
from tests.media_factory import indexed_video, photo
from tests.test_gui_support import click, make_window, press_keys, wait_picture


def _names(browser):
    return [m.name for m in browser.visible_media()]


def test_filter_by_name_and_kind_and_step_through_the_filtered_list(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    browser = window.panel("media")
    assert _names(browser) == ["astronaut.png", "astronaut_head.mp4"]
    qtbot.waitUntil(lambda: all(not browser.model.item(r).icon().isNull() for r in range(2)))

    browser.filter_box.setText("HEAD")
    assert _names(browser) == ["astronaut_head.mp4"]
    assert browser.count.text() == "1 of 2 media"
    browser.filter_box.clear()
    browser.kind_box.setCurrentIndex(1)  # images
    assert _names(browser) == ["astronaut.png"]
    browser.kind_box.setCurrentIndex(2)  # videos
    assert _names(browser) == ["astronaut_head.mp4"]
    browser.kind_box.setCurrentIndex(0)

    assert window.current_media.name == "astronaut.png"
    press_keys(qtbot, window, Qt.Key_D)
    assert window.current_media.name == "astronaut_head.mp4"
    assert browser.view.currentIndex().data().startswith("astronaut_head.mp4")
    press_keys(qtbot, window, Qt.Key_A)
    assert window.current_media.name == "astronaut.png"


def test_a_missing_file_is_marked_and_found_by_the_missing_filter(qtbot, demo_dir):
    (demo_dir / "media" / "astronaut.png").rename(demo_dir / "elsewhere.png")
    window = make_window(qtbot, demo_dir, wait=False)
    browser = window.panel("media")
    qtbot.waitUntil(lambda: "1 missing" in browser.count.text(), timeout=15_000)
    browser.kind_box.setCurrentIndex(3)  # missing files
    assert _names(browser) == ["astronaut.png"]
    assert "missing" in browser.proxy.index(0, 0).data()
    window.set_media(window.project.media.all()[0])
    qtbot.waitUntil(lambda: "Cannot show astronaut.png" in window.canvas.message, timeout=15_000)
    # A click with a drawing tool says why nothing happens (it said "pick an image or video first" of the media
    # picked, or nothing at all).
    before = window.project.annotations.for_media(window.current_media.id)
    for tool in ("sam", "box"):
        window.tools.activate(tool)
        click(window.canvas, 100, 100)
        said = window.statusBar().currentMessage()
        assert said.startswith("Cannot show astronaut.png: ") and said.endswith("(nothing can be drawn on it)"), said
    assert window.project.annotations.for_media(window.current_media.id) == before
    window.tools.activate("select")


def _drop(window, paths: list[Path]):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    target = window.canvas.viewport()
    enter = QDragEnterEvent(QPoint(50, 50), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    drop = QDropEvent(QPointF(50, 50), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    QApplication.sendEvent(target, drop)
    assert drop.isAccepted()


def test_dropping_files_and_folders_imports_them_and_reports_duplicates_and_skips(qtbot, tmp_path):
    root = tmp_path / "empty"
    Project.create(root).close()
    window = make_window(qtbot, root)
    browser = window.panel("media")
    assert browser.stack.currentWidget() is browser.empty and browser.empty.text() == "Drop images or videos here"

    folder = tmp_path / "incoming"
    (folder / "sub").mkdir(parents=True)
    photo(folder / "a.png", seed=1)
    indexed_video(folder / "sub" / "clip.mp4", frames=20)
    notes = tmp_path / "notes.txt"
    notes.write_text("not media")
    _drop(window, [folder, notes])
    qtbot.waitUntil(lambda: window.importer.last_report is not None, timeout=15_000)
    report = window.importer.last_report
    assert sorted(Path(p).name for _, p in report.imported) == ["a.png", "clip.mp4"]
    assert [(Path(p).name, "not" in r) for p, r in report.skipped] == [("notes.txt", True)]
    assert sorted(_names(browser)) == ["a.png", "clip.mp4"]
    assert browser.stack.currentWidget() is browser.view
    assert window.current_media is not None  # the first import is shown at once
    assert "2 imported" in window.importer.summary_box.text()

    window.importer.last_report = None
    _drop(window, [folder / "a.png"])
    qtbot.waitUntil(lambda: window.importer.last_report is not None, timeout=15_000)
    assert window.importer.last_report.imported == []
    assert [Path(p).name for p, _ in window.importer.last_report.duplicates] == ["a.png"]
    assert "already in the project" in window.importer.summary_box.text()
    assert len(_names(browser)) == 2


def test_a_row_cut_off_at_the_bottom_is_the_one_picked_and_highlighted(qtbot, tmp_path):
    """Pressing a row half out of sight scrolled it into view under the mouse, and the release highlighted the next
    row while the pressed one was on screen: someone could annotate one picture believing it another (found by a
    tester)."""
    from storage.media.importer import import_paths

    root = tmp_path / "p"
    with Project.create(root) as p:
        import_paths(p, [photo(tmp_path / f"face{i:02}.png", seed=i) for i in range(12)])
    window = make_window(qtbot, root)
    view = window.panel("media").view
    y = view.viewport().height() - 5  # on the row cut off at the bottom
    pressed = view.indexAt(QPoint(20, y))
    assert pressed.isValid() and view.visualRect(pressed).bottom() > view.viewport().height()
    name = pressed.data().split("\n")[0]
    qtbot.mousePress(view.viewport(), Qt.LeftButton, pos=QPoint(20, y))
    qtbot.mouseRelease(view.viewport(), Qt.LeftButton, pos=QPoint(20, y))
    wait_picture(qtbot, window)
    assert window.current_media.name == name
    assert [i.data().split("\n")[0] for i in view.selectionModel().selectedIndexes()] == [name]


def test_typing_a_filter_leaves_the_media_on_screen(qtbot, tmp_path):
    """Typing "face0" in the filter switched the open media to the last match (found by a tester); the one on
    screen stays, highlighted where the filter keeps it and nothing highlighted where it does not."""
    from storage.media.importer import import_paths

    root = tmp_path / "p"
    with Project.create(root) as p:
        import_paths(p, [photo(tmp_path / f"{name}.png", seed=i) for i, name in enumerate(
            ["face01", "face02", "other1", "other2"])])
    window = make_window(qtbot, root)
    browser = window.panel("media")
    window.set_media(next(m for m in window.project.media.all() if m.name == "other2.png"))
    wait_picture(qtbot, window)
    qtbot.keyClicks(browser.filter_box, "face0")
    qtbot.wait(200)
    assert window.current_media.name == "other2.png" and browser.view.selectionModel().selectedIndexes() == []
    browser.filter_box.clear()
    assert [i.data().split("\n")[0] for i in browser.view.selectionModel().selectedIndexes()] == ["other2.png"]
