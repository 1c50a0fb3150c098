"""Every table of the store on one metadata (what migrations and schema checks compare against)."""

from __future__ import annotations

from hydrawatch.store import accounts, allowlists, auth, feed, triage, webhooks
from hydrawatch.store.models import Base
from streams.checkpoint import StreamBase

metadata = Base.metadata
MODULES = (accounts, allowlists, auth, feed, triage, webhooks)
for _table in StreamBase.metadata.tables.values():  # the stream runtime's tables, declared in `streams`
    if _table.name not in metadata.tables:
        _table.to_metadata(metadata)
