"""Where an export cannot write (a folder where a file is expected, a parent that is a file or is missing): one
line naming the path and what was expected, exit 2, no .part or half-written output, the project unchanged."""
from pathlib import Path

import pytest

from storage.project import Project
from tests.cli import run_cli
from tests.test_export_report import labelled_demo


def audit_entries(root: Path) -> int:
    with Project.open(root) as p:
        return p.audit.count()


def everything_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))


CASES = [  # (format, --out relative to the sandbox, what the one line says)
    ("coco", "out", "{out}: is a folder; expected the name of a file to write in it"),
    ("coco", "photo.jpg/x.json", "{out}: {sandbox}/photo.jpg is a file, not a folder"),
    ("coco", "nowhere/deeper/x.json", "{out}: the folder {sandbox}/nowhere/deeper does not exist"),
    ("eaf", "photo.jpg/x.eaf", "{out}: {sandbox}/photo.jpg is a file, not a folder"),
    ("eaf", "nowhere/x.eaf", "{out}: the folder {sandbox}/nowhere does not exist"),
    ("emotion-csv", "out", "{out}: is a folder; expected the name of a file to write in it"),
    ("emotion-dataset", "photo.jpg", "{out}: is a file; expected a new (or empty) folder to write the dataset in"),
    ("emotion-dataset", "photo.jpg/ds", "{out}: {sandbox}/photo.jpg is a file, not a folder"),
    ("emotion-dataset", "nowhere/ds", "{out}: the folder {sandbox}/nowhere does not exist"),
]


@pytest.mark.parametrize("fmt, where, says", CASES)
def test_a_target_that_cannot_be_written_is_one_line_and_leaves_nothing(demo_dir, tmp_path, fmt, where, says):
    root = labelled_demo(demo_dir)
    sandbox = tmp_path / "sandbox"
    (sandbox / "out").mkdir(parents=True)
    (sandbox / "out" / "earlier.json").write_text("{}")
    (sandbox / "photo.jpg").write_bytes(b"\xff\xd8 a user's photo")
    before, entries = everything_under(sandbox), audit_entries(root)
    out = sandbox / where
    p = run_cli("export", root, "--format", fmt, "--out", out, check=2)
    assert p.stderr.strip() == "facelens: error: " + says.format(out=out, sandbox=sandbox) + (
        " (create it first, or choose another place)" if "does not exist" in says else "")
    assert p.stdout == "" and "Traceback" not in p.stderr
    assert everything_under(sandbox) == before  # no .part, no folder made, nothing replaced
    assert (sandbox / "photo.jpg").read_bytes() == b"\xff\xd8 a user's photo"
    assert audit_entries(root) == entries  # the export was not logged: it did not happen


def test_elan_into_an_existing_folder_writes_the_file_in_it(demo_dir, tmp_path):
    import pympi

    root = labelled_demo(demo_dir)
    run_cli("export", root, "--format", "eaf", "--out", tmp_path)
    eaf = pympi.Elan.Eaf(str(tmp_path / "astronaut_head.eaf"))
    assert eaf.get_annotation_data_for_tier("ER - alice") == [(0, 1000, "happiness")]


def test_the_window_names_a_bad_target_plainly(qtbot, demo_dir, tmp_path):
    from gui.project_actions import export_to
    from tests.test_gui_support import make_window

    window = make_window(qtbot, labelled_demo(demo_dir))
    window.last_error = None
    export_to(window, "coco", tmp_path)  # a folder
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=15_000)
    assert window.last_error[0] == (f"Exporting COCO JSON: {tmp_path}: is a folder; expected the name of a file "
                                    "to write in it")
    assert not (tmp_path.parent / (tmp_path.name + ".part")).exists()
    # The project's own database, chosen in the save dialog (which asked whether to replace it): refused.
    db = window.project.db_path
    window.last_error = None
    export_to(window, "coco", db)
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=15_000)
    assert window.last_error[0].startswith(f"Exporting COCO JSON: {db}: is the project's database; write the export")
    assert db.read_bytes()[:16] == b"SQLite format 3\x00" and window.project.annotations.for_media(1)


