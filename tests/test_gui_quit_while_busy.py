"""Closing the window while an engine job runs: the job is cancelled, its current item finishes and what it did is
stored, and only then does the window close and the project with it. Closing at once used to close the project
under the job and exit with the engine thread inside torch (the process aborted, exit code 134)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from annotation.model import Annotation
from annotation.shapes import Box
from engine.worker import Priority
from storage.project import Project
from tests.test_gui_support import TIMEOUT, make_window, photo_project

ROOT = Path(__file__).resolve().parents[1]


def test_closing_during_a_job_waits_for_its_current_item(qtbot, tmp_path):
    root = photo_project(tmp_path)
    window = make_window(qtbot, root)
    media_id = window.current_media.id
    in_item, finish_item = threading.Event(), threading.Event()
    results = []

    def propagate(ctx):  # a batch job like SAM 2's propagation: slow items, masks written in a finally
        done = []
        try:
            for i in range(100):
                in_item.set()
                finish_item.wait(30)  # one SAM 2 frame on a CPU
                done.append(Annotation(media_id=media_id, shape=Box(i, i, i + 10, i + 10), source="sam2"))
                yield
        finally:
            window.project.annotations.add_many(done)

    window.engine.submit(propagate, "Propagating clip.mp4", Priority.BATCH, on_done=results.append)
    window.engine.submit(lambda ctx: "ran", "Exporting", Priority.BATCH, on_done=results.append)
    assert in_item.wait(10)

    window.close()
    qtbot.wait(300)
    assert window.isVisible(), "the window closed under a running job"
    message = window.statusBar().currentMessage()
    assert message == ("Closing after this step: “Propagating clip.mp4”, “Exporting” cancelled (what is finished "
                       "stays)…")
    window.close()  # impatient: a second close still waits, and says so
    assert window.isVisible()
    assert "Still finishing" in window.statusBar().currentMessage()
    assert window.engine.submit(lambda ctx: None, "Too late") is None  # nothing new starts while closing

    finish_item.set()
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=TIMEOUT)
    assert [r.cancelled for r in results] == [True, True]  # both cancelled; the queued one never ran
    assert not window.engine.engine._thread.is_alive()
    assert not (root / "project.db-wal").exists()  # the project was closed: SQLite folded its log back in
    with Project.open(root) as p:  # the item that was running when the user closed is kept
        assert [a.source for a in p.annotations.for_media(media_id)] == ["sam2"]


def test_closing_when_idle_is_immediate(qtbot, tmp_path):
    window = make_window(qtbot, photo_project(tmp_path))
    window.close()
    assert not window.isVisible()
    assert not window.engine.engine._thread.is_alive()


SLOW_TORCH_JOB = textwrap.dedent("""
    import os, sys, threading, torch
    from PySide6.QtCore import QTimer
    from engine.worker import Priority
    from gui.app import make_application
    from gui.main_window import MainWindow
    from storage.project import Project

    torch.set_num_threads(1)
    app = make_application()
    window = MainWindow()
    window.show()
    window.set_project(Project.open(sys.argv[1]))
    started = threading.Event()
    a = torch.randn(512, 512)

    def slow(ctx):  # each item is torch work longer than the old 5 s wait at closing (a SAM 2 frame on a CPU)
        for _ in range(100):
            started.set()
            for _ in range(int(sys.argv[2])):
                a @ a
            yield

    window.engine.submit(slow, "Propagating", Priority.BATCH)
    started.wait(30)
    QTimer.singleShot(500, window.close)  # File -> Quit
    code = app.exec()
    print("exited", code, flush=True)
    sys.exit(code)
""")


def test_quitting_during_torch_work_exits_cleanly(tmp_path):
    """The user's report, end to end: quit while the engine thread is inside torch; the process must exit 0."""
    import time

    import torch

    torch.set_num_threads(1)
    a = torch.randn(512, 512)
    start = time.perf_counter()
    for _ in range(20):
        a @ a
    per_matmul = (time.perf_counter() - start) / 20
    matmuls = max(1, int(7.0 / per_matmul))  # about 7 s an item, on whatever machine runs this
    root = photo_project(tmp_path)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", FACELENS_HOME=str(tmp_path / "home"))
    proc = subprocess.run([sys.executable, "-c", SLOW_TORCH_JOB, str(root), str(matmuls)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "exited 0" in proc.stdout
