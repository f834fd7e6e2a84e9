"""The Emotion workspace on the demo video: gaze overlays and plots follow the timeline cursor (and the plots
move it), ER/FER segments are labelled with the keyboard, and the gap panel reports them."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from engine.gaze.importing import import_gaze
from engine.gaze.jobs import detect_for_recording
from gui.emotion.gaze_panel import recording_summary
from gui.emotion.state import emotion_state
from tests.test_gui_support import TIMEOUT, make_window, press_keys, wait_picture


def type_keys(qtbot, widget, *keys):
    """Keys to a focused widget as a user types them (window shortcuts get their chance first); a key is
    Qt.Key_X or (Qt.Key_X, modifiers)."""
    widget.setFocus()
    for key in keys:
        key, modifiers = key if isinstance(key, tuple) else (key, Qt.NoModifier)
        qtbot.keyClick(widget, key, modifiers)


def _gaze_file(tmp_path):
    """Gaze drifting right across the demo video, 100 Hz, with a pause (a fixation) every half second."""
    t = np.arange(0, 6, 0.01)
    x = 100 + 80 * np.floor(t / 0.5) + np.where((t % 0.5) > 0.4, 80 * ((t % 0.5) - 0.4) / 0.1, 0)
    y = 200 + 20 * np.sin(t)
    path = tmp_path / "gaze.csv"
    path.write_text("t,x,y,pupil\n" + "\n".join(f"{a:.3f},{b:.2f},{c:.2f},3.2" for a, b, c in zip(t, x, y)) + "\n")
    return path, t, x, y


@pytest.fixture
def emotion_window(qtbot, demo_dir, tmp_path):
    from storage.project import Project

    path, t, x, y = _gaze_file(tmp_path)
    with Project.open(demo_dir) as p:
        rec = import_gaze(p, 2, path)["recording_id"]
        detect_for_recording(p, rec, "idt")
    window = make_window(qtbot, demo_dir)
    window.action("workspace.emotion").trigger()
    window.set_media(2)
    qtbot.waitUntil(lambda: window.playback.ready, timeout=TIMEOUT)
    state = emotion_state(window)
    qtbot.waitUntil(lambda: state.samples is not None and state.events is not None, timeout=TIMEOUT)
    wait_picture(qtbot, window, window.current_frame)
    return window, state, (t, x, y)


def test_overlays_and_plots_follow_the_timeline_cursor(qtbot, emotion_window):
    window, state, (t, x, y) = emotion_window
    point = window.canvas.layer("gaze point")
    plots = window.panel("emotion.plots")
    assert {"gaze", "velocity", "pupil", "events", "tracks"} <= set(plots.cursors)
    for frame in (10, 87, 140):
        window.seek(frame)
        wait_picture(qtbot, window, frame)
        now = frame / 25
        k = np.searchsorted(t, now + 1e-9) - 1  # the last sample at or before the frame's time
        assert point.point.isVisible()
        assert point.point.pos().x() == pytest.approx(x[k], abs=0.01)
        assert point.point.pos().y() == pytest.approx(y[k], abs=0.01)
        for line in plots.cursors.values():
            assert line.value() == pytest.approx(now)
        shown = window.canvas.layer("scanpath").shown
        assert shown and all(now - 3 <= f.start <= now for f in shown)
    # the other way: dragging a plot's cursor moves the video there
    plots.cursors["gaze"].setValue(2.0)
    wait_picture(qtbot, window, 50)
    assert window.current_frame == 50
    assert all(line.value() == pytest.approx(2.0) for line in plots.cursors.values())
    # and a click in a plot goes to the time clicked
    vb = plots.plots["pupil"].getViewBox()
    at = plots.view.mapFromScene(vb.mapViewToScene(QPointF(3.0, sum(vb.viewRange()[1]) / 2)))
    plots.scroll.ensureVisible(at.x(), at.y())
    at = plots.view.mapFromScene(vb.mapViewToScene(QPointF(3.0, sum(vb.viewRange()[1]) / 2)))
    qtbot.mouseClick(plots.view.viewport(), Qt.LeftButton, pos=at)
    wait_picture(qtbot, window, 75)
    assert plots.cursors["gaze"].value() == pytest.approx(3.0)
    # the fixation map: hidden until asked for, then drawn with its opacity
    gaze_panel = window.panel("emotion.gaze")
    gaze_panel.switches["map"].setChecked(True)
    gaze_panel.opacity["map"].setValue(40)
    heat = window.canvas.layer("fixation map")
    assert heat.visible and heat.opacity == pytest.approx(0.4) and heat.heat is not None and heat.heat.max() == 1.0


def test_keyboard_labelling_on_the_tiers_and_the_gap_panel(qtbot, emotion_window):
    window, state, _ = emotion_window
    tiers = window.panel("emotion.tiers").view
    window.seek(25)
    wait_picture(qtbot, window, 25)
    type_keys(qtbot, tiers, Qt.Key_1)  # happiness on ER from the cursor, 1 s
    er = [s for s in state.segments() if s.tier == "er"]
    assert [(s.start, s.end, s.values["label"]) for s in er] == [(1.0, 2.0, "happiness")]
    type_keys(qtbot, tiers, Qt.Key_Down, Qt.Key_7)  # FER: neutral
    window.seek(37)
    wait_picture(qtbot, window, 37)
    type_keys(qtbot, tiers, Qt.Key_S)  # split the FER segment at 1.48 s
    fer = sorted((s for s in state.segments() if s.tier == "fer"), key=lambda s: s.start)
    assert [(s.start, s.end) for s in fer] == [(1.0, 1.48), (1.48, 2.0)]
    type_keys(qtbot, tiers, Qt.Key_1)  # relabel the second half: happiness
    assert [s.values["label"] for s in sorted(state.segments(), key=lambda s: (s.tier, s.start))] == \
        ["happiness", "neutral", "happiness"]
    window.undo()
    assert sorted(s.values["label"] for s in state.segments()) == ["happiness", "neutral", "neutral"]
    window.redo()
    analysis = window.panel("emotion.analysis")
    qtbot.waitUntil(lambda: analysis.report is not None and analysis.report["seconds_compared"] > 0,
                    timeout=TIMEOUT)
    assert analysis.report["disagreement_share"] == pytest.approx(0.48)
    assert analysis.confusion.rowCount() == 1 and analysis.confusion.columnCount() == 2
    assert "differ 0.480" in analysis.summary.text()
    assert "FER against ER: WAR 0.520, UAR 0.520 over 25 frames" in analysis.summary.text()


def test_a_number_key_off_the_tiers_says_what_it_did(qtbot, emotion_window):
    """Off the tiers a digit picks the drawing label, which the Emotion workspace does not show: it changed
    silently (found by a tester). It says so, and where the emotion keys act."""
    window, state, _ = emotion_window
    second = window.labels[1]
    type_keys(qtbot, window.canvas, Qt.Key_2)
    assert window.current_label.id == second.id and state.segments() == []
    said = window.statusBar().currentMessage()
    assert said.startswith(f"Drawing with {second.name} (the Labels panel is not in view)") and "Ctrl+T" in said

    # with a selection, it is relabelled, and that is what it says (it said only "Drawing with")
    from annotation.model import Annotation
    from annotation.shapes import Box

    box = window.project.annotations.add(Annotation(media_id=2, frame=window.current_frame, shape=Box(10, 10, 60, 60),
                                                    label_id=second.id))
    window.reload_annotations()
    window.set_selection({box.id})
    third = window.labels[2]
    type_keys(qtbot, window.canvas, Qt.Key_3)
    assert window.project.annotations.get(box.id).label_id == third.id
    assert window.statusBar().currentMessage().startswith(f"Relabelled 1 annotation as {third.name} (the Labels "
                                                          f"panel is not in view)")
    # two objects: which, and that it is on every frame of their tracks ("Relabelled 2 as …" read like track 2)
    from annotation.model import Track

    tracks = [window.project.tracks.add(Track(media_id=2, label_id=second.id, name=f"object {i}")) for i in (1, 2)]
    masks = [window.project.annotations.add(Annotation(media_id=2, frame=window.current_frame, track_id=t.id,
                                                       shape=Box(70 + 60 * i, 10, 110 + 60 * i, 60),
                                                       label_id=second.id)) for i, t in enumerate(tracks)]
    window.reload_annotations()
    window.set_selection({m.id for m in masks})
    type_keys(qtbot, window.canvas, Qt.Key_3)
    assert window.statusBar().currentMessage().startswith(
        f"Relabelled tracks {tracks[0].id}, {tracks[1].id} as {third.name}, on every frame of their tracks")


def test_segments_move_and_grow_with_keys_and_the_keys_are_listed(qtbot, emotion_window):
    window, state, _ = emotion_window
    panel = window.panel("emotion.tiers")
    tiers = panel.view

    def er():
        return [(round(s.start, 2), round(s.end, 2)) for s in state.segments() if s.tier == "er"]

    window.seek(25)
    wait_picture(qtbot, window, 25)
    press_keys(qtbot, window, Qt.Key_T, Qt.ControlModifier)  # Emotion > Label on the tiers
    assert tiers.hasFocus() and "S split" in panel.hint.text()
    type_keys(qtbot, tiers, Qt.Key_1, (Qt.Key_Right, Qt.AltModifier), (Qt.Key_Right, Qt.AltModifier),
              (Qt.Key_Right, Qt.AltModifier))
    assert er() == [(1.12, 2.12)]
    wait_picture(qtbot, window, 28)  # the cursor moves along with the segment
    type_keys(qtbot, tiers, (Qt.Key_Left, Qt.AltModifier | Qt.ShiftModifier))
    assert er() == [(0.72, 1.72)]
    wait_picture(qtbot, window, 18)
    window.seek(60)
    wait_picture(qtbot, window, 60)
    type_keys(qtbot, tiers, Qt.Key_BracketRight)  # past its end: the segment before the cursor grows to it
    window.seek(5)
    wait_picture(qtbot, window, 5)
    type_keys(qtbot, tiers, Qt.Key_BracketLeft)  # before its start: the segment after the cursor grows back
    assert er() == [(0.2, 2.44)]
    # a split one frame into it (0.2 s + 1/25 s is 0.24000000000000002 s in floating point: it once did nothing)
    window.seek(6)
    wait_picture(qtbot, window, 6)
    type_keys(qtbot, tiers, Qt.Key_S)
    assert sorted(er()) == [(0.2, 0.24), (0.24, 2.44)]
    # away from the tiers, S is the SAM tool's again: nothing is split
    window.seek(30)
    wait_picture(qtbot, window, 30)
    press_keys(qtbot, window, Qt.Key_S)
    assert sorted(er()) == [(0.2, 0.24), (0.24, 2.44)] and not tiers.hasFocus() and "Ctrl+T" in panel.hint.text()
    # the keys are in the Emotion menu and in Help > Shortcuts, with each class's key
    press_keys(qtbot, window, Qt.Key_F1)
    rows = {(name, key) for name, key, _ in window.shortcuts_dialog.rows()}
    assert {("Split segment at cursor", "S"), ("Move segment a frame later", "Alt+Right"),
            ("End segment here", "]"), ("Label segment at cursor › happiness", "1")} <= rows
    panel.taxonomy.setCurrentText("mafw")  # eleven classes: the eleventh has the key after 0
    window.seek(100)
    wait_picture(qtbot, window, 100)
    type_keys(qtbot, tiers, Qt.Key_Down, Qt.Key_Minus)
    assert [s.values["label"] for s in state.segments() if s.tier == "fer"] == ["surprise"]


def test_the_workspace_fits_1280_by_800_and_plots_keep_their_height(qtbot, emotion_window):

    from engine.gaze.face_eyes import FACE_EYE_CHANNELS
    from gui.emotion.plots import PLOT_HEIGHT
    from gui.emotion.scrolling import VerticalScroll

    window, state, _ = emotion_window
    t = np.arange(150) / 25.0  # eye measures as the face-mesh job stores them
    data = np.column_stack([t, np.ones(150)] + [np.full(150, v) for v in (0.3, 0.3, 0.3, 0.45, 0.02, 0.5, 0.03)])
    window.project.series.add(2, "face_eyes", FACE_EYE_CHANNELS, data, name="eyes (face mesh)")
    state.reload()
    plots = window.panel("emotion.plots")
    qtbot.waitUntil(lambda: "iris_h" in plots.plots, timeout=TIMEOUT)
    assert {"gaze", "velocity", "events", "eyes", "iris_h", "iris_v", "tracks"} <= set(plots.plots)
    qtbot.wait(50)
    assert window.height() <= 800 and window.canvas.height() >= 250
    # each plot keeps a readable height: the plots scroll rather than squeeze
    assert all(p.height() >= PLOT_HEIGHT - 8 for p in plots.plots.values())
    assert plots.view.height() >= len(plots.plots) * PLOT_HEIGHT
    # the wheel over the Gaze panel scrolls it, and leaves the boxes it passes over as they were
    gaze = window.panel("emotion.gaze")
    scroll = gaze.findChild(VerticalScroll)
    bar = scroll.verticalScrollBar()
    bar.setValue(0)
    assert bar.maximum() > 0  # (at 1280x800 the panel scrolls)
    scope = gaze.scope.currentIndex()
    QApplication.sendEvent(gaze.scope, QWheelEvent(QPointF(5, 5), QPointF(gaze.scope.mapToGlobal(QPoint(5, 5))),
                                                   QPoint(0, 0), QPoint(0, -120), Qt.NoButton, Qt.NoModifier,
                                                   Qt.NoScrollPhase, False))
    assert gaze.scope.currentIndex() == scope and bar.value() > 0
    # side panels are never cut off at the right: they are at least as wide as their content
    for key in ("emotion.gaze", "emotion.analysis"):
        scroll = window.panel(key).findChild(VerticalScroll)
        assert scroll.width() >= scroll.widget().minimumSizeHint().width()
    # the plots' time axis lines up with the tiers', at both ends (the plots' scroll bar included)
    tiers = window.panel("emotion.tiers").view
    qtbot.wait(50)
    vb = plots.plots["tracks"].getViewBox()
    rect = vb.sceneBoundingRect()
    for corner, t in ((rect.topLeft(), 0.0), (rect.topRight(), state.duration)):
        x = plots.view.mapTo(window, plots.view.mapFromScene(corner)).x()
        assert abs(x - tiers.mapTo(window, QPoint(round(tiers.x_of(t)), 0)).x()) <= 1


def _lined_up(window, state, plots, tiers, times) -> bool:
    """Whether each time sits at the same x (within a pixel) in the plots and in the tiers."""
    vb = plots.plots["tracks"].getViewBox()
    for t in times:
        x = plots.view.mapTo(window, plots.view.mapFromScene(vb.mapViewToScene(QPointF(t, 0)))).x()
        if abs(x - tiers.mapTo(window, QPoint(round(tiers.x_of(t)), 0)).x()) > 1:
            return False
    return True


def test_on_a_1280x800_window_the_plots_line_up_with_the_tiers_once_shown(qtbot, demo_dir):
    window = make_window(qtbot, demo_dir)
    window.resize(1280, 800)
    window.action("workspace.emotion").trigger()
    window.set_media(2)
    state = emotion_state(window)
    plots, tiers = window.panel("emotion.plots"), window.panel("emotion.tiers").view
    qtbot.waitUntil(lambda: "tracks" in plots.plots and window.playback.ready, timeout=TIMEOUT)
    qtbot.wait(200)  # the layout settles; nothing else happens
    assert _lined_up(window, state, plots, tiers, (0.0, 1.0, state.duration))


def test_zooming_the_plots_zooms_the_tiers_alike_and_a_double_click_shows_the_whole_clip(qtbot, emotion_window):
    window, state, _ = emotion_window
    plots, tiers = window.panel("emotion.plots"), window.panel("emotion.tiers").view
    qtbot.waitUntil(lambda: bool(plots.plots), timeout=TIMEOUT)
    first = next(iter(plots.plots.values()))
    qtbot.wait(50)
    assert state.view is None  # building and filling the plots is no zoom
    vb = first.getViewBox()
    at = plots.view.mapFromScene(vb.mapViewToScene(QPointF(3.0, 0)))
    for _ in range(4):  # the mouse wheel, turned forward over 3.0 s
        QApplication.sendEvent(plots.view.viewport(), QWheelEvent(
            QPointF(at), QPointF(plots.view.viewport().mapToGlobal(at)), QPoint(0, 0), QPoint(0, 120),
            Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False))
    t0, t1 = state.visible()
    assert state.view is not None and t0 < 3.0 < t1 and t1 - t0 < 0.8 * state.duration
    qtbot.wait(50)
    assert _lined_up(window, state, plots, tiers, (t0 + 0.25 * (t1 - t0), t0 + 0.75 * (t1 - t0)))
    assert tiers.t_of(tiers.x_of(3.0)) == pytest.approx(3.0, abs=0.01)
    width = t1 - t0
    window.seek(145)  # 5.8 s: past the right edge, the view turns the page to keep the cursor in sight
    wait_picture(qtbot, window, 145)
    t0, t1 = state.visible()
    assert t0 <= 5.8 <= t1 and t1 - t0 == pytest.approx(width, abs=0.01)
    qtbot.mouseDClick(plots.view.viewport(), Qt.LeftButton, pos=plots.view.viewport().rect().center())
    assert state.view is None and state.visible() == (0.0, state.duration)
    assert first.getViewBox().viewRange()[0] == pytest.approx([0.0, state.duration], abs=0.01)


def test_a_pupil_export_folder_brings_its_fixations_along(qtbot, emotion_window, tmp_path):
    window, state, _ = emotion_window
    folder = tmp_path / "exports" / "000"
    folder.mkdir(parents=True)
    rows = [f"{100 + k / 100:.3f},{int(k / 4)},0.95,{0.3 + 0.4 * (k >= 300):.3f},0.5" for k in range(600)]
    (folder / "gaze_positions.csv").write_text("gaze_timestamp,world_index,confidence,norm_pos_x,norm_pos_y\n"
                                               + "\n".join(rows) + "\n")
    (folder / "fixations.csv").write_text("id,start_timestamp,duration,start_frame_index,end_frame_index,"
                                          "norm_pos_x,norm_pos_y,dispersion,confidence,method\n"
                                          "1,100.100,1500.0,10,47,0.3,0.5,0.5,0.9,3d gaze\n"
                                          "2,103.200,2000.0,80,129,0.7,0.5,0.5,0.9,3d gaze\n")
    window.panel("emotion.gaze").import_file(folder / "gaze_positions.csv")
    qtbot.waitUntil(lambda: len(state.recordings) == 2 and state.events is not None
                    and state.events.method == "tracker", timeout=TIMEOUT)
    assert [(round(f.x), round(f.y)) for f in state.events.fixations] == [(192, 240), (448, 240)]
    assert "600 samples" in window.panel("emotion.gaze").info.text()


def test_a_sync_event_on_screen_sets_the_offset_of_the_next_import(qtbot, emotion_window, tmp_path):
    window, state, _ = emotion_window
    gaze = window.panel("emotion.gaze")
    path = tmp_path / "tracker.csv"  # the tracker's clock runs 100 s ahead of the video
    path.write_text("t,x,y\n" + "\n".join(f"{100 + k / 50:.2f},320,240" for k in range(300)) + "\n")
    window.seek(50)
    wait_picture(qtbot, window, 50)
    gaze.sync_time.setValue(102.0)  # the flash the video shows at 2.0 s is at 102.0 s in the tracker's log
    gaze.sync_button.click()
    assert gaze.offset.value() == pytest.approx(-100.0)
    gaze.import_file(path)
    qtbot.waitUntil(lambda: len(state.recordings) == 2, timeout=TIMEOUT)
    info = state.recordings[-1]
    assert info.params["offset"] == pytest.approx(-100.0) and info.params["outside_video"] == 0
    assert info.params["alignment"] == "sync events" and "aligned by the sync events" in recording_summary(info)
    gaze.offset.setValue(-99.5)  # typed over the synced offset: that is by hand
    gaze.import_file(path)
    qtbot.waitUntil(lambda: len(state.recordings) == 3, timeout=TIMEOUT)
    assert (state.recordings[-1].params["alignment"], state.recordings[-1].params["offset"]) == ("manual", -99.5)
    window.panel("emotion.gaze").remove(state.recordings[-1].id)
    qtbot.waitUntil(lambda: len(state.recordings) == 2, timeout=TIMEOUT)
    gaze.offset.setValue(-100.0)
    gaze.import_file(path)  # the same file again: kept, and the status bar says it was there already
    qtbot.waitUntil(lambda: len(state.recordings) == 3, timeout=TIMEOUT)
    message = window.statusBar().currentMessage()
    assert f"already imported onto this video, as recording {info.id}" in message
    assert "coordinates pixels, guessed from the values)" in message  # 320,240 on a 640x480 video


def test_two_sync_events_measure_the_tracker_clocks_drift_and_the_import_uses_it(qtbot, emotion_window, tmp_path):
    window, state, _ = emotion_window
    gaze = window.panel("emotion.gaze")
    path = tmp_path / "slow_clock.csv"  # the tracker's clock runs 1000 ppm slow and 100 s ahead
    path.write_text("t,x,y\n" + "\n".join(f"{100 + k / 50:.3f},320,240" for k in range(300)) + "\n")
    for frame, tracker_time in ((25, 100.999), (100, 103.996)):  # 1.0 s and 4.0 s of video
        window.seek(frame)
        wait_picture(qtbot, window, frame)
        gaze.sync_time.setValue(tracker_time)
        gaze.sync_button.click()
    drift = 3.0 / (103.996 - 100.999) - 1
    assert gaze.drift.value() == pytest.approx(drift * 1e6, abs=0.1)
    assert "2 sync events" in window.statusBar().currentMessage()
    gaze.import_file(path)
    qtbot.waitUntil(lambda: any(r.name == "slow_clock.csv" for r in state.recordings), timeout=TIMEOUT)
    info = next(r for r in state.recordings if r.name == "slow_clock.csv")
    assert info.params["drift"] == pytest.approx(drift, abs=1e-7)
    # The tracker's 103.996 s lands on the video's 4.0 s.
    assert info.params["offset"] + (1 + info.params["drift"]) * 103.996 == pytest.approx(4.0, abs=1e-3)
    assert "× (1 + 1001.0 ppm)" in recording_summary(info)  # the panel says how the recording was aligned
    assert info.params["alignment"] == "sync events"


def test_gaze_import_detection_and_rating_from_the_panels(qtbot, emotion_window, tmp_path):
    window, state, _ = emotion_window
    gaze = window.panel("emotion.gaze")
    path, *_ = _gaze_file(tmp_path)
    gaze.import_file(path)
    qtbot.waitUntil(lambda: len(state.recordings) == 2, timeout=TIMEOUT)
    gaze.method.setCurrentText("ivt")
    gaze.detect()
    qtbot.waitUntil(lambda: state.events is not None and state.events.method == "ivt", timeout=TIMEOUT)
    assert "IVT:" in gaze.info.text()

    first, second = (r.id for r in state.recordings)  # the first one was imported wrongly, say: remove it
    gaze.recording.setCurrentIndex(gaze.recording.findData(first))
    assert gaze.remove_button.isEnabled() and window.action("emotion.remove_gaze").isEnabled()
    gaze.remove(first)
    qtbot.waitUntil(lambda: [r.id for r in state.recordings] == [second], timeout=TIMEOUT)
    assert gaze.recording.count() == 1 and f"Removed gaze recording {first}" in window.statusBar().currentMessage()

    rating = window.panel("emotion.rating")
    rating.pad.set_value(0.5, -0.25)
    rating.record.setChecked(True)
    window.seek(0)
    wait_picture(qtbot, window, 0)
    window.playback.play()
    qtbot.waitUntil(lambda: (window.current_frame or 0) >= 20, timeout=TIMEOUT)
    window.playback.pause()  # stopping saves the trace
    qtbot.waitUntil(lambda: state.rating is not None and state.rating.rated().sum() >= 20, timeout=TIMEOUT)
    assert state.rating.rated()[0]  # the frame on screen when playback started is rated too
    rated = state.rating.values[state.rating.rated()]  # as stored and read back
    assert np.allclose(rated, [0.5, -0.25])
    (series,) = window.project.series.for_media(2, "rating")
    assert series.annotator == state.annotator and series.samples == len(rated)

    # A jump while recording (a click far ahead on the timeline) rates the frames shown, not those skipped,
    # and leaves the earlier ratings as they were.
    before = state.rating.values.copy()
    rating.pad.set_value(-0.75, 0.75)
    window.seek(40)
    wait_picture(qtbot, window, 40)
    window.playback.play()
    qtbot.waitUntil(lambda: (window.current_frame or 0) >= 45, timeout=TIMEOUT)
    jumped_from = window.current_frame
    window.seek(110)
    qtbot.waitUntil(lambda: (window.current_frame or 0) >= 115, timeout=TIMEOUT)
    window.playback.pause()
    qtbot.waitUntil(lambda: state.rating.rated()[115], timeout=TIMEOUT)
    rated = state.rating.rated()
    assert rated[40:jumped_from + 1].all() and rated[110:116].all()
    assert not rated[jumped_from + 2:110].any()  # (one late frame after the jump may still be shown)
    assert np.array_equal(state.rating.values[:21], before[:21])

    # Each pass is an edit: undo takes the second back, then the first; redo brings them back.
    second = state.rating.values.copy()
    window.undo()
    qtbot.waitUntil(lambda: not state.rating.rated()[115], timeout=TIMEOUT)
    assert np.array_equal(state.rating.values, before, equal_nan=True)
    window.undo()
    qtbot.waitUntil(lambda: state.rating is None or not state.rating.rated().any(), timeout=TIMEOUT)
    assert window.project.series.for_media(2, "rating") == []
    window.redo()
    window.redo()
    qtbot.waitUntil(lambda: state.rating is not None and state.rating.rated()[115], timeout=TIMEOUT)
    assert np.array_equal(state.rating.values, second, equal_nan=True)
    assert np.array_equal(window.project.ratings.stored(2, state.annotator).trace.values, second, equal_nan=True)


def test_a_long_session_of_painting_does_not_abort_the_interpreter():
    """PySide6 6.12.0 on CPython 3.11 drops a reference to None on every void call; the gaze trail alone makes
    about a hundred per frame, so a minute of playback aborted with "none_dealloc". requirements.txt pins a
    release without that bug; this guards the pin."""
    import subprocess
    import sys

    code = ("import gui\n"
            "from PySide6.QtGui import QPainterPath\n"
            "path = QPainterPath()\n"
            "for _ in range(500_000):  # more than the references None has without the fix\n"
            "    path.lineTo(1.0, 2.0)\n"
            "print('alive')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "alive" in done.stdout, done.stderr[-500:]


def choose(box, text: str) -> None:
    """Pick an entry of a combo box as a user does (``activated`` is sent by user choices only)."""
    box.setCurrentText(text)
    box.activated.emit(box.currentIndex())


def test_a_whole_clip_label_of_another_taxonomy_stays_shown_and_the_taxonomy_is_remembered(qtbot, emotion_window,
                                                                                            demo_dir):
    window, state, _ = emotion_window
    panel = window.panel("emotion.tiers")
    panel.taxonomy.setCurrentText("emotion7")
    choose(panel.clip["er"], "anger")
    assert [s.values["label"] for s in state.segments() if s.tier == "er"] == ["anger"]
    panel.taxonomy.setCurrentText("emotion3")  # has no "anger": the box still says what is stored
    assert panel.clip["er"].currentText() == "anger"
    choose(panel.clip["er"], "positive")
    assert [s.values["label"] for s in state.segments() if s.tier == "er"] == ["positive"]
    window.undo()
    assert panel.clip["er"].currentText() == "anger"
    window.close()

    again = make_window(qtbot, demo_dir)  # a restart: the taxonomy chosen last is the one the keys assign
    again.action("workspace.emotion").trigger()
    assert again.panel("emotion.tiers").taxonomy.currentText() == "emotion3"
