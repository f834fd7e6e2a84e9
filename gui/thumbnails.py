"""Media browser thumbnails, read off the GUI thread from the project's ``cache/thumbs`` (made again when
the cache lost them), with a missing-file check on the way."""
from __future__ import annotations

import traceback

from PySide6.QtCore import QObject, QThreadPool, Qt, Signal
from PySide6.QtGui import QImage

from annotation.model import MediaItem
from storage.media.library import open_video, thumbnail_path
from storage.media.thumbnails import write_thumbnail

THUMB_W, THUMB_H = 96, 72


def load_thumbnail(project, item: MediaItem) -> tuple[QImage | None, bool]:
    """The media's thumbnail (made first if need be) and whether its file is there; off the GUI thread."""
    source = project.absolute_path(item.path)
    exists = source.is_file()
    target = thumbnail_path(project, item.sha256)
    if not target.is_file() and exists:
        try:
            if item.is_video:
                with open_video(project, item, threads=False) as reader:
                    write_thumbnail(target, rgb=reader.read(0))
            else:
                write_thumbnail(target, source=source)
        except Exception:  # a preview that cannot be made leaves the placeholder
            traceback.print_exc()
    image = QImage(str(target)) if target.is_file() else QImage()
    if image.isNull():
        return None, exists
    return image.scaled(THUMB_W * 2, THUMB_H * 2, Qt.KeepAspectRatio, Qt.SmoothTransformation), exists


class ThumbnailLoader(QObject):
    loaded = Signal(int, int, object, bool)  # generation, media id, QImage or None, file exists

    def __init__(self, parent=None):
        super().__init__(parent)
        self.generation = 0

    def load(self, project, items: list[MediaItem]) -> None:
        """Load previews for ``items`` in order; a later call makes the answers of an earlier one stale."""
        self.generation += 1
        generation = self.generation

        def work():
            for item in items:
                if generation != self.generation:
                    return
                image, exists = load_thumbnail(project, item)
                self.loaded.emit(generation, item.id, image, exists)

        QThreadPool.globalInstance().start(work)
