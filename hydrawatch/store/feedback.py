"""Analyst feedback into a detector: the store's allow-list entries and triage decisions."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.engine import Engine

from detector.allowlist import AllowListMatcher
from hydrawatch.store.allowlists import load_allowlist, merge_allowlists
from hydrawatch.store.triage import triaged_campaigns

log = logging.getLogger(__name__)


def apply_feedback(detector: Any, engine: Engine) -> None:
    """Merge stored allow-lists into ``detector.settings.allowlist`` and preset triaged campaigns."""
    stored = load_allowlist(engine)
    settings = detector.settings
    settings.allowlist = merge_allowlists(settings.allowlist, stored)
    detector.allow = AllowListMatcher(settings.allowlist)
    triaged = triaged_campaigns(engine)
    for campaign_id, status, size, version in triaged:
        detector.tracker.preset_status(campaign_id, status, size, version)
    log.info(
        "feedback from the store: %d allow-list entries, %d triaged campaigns",
        sum(len(getattr(stored, k)) for k in ("accounts", "orgs", "payment_fingerprints", "ips")),
        len(triaged),
    )
