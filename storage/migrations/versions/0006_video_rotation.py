"""Media rotation: how many degrees clockwise a video's decoded frames are turned to be shown upright.

A phone records a portrait video as landscape frames with a display rotation in its metadata, which players
apply. FaceLens now applies it as well, and records it per video at import: width, height, masks and exports are
then those of the upright picture. Videos imported before keep 0, so the frames they are shown with, and every
annotation made on them, stay as they were.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("media") as batch:
        batch.add_column(sa.Column("rotation", sa.Integer, nullable=False, server_default="0"))
        batch.create_check_constraint("media_rotation", "rotation IN (0, 90, 180, 270)")


def downgrade() -> None:
    with op.batch_alter_table("media") as batch:
        batch.drop_constraint("media_rotation", type_="check")
        batch.drop_column("rotation")
