"""Project-wide settings (JSON values by key), kept in the project so they travel with it."""
from __future__ import annotations

import json

from sqlalchemy import select

from storage.models import Setting
from storage.repository import Repository


class SettingsRepository(Repository):
    def get(self, key: str, default=None):
        with self._read() as s:
            row = s.get(Setting, key)
            return json.loads(row.value) if row else default

    def set(self, key: str, value) -> None:
        with self._write() as s:
            s.merge(Setting(key=key, value=json.dumps(value)))

    def all(self) -> dict:
        with self._read() as s:
            return {r.key: json.loads(r.value) for r in s.scalars(select(Setting))}
