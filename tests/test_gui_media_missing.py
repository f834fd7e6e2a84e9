"""The media browser's missing-file marker follows the files both ways while the window runs, and a missing file
can be located (relinked) from the browser."""
from __future__ import annotations

from storage.project import Project
from tests.test_gui_support import TIMEOUT, make_window, wait_picture
from tests.media_factory import photo

from gui.media_browser import MISSING_ROLE


def _row(browser, name):
    return next(browser.model.item(r) for r in range(browser.model.rowCount())
                if browser.model.item(r).text().startswith(name))


def _marked(browser, name):
    return bool(_row(browser, name).data(MISSING_ROLE))


def test_a_file_renamed_while_the_window_runs_is_marked_when_shown_and_unmarked_when_back(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    browser = window.panel("media")
    qtbot.waitUntil(lambda: browser.count.text() == "2 media", timeout=TIMEOUT)
    image, video = window.project.media.all()
    clip = demo_dir / video.path
    clip.rename(clip.with_name("renamed.mp4"))

    window.set_media(video)
    qtbot.waitUntil(lambda: "Cannot show astronaut_head.mp4" in window.canvas.message, timeout=TIMEOUT)
    qtbot.waitUntil(lambda: browser.count.text() == "2 media · 1 missing", timeout=TIMEOUT)
    assert _marked(browser, "astronaut_head.mp4") and "missing" in _row(browser, "astronaut_head.mp4").text()
    browser.kind_box.setCurrentIndex(3)  # missing files
    assert [m.name for m in browser.visible_media()] == ["astronaut_head.mp4"]
    browser.kind_box.setCurrentIndex(0)

    clip.with_name("renamed.mp4").rename(clip)
    window.set_media(image)
    window.set_media(video)
    wait_picture(qtbot, window)
    qtbot.waitUntil(lambda: browser.count.text() == "2 media", timeout=TIMEOUT)
    assert not _marked(browser, "astronaut_head.mp4")
    assert _row(browser, "astronaut_head.mp4").text() == "astronaut_head.mp4\nvideo · 640×480 · 6.0\u00a0s"
    assert browser.missing == set()


def test_a_file_missing_at_start_and_put_back_is_unmarked_when_clicked_again(qtbot, demo_dir):
    png = demo_dir / "media" / "astronaut.png"
    png.rename(demo_dir / "elsewhere.png")
    window = make_window(qtbot, demo_dir, wait=False)
    browser = window.panel("media")
    qtbot.waitUntil(lambda: browser.count.text() == "2 media · 1 missing", timeout=TIMEOUT)
    assert window.current_media.name == "astronaut.png"  # on screen, as a "Cannot show" message
    qtbot.waitUntil(lambda: "Cannot show astronaut.png" in window.canvas.message, timeout=TIMEOUT)

    (demo_dir / "elsewhere.png").rename(png)
    index = browser.proxy.index(0, 0)
    assert index.data().startswith("astronaut.png")
    browser.view.clicked.emit(index)  # the user clicks it again
    qtbot.waitUntil(lambda: browser.count.text() == "2 media", timeout=TIMEOUT)
    wait_picture(qtbot, window)
    assert not _marked(browser, "astronaut.png")


def test_locate_file_relinks_a_missing_media_to_the_file_chosen(qtbot, demo_dir, tmp_path):
    png = demo_dir / "media" / "astronaut.png"
    moved = tmp_path / "moved" / "astronaut-2024.png"
    moved.parent.mkdir()
    png.rename(moved)
    window = make_window(qtbot, demo_dir, wait=False)
    browser = window.panel("media")
    qtbot.waitUntil(lambda: browser.count.text() == "2 media · 1 missing", timeout=TIMEOUT)
    image = window.project.media.all()[0]
    assert [a.text() for a in browser.context_menu(image.id).actions()] == ["Locate file…"]
    assert browser.context_menu(window.project.media.all()[1].id).isEmpty()
    # the file dialog opens where the file was (not wherever FaceLens was started from)
    assert browser._look_first(image) == str(demo_dir / "media")

    other = photo(tmp_path / "not-it.png", 64, 48)
    browser.relink(image.id, str(other))
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=TIMEOUT)
    assert window.last_error[0].startswith(f"Not relinked: {other}: its SHA-256 is ")
    assert window.project.media.get(image.id).path == "media/astronaut.png"

    browser.relink(image.id, str(moved))
    qtbot.waitUntil(lambda: browser.count.text() == "2 media", timeout=TIMEOUT)
    wait_picture(qtbot, window)
    assert window.current_media.path == moved.as_posix()
    assert window.statusBar().currentMessage() == f"Relinked media {image.id} to {moved.as_posix()}"
    assert _row(browser, "astronaut-2024.png").toolTip().startswith(moved.as_posix())
    with Project.open(demo_dir) as p:
        assert p.media.get(image.id).path == moved.as_posix()
        assert [e.payload["to"] for e in p.audit.find("relink", f"media:{image.id}")] == [moved.as_posix()]


def test_importing_more_media_leaves_the_media_on_screen_where_it_was(qtbot, demo_dir, tmp_path):
    from tests.test_gui_media import _drop

    window = make_window(qtbot, demo_dir)
    assert window.current_media.name == "astronaut.png"
    _drop(window, [photo(tmp_path / "another.png", 64, 48, seed=7)])
    qtbot.waitUntil(lambda: window.importer.last_report is not None, timeout=TIMEOUT)
    assert [m.name for m in window.panel("media").visible_media()][-1] == "another.png"
    assert window.current_media.name == "astronaut.png"  # the list was rebuilt; the user picked nothing
    assert window.panel("media").view.currentIndex().data().startswith("astronaut.png")
