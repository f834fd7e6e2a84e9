"""The demo video in the window: stepping, scrubbing and jumping show exactly the frame the reader decodes."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPoint, Qt

from storage.media.library import media_file
from storage.media.video import VideoReader
from tests.test_gui_support import make_window, press_keys, wait_picture


def _open_video(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    video = next(m for m in window.project.media.all() if m.is_video)
    window.set_media(video)
    qtbot.waitUntil(lambda: window.playback.ready, timeout=15_000)
    wait_picture(qtbot, window, 0)
    return window, video


def test_stepping_scrubbing_and_go_to_show_the_frame_the_reader_decodes(qtbot, demo_dir):
    window, video = _open_video(qtbot, demo_dir)
    timeline = window.panel("timeline")
    with VideoReader(media_file(window.project, video)) as reader:
        for _ in range(3):
            press_keys(qtbot, window, Qt.Key_Right)
        wait_picture(qtbot, window, 3)
        assert np.array_equal(window.canvas.image, reader.read(3))
        assert window.current_frame == 3
        assert timeline.position.text() == "frame 3 / 150  00:00.12"

        bar = timeline.bar
        x = int(bar.x_of(100))
        qtbot.mouseClick(bar, Qt.LeftButton, pos=QPoint(x, bar.height() // 2))
        expected = bar.frame_at(x)
        assert abs(expected - 100) <= 1
        wait_picture(qtbot, window, expected)
        assert np.array_equal(window.canvas.image, reader.read(expected))

        press_keys(qtbot, window, Qt.Key_Left)
        wait_picture(qtbot, window, expected - 1)
        assert np.array_equal(window.canvas.image, reader.read(expected - 1))

        press_keys(qtbot, window, Qt.Key_End)
        wait_picture(qtbot, window, 149)
        assert np.array_equal(window.canvas.image, reader.read(149))

        timeline.goto.setValue(57)
        timeline.goto.editingFinished.emit()
        wait_picture(qtbot, window, 57)
        assert np.array_equal(window.canvas.image, reader.read(57))
        assert timeline.position.text().startswith("frame 57 / 150")


def test_playing_advances_through_the_video_and_space_pauses_it(qtbot, demo_dir):
    window, _video = _open_video(qtbot, demo_dir)
    press_keys(qtbot, window, Qt.Key_Space)
    assert window.playback.playing
    qtbot.waitUntil(lambda: (window.current_frame or 0) >= 10, timeout=15_000)
    press_keys(qtbot, window, Qt.Key_Space)
    assert not window.playback.playing
    stopped = window.current_frame
    qtbot.wait(200)
    assert window.current_frame == stopped


def test_timeline_marks_annotated_frames_and_a_box_drawn_on_a_frame_stays_on_that_frame(qtbot, demo_dir):
    from tests.test_gui_support import drag

    window, video = _open_video(qtbot, demo_dir)
    window.seek(20)
    wait_picture(qtbot, window, 20)
    window.tools.activate("box")
    drag(window.canvas, [(200, 100), (300, 220)])
    [box] = window.project.annotations.for_media(video.id)
    assert box.frame == 20
    assert list(window.panel("timeline").bar.markers) == [20]
    window.seek(21)
    wait_picture(qtbot, window, 21)
    assert window.canvas.annotation_layer.items == {}
    window.undo()  # undoing an edit made on another frame goes back to it
    wait_picture(qtbot, window, 20)
    assert window.project.annotations.for_media(video.id) == []
    assert list(window.panel("timeline").bar.markers) == []


def test_building_the_fast_seek_proxy_runs_as_a_job_and_the_video_is_then_read_from_it(qtbot, demo_dir):
    from storage.media.proxy import proxy_for

    window, video = _open_video(qtbot, demo_dir)
    window.seek(42)
    wait_picture(qtbot, window, 42)
    shown = window.canvas.image
    before = shown.astype(int)
    window.action("media.build_proxy").trigger()
    assert "proxy" in window.job_status.label.text()
    qtbot.waitUntil(lambda: proxy_for(window.project, video) is not None and not window.engine.busy(),
                    timeout=60_000)
    qtbot.waitUntil(lambda: window.playback.source is not None
                    and window.playback.source.index.keyframe.sum() > 10, timeout=15_000)  # the proxy's short GOP
    qtbot.waitUntil(lambda: window.canvas.image is not shown, timeout=15_000)  # decoded again, from the proxy
    assert window.canvas.shown_frame == window.current_frame == 42
    assert np.abs(window.canvas.image.astype(int) - before).mean() < 3  # the same frame, re-encoded
