"""Two programs on one video: while one propagates it (the window, or ``track``), another cannot propagate it too
or add an object to it. Both propagations replaced the masks they had read at their start: the frames both reached
ended with two masks per object."""
from __future__ import annotations

import os
import socket

from storage.project import Project
from storage.video_locks import rewriting_masks
from tests.cli import run_cli, run_json


def test_a_video_another_program_propagates_is_left_to_it(demo_dir):
    run_json("segment", demo_dir, 2, "--point", "320,230")  # an object to propagate (GrabCut)
    with Project.open(demo_dir) as p:
        before = (p.annotations.count(), p.tracks.count(), p.audit.count())
        video = p.media.get(2)
    holder = f"FaceLens (process {os.getpid()} on {socket.gethostname()}, since "
    with Project.open(demo_dir) as p, rewriting_masks(p, video, "propagate it"):
        err = run_cli("track", demo_dir, 2, "--frames", "0:2", "--weights", "random", "--seed", "0", check=2).stderr
        assert err.startswith(f"facelens: error: {p.media_dir / 'astronaut_head.mp4'}: media 2 (astronaut_head.mp4) is "
                              f"being propagated by {holder}")
        assert err.rstrip().endswith("): propagate it once that is done, or cancel it there")
        err = run_cli("segment", demo_dir, 2, "--frame", "3", "--point", "320,230", check=2).stderr
        assert "is being propagated by" in err and err.rstrip().endswith("add or correct an object on it once that "
                                                                         "is done, or cancel it there")
        assert (p.annotations.count(), p.tracks.count(), p.audit.count()) == before  # no empty track left behind
    # Let go (also when the holder dies: the lock is the operating system's), the video is anyone's again.
    assert run_json("segment", demo_dir, 2, "--frame", "3", "--point", "320,230")["track_id"] is not None
