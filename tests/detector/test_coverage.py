"""Field coverage (``detector.coverage``): which linkage fields the accounts' requests carried, and a warning for
each that none carried."""

from __future__ import annotations

import logging
import random
from pathlib import Path

import orjson
import pytest

from detector.coverage import LINKAGE_FIELDS, MissingFieldWatch, field_coverage, missing_linkage
from features.account import AccountState
from features.text import TextAnalyzer
from hydrawatch.replay import replay
from hydrawatch.settings import Settings
from streams.events import parse_record

NAMES = [f.name for f in LINKAGE_FIELDS]


def _state(account: str, **fields: object) -> AccountState:
    state = AccountState(account)
    event = parse_record({"ts": 1_700_000_000_000, "account_id": account, "prompt": "hello there", **fields})
    state.update(event, TextAnalyzer().analyze_request(event), random.Random(1), 0, 24)
    return state


def test_shares_count_the_accounts_whose_requests_carried_each_field() -> None:
    full = _state("a", org_id="o", payment_fingerprint="pf", account_created_at="2026-01-01T00:00:00Z",
                  asn=64500, user_agent="x/1")
    bare = _state("b", ip="10.0.0.1")
    agent_only = _state("c", user_agent="agent/2")
    total, shares = field_coverage([full, bare, agent_only])
    assert total == 3 and list(shares) == NAMES
    assert shares == {"org_id": 1 / 3, "payment_fingerprint": 1 / 3, "account_created_at": 1 / 3,
                      "asn / user_agent": 2 / 3}
    assert missing_linkage(total, shares) == []


def test_a_field_no_account_carried_is_named_with_what_is_lost() -> None:
    total, shares = field_coverage([_state("a", payment_fingerprint="pf"), _state("b", asn=64500)])
    lines = missing_linkage(total, shares)
    assert [line.split(":")[0] for line in lines] == ["no account's requests carried org_id",
                                                     "no account's requests carried account_created_at"]
    assert "cannot be told from a crew's" in lines[0]
    assert missing_linkage(*field_coverage([])) == []  # no accounts, nothing to say


def test_a_stream_warns_of_each_missing_field_once_and_only_once_enough_accounts_are_held(
        caplog: pytest.LogCaptureFixture) -> None:
    watch = MissingFieldWatch(min_accounts=3)
    few = [_state("a", payment_fingerprint="pf"), _state("b", asn=64500)]
    with caplog.at_level(logging.WARNING, logger="detector.coverage"):
        assert watch.check(few)["org_id"] == 0.0
        assert not caplog.records  # two accounts: too early to say
        more = [*few, _state("c", org_id="o")]
        shares = watch.check(more)
        watch.check(more)  # the next checkpoint: nothing new to say
    assert shares["org_id"] == 1 / 3
    assert [r.getMessage().split(":")[0] for r in caplog.records] == [
        "no account's requests carried account_created_at"]


def test_a_replay_warns_of_linkage_fields_its_input_never_carried(tmp_path: Path,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    events = [{"ts": 1_700_000_000_000 + 60_000 * i, "account_id": f"acct_{i % 4}", "prompt": f"question {i}?",
               "payment_fingerprint": f"pf_{i % 4}", "asn": 64500, "account_created_at": 1_690_000_000_000}
              for i in range(40)]
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"".join(orjson.dumps(e) + b"\n" for e in events))
    with caplog.at_level(logging.WARNING, logger="hydrawatch.replay"):
        result = replay([path], Settings(db_url=""), alerts_out=tmp_path / "alerts.jsonl")
    assert result.coverage == {"org_id": 0.0, "payment_fingerprint": 1.0, "account_created_at": 1.0,
                               "asn / user_agent": 1.0}
    warnings = [r.getMessage() for r in caplog.records if r.name == "hydrawatch.replay"]
    assert len(warnings) == 1 and warnings[0].startswith("no account's requests carried org_id:")
