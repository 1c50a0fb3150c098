"""The store: migrations (from empty and from a pre-migration store), activity, feedback into the detector."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hw_api import make_alert, seed, store
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from detector.campaigns import CampaignTracker
from hydrawatch.settings import AllowList, Settings
from hydrawatch.store import make_engine
from hydrawatch.store.accounts import ActivityRecorder, ActivityRow
from hydrawatch.store.allowlists import add_entry, load_allowlist, merge_allowlists
from hydrawatch.store.feedback import apply_feedback
from hydrawatch.store.migrate import current, head, upgrade
from hydrawatch.store.models import Base
from hydrawatch.store.schema import metadata
from hydrawatch.store.triage import triage_campaign, triaged_campaigns


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    assert current(engine) == head()
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    upgrade(engine)  # idempotent
    assert current(engine) == head()


def test_stream_tables_created_by_earlier_streams_are_kept(tmp_path: pytest.TempPathFactory) -> None:
    from streams.checkpoint import StreamBase, StreamStore

    engine = make_engine(f"sqlite:///{tmp_path}/streamed.db")
    upgrade(engine, "0003")
    earlier = [StreamBase.metadata.tables[name] for name in ("stream_checkpoints", "stream_outbox", "stream_cursors")]
    StreamBase.metadata.create_all(engine, tables=earlier)  # what `hydrawatch stream` did before migration 0004
    with engine.begin() as connection:
        connection.exec_driver_sql("INSERT INTO stream_checkpoints (key, offsets, state, events, saved_at) "
                                   "VALUES ('all', '{\"0\": 7}', x'01', 7, 1.0)")
    upgrade(engine)
    assert current(engine) == head()
    checkpoint = StreamStore(engine).load("all")
    assert checkpoint is not None and checkpoint.offsets == {0: 7}


def test_pre_migration_store_is_stamped_and_upgraded(tmp_path: pytest.TempPathFactory) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    old_tables = [Base.metadata.tables[name] for name in ("campaigns", "alerts", "campaign_members")]
    Base.metadata.create_all(engine, tables=old_tables)  # what StoreAlertSink used to do
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO campaigns VALUES ('cmp-old', 1, 'high', 0.9, 'open', 3, '2026-01-01 00:00:00', "
            "'2026-01-01 01:00:00', 's', 0, '{}')"
        )
    assert current(engine) is None
    upgrade(engine)
    assert current(engine) == head()
    assert {"accounts", "triage_events", "api_tokens", "allowlist_entries"} <= set(
        inspect(engine).get_table_names()
    )
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT campaign_id FROM campaigns").scalar() == "cmp-old"


def test_save_alert_is_idempotent_and_fills_accounts(engine: Engine) -> None:
    seed(engine)
    store(engine, make_alert("cmp-b", 2, [f"b-{i}" for i in range(6)]))  # the same version again
    with Session(engine) as session:
        from hydrawatch.store.accounts import AccountRow
        from hydrawatch.store.feed import latest_seq

        assert latest_seq(session) == 4
        b5 = session.get(AccountRow, "b-5")
        assert b5 is not None and (b5.alert_versions, b5.campaigns, b5.max_severity) == (1, 1, "critical")


def test_activity_recorder_is_idempotent(engine: Engine) -> None:
    def run() -> None:
        recorder = ActivityRecorder(engine, max_keys=3)
        for ts, account, model in [
            (0, "a", "m1"),
            (10, "a", "m1"),
            (3700, "a", None),
            (7300, "b", "m2"),
            (11_000, "b", "m2"),
            (20_000, "a", "m1"),
        ]:
            recorder.observe(SimpleNamespace(ts=float(ts), account_id=account, model=model))
        recorder.close()

    run()
    run()
    with Session(engine) as session:
        rows = session.execute(
            select(
                ActivityRow.account_id, ActivityRow.hour, ActivityRow.model, ActivityRow.requests
            ).order_by(ActivityRow.hour)
        ).all()
        assert [tuple(r) for r in rows] == [
            ("a", 0, "m1", 2),
            ("a", 1, "", 1),
            ("b", 2, "m2", 1),
            ("b", 3, "m2", 1),
            ("a", 5, "m1", 1),
        ]
        assert session.scalar(select(func.sum(ActivityRow.requests))) == 6


def test_tracker_keeps_a_stored_dismissal() -> None:
    tracker = CampaignTracker(growth_for_new_version=0.2, dismissed_growth=0.5)
    members = {f"a{i}" for i in range(4)}
    first = tracker.observe(members, 0.9, "high", 0.0)
    assert first is not None
    cid = first.campaign_id
    fresh = CampaignTracker(growth_for_new_version=0.2, dismissed_growth=0.5)  # a restarted detector
    fresh.preset_status(cid, "dismissed", 4, 3)
    assert fresh.observe(members, 0.9, "high", 0.0) is None  # not re-alerted
    assert fresh.observe(members | {"a4"}, 0.9, "high", 0.0) is None  # 5 < 1.5 * 4
    grown = fresh.observe(members | {f"a{i}" for i in range(4, 7)}, 0.9, "high", 0.0)
    assert grown is not None and grown.campaign_id == cid and grown.version == 4 and grown.status == "open"
    confirmed = CampaignTracker()
    confirmed.preset_status(cid, "confirmed", 4, 3)
    again = confirmed.observe(members, 0.9, "high", 0.0)
    assert again is not None and again.version == 1 and again.status == "confirmed"


def test_feedback_reaches_the_detector(engine: Engine) -> None:
    seed(engine)
    with Session(engine) as session, session.begin():
        add_entry(session, "accounts", "acct-friendly")
        add_entry(session, "payment_fingerprints", "pf_corp")
        triage_campaign(session, "cmp-b", "dismiss", "", "tester")
    assert triaged_campaigns(engine) == [("cmp-b", "dismissed", 6, 2)]
    allow = load_allowlist(engine)
    assert (allow.accounts, allow.ips, allow.payment_fingerprints) == (
        ["acct-friendly"],
        ["10.0.0.0/8"],
        ["pf_corp"],
    )
    from hydrawatch.replay import build_detector

    settings = Settings(allowlist=AllowList(accounts=["acct-config"], ips=["10.0.0.0/8"]))
    detector = build_detector(settings, embeddings=False)
    apply_feedback(detector, engine)
    assert settings.allowlist.accounts == ["acct-config", "acct-friendly"]
    assert settings.allowlist.ips == ["10.0.0.0/8"]
    assert detector.allow.accounts == {"acct-config", "acct-friendly"}
    assert detector.tracker.preset == {"cmp-b": ("dismissed", 6, 2)}
    assert merge_allowlists(AllowList(orgs=["o"]), AllowList(orgs=["o", "p"])).orgs == ["o", "p"]
