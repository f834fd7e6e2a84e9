"""Detector runs, their results and features, and reviewers' verdicts.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "detector_runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model", sa.String(256), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("params", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("source_sha256", sa.String(64), nullable=False),
        sa.Column("features_source", sa.Text, nullable=False),
        sa.Column("features_sha256", sa.String(64), nullable=False),
        sa.Column("aggregation", sa.String(16), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_table(
        "detector_results",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("detector_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("row", sa.Integer, nullable=False),
        sa.Column("media_id", sa.Integer, sa.ForeignKey("media.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("frame", sa.Integer),
        sa.Column("face", sa.Integer),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("label", sa.String(16)),
        sa.Column("attack_type", sa.String(128)),
        sa.Column("split", sa.String(8)),
        sa.Column("box", sa.Text),
        sa.CheckConstraint("score >= 0 AND score <= 1", name="result_score_range"),
        sa.CheckConstraint("label IS NULL OR label IN ('bona_fide', 'attack')", name="result_label"),
        sa.CheckConstraint("split IS NULL OR split IN ('dev', 'test')", name="result_split"),
    )
    op.create_index("results_by_run", "detector_results", ["run_id", "row"])
    op.create_table(
        "detector_features",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("detector_runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("first_row", sa.Integer, nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("dtype", sa.String(8), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_detector_features_run_id", "detector_features", ["run_id"])
    op.create_table(
        "verdicts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("result_id", sa.Integer, sa.ForeignKey("detector_results.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("reviewer", sa.String(128), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.CheckConstraint("verdict IN ('bona_fide', 'attack', 'deepfake', 'unsure')", name="verdict_value"),
    )
    op.create_index("ix_verdicts_result_id", "verdicts", ["result_id"])


def downgrade() -> None:
    for name in ("verdicts", "detector_features", "detector_results", "detector_runs"):
        op.drop_table(name)
