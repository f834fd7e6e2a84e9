"""The media browser: every image and video of the project with a thumbnail, a name filter and a kind
filter, and a marker on files that have gone missing. Clicking one shows it; D and A step through the
list in its filtered order. Dropping files or folders anywhere on the window imports them.

The marker follows the files: each time the window shows a media item (or fails to), its file is looked at
again off the GUI thread, so a file renamed while FaceLens runs is marked, and one put back is unmarked (the
count below the list follows). A missing file's context menu offers *Locate file…*, which relinks the media
to the file chosen when its SHA-256 is the one recorded at import."""
from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRectF, QSize, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPalette, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (QAbstractItemView, QApplication, QComboBox, QFileDialog, QHBoxLayout, QLabel,
                               QLineEdit, QListView, QMenu, QStackedWidget, QVBoxLayout, QWidget)

from annotation.model import MediaItem
from gui import icons
from gui.background import run_in_thread
from gui.errors import short_message
from gui.thumbnails import THUMB_H, THUMB_W, ThumbnailLoader, load_thumbnail

ID_ROLE, KIND_ROLE, MISSING_ROLE, NAME_ROLE = Qt.UserRole + 1, Qt.UserRole + 2, Qt.UserRole + 3, Qt.UserRole + 4
KIND_FILTERS = (("All media", None), ("Images", "image"), ("Videos", "video"), ("Missing files", "missing"))
EMPTY_TEXT = "Drop images or videos here"


def details(m: MediaItem) -> str:
    size = f"{m.width}×{m.height}"
    if m.is_video:
        return f"video · {size} · {m.duration or 0:.1f}\u00a0s"
    return f"image · {size}"


def tooltip(m: MediaItem) -> str:
    extra = f"\n{m.frame_count} frames at {m.fps or 0:g} fps, {m.codec}" if m.is_video else ""
    return f"{m.path}\n{details(m)}{extra}\nSHA-256 {m.sha256[:16]}…"


