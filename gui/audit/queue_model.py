"""The review queue as a table model: one row per flagged sample, most at risk first."""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

REASON_WORDS = {"outside_knowledge": "unknown", "near_threshold": "near", "contradicts_label": "contradicts",
                "reviewed": "reviewed"}
REASON_TIPS = {"outside_knowledge": "outside the model's knowledge (low Mahalanobis confidence)",
               "near_threshold": "score within the uncertainty band around the threshold",
               "contradicts_label": "the model's decision contradicts the ground truth",
               "reviewed": "not flagged, but has a verdict"}
REASON_TEXT = {"outside_knowledge": "outside the model's knowledge", "near_threshold": "near the threshold",
               "contradicts_label": "contradicts the ground truth", "reviewed": "has a verdict"}
# The verdict and the sample come before the reasons: in a narrow dock the last column is the one cut off, and the
# details under the table spell the reasons out.
COLUMNS = ("Risk", "Score", "Label", "Verdict", "Sample", "Why")
VERDICT_COLUMN = COLUMNS.index("Verdict")


class QueueModel(QAbstractTableModel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.items: list = []
        self.paths: dict[int, str] = {}
        self.videos: set[int] = set()

    def set_items(self, items: list, paths: dict[int, str], videos: set[int] = frozenset()) -> None:
        """``videos``: the media ids that are videos (an image's frame 0 is no place in time)."""
        self.beginResetModel()
        self.items, self.paths, self.videos = list(items), paths, set(videos)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent=QModelIndex()) -> int:
        return len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if role == Qt.DisplayRole and orientation == Qt.Horizontal:
            return COLUMNS[section]
        return None

    def item(self, row: int):
        return self.items[row] if 0 <= row < len(self.items) else None

    def row_of(self, result_id: int) -> int:
        return next((i for i, q in enumerate(self.items) if q.result_id == result_id), -1)

    def verdict_changed(self, result_id: int) -> None:
        row = self.row_of(result_id)
        if row >= 0:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def data(self, index, role=Qt.DisplayRole):
        q = self.item(index.row())
        if q is None:
            return None
        col = index.column()
        if role == Qt.DisplayRole:
            return self._text(q, col)
        if role == Qt.ToolTipRole:
            tips = "\n".join(REASON_TIPS[r] for r in q.reasons)
            conf = f"\nconfidence {q.confidence:.3f}, nearest {q.nearest}" if q.confidence is not None else ""
            note = f"\nnote: {q.verdict.note}" if q.verdict and q.verdict.note else ""
            where = self.paths.get(q.media_id, f"media {q.media_id}") + ("" if q.frame is None else f", frame {q.frame}")
            return f"result {q.result_id} ({where}):\n{tips}{conf}{note}"
        if role == Qt.TextAlignmentRole and col in (0, 1):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.FontRole and q.verdict is None:
            return None
        return None

    def _text(self, q, col: int) -> str:
        if col == 0:
            return f"{q.risk:.2f}"
        if col == 1:
            return f"{q.score:.3f}"
        if col == 2:
            return (q.label or "?").replace("_", " ") + (f" ({q.attack_type})" if q.attack_type else "")
        if col == 3:
            return q.verdict.verdict.replace("_", " ") if q.verdict else ""
        if col == 4:
            name = self.paths.get(q.media_id, str(q.media_id)).rsplit("/", 1)[-1]
            return f"{name} @{q.frame}" if q.frame is not None and q.media_id in self.videos else name
        return ", ".join(REASON_WORDS[r] for r in q.reasons)
