"""The Audit workspace as a reviewer uses it: the queue sorted by risk, verdicts from the keyboard, the frame and
score over time of the sample under review, the metrics dock, and report export and verification."""
from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.audit.evaluate import evaluate
from engine.audit.importer import import_scores
from engine.audit.review import build_queue
from gui.audit import menu
from gui.audit.queue_model import VERDICT_COLUMN
from gui.audit.state import LOOK_MS, audit_state
from storage.project import Project
from tests.audit_factory import make_dataset
from tests.test_gui_support import TIMEOUT, make_window, press_keys, wait_picture


@pytest.fixture
def case(tmp_path):
    root = tmp_path / "case"
    data = make_dataset(tmp_path / "data", per_class=12, unseen=4)
    with Project.create(root) as p:
        run_id = import_scores(p, data.csv, data.features, model="xception").run_id
        expected = [i.result_id for i in build_queue(p, run_id).items]
        auc = evaluate(p.detectors.results(run_id)).values["auc"]
    return root, run_id, expected, auc


def _audit_window(qtbot, root):
    window = make_window(qtbot, root)
    press_keys(qtbot, window, Qt.Key_3, Qt.ControlModifier)  # the Audit workspace
    state = audit_state(window)
    qtbot.waitUntil(lambda: state.overview is not None and state.current is not None, timeout=TIMEOUT)
    wait_picture(qtbot, window)  # (a verdict is given with its picture on screen)
    look(qtbot)
    return window, state, window.panel("audit.queue")


def look(qtbot) -> None:
    """The reviewer looks at the sample before deciding (a verdict on one just come on screen is refused)."""
    qtbot.wait(LOOK_MS + 50)


def typed(qtbot, keys, modifiers=Qt.NoModifier) -> None:
    """Keys to whatever has the keyboard focus, as a user types them."""
    if isinstance(keys, str) and len(keys) > 1:
        qtbot.keyClicks(QApplication.focusWidget(), keys)
    else:
        qtbot.keyClick(QApplication.focusWidget(), keys, modifiers)


def test_a_reviewer_works_through_the_queue_from_the_keyboard(qtbot, case):
    root, run_id, expected, auc = case
    window, state, panel = _audit_window(qtbot, root)
    assert not window.docks["audit.queue"].visibleRegion().isEmpty()  # in front of the tabs it shares
    # the run as the reviewer tells it from others: its model, rows, whether it has features, when it was imported
    assert panel.runs.currentText().startswith(f"Run {run_id}: xception (76 rows, features, 20")
    model = panel.model
    assert [model.item(r).result_id for r in range(model.rowCount())] == expected  # most at risk first
    first = model.item(0)
    assert state.current.result_id == first.result_id and window.current_media.id == first.media_id
    assert window.panel("audit.metrics").value("ROC AUC") == f"{auc:.4f}"

    # the note from the keyboard too: N writes it, Enter goes back to the queue, Shift+F decides
    press_keys(qtbot, window, Qt.Key_N)
    assert QApplication.focusWidget() is panel.verdict_bar.note
    typed(qtbot, "texture of a printed photo")
    typed(qtbot, Qt.Key_Return)
    assert QApplication.focusWidget() is panel.table
    typed(qtbot, Qt.Key_F, Qt.ShiftModifier)  # Deepfake
    qtbot.waitUntil(lambda: len(window.project.detectors.verdicts(run_id)) == 1, timeout=TIMEOUT)
    v = window.project.detectors.verdicts(run_id)[0]
    assert (v.result_id, v.verdict, v.note, v.reviewer) == (first.result_id, "deepfake", "texture of a printed photo",
                                                            "tester")
    assert window.project.audit.entries()[-1].action == "verdict"
    qtbot.waitUntil(lambda: state.current.result_id == model.item(1).result_id, timeout=TIMEOUT)  # moved on
    assert model.data(model.index(0, VERDICT_COLUMN)) == "deepfake" and panel.verdict_bar.note.text() == ""
    assert f"{len(expected)} samples to review, 1 decided" in panel.status.text()

    press_keys(qtbot, window, Qt.Key_Down, Qt.ShiftModifier)
    assert state.current.result_id == model.item(2).result_id
    look(qtbot)
    press_keys(qtbot, window, Qt.Key_A, Qt.ShiftModifier)  # Attack
    qtbot.waitUntil(lambda: len(window.project.detectors.verdicts(run_id)) == 2, timeout=TIMEOUT)

    # outside the Audit workspace the verdict keys are off, so they cannot take another workspace's keys
    press_keys(qtbot, window, Qt.Key_1, Qt.ControlModifier)
    assert not window.action("audit.verdict.attack").isEnabled()
    press_keys(qtbot, window, Qt.Key_A, Qt.ShiftModifier)
    qtbot.wait(200)
    assert len(window.project.detectors.verdicts(run_id)) == 2


