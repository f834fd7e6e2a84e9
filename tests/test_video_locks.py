"""Two programs on one video: while one propagates it (a window, or ``track``), another cannot propagate it too
or add an object to it. Both propagations replaced the masks they had read at their start: the frames both reached
ended with two masks per object; and the window accepted an object on a video ``track`` was propagating."""
from __future__ import annotations

import os
import socket
import subprocess
import sys

from PySide6.QtCore import Qt

from storage.project import Project
from tests.cli import MAIN, run_cli, run_json
from tests.test_gui_support import TIMEOUT, click, close_window, grabcut_sam_window, press_keys

# Holds media 2's lock as `main.py track` does while it propagates, until its stdin closes.
HOLD = """
import sys
from storage.project import Project
from storage.video_locks import PROGRAM, rewriting_masks
PROGRAM[0] = "`main.py track`"
with Project.open(sys.argv[1]) as p, rewriting_masks(p, p.media.get(2), "propagate it"):
    print("held", flush=True)
    sys.stdin.read()
"""


def _holding(root):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(root)], cwd=MAIN.parent, stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    return holder


def _state(root):
    with Project.open(root) as p:
        return p.annotations.count(), p.tracks.count(), p.audit.count()


def test_a_video_another_program_propagates_is_left_to_it(demo_dir):
    run_json("segment", demo_dir, 2, "--point", "320,230")  # an object to propagate (GrabCut)
    before = _state(demo_dir)
    holder = _holding(demo_dir)
    try:
        said = f"media 2 (astronaut_head.mp4) is being propagated by `main.py track` (process {holder.pid} on " \
               f"{socket.gethostname()}, since "
        err = run_cli("track", demo_dir, 2, "--frames", "0:2", "--weights", "random", "--seed", "0", check=2).stderr
        assert err.startswith(f"facelens: error: {demo_dir / 'media' / 'astronaut_head.mp4'}: {said}")
        assert err.rstrip().endswith("): propagate it once that is done, or cancel it there")
        err = run_cli("segment", demo_dir, 2, "--frame", "3", "--point", "320,230", check=2).stderr
        assert said in err and err.rstrip().endswith("add or correct an object on it once that is done, or cancel "
                                                     "it there")
        assert _state(demo_dir) == before  # no empty track left behind
    finally:
        holder.stdin.close()
        holder.wait(30)
    # Let go (also when the holder dies: the lock is the operating system's), the video is anyone's again.
    assert run_json("segment", demo_dir, 2, "--frame", "3", "--point", "320,230")["track_id"] is not None


def test_the_window_does_not_accept_or_undo_an_object_on_a_video_another_program_propagates(qtbot, demo_dir):
    """It accepted an object while `track` ran; a refused undo then took the step off the undo list for good."""
    window, sam = grabcut_sam_window(qtbot, demo_dir, 2, 15)
    for x in (320, 200):  # an object accepted before, and one being prompted when `track` starts
        click(window.canvas, x, 200)
        qtbot.waitUntil(lambda: sam.clicked is not None and not sam._in_flight, timeout=TIMEOUT)
        if x == 320:
            press_keys(qtbot, window, Qt.Key_Return)
    before = _state(demo_dir)
    holder = _holding(demo_dir)
    try:
        window.last_error = None
        press_keys(qtbot, window, Qt.Key_Return)
        busy = (f"{demo_dir / 'media' / 'astronaut_head.mp4'}: media 2 (astronaut_head.mp4) is being propagated by "
                "`main.py track` (process")
        assert window.last_error[0].startswith(f"Not saved: {busy}")
        assert _state(demo_dir) == before and sam.prompting  # nothing stored, the prompt kept for later
        press_keys(qtbot, window, Qt.Key_Escape)
        press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)
        assert window.last_error[0].startswith(f"Could not undo SAM 2 object now: {busy}")
        assert window.last_error[0].endswith("nothing was changed, and the step stays on the undo list")
        assert _state(demo_dir) == before and window.undo_stack.can_undo
    finally:
        holder.stdin.close()
        holder.wait(30)
    press_keys(qtbot, window, Qt.Key_Z, Qt.ControlModifier)  # once `track` is done, the same step works
    assert window.project.tracks.count() == before[1] - 1
    close_window(window)


def test_an_export_taken_while_a_video_is_propagated_says_its_masks_are_those_so_far(demo_dir, capsys):
    """It exported a half-tracked video without a word (the file itself was consistent)."""
    from storage.video_locks import rewriting_masks
    from tests.inprocess_cli import main_json, run_main

    with Project.open(demo_dir) as p:
        video = next(m for m in p.media.all() if m.is_video)
        with rewriting_masks(p, video, "propagate it"):
            out = main_json(capsys, "export", demo_dir, "--format", "coco", "--out", demo_dir / "exports" / "x.json")
            text = run_main(capsys, "export", demo_dir, "--format", "coco", "--out", demo_dir / "exports" / "y.json")[0]
        [said] = out["being_propagated"]
        assert said.startswith(f"media {video.id} ({video.name}) is being propagated by ")
        assert f"(process {os.getpid()} on " in said  # this test's own lock, standing in for `track`
        assert f"note: media {video.id} ({video.name}) is being propagated by " in text
        assert text.rstrip().endswith("its masks in the export are those stored so far")
        after = main_json(capsys, "export", demo_dir, "--format", "coco", "--out", demo_dir / "exports" / "z.json")
        assert "being_propagated" not in after


def test_a_propagation_refused_for_another_programs_leaves_no_failure_behind_in_the_sam_panel(qtbot, demo_dir,
                                                                                             tmp_path):
    """The panel said "Propagation failed: ... is being propagated by `main.py track`" minutes after `track` ended."""
    from tests.test_gui_sam import window_with_random_sam2

    run_json("segment", demo_dir, 2, "--point", "320,230")  # an object to propagate
    window, sam = window_with_random_sam2(qtbot, demo_dir, tmp_path, media=2, frame=0)
    holder = _holding(demo_dir)
    try:
        window.last_error = None
        assert sam.propagate(0, 2)
        qtbot.waitUntil(lambda: sam.propagation is None, timeout=TIMEOUT)
        assert "is being propagated by `main.py track`" in window.last_error[0]  # said once, as it happened
        assert "is being propagated" in window.statusBar().currentMessage()
        assert window.panel("sam").result.text() == ""  # not kept as the video's last propagation
    finally:
        holder.stdin.close()
        holder.wait(30)
    close_window(window)
