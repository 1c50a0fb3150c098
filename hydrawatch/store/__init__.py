"""The alert store (SQLAlchemy). Tables live in submodules on one declarative ``Base``."""

from hydrawatch.store.models import (
    AlertRow,
    Base,
    CampaignRow,
    MemberRow,
    StoreAlertSink,
    init_db,
    make_engine,
    save_alert,
)

__all__ = ["AlertRow", "Base", "CampaignRow", "MemberRow", "StoreAlertSink", "init_db", "make_engine", "save_alert"]