def test_a_video_sample_shows_its_frame_and_its_score_over_time(qtbot, case):
    root, run_id, _, _ = case
    window, state, panel = _audit_window(qtbot, root)
    few = panel.model.rowCount()
    panel.band.setValue(0.5)  # a wide uncertainty band: every test sample is near the threshold
    qtbot.waitUntil(lambda: panel.model.rowCount() > few, timeout=TIMEOUT)
    assert state.overview.queue.settings.band == 0.5
    row = next(r for r in range(panel.model.rowCount()) if panel.model.item(r).frame is not None)
    item = panel.model.item(row)
    panel.table.selectRow(row)
    wait_picture(qtbot, window, item.frame)
    assert window.current_media.id == item.media_id and window.current_frame == item.frame
    plot = window.panel("audit.scores")
    t = window.project.detectors.results(run_id)
    on_video = (t.media_id == item.media_id)
    assert plot.frames.tolist() == sorted(t.frame[on_video].tolist())
    assert plot.cursor.value() == item.frame
    window.seek(3)
    qtbot.waitUntil(lambda: plot.cursor.value() == 3, timeout=TIMEOUT)


def test_the_report_is_exported_and_verified_from_the_window(qtbot, case, tmp_path):
    root, run_id, _, _ = case
    window, state, panel = _audit_window(qtbot, root)
    out = tmp_path / "review.html"
    menu.export_report(window, str(out))
    qtbot.waitUntil(lambda: out.is_file() and window.project.audit.entries()[-1].action == "report",
                    timeout=60_000)
    menu.verify_report(window, str(out))
    qtbot.waitUntil(lambda: window.findChild(QMessageBox, "auditVerifyResult") is not None, timeout=60_000)
    box = window.findChild(QMessageBox, "auditVerifyResult")
    assert box.windowTitle() == "Report verified"
    box.close()


def test_the_audit_layout_leaves_room_for_the_queue_and_the_plots(qtbot, case):
    root, _, _, _ = case
    window, _, panel = _audit_window(qtbot, root)  # a 1280 x 800 window
    assert window.size().height() <= 800
    rows = panel.table.viewport().height() / panel.table.verticalHeader().defaultSectionSize()
    assert rows >= 8
    header = panel.table.horizontalHeader()
    right = header.sectionViewportPosition(VERDICT_COLUMN) + header.sectionSize(VERDICT_COLUMN)
    assert right <= panel.table.viewport().width()  # the verdict column is in view without scrolling
    window.docks["audit.metrics"].raise_()
    metrics = window.panel("audit.metrics")
    qtbot.waitUntil(metrics.isVisible, timeout=TIMEOUT)
    assert metrics.hist.height() >= 200 and metrics.table.height() >= 150


def test_a_project_without_detector_runs_says_what_to_do(qtbot, tmp_path):
    from tests.test_gui_support import photo_project

    window = make_window(qtbot, photo_project(tmp_path))
    press_keys(qtbot, window, Qt.Key_3, Qt.ControlModifier)
    panel, metrics = window.panel("audit.queue"), window.panel("audit.metrics")
    hint = "Import detector scores (Audit → Import detector scores…) or run a model"
    qtbot.waitUntil(lambda: panel.empty.isVisible(), timeout=TIMEOUT)
    assert "Import detector scores</a> (Audit → Import detector scores…)<br>or <a href='audit.detect'>run a model" \
        in panel.empty.text() and not panel.table.isVisible()
    assert hint in metrics.empty.text() and not metrics.empty.isHidden()
    assert panel.model.rowCount() == 0 and not window.action("audit.report").isEnabled()


