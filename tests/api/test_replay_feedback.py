"""Replay into the store with analyst feedback: activity and accounts filled, dismissed campaigns stay quiet
unless they grow, allow-listed accounts never alerted. Real simulator, detector and SQLite store."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hydrawatch.replay import replay
from hydrawatch.settings import Settings
from hydrawatch.simulator import generate
from hydrawatch.store import make_engine
from hydrawatch.store.accounts import AccountRow, ActivityRow
from hydrawatch.store.allowlists import add_entry
from hydrawatch.store.models import AlertRow, CampaignRow, MemberRow
from hydrawatch.store.triage import triage_campaign

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    return generate(out, scale=0.15, days=0.75, seed=11).events_path


def run(events: Path, url: str) -> None:
    replay([events], Settings(db_url=url), alerts_out=events.with_name("alerts.jsonl"))


def test_feedback_round_trip(events: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hw.db'}"
    run(events, url)
    engine = make_engine(url)
    with Session(engine) as session:
        campaigns = list(session.scalars(select(CampaignRow)))
        versions_of = {c.campaign_id: c.version for c in campaigns}
        versions = session.scalar(select(func.count()).select_from(AlertRow))
        assert campaigns, "the simulated campaigns should be detected"
        members = session.scalar(select(func.count(func.distinct(MemberRow.account_id))))
        assert session.scalar(select(func.count()).select_from(AccountRow)) == members
        assert session.scalar(select(func.sum(ActivityRow.requests))) == sum(1 for _ in events.open())
    with Session(engine) as session, session.begin():
        for campaign in campaigns:
            triage_campaign(session, campaign.campaign_id, "dismiss", "test", "tester")
    dismissed_size = {c.campaign_id: c.size for c in campaigns}
    run(events, url)  # the same traffic again: only material growth over what was dismissed re-alerts
    with Session(engine) as session:
        realerted = [a for a in session.scalars(select(AlertRow)) if a.version > versions_of[a.campaign_id]]
        for alert in realerted:  # the store had fewer members than the tracker accumulates silently
            assert len(alert.payload["accounts"]) >= 1.5 * dismissed_size[alert.campaign_id]
        quiet = {c.campaign_id for c in campaigns} - {a.campaign_id for a in realerted}
        assert quiet, "campaigns that did not grow stay quiet"
        statuses = dict(session.execute(select(CampaignRow.campaign_id, CampaignRow.status)).all())
        assert {statuses[c] for c in quiet} == {"dismissed"}
        assert {statuses[a.campaign_id] for a in realerted} <= {"open"}
        assert session.scalar(select(func.count()).select_from(AlertRow)) == versions + len(realerted)
        assert session.scalar(select(func.sum(ActivityRow.requests))) == sum(1 for _ in events.open())

    fresh = f"sqlite:///{tmp_path / 'allow.db'}"
    engine = make_engine(fresh)
    from hydrawatch.store.migrate import upgrade

    upgrade(engine)
    target = campaigns[0]
    with Session(engine) as session, session.begin():
        for account in target.alert["accounts"]:
            add_entry(session, "accounts", account, "known customer", "tester")
    run(events, fresh)
    with Session(engine) as session:
        flagged = set(session.scalars(select(MemberRow.account_id)))
    assert flagged.isdisjoint(target.alert["accounts"])
