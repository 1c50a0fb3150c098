"""Stream state: checkpoints with their offsets, the alert outbox and the alerts-topic cursors.

Stores written by earlier versions of ``hydrawatch stream`` already hold these tables (created outside
migrations); they are kept as they are.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    if "stream_checkpoints" not in existing:
        op.create_table(
            "stream_checkpoints",
            sa.Column("key", sa.String(300), primary_key=True),
            sa.Column("offsets", sa.JSON(), nullable=False),
            sa.Column("state", sa.LargeBinary(), nullable=False),
            sa.Column("events", sa.Integer(), nullable=False),
            sa.Column("saved_at", sa.Float(), nullable=False),
        )
    if "stream_outbox" not in existing:
        op.create_table(
            "stream_outbox",
            sa.Column("key", sa.String(300), primary_key=True),
            sa.Column("seq", sa.Integer(), primary_key=True),
            sa.Column("alert_id", sa.String(80), nullable=False),
            sa.Column("payload", sa.JSON(), nullable=False),
            sa.UniqueConstraint("key", "alert_id"),
        )
    if "stream_cursors" not in existing:
        op.create_table(
            "stream_cursors",
            sa.Column("key", sa.String(300), primary_key=True),
            sa.Column("published_seq", sa.Integer(), nullable=False),
            sa.Column("topic_offsets", sa.JSON(), nullable=False),
        )


def downgrade() -> None:
    for table in ("stream_cursors", "stream_outbox", "stream_checkpoints"):
        op.drop_table(table)