def test_a_photo_scored_as_frame_0_has_no_time_axis(qtbot, tmp_path):
    from tests.audit_factory import write_csv

    data = make_dataset(tmp_path / "data", per_class=6, unseen=2)
    rows = [{**r, "frame": "0" if r["media"].endswith(".png") else r["frame"]} for r in data.rows]
    root = tmp_path / "case"
    with Project.create(root) as p:
        import_scores(p, write_csv(tmp_path / "data" / "frame0.csv", rows), data.features)
    window, state, panel = _audit_window(qtbot, root)
    row = next(r for r in range(panel.model.rowCount()) if panel.model.item(r).frame == 0
               and panel.model.data(panel.model.index(r, 4)).endswith(".png"))
    panel.table.selectRow(row)
    qtbot.waitUntil(lambda: state.current.result_id == panel.model.item(row).result_id, timeout=TIMEOUT)
    plot = window.panel("audit.scores")
    assert plot.hint.text() == "An image: one score, no time axis." and not plot.plot.isVisible()


def test_a_window_that_starts_in_audit_shows_the_queue_in_front(qtbot, case):
    from gui.settings import Settings

    settings = Settings()
    settings.set("workspace/current", "audit")  # the user left the app in Audit, before any layout was saved
    settings.sync()
    window = make_window(qtbot, case[0])
    qtbot.waitUntil(lambda: not window.docks["audit.queue"].visibleRegion().isEmpty(), timeout=TIMEOUT)


def _window_on_a_second_run(qtbot, root, tmp_path):
    """Another detector's run imported into the case; the window opens on it (the newest)."""
    other = make_dataset(tmp_path / "other", per_class=12, unseen=4, seed=1)
    with Project.open(root) as p:
        second = import_scores(p, other.csv, other.features, model="efficientnet").run_id
    window, state, panel = _audit_window(qtbot, root)
    qtbot.waitUntil(lambda: state.run_id == second and state.overview is not None, timeout=TIMEOUT)
    return window, state, panel, second


def test_a_threshold_set_by_hand_belongs_to_its_run(qtbot, case, tmp_path):
    root, run_id, _, _ = case
    window, state, panel, second = _window_on_a_second_run(qtbot, root, tmp_path)
    panel.threshold.setValue(0.6)
    qtbot.waitUntil(lambda: state.overview.queue.point.threshold == pytest.approx(0.6), timeout=TIMEOUT)

    panel.runs.setCurrentIndex(panel.runs.findData(run_id))  # the other run is reviewed at its own threshold
    qtbot.waitUntil(lambda: state.overview is not None and state.overview.run.id == run_id, timeout=TIMEOUT)
    assert state.overview.queue.point.method != "given" and panel.threshold.text() == "auto"

    panel.runs.setCurrentIndex(panel.runs.findData(second))  # and back: 0.6 again, also after a restart
    qtbot.waitUntil(lambda: state.overview is not None and state.overview.run.id == second, timeout=TIMEOUT)
    assert state.overview.queue.point.threshold == pytest.approx(0.6) and panel.threshold.value() == 0.6
    window.close()
    window, state, panel = _audit_window(qtbot, root)
    qtbot.waitUntil(lambda: state.overview.run.id == second, timeout=TIMEOUT)
    assert state.overview.queue.point.threshold == pytest.approx(0.6) and panel.threshold.value() == 0.6


def test_importing_scores_from_the_window_says_which_columns_it_ignored(qtbot, case, tmp_path):
    root, run_id, _, _ = case
    data = make_dataset(tmp_path / "typo", per_class=6, unseen=2, seed=3)
    text = data.csv.read_text().splitlines()
    typo = data.csv.with_name("typo.csv")  # 'label' misspelled: the run has no labels, and the window must say why
    typo.write_text("\n".join([text[0].replace("label", "lable")] + text[1:]) + "\n")
    window, state, panel = _audit_window(qtbot, root)
    said = []
    state.message.connect(said.append)  # what the status bar shows
    state.import_scores(str(typo), None, "xception", "", "mean")
    qtbot.waitUntil(lambda: bool(said) or window.last_error is not None, timeout=TIMEOUT)
    assert window.last_error is None, window.last_error
    assert said[0].startswith(f"detector run {run_id + 1}: ") and " · ignored columns: lable" in said[0]


