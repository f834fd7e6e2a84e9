"""Ids of annotations, tracks and time segments are never handed out twice (SQLite AUTOINCREMENT).

Without AUTOINCREMENT SQLite gives a new row the largest id in the table plus one, so the id of a shape that
was just undone (deleted) went to the next shape made, by the CLI say: redoing the first one then failed
("UNIQUE constraint failed: annotations.id") and the audit log's ``annotation:15`` named two objects. SQLite
can only add AUTOINCREMENT by building the table again: each table is copied row for row, ids included, into
a new one with the same columns, constraints and indexes, which then takes the old one's name. The counter
SQLite keeps (``sqlite_sequence``) starts above every id the table holds and every id its audit entries
name, so an id used before the upgrade and deleted since is not handed out again either.

PostgreSQL's sequences never hand an id out twice; there is nothing to do there.

Revision ID: 0005
Revises: 0004
"""
import json
import re

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def _annotations_columns():
    return [
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
    ]


def _tracks_columns():
    return [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("media_id", sa.Integer, sa.ForeignKey("media.id", ondelete="RESTRICT"), nullable=False),
        sa.Column("label_id", sa.Integer, sa.ForeignKey("labels.id", ondelete="SET NULL")),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("created_at", sa.Float, nullable=False),
    ]


def _segments_columns():
    return [
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
    ]


# table: (its columns, its indexes as (name, columns), the audit log's name for one of its rows)
TABLES = {
    "tracks": (_tracks_columns, [("ix_tracks_media_id", ["media_id"])], "track"),
    "annotations": (_annotations_columns, [("annotations_by_frame", ["media_id", "frame"]),
                                           ("annotations_by_track", ["track_id"])], "annotation"),
    "time_segments": (_segments_columns, [("segments_by_tier", ["media_id", "tier", "annotator", "start"])],
                      "segment"),
}


def _rebuild(table: str, autoincrement: bool) -> None:
    """SQLite's way to change a table's definition: a new table, every row copied, ids included, the old one
    dropped (foreign keys are off during migrations: ``storage.schema.upgrade``) and the new one renamed."""
    columns, indexes, _ = TABLES[table]
    made = columns()
    names = ", ".join(f'"{c.name}"' for c in made if isinstance(c, sa.Column))
    temporary = f"_{table}_0005"
    op.create_table(temporary, *made, sqlite_autoincrement=autoincrement)
    op.execute(f"INSERT INTO {temporary} ({names}) SELECT {names} FROM {table}")
    op.drop_table(table)  # its indexes go with it
    op.rename_table(temporary, table)
    for name, cols in indexes:
        op.create_index(name, table, cols)


def _ids_named_in_the_audit_log(conn, entity: str) -> list[int]:
    """Ids the audit log names for rows of one table: ``annotation:15``, and ids a bulk write replaced."""
    ids = []
    pattern = re.compile(rf"^{entity}:(\d+)$")
    for (name,) in conn.exec_driver_sql("SELECT entity FROM audit_log WHERE entity LIKE ?", (f"{entity}:%",)):
        m = pattern.match(name)
        if m:
            ids.append(int(m.group(1)))
    for (payload,) in conn.exec_driver_sql("SELECT payload FROM audit_log WHERE entity = ? AND payload LIKE ?",
                                          (f"{entity}s", '%"replaced"%')):
        try:
            replaced = json.loads(payload).get("replaced", [])
        except (ValueError, AttributeError):
            continue
        ids.extend(int(i) for i in replaced if isinstance(i, int))
    return ids


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "sqlite":
        return
    for table, (_, _, entity) in TABLES.items():
        _rebuild(table, autoincrement=True)
        highest = max([conn.exec_driver_sql(f"SELECT COALESCE(MAX(id), 0) FROM {table}").scalar(),
                       *_ids_named_in_the_audit_log(conn, entity)])
        # Copying the rows left sqlite_sequence at the table's largest id (or without a row, when it is empty).
        conn.exec_driver_sql("DELETE FROM sqlite_sequence WHERE name = ?", (table,))
        conn.exec_driver_sql("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (table, highest))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        _rebuild(table, autoincrement=False)
