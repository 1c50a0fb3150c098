"""Every table of the store on one metadata (what migrations and schema checks compare against)."""

from __future__ import annotations

from hydrawatch.store import accounts, allowlists, auth, feed, triage, webhooks
from hydrawatch.store.models import Base

metadata = Base.metadata
MODULES = (accounts, allowlists, auth, feed, triage, webhooks)
