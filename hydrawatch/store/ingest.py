"""What ``save_alert`` does beyond the campaign tables: accounts, feed, re-opening re-alerted campaigns,
the webhook outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from hydrawatch.store.accounts import record_alert_accounts
from hydrawatch.store.feed import record_stored
from hydrawatch.store.models import CampaignRow
from hydrawatch.store.triage import note_absorbed, reopen_if_realerted
from hydrawatch.webhooks.outbox import enqueue as enqueue_webhooks


def after_save(
    session: Session, campaign: CampaignRow, alert: dict[str, Any], detected: datetime, new_members: set[str]
) -> None:
    """Called by ``save_alert`` once per newly stored alert version."""
    record_alert_accounts(session, alert, detected, new_members)
    record_stored(session, alert["alert_id"], alert["campaign_id"])
    reopen_if_realerted(session, campaign, alert)
    note_absorbed(session, alert)
    enqueue_webhooks(session, campaign, alert)  # the outbox row commits with the alert
