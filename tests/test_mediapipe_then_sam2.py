"""SAM 2 loaded after mediapipe ran, in one process: on a machine with a display the app died with a segmentation
fault (mediapipe's graphics context loads Mesa's llvmpipe and its LLVM; triton, pulled in by torchvision's ops,
crashed starting after it). Found by a tester: audit face box shown, then Models → Choose checkpoint file…."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
AFTER_MEDIAPIPE = """
import sys
from skimage.data import astronaut
from engine.audit.runner.faces import FaceFinder
finder = FaceFinder()
print("triton first:", "triton._C.libtriton" in sys.modules, flush=True)
print("faces:", len(finder.find(astronaut())), flush=True)
import torchvision.ops
import engine.segmentation.sam2_models
from engine.models.registry import model_entry
from engine.segmentation.sam2_models import build_random_predictor
build_random_predictor(model_entry("sam2.1_hiera_tiny").extra["config"], 0)
print("SAM 2 built", flush=True)
"""


@pytest.fixture
def display():
    """An X display where the machine can make one (Xvfb): the crash needs Mesa's driver, which needs one."""
    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        yield None
        return
    number = 90 + os.getpid() % 100
    proc = subprocess.Popen([xvfb, f":{number}", "-screen", "0", "640x480x24"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    time.sleep(1.0)
    try:
        yield f":{number}" if proc.poll() is None else None
    finally:
        proc.terminate()
        proc.wait(10)


def test_sam2_loads_after_mediapipe_found_a_face(display):
    pytest.importorskip("triton")  # (the crash is triton's; where it is not installed there is nothing to order)
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}
    if display is not None:
        env["DISPLAY"] = display
    proc = subprocess.run([sys.executable, "-c", AFTER_MEDIAPIPE], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert "triton first: True" in proc.stdout  # what keeps it from crashing, also where no display shows the crash
    assert "faces: 1" in proc.stdout and "SAM 2 built" in proc.stdout
