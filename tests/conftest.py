"""Shared fixtures: every test runs with its own FaceLens home (settings, demo project) and a known user."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["FACELENS_USER"] = "tester"
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pytest  # noqa: E402

from storage.project import Project  # noqa: E402


@pytest.fixture(autouse=True)
def facelens_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("FACELENS_HOME", str(home))
    return home


@pytest.fixture(autouse=True)
def _windows_closed(facelens_home):
    """Every window a test opened is closed after it, as a user closes it (see ``close_window``)."""
    yield
    support = sys.modules.get("tests.test_gui_support")
    while support is not None and support.OPEN_WINDOWS:
        window = support.OPEN_WINDOWS.pop()
        support.close_window(window)
        window.deleteLater()


@pytest.fixture
def project(tmp_path):
    p = Project.create(tmp_path / "proj")
    yield p
    p.close()


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory):
    from storage.demo import build_demo

    root = tmp_path_factory.mktemp("demo-template") / "demo"
    build_demo(root).close()
    return root


@pytest.fixture
def demo_dir(_demo_template, tmp_path):
    """A fresh copy of the demo project (built once per test session)."""
    target = tmp_path / "demo"
    shutil.copytree(_demo_template, target)
    return target


@pytest.fixture
def demo(demo_dir):
    p = Project.open(demo_dir)
    yield p
    p.close()


# A folder or file made unwritable with ``chattr +i``, which binds root too (plain permissions do not); tests that
# need one are skipped where that is not available.
@pytest.fixture
def write_protect():
    protected = []

    def protect(*paths):
        try:
            done = subprocess.run(["chattr", "+i", *map(str, paths)], capture_output=True)
        except FileNotFoundError:
            pytest.skip("no chattr here to make a folder read-only")
        if done.returncode != 0 or os.access(paths[0], os.W_OK):
            pytest.skip(f"this file system cannot make a folder read-only ({done.stderr.decode().strip()})")
        protected.extend(paths)

    yield protect
    if protected:
        subprocess.run(["chattr", "-i", *map(str, protected)], check=True)


# A small disk of its own (a 4 MB tmpfs) that a test can fill: SQLite on a really full disk, where a stand-in for it
# would not say what SQLite does. Skipped where mounting is not allowed.
@pytest.fixture
def small_disk(tmp_path):
    where = tmp_path / "small-disk"
    where.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(where)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"no small disk to fill here ({done.stderr.decode().strip()})")

    def fill() -> None:
        with open(where / "filler", "wb", buffering=0) as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
            except OSError:  # (no space left)
                pass
        assert shutil.disk_usage(where).free < 4096

    yield where, fill
    subprocess.run(["umount", "-l", str(where)], check=True)
