"""Media, label taxonomies, tracks, annotations, settings and the audit log.

Revision ID: 0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "settings",
        sa.Column("key", sa.String(128), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "media",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("path", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False, unique=True),
        sa.Column("size_bytes", sa.Integer, nullable=False),
        sa.Column("width", sa.Integer, nullable=False),
        sa.Column("height", sa.Integer, nullable=False),
        sa.Column("fps", sa.Float),
        sa.Column("frame_count", sa.Integer),
        sa.Column("duration", sa.Float),
        sa.Column("codec", sa.String(32)),
        sa.Column("imported_at", sa.Float, nullable=False),
        sa.CheckConstraint("kind IN ('image', 'video')", name="media_kind"),
    )
    op.create_table(
        "taxonomies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(128), nullable=False, unique=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
    )
    op.create_table(
        "labels",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("taxonomy_id", sa.Integer, sa.ForeignKey("taxonomies.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("color", sa.String(7), nullable=False),
        sa.Column("key", sa.String(8), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("taxonomy_id", "name", name="label_name_in_taxonomy"),
    )
    op.create_table(
        "tracks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("media_id", sa.Integer, sa.ForeignKey("media.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("label_id", sa.Integer, sa.ForeignKey("labels.id", ondelete="SET NULL")),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    )
    op.create_index("ix_tracks_media_id", "tracks", ["media_id"])
    op.create_table(
        "annotations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("media_id", sa.Integer, sa.ForeignKey("media.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("frame", sa.Integer),
        sa.Column("track_id", sa.Integer, sa.ForeignKey("tracks.id", ondelete="RESTRICT")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("label_id", sa.Integer, sa.ForeignKey("labels.id", ondelete="RESTRICT")),
        sa.Column("attributes", sa.Text, nullable=False),
        sa.Column("geometry", sa.Text, nullable=False),
        sa.Column("score", sa.Float),
        sa.Column("source", sa.String(128), nullable=False),
        sa.Column("annotator", sa.String(128), nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
        sa.CheckConstraint("kind IN ('box', 'polygon', 'mask', 'points', 'keypoints', 'tag')", name="annotation_kind"),
    )
    op.create_index("annotations_by_frame", "annotations", ["media_id", "frame"])
    op.create_index("annotations_by_track", "annotations", ["track_id"])
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("time", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(64), nullable=False),
        sa.Column("entity", sa.String(128), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    if op.get_bind().dialect.name == "sqlite":
        # The log is append-only; `verify` still catches anyone who drops these triggers to edit it.
        for what in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_log_no_{what.lower()} BEFORE {what} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
            )


def downgrade() -> None:
    for name in ("audit_log", "annotations", "tracks", "labels", "taxonomies", "media", "settings"):
        op.drop_table(name)