def test_the_queue_moves_the_view_only_in_the_audit_workspace(qtbot, case):
    """The queue, filled as the project opened, took the view to its first sample in every workspace: the image
    the user had left (and whose place was saved) was lost at every start (found by a tester)."""
    from tests.test_gui_support import close_window

    root = case[0]
    window = make_window(qtbot, root)
    state = audit_state(window)
    qtbot.waitUntil(lambda: state.overview is not None and state.current is not None, timeout=TIMEOUT)
    other = next(m for m in window.project.media.all() if m.id != state.current.media_id)
    window.set_media(other)
    wait_picture(qtbot, window)
    close_window(window)

    again = make_window(qtbot, root)
    state = audit_state(again)
    qtbot.waitUntil(lambda: state.overview is not None and state.current is not None, timeout=TIMEOUT)
    qtbot.wait(200)
    assert again.layouts.current == "annotate" and again.current_media.id == other.id
    press_keys(qtbot, again, Qt.Key_3, Qt.ControlModifier)  # the Audit workspace: the sample under review
    assert again.current_media.id == state.current.media_id


def test_no_verdict_is_given_while_another_picture_is_on_screen(qtbot, case):
    """With the queue focused, a plain A (Shift forgotten) went to the previous media while the queue still showed
    the sample under review, and the verdict key after it saved a verdict given with another picture on screen
    (found by a tester). The sample comes back, nothing is saved, and the note is kept for the verdict."""
    root, run_id, _, _ = case
    window, state, panel = _audit_window(qtbot, root)
    sample = state.current
    press_keys(qtbot, window, Qt.Key_N)
    typed(qtbot, "moire on the cheek")
    typed(qtbot, Qt.Key_Return)
    assert QApplication.focusWidget() is panel.table
    typed(qtbot, Qt.Key_A)  # Shift forgotten: the window's previous media
    qtbot.waitUntil(lambda: window.current_media.id != sample.media_id, timeout=TIMEOUT)
    typed(qtbot, Qt.Key_A, Qt.ShiftModifier)  # Attack, with another picture on screen
    refused = "not the sample under review"
    qtbot.waitUntil(lambda: refused in window.statusBar().currentMessage()
                    or window.project.detectors.verdicts(run_id), timeout=TIMEOUT)
    assert window.project.detectors.verdicts(run_id) == []
    assert window.current_media.id == sample.media_id and state.current is sample
    assert panel.verdict_bar.note.text() == "moire on the cheek"

    wait_picture(qtbot, window)
    typed(qtbot, Qt.Key_A, Qt.ShiftModifier)  # the sample is on screen again: now it counts
    qtbot.waitUntil(lambda: len(window.project.detectors.verdicts(run_id)) == 1, timeout=TIMEOUT)
    v = window.project.detectors.verdicts(run_id)[0]
    assert (v.result_id, v.verdict, v.note) == (sample.result_id, "attack", "moire on the cheek")
    # cleared once the window hears it was saved (the row is in the database a moment before)
    qtbot.waitUntil(lambda: panel.verdict_bar.note.text() == "", timeout=TIMEOUT)


def _video_rows(panel):
    return [r for r in range(panel.model.rowCount()) if panel.model.item(r).frame is not None]


