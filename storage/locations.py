"""Where FaceLens keeps per-user files: the demo project and the window's settings.

``FACELENS_HOME`` overrides both (tests point it at a temporary folder so they never touch a user's files).
"""
from __future__ import annotations

import os
from pathlib import Path


def user_data_dir() -> Path:
    if os.environ.get("FACELENS_HOME"):
        return Path(os.environ["FACELENS_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "FaceLens"


def default_demo_dir() -> Path:
    return user_data_dir() / "demo"


def settings_file() -> Path:
    return user_data_dir() / "settings.ini"
