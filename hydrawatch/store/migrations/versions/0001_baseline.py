"""Baseline: campaigns, alert versions and campaign members (the tables of the first store).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("campaign_id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("first_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("shadow", sa.Boolean(), nullable=False),
        sa.Column("alert", sa.JSON(), nullable=False),
    )
    for column in ("severity", "status", "size", "first_seen", "detected_at"):
        op.create_index(f"ix_campaigns_{column}", "campaigns", [column])
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(80), primary_key=True),
        sa.Column("campaign_id", sa.String(64), sa.ForeignKey("campaigns.campaign_id"), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("detected_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
    )
    op.create_index("ix_alerts_campaign_id", "alerts", ["campaign_id"])
    op.create_index("ix_alerts_detected_at", "alerts", ["detected_at"])
    op.create_table(
        "campaign_members",
        sa.Column("campaign_id", sa.String(64), sa.ForeignKey("campaigns.campaign_id"), primary_key=True),
        sa.Column("account_id", sa.String(200), primary_key=True),
        sa.Column("since_version", sa.Integer(), nullable=False),
    )
    op.create_index("ix_campaign_members_account_id", "campaign_members", ["account_id"])


def downgrade() -> None:
    op.drop_table("campaign_members")
    op.drop_table("alerts")
    op.drop_table("campaigns")
