"""The window's per-user settings: an INI file at ``storage.locations.settings_file()``.

``FACELENS_HOME`` moves it (tests set it, so they never touch a user's settings). Values that are lists or
dicts are stored as JSON text, because INI files turn a one-element list into a plain string.
"""
from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import QSettings

from storage.locations import settings_file

RECENT_LIMIT = 10


class Settings:
    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else settings_file()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.qt = QSettings(str(self.path), QSettings.IniFormat)

    # --- plain values --------------------------------------------------------------------------------------
    def get(self, key: str, default=None):
        return self.qt.value(key, default)

    def set(self, key: str, value) -> None:
        self.qt.setValue(key, value)

    def get_float(self, key: str, default: float) -> float:
        try:
            return float(self.qt.value(key, default))
        except (TypeError, ValueError):
            return default

    def get_int(self, key: str, default: int) -> int:
        try:
            return int(self.qt.value(key, default))
        except (TypeError, ValueError):
            return default

    def get_json(self, key: str, default=None):
        text = self.qt.value(key)
        if not text:
            return default
        try:
            return json.loads(text)
        except (TypeError, ValueError):
            return default

    def set_json(self, key: str, value) -> None:
        self.qt.setValue(key, json.dumps(value))

    def sync(self) -> None:
        self.qt.sync()

    # --- projects ------------------------------------------------------------------------------------------
    def recent_projects(self) -> list[str]:
        return [p for p in self.get_json("projects/recent", []) if isinstance(p, str)]

    def add_recent_project(self, path: str | Path) -> None:
        path = str(Path(path).resolve())
        recent = [path] + [p for p in self.recent_projects() if p != path]
        self.set_json("projects/recent", recent[:RECENT_LIMIT])
        self.set("projects/last", path)
        self.sync()

    def last_project(self) -> str | None:
        value = self.get("projects/last")
        return str(value) if value else None
