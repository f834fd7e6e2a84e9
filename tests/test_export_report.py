"""What an export reports: --json prints its result, the text says what was written and left out, and the
window's status bar says the same."""
import json
from pathlib import Path

from annotation.model import Annotation, TimeSegment
from annotation.shapes import Points
from storage.project import Project
from tests.cli import run_cli


def labelled_demo(demo_dir: Path) -> Path:
    """The demo with an ER label on its video and a SAM click (a prompt, which no export writes)."""
    with Project.open(demo_dir) as p:
        p.segments.add_many([TimeSegment(2, "er", 0, 1, "alice", {"label": "happiness"})])
        p.annotations.add(Annotation(media_id=2, frame=3, shape=Points([(20, 20)]), attributes={"role": "prompt"}))
    return demo_dir


def test_json_prints_the_result_and_text_says_what_was_left_out(demo_dir, tmp_path):
    root = labelled_demo(demo_dir)
    out = tmp_path / "coco.json"
    result = json.loads(run_cli("export", root, "--format", "coco", "--out", out, "--json").stdout)
    assert result["path"] == str(out) and result["format"] == "coco" and result["left_out"] == {"prompts": 1}
    assert result["sha256"] and result["images"] == 1 and result["frames_written"] == 0
    text = run_cli("export", root, "--format", "coco", "--out", out).stdout.splitlines()
    assert text == [f"wrote {out} (coco: 1 images, 1 annotations, 0 frames written)",
                    "left out (no coco form): 1 prompts"]


def test_the_window_says_what_was_left_out(qtbot, demo_dir, tmp_path):
    from gui.project_actions import export_to
    from tests.test_gui_support import make_window

    window = make_window(qtbot, labelled_demo(demo_dir))
    out = tmp_path / "coco.json"
    export_to(window, "coco", out)
    qtbot.waitUntil(lambda: getattr(window, "last_export", None) is not None, timeout=15_000)
    assert window.statusBar().currentMessage() == (f"Wrote {out} (coco: 1 images, 1 annotations, 0 frames written)"
                                                   "; left out (no coco form): 1 prompts")
