"""Media records: what was imported, where it lives, and its identity (SHA-256, size, geometry, timing)."""
from __future__ import annotations

import time

from sqlalchemy import func, select

from annotation.model import MediaItem
from storage.models import Media
from storage.repository import Repository


def _item(row: Media) -> MediaItem:
    return MediaItem(id=row.id, kind=row.kind, path=row.path, sha256=row.sha256, size_bytes=row.size_bytes,
                     width=row.width, height=row.height, fps=row.fps, frame_count=row.frame_count,
                     duration=row.duration, codec=row.codec)


class MediaRepository(Repository):
    def add_many(self, items: list[dict]) -> list[MediaItem]:
        """Store probed files (dicts of MediaItem fields without id) with one audit entry for the batch."""
        if not items:
            return []
        now = time.time()
        with self._write() as s:
            rows = [Media(imported_at=now, **item) for item in items]
            s.add_all(rows)
            s.flush()
            out = [_item(r) for r in rows]
            self._log(s, "import", "media", {"media": [{"id": m.id, "path": m.path, "sha256": m.sha256}
                                                       for m in out]})
        return out

    def all(self, kind: str | None = None) -> list[MediaItem]:
        q = select(Media).order_by(Media.id)
        if kind:
            q = q.where(Media.kind == kind)
        with self._read() as s:
            return [_item(r) for r in s.scalars(q)]

    def get(self, media_id: int) -> MediaItem | None:
        with self._read() as s:
            row = s.get(Media, media_id)
            return _item(row) if row else None

    def by_sha256(self, sha256: str) -> MediaItem | None:
        with self._read() as s:
            row = s.scalars(select(Media).where(Media.sha256 == sha256)).first()
            return _item(row) if row else None

    def known_hashes(self) -> dict[str, int]:
        with self._read() as s:
            return dict(s.execute(select(Media.sha256, Media.id)).all())

    def count(self) -> int:
        with self._read() as s:
            return s.scalar(select(func.count(Media.id)))
