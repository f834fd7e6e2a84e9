"""Time segments: labelled stretches of a video on a tier (ER, FER, ...) per annotator.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "time_segments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("media_id", sa.Integer, sa.ForeignKey("media.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("tier", sa.String(64), nullable=False),
        sa.Column("annotator", sa.String(128), nullable=False),
        sa.Column("start", sa.Float, nullable=False),
        sa.Column("end", sa.Float, nullable=False),
        sa.Column("values", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.CheckConstraint('"end" >= start', name="segment_order"),
    )
    op.create_index("segments_by_tier", "time_segments", ["media_id", "tier", "annotator", "start"])


def downgrade() -> None:
    op.drop_table("time_segments")
