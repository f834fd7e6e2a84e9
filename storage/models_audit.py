"""Schema of the forensic audit: detector runs, their per-sample results and features, reviewers' verdicts."""
from __future__ import annotations

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class DetectorRun(Base):
    """One set of detector scores: imported from a file or computed inside FaceLens."""

    __tablename__ = "detector_runs"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model: Mapped[str] = mapped_column(String(256))
    version: Mapped[str] = mapped_column(String(64), default="")
    params: Mapped[str] = mapped_column(Text, default="{}")  # JSON: how the scores were made
    source: Mapped[str] = mapped_column(Text, default="")  # the imported file, or "facelens"
    source_sha256: Mapped[str] = mapped_column(String(64), default="")
    features_source: Mapped[str] = mapped_column(Text, default="")  # the .npy of feature vectors, if any
    features_sha256: Mapped[str] = mapped_column(String(64), default="")
    aggregation: Mapped[str] = mapped_column(String(16), default="mean")  # frame scores -> video score
    created_at: Mapped[float] = mapped_column(Float)


class DetectorResult(Base):
    """One scored sample (a media item, a frame, or a face in a frame) of a run."""

    __tablename__ = "detector_results"
    __table_args__ = (
        CheckConstraint("score >= 0 AND score <= 1", name="result_score_range"),
        CheckConstraint("label IS NULL OR label IN ('bona_fide', 'attack')", name="result_label"),
        CheckConstraint("split IS NULL OR split IN ('dev', 'test')", name="result_split"),
        Index("results_by_run", "run_id", "row"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("detector_runs.id", ondelete="CASCADE"))
    row: Mapped[int] = mapped_column(Integer)  # position in the imported file (0-based data row)
    media_id: Mapped[int] = mapped_column(ForeignKey("media.id", ondelete="RESTRICT"))
    frame: Mapped[int | None] = mapped_column(Integer)
    face: Mapped[int | None] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    label: Mapped[str | None] = mapped_column(String(16))
    attack_type: Mapped[str | None] = mapped_column(String(128))
    split: Mapped[str | None] = mapped_column(String(8))
    box: Mapped[str | None] = mapped_column(Text)  # JSON [x0, y0, x1, y1] in pixels: the face crop, when known


class FeatureChunk(Base):
    """Feature vectors of a run's results, as float32 rows in BLOB chunks (row order = result row order)."""

    __tablename__ = "detector_features"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("detector_runs.id", ondelete="CASCADE"), index=True)
    first_row: Mapped[int] = mapped_column(Integer)
    rows: Mapped[int] = mapped_column(Integer)
    dim: Mapped[int] = mapped_column(Integer)
    dtype: Mapped[str] = mapped_column(String(8), default="<f4")
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Verdict(Base):
    """A reviewer's decision on one result; each is also an entry in the audit chain."""

    __tablename__ = "verdicts"
    __table_args__ = (
        CheckConstraint("verdict IN ('bona_fide', 'attack', 'deepfake', 'unsure')", name="verdict_value"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("detector_results.id", ondelete="RESTRICT"), index=True)
    verdict: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    reviewer: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[float] = mapped_column(Float)