@pytest.mark.parametrize("fmt, target, says", [
    ("coco", "project.db", "is the project's database"),
    ("eaf", "project.db", "is the project's database"),
    ("emotion-csv", "media/astronaut.png", "is media 1 of the project (astronaut.png)"),
    ("coco", "media/astronaut_head.mp4", "is media 2 of the project (astronaut_head.mp4)"),
])
def test_an_export_over_the_projects_database_or_media_is_refused(demo_dir, fmt, target, says):
    """`export --out project.db` wrote the COCO JSON over the database (every annotation and the audit log gone),
    and `--out` a media file's path wrote over the photo."""
    root = labelled_demo(demo_dir)
    out = root / target
    before, entries = out.read_bytes(), audit_entries(root)
    p = run_cli("export", root, "--format", fmt, "--out", out, check=2)
    assert p.stderr.strip() == (f"facelens: error: {out}: {says}; write the export elsewhere (as in "
                                f"{root / 'exports'})")
    assert out.read_bytes() == before and audit_entries(root) == entries
    assert run_cli("verify", root).stdout.startswith("verify: ok")


def test_a_link_is_written_through_and_a_device_or_pipe_is_refused(demo_dir, tmp_path):
    """The export's rename replaced a link with a file (the linked file kept its old content) and wrote over a
    device (/dev/full became a JSON file)."""
    import json
    import os

    root = labelled_demo(demo_dir)
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    (sandbox / "real.json").write_text("{}")
    (sandbox / "link.json").symlink_to(sandbox / "real.json")
    run_cli("export", root, "--format", "coco", "--out", sandbox / "link.json")
    assert (sandbox / "link.json").is_symlink() and json.loads((sandbox / "real.json").read_text())["images"]
    os.mkfifo(sandbox / "pipe.json")
    p = run_cli("export", root, "--format", "coco", "--out", sandbox / "pipe.json", check=2)
    assert p.stderr.strip() == (f"facelens: error: {sandbox / 'pipe.json'}: is not a regular file (a device, a pipe "
                                "or a socket); expected the name of a file to write")


def _with_a_video_box(root: Path) -> Path:
    """A box on frame 2 of the demo video: a COCO export writes that frame as a JPEG beside the JSON."""
    from annotation.model import Annotation
    from annotation.shapes import Box

    with Project.open(root) as p:
        video = next(m for m in p.media.all() if m.is_video)
        p.annotations.add(Annotation(media_id=video.id, frame=2, shape=Box(10, 10, 50, 50)))
    return root


def test_an_export_that_fails_half_way_leaves_no_frames_and_says_why_in_one_line(demo_dir, tmp_path):
    root = _with_a_video_box(labelled_demo(demo_dir))
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    entries = audit_entries(root)
    # The frames are written, then the JSON cannot be (its temporary name is taken by a folder): the frames
    # folder, new, stayed behind without the JSON that refers to it.
    (sandbox / "x.json.part").mkdir()
    p = run_cli("export", root, "--format", "coco", "--out", sandbox / "x.json", check=2)
    assert "x.json.part: cannot write the export: Is a directory" in p.stderr and "Traceback" not in p.stderr
    assert everything_under(sandbox) == ["x.json.part"] and audit_entries(root) == entries
    (sandbox / "x.json.part").rmdir()
    assert run_cli("export", root, "--format", "coco", "--out", sandbox / "x.json").returncode == 0
    assert (sandbox / "x_frames").is_dir()  # (so frames were written above, and taken away again)


def test_an_export_into_a_folder_that_cannot_be_written_is_one_line(demo_dir, tmp_path, write_protect):
    root = _with_a_video_box(labelled_demo(demo_dir))  # its frames are written first (it was a traceback)
    sandbox = tmp_path / "sandbox"
    sandbox.mkdir()
    write_protect(sandbox)
    p = run_cli("export", root, "--format", "coco", "--out", sandbox / "x.json", check=2)
    assert p.stderr.startswith(f"facelens: error: {sandbox / 'x_frames.part'}: cannot write the export: Operation "
                               "not permitted")
    assert "Traceback" not in p.stderr and everything_under(sandbox) == []