def test_a_verdict_is_given_with_its_own_frame_on_screen_and_a_note_stays_with_its_sample(qtbot, case):
    """Found by a tester: another frame of the same video on screen (itself a queued sample) took the verdict of
    the frame under review; and a note written on one sample went along to the next and was saved with its
    verdict."""
    root, run_id, _, _ = case
    window, state, panel = _audit_window(qtbot, root)
    panel.band.setValue(0.5)  # every test sample is flagged: the video's frames are in the queue
    qtbot.waitUntil(lambda: len(_video_rows(panel)) >= 2, timeout=TIMEOUT)
    row = _video_rows(panel)[0]
    sample = panel.model.item(row)
    panel.table.selectRow(row)
    panel.table.setFocus()
    wait_picture(qtbot, window, sample.frame)
    look(qtbot)
    other = 0 if sample.frame != 0 else 5
    window.seek(other)
    wait_picture(qtbot, window, other)
    window.playback.toggle()  # playing, too: it stops on the sample's frame
    typed(qtbot, Qt.Key_A, Qt.ShiftModifier)
    assert not window.playback.playing
    said = window.statusBar().currentMessage()
    assert said.startswith("The picture on screen was not the sample under review: ") and \
        f", frame {sample.frame} is shown again; no verdict saved" in said
    wait_picture(qtbot, window, sample.frame)
    assert window.project.detectors.verdicts(run_id) == []

    # a note written here waits for this sample; the next one starts without it
    press_keys(qtbot, window, Qt.Key_N)
    typed(qtbot, "seam at the jaw")
    typed(qtbot, Qt.Key_Return)
    press_keys(qtbot, window, Qt.Key_Down, Qt.ShiftModifier)
    following = state.current
    assert following.result_id != sample.result_id and panel.verdict_bar.note.text() == ""
    qtbot.waitUntil(lambda: state.not_on_screen() is None, timeout=TIMEOUT)
    look(qtbot)
    typed(qtbot, Qt.Key_B, Qt.ShiftModifier)
    qtbot.waitUntil(lambda: len(window.project.detectors.verdicts(run_id)) == 1, timeout=TIMEOUT)
    assert [(v.result_id, v.note) for v in window.project.detectors.verdicts(run_id)] == [(following.result_id, "")]
    panel.table.selectRow(row)
    assert state.current.result_id == sample.result_id and panel.verdict_bar.note.text() == "seam at the jaw"


def test_no_verdict_is_given_on_a_sample_whose_picture_cannot_be_shown(qtbot, case, tmp_path):
    """Its file gone, the canvas was empty and a verdict key still saved a verdict (found by a tester)."""
    root, run_id, _, _ = case
    window, state, panel = _audit_window(qtbot, root)
    few = panel.model.rowCount()
    panel.band.setValue(0.5)  # every test sample is flagged
    qtbot.waitUntil(lambda: panel.model.rowCount() > few, timeout=TIMEOUT)
    row = next(r for r in range(1, panel.model.rowCount()) if panel.model.item(r).frame is None
               and panel.model.item(r).media_id != state.current.media_id)
    item = panel.model.item(row)
    media = window.project.media.get(item.media_id)
    gone = tmp_path / "moved-away"
    gone.mkdir()
    window.project.absolute_path(media.path).rename(gone / media.name)
    panel.table.selectRow(row)
    panel.table.setFocus()
    qtbot.waitUntil(lambda: window.canvas.message.startswith("Cannot show "), timeout=TIMEOUT)
    look(qtbot)
    typed(qtbot, Qt.Key_U, Qt.ShiftModifier)
    said = window.statusBar().currentMessage()
    assert said.startswith(f"{media.name} is not on screen (") and said.endswith(
        "; no verdict saved: give it with the sample on screen")
    qtbot.wait(200)
    assert window.project.detectors.verdicts(run_id) == []
    # the file back: the refused key reads it again, and once it is on screen a verdict counts
    (gone / media.name).rename(window.project.absolute_path(media.path))
    typed(qtbot, Qt.Key_U, Qt.ShiftModifier)
    wait_picture(qtbot, window)
    typed(qtbot, Qt.Key_U, Qt.ShiftModifier)
    qtbot.waitUntil(lambda: len(window.project.detectors.verdicts(run_id)) == 1, timeout=TIMEOUT)


def test_a_long_note_neither_widens_the_panel_nor_is_read_as_markup(qtbot, case):
    """A note without spaces widened the queue's dock until the picture had no room, and it stayed so after a
    restart (found by a tester); a note is text, not rich text."""
    root, run_id, _, _ = case
    window, state, panel = _audit_window(qtbot, root)
    dock, canvas = window.docks["audit.queue"].width(), window.canvas.width()
    note = "<b>bold</b>" + "x" * 400
    window.project.detectors.add_verdict(state.current.result_id, "attack", note)
    state.reload_runs(run_id)  # (as a change by another program does)
    qtbot.waitUntil(lambda: state.current is not None and state.current.verdict is not None, timeout=TIMEOUT)
    qtbot.wait(100)
    assert "&lt;b&gt;bold&lt;/b&gt;xxx" in panel.details.text()
    assert "&lt;b&gt;bold&lt;/b&gt;xxx" in panel.details.toolTip()  # (a tooltip is read as markup too)
    assert window.docks["audit.queue"].width() == dock and window.canvas.width() == canvas


