"""Analyst service: accounts, activity, triage trail, API tokens, secrets, allow-lists, alert feed.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "accounts",
        sa.Column("account_id", sa.String(200), primary_key=True),
        sa.Column("first_alerted_at", TZ, nullable=False),
        sa.Column("last_alerted_at", TZ, nullable=False),
        sa.Column("alert_versions", sa.Integer(), nullable=False),
        sa.Column("campaigns", sa.Integer(), nullable=False),
        sa.Column("max_score", sa.Float(), nullable=False),
        sa.Column("max_severity", sa.String(16), nullable=False),
    )
    op.create_index("ix_accounts_first_alerted_at", "accounts", ["first_alerted_at"])
    op.create_index("ix_accounts_last_alerted_at", "accounts", ["last_alerted_at"])
    op.create_table(
        "account_activity",
        sa.Column("account_id", sa.String(200), primary_key=True),
        sa.Column("hour", sa.Integer(), primary_key=True),
        sa.Column("model", sa.String(120), primary_key=True),
        sa.Column("requests", sa.Integer(), nullable=False),
    )
    op.create_table(
        "triage_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("campaign_id", sa.String(64), sa.ForeignKey("campaigns.campaign_id"), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("status_before", sa.String(16), nullable=False),
        sa.Column("status_after", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("ix_triage_events_campaign_id", "triage_events", ["campaign_id"])
    op.create_index("ix_triage_events_at", "triage_events", ["at"])
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("revoked_at", TZ, nullable=True),
    )
    op.create_index("ix_api_tokens_token_hash", "api_tokens", ["token_hash"], unique=True)
    op.create_table(
        "service_secrets",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("value", sa.String(200), nullable=False),
    )
    op.create_table(
        "allowlist_entries",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("value", sa.String(500), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.UniqueConstraint("kind", "value", name="uq_allowlist_kind_value"),
    )
    op.create_index("ix_allowlist_entries_kind", "allowlist_entries", ["kind"])
    op.create_table(
        "alert_feed",
        sa.Column("seq", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.String(80), sa.ForeignKey("alerts.alert_id"), nullable=False, unique=True),
        sa.Column("campaign_id", sa.String(64), nullable=False),
        sa.Column("stored_at", TZ, nullable=False),
    )
    op.create_index("ix_alert_feed_campaign_id", "alert_feed", ["campaign_id"])


def downgrade() -> None:
    for table in (
        "alert_feed",
        "allowlist_entries",
        "service_secrets",
        "api_tokens",
        "triage_events",
        "account_activity",
        "accounts",
    ):
        op.drop_table(table)
