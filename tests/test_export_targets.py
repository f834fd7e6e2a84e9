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