def test_a_reviewer_name_that_cannot_sign_is_said_at_once_and_a_refused_verdict_keeps_its_note(qtbot, case,
                                                                                                 monkeypatch):
    """Found by a tester: a 183-character name widened the dock like a long note, was only refused at the first
    verdict, and that verdict's note was lost with it."""
    monkeypatch.setenv("FACELENS_USER", "r" * 183)
    root, run_id, _, _ = case
    window, state, panel = _audit_window(qtbot, root)
    dock = window.docks["audit.queue"].width()
    assert panel.verdict_bar.who.text() == ("Verdicts cannot be recorded as this user (the reviewer's name is 183 "
                                            "characters long: expected at most 128): set FACELENS_USER to your name")
    assert window.docks["audit.queue"].width() == dock
    press_keys(qtbot, window, Qt.Key_N)
    typed(qtbot, "halo around the hair")
    typed(qtbot, Qt.Key_Return)
    typed(qtbot, Qt.Key_B, Qt.ShiftModifier)
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=TIMEOUT)
    assert "183 characters long" in window.last_error[0]
    assert window.project.detectors.verdicts(run_id) == [] and panel.verdict_bar.note.text() == "halo around the hair"


def test_two_verdict_keys_in_a_row_give_one_verdict(qtbot, case, monkeypatch):
    """The second key, pressed before the first verdict was saved and the queue had moved on, was saved on the
    same sample over the first; pressed just after, on the next sample, seen for milliseconds (found by
    testers)."""
    root, run_id, _, _ = case
    window, state, panel = _audit_window(qtbot, root)
    first = state.current
    panel.table.setFocus()
    typed(qtbot, Qt.Key_B, Qt.ShiftModifier)
    typed(qtbot, Qt.Key_A, Qt.ShiftModifier)  # (before the engine has saved the first)
    assert window.statusBar().currentMessage().startswith(f"The verdict on result {first.result_id} is being saved")
    # and just after it was saved and the queue moved on: the next sample was on screen for milliseconds (the
    # time to look made long here, so that a slow machine between the move and the key does not matter)
    monkeypatch.setattr("gui.audit.state.LOOK_MS", 60_000)
    qtbot.waitUntil(lambda: state.current.result_id != first.result_id, timeout=TIMEOUT)
    typed(qtbot, Qt.Key_A, Qt.ShiftModifier)
    assert window.statusBar().currentMessage() == (f"Result {state.current.result_id} came on screen just now: look "
                                                   f"at it first; no verdict saved")
    qtbot.wait(200)
    assert [(v.result_id, v.verdict) for v in window.project.detectors.verdicts(run_id)] == \
        [(first.result_id, "bona_fide")]


def test_a_restart_brings_the_reviewer_back_to_their_run_sample_and_settings(qtbot, case, tmp_path):
    """The window opened on the newest run at its first sample, with Reject and Band back to their defaults
    (found by a tester). Another project's run of the same id is not taken for it."""
    from tests.test_gui_support import close_window

    root, run_id, _, _ = case
    window, state, panel, newest = _window_on_a_second_run(qtbot, root, tmp_path)
    panel.runs.setCurrentIndex(panel.runs.findData(run_id))
    qtbot.waitUntil(lambda: state.overview is not None and state.overview.run.id == run_id, timeout=TIMEOUT)
    panel.reject.setValue(0.2)
    qtbot.waitUntil(lambda: state.overview is not None and state.overview.queue.settings.reject == 0.2,
                    timeout=TIMEOUT)
    panel.band.setValue(0.3)
    qtbot.waitUntil(lambda: state.overview is not None and state.overview.queue.settings.band == 0.3,
                    timeout=TIMEOUT)
    panel.table.selectRow(3)
    place = state.current.result_id
    close_window(window)

    window, state, panel = _audit_window(qtbot, root)
    assert state.run_id == run_id and state.current.result_id == place
    assert (panel.reject.value(), panel.band.value()) == (0.2, 0.3)
    assert (state.overview.queue.settings.reject, state.overview.queue.settings.band) == (0.2, 0.3)
    close_window(window)

    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    window, state, panel = _audit_window(qtbot, copy)  # a place of its own: none yet, so the newest run
    assert state.run_id == newest and state.current.result_id == panel.model.item(0).result_id
