"""Media records: what was imported, where it lives, and its identity (SHA-256, size, geometry, timing).

A file that was moved or renamed is *relinked*: its record points to the new path, once the new file's
SHA-256 is the one recorded at import (a changed file is never silently taken for the old one).
"""
from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select, update

from annotation.errors import InputError
from annotation.model import MediaItem
from storage.media.hashing import sha256_file
from storage.models import Media
from storage.repository import Repository


def _item(row: Media) -> MediaItem:
    return MediaItem(id=row.id, kind=row.kind, path=row.path, sha256=row.sha256, size_bytes=row.size_bytes,
                     width=row.width, height=row.height, fps=row.fps, frame_count=row.frame_count,
                     duration=row.duration, codec=row.codec, rotation=row.rotation or 0)


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

    # --- moved and renamed files ---------------------------------------------------------------------------
    def file_missing(self, item: MediaItem) -> bool:
        return not self.project.absolute_path(item.path).is_file()

    def relink(self, media_id: int, path: str | Path, sha256: str | None = None) -> MediaItem:
        """Point media ``media_id`` at ``path`` (the file moved or was renamed). The file's SHA-256 must be the
        one recorded at import (``sha256``: already computed by the caller); otherwise nothing changes and the
        error names both hashes. The change is an audit entry ("relink", with the old and the new path)."""
        item = self.get(media_id)
        if item is None:
            ids = ", ".join(str(m.id) for m in self.all()) or "none"
            raise InputError(f"no media {media_id} in this project (it has {ids})", path=str(self.project.root))
        path = Path(path).expanduser()
        if not path.is_file():
            raise InputError("no such file", path=str(path))
        if sha256 is None:
            try:
                sha256 = sha256_file(path)
            except OSError as e:
                raise InputError(f"cannot read: {e.strerror}", path=str(path)) from None
        if sha256 != item.sha256:
            raise InputError(f"its SHA-256 is {sha256}, but media {item.id} ({item.name}) was imported with "
                             f"SHA-256 {item.sha256}; a different file, not relinked", path=str(path))
        stored = self.project.stored_path(path)
        if stored == item.path:
            return item
        with self._write() as s:
            s.execute(update(Media).where(Media.id == item.id).values(path=stored))
            self._log(s, "relink", f"media:{item.id}", {"from": item.path, "to": stored, "sha256": sha256})
        return self.get(item.id)

    def relink_if_missing(self, media_id: int, path: str | Path, sha256: str) -> MediaItem | None:
        """An import found ``path`` with the SHA-256 of media ``media_id``: relink the media when its own file is
        missing (it was moved or renamed) and return it; None when its file is there (a duplicate)."""
        item = self.get(media_id)
        if item is None or not self.file_missing(item):
            return None
        return self.relink(media_id, path, sha256=sha256)