class MediaFilter(QSortFilterProxyModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.text = ""
        self.kind: str | None = None

    def set_filter(self, text: str, kind: str | None) -> None:
        self.text, self.kind = text.strip().lower(), kind
        self.invalidateFilter()

    def filterAcceptsRow(self, row, parent) -> bool:
        item = self.sourceModel().item(row)
        if self.text and self.text not in item.data(NAME_ROLE).lower():
            return False
        if self.kind == "missing":
            return bool(item.data(MISSING_ROLE))
        return self.kind is None or item.data(KIND_ROLE) == self.kind


class MediaBrowser(QWidget):
    def __init__(self, window):
        super().__init__()
        self.window = window
        self.media: dict[int, MediaItem] = {}
        self.rows: dict[int, QStandardItem] = {}
        self.missing: set[int] = set()
        self._placeholders: dict[tuple[str, str], QIcon] = {}
        self.filter_box = QLineEdit()
        self.filter_box.setPlaceholderText("Filter by name…")
        self.filter_box.setClearButtonEnabled(True)
        self.filter_box.setToolTip("Show only media whose file name contains this text")
        self.kind_box = QComboBox()
        for title, _kind in KIND_FILTERS:
            self.kind_box.addItem(title)
        self.kind_box.setToolTip("Show only images, only videos, or files that have gone missing")
        self.model = QStandardItemModel(self)
        self.proxy = MediaFilter(self)
        self.proxy.setSourceModel(self.model)
        self.view = QListView()
        self.view.setModel(self.proxy)
        self.view.setIconSize(QSize(THUMB_W, THUMB_H))
        self.view.setUniformItemSizes(True)
        self.view.setSelectionMode(QAbstractItemView.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.view.setSpacing(2)
        self.view.setTextElideMode(Qt.ElideMiddle)
        self.view.setWordWrap(True)
        self.empty = QLabel(EMPTY_TEXT)
        self.empty.setAlignment(Qt.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setForegroundRole(QPalette.PlaceholderText)  # muted, and it follows a theme change
        self.empty.setMargin(24)
        big = QFont(self.empty.font())
        big.setPointSizeF(big.pointSizeF() * 1.3)
        self.empty.setFont(big)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.empty)
        self.count = QLabel()
        self.count.setForegroundRole(QPalette.PlaceholderText)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.filter_box, 1)
        top.addWidget(self.kind_box)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.stack, 1)
        lay.addWidget(self.count)
        self.thumbs = ThumbnailLoader(self)
        self.thumbs.loaded.connect(self._thumbnail_loaded, Qt.QueuedConnection)
        self.filter_box.textChanged.connect(self._apply_filter)
        self.kind_box.currentIndexChanged.connect(self._apply_filter)
        self.view.selectionModel().currentChanged.connect(self._picked)
        self.view.clicked.connect(self._clicked)
        self.view.setContextMenuPolicy(Qt.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._context_menu)
        window.mediaListChanged.connect(self.refresh)
        window.mediaChanged.connect(self._show_current)
        window.mediaChanged.connect(self.check_file)  # the window is about to read it: is it there?
        playback = getattr(window, "playback", None)
        if playback is not None:
            playback.failed.connect(lambda *_: self.check_file(self.window.current_media))
        self.refresh()

    # --- content -------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        project = self.window.project
        items = project.media.all() if project else []
        self.media = {m.id: m for m in items}
        # Clearing moves the list's current row, which is not the user picking another media: no _picked.
        self.view.selectionModel().blockSignals(True)
        self.model.clear()
        self.view.selectionModel().blockSignals(False)
        self.rows, self.missing = {}, set()
        for m in items:
            row = QStandardItem(f"{m.name}\n{details(m)}")
            row.setData(m.id, ID_ROLE)
            row.setData(m.kind, KIND_ROLE)
            row.setData(False, MISSING_ROLE)
            row.setData(m.name, NAME_ROLE)
            row.setToolTip(tooltip(m))
            row.setIcon(self._placeholder(m))
            self.model.appendRow(row)
            self.rows[m.id] = row
        if project is not None and items:
            self.thumbs.load(project, items)
        self._apply_filter()
        current = self.window.current_media
        fresh = self.media.get(current.id) if current is not None else None
        if fresh is not None and fresh.path != current.path:  # relinked (here, or by an import): read it there
            self.window.set_media(None)
            self.window.set_media(fresh)
        self._show_current(self.window.current_media)

    def visible_media(self) -> list[MediaItem]:
        """The media in the list's order, as filtered now (what D and A step through)."""
        out = []
        for r in range(self.proxy.rowCount()):
            media_id = self.proxy.index(r, 0).data(ID_ROLE)
            if media_id in self.media:
                out.append(self.media[media_id])
        return out

    def _apply_filter(self, *_):
        # Filtering moves the list's current row (the row on screen filtered out, another takes its place), which
        # is not the user picking another media: typing "img0" switched the open video to the last match.
        self.view.selectionModel().blockSignals(True)
        self.proxy.set_filter(self.filter_box.text(), KIND_FILTERS[self.kind_box.currentIndex()][1])
        self.view.selectionModel().blockSignals(False)
        self._show_current(self.window.current_media)
        total, shown = self.model.rowCount(), self.proxy.rowCount()
        self.stack.setCurrentWidget(self.view if total else self.empty)
        if self.window.project is None:
            self.empty.setText("No project open")
        else:
            self.empty.setText(EMPTY_TEXT)
        missing = len(self.missing)
        text = f"{shown} of {total} media" if shown != total else f"{total} media"
        self.count.setText(text + (f" · {missing} missing" if missing else ""))

    # --- selection -----------------------------------------------------------------------------------------
    def _picked(self, current, _previous) -> None:
        media_id = current.data(ID_ROLE) if current.isValid() else None
        if media_id is not None and (self.window.current_media is None or self.window.current_media.id != media_id):
            self.window.set_media(self.media[media_id])

    def _clicked(self, index) -> None:
        """A click on the missing media already on screen looks for its file again (it may be back)."""
        media_id = index.data(ID_ROLE)
        current = self.window.current_media
        if current is not None and media_id == current.id and media_id in self.missing:
            self.check_file(current, reopen=True)

    def _show_current(self, item) -> None:
        if item is None:
            self.view.clearSelection()
            return
        for r in range(self.proxy.rowCount()):
            index = self.proxy.index(r, 0)
            if index.data(ID_ROLE) == item.id:
                self.view.selectionModel().blockSignals(True)
                self.view.setCurrentIndex(index)
                self.view.selectionModel().blockSignals(False)
                # Not while the row is being pressed: a row cut off at the edge scrolled under the mouse, and the
                # release selected the next row, highlighted while the pressed one was shown (Qt holds its own
                # scrolling back during a press for this). D and A, and a row out of sight, are scrolled to.
                pressing = QApplication.mouseButtons() != Qt.NoButton
                if not pressing or not self.view.viewport().rect().intersects(self.view.visualRect(index)):
                    self.view.scrollTo(index)
                self.view.viewport().update()
                return
        # filtered out: nothing highlighted (another row was, while this media stayed on screen)
        self.view.selectionModel().blockSignals(True)
        self.view.setCurrentIndex(QModelIndex())
        self.view.clearSelection()
        self.view.selectionModel().blockSignals(False)

    # --- missing files -------------------------------------------------------------------------------------
    def check_file(self, item: MediaItem | None, reopen: bool = False) -> None:
        """Look at ``item``'s file again, off the GUI thread, and mark or unmark it (``reopen``: show it again
        when it is back)."""
        project = self.window.project
        if project is None or item is None:
            return

        def done(result, error) -> None:
            if error is not None or project is not self.window.project:
                return
            image, exists = result
            self._show_file_state(item.id, image, exists)
            current = self.window.current_media
            if reopen and exists and current is not None and current.id == item.id:
                self.window.reopen_media()

        run_in_thread(lambda: load_thumbnail(project, item), done)

    def _show_file_state(self, media_id: int, image, exists: bool) -> None:
        row, m = self.rows.get(media_id), self.media.get(media_id)
        if row is None or m is None:
            return
        pm = QPixmap.fromImage(image) if image is not None else None
        row.setIcon(self._decorated(m, pm, missing=not exists))
        was_missing = media_id in self.missing
        if exists:
            self.missing.discard(media_id)
            row.setData(False, MISSING_ROLE)
            row.setText(f"{m.name}\n{details(m)}")
            row.setToolTip(tooltip(m))
        else:
            self.missing.add(media_id)
            row.setData(True, MISSING_ROLE)
            row.setText(f"{m.name}\nmissing: {details(m)}")
            row.setToolTip(f"The file is missing (moved or deleted?):\n{m.path}\nRight-click → Locate file… "
                           "to say where it is now")
        if was_missing == exists:
            self._apply_filter()  # the count and the "Missing files" filter change

    def context_menu(self, media_id: int) -> QMenu:
        menu = QMenu(self)
        if media_id in self.missing:
            act = menu.addAction("Locate file…", lambda: self.locate(media_id))
            act.setToolTip("Choose where the file is now; it must be the same file (same SHA-256)")
        return menu

    def _context_menu(self, pos) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        menu = self.context_menu(index.data(ID_ROLE))
        if not menu.isEmpty():
            menu.exec(self.view.viewport().mapToGlobal(pos))

    def _look_first(self, m) -> str:
        """Where the file was (its folder, or the nearest that is still there), else the project: a moved file
        is usually nearby."""
        project = self.window.project
        if project is None:
            return ""
        folder = project.absolute_path(m.path).parent
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent
        return str(folder if folder.is_dir() else project.root)

    def locate(self, media_id: int) -> None:
        m = self.media.get(media_id)
        if m is None:
            return
        path, _ = QFileDialog.getOpenFileName(self, f"Where is {m.name} now?", self._look_first(m),
                                              f"{m.name} and other media (*.*)")
        if path:
            self.relink(media_id, path)

    def relink(self, media_id: int, path: str) -> None:
        """Point media ``media_id`` at ``path`` (hashed off the GUI thread); a different file is refused."""
        project, w = self.window.project, self.window
        if project is None:
            return
        w.statusBar().showMessage(f"Checking {path}…")

        def done(item, error) -> None:
            if project is not w.project:
                return
            if error is not None:
                w.report_error(f"Not relinked: {short_message(error)}", getattr(error, "details", ""))
                return
            w.mediaListChanged.emit()  # the path changed everywhere it is shown (and the item on screen is read again)
            w.statusBar().showMessage(f"Relinked media {item.id} to {item.path}", 8000)

        run_in_thread(lambda: project.media.relink(media_id, path), done)

    # --- thumbnails ----------------------------------------------------------------------------------------
    def _thumbnail_loaded(self, generation, media_id, image, exists) -> None:
        if generation != self.thumbs.generation:
            return
        self._show_file_state(media_id, image, exists)

    def _placeholder(self, m: MediaItem):
        """Until its thumbnail arrives; one per kind and length, so a list of thousands fills at once."""
        key = (m.kind, _duration(m.duration or 0) if m.is_video else "")
        if key not in self._placeholders:
            self._placeholders[key] = self._decorated(m, None, missing=False)
        return self._placeholders[key]

    def _decorated(self, m: MediaItem, thumb: QPixmap | None, missing: bool):
        """The thumbnail fitted in a fixed frame, with a duration badge on videos and a warning if missing."""
        canvas = QPixmap(THUMB_W * 2, THUMB_H * 2)
        canvas.setDevicePixelRatio(2)
        canvas.fill(Qt.transparent)
        p = QPainter(canvas)
        p.setRenderHint(QPainter.Antialiasing)
        p.setRenderHint(QPainter.SmoothPixmapTransform)
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(128, 128, 128, 60))
        p.drawRoundedRect(QRectF(0, 0, THUMB_W, THUMB_H), 4, 4)
        if thumb is not None:
            scaled = thumb.scaled(THUMB_W * 2, THUMB_H * 2, Qt.KeepAspectRatio, Qt.SmoothTransformation)
            scaled.setDevicePixelRatio(2)
            w, h = scaled.width() / 2, scaled.height() / 2
            p.drawPixmap(QRectF((THUMB_W - w) / 2, (THUMB_H - h) / 2, w, h), scaled, QRectF(scaled.rect()))
        else:
            kind_icon = icons.icon("play" if m.is_video else "fit")
            p.drawPixmap(QRectF(THUMB_W / 2 - 12, THUMB_H / 2 - 12, 24, 24), kind_icon.pixmap(24, 24),
                         QRectF(0, 0, 24, 24))
        if m.is_video:
            text = _duration(m.duration or 0)
            font = QFont(p.font())
            font.setPixelSize(10)
            font.setBold(True)
            p.setFont(font)
            width = p.fontMetrics().horizontalAdvance(text) + 8
            badge = QRectF(THUMB_W - width - 3, THUMB_H - 17, width, 14)
            p.setBrush(QColor(0, 0, 0, 170))
            p.drawRoundedRect(badge, 3, 3)
            p.setPen(QColor("white"))
            p.drawText(badge, Qt.AlignCenter, text)
        if missing:
            p.setBrush(QColor(0, 0, 0, 110))
            p.setPen(Qt.NoPen)
            p.drawRoundedRect(QRectF(0, 0, THUMB_W, THUMB_H), 4, 4)
            warn = icons.icon("missing").pixmap(24, 24)
            p.drawPixmap(QRectF(THUMB_W / 2 - 12, THUMB_H / 2 - 12, 24, 24), warn, QRectF(0, 0, 24, 24))
        p.end()
        return QIcon(canvas)


def _duration(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m}:{s:02d}"
