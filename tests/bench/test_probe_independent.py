"""The held-out probe (``bench/probe_independent.py``): a generator written apart from the simulator, real prompts
for ordinary users, its own campaign wordings. The detector meets its targets there too."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest
from shared_paths import shared_file
from typer.testing import CliRunner

from detector.evaluation import Evaluation, evaluate, load_alerts, load_labels
from hydrawatch.cli import app
from streams.events import parse_time

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import probe_independent  # noqa: E402


def test_the_probe_writes_valid_labelled_events(tmp_path: Path, event_schema: dict) -> None:
    corpus = shared_file("data/prompts.jsonl.gz")
    n = probe_independent.generate(tmp_path, seed=2, hard=True, consortium=True, corpus=corpus, users=200,
                                   viral_template=0.3, viral_newcomers=1.0)
    lines = (tmp_path / "events.jsonl").read_text().splitlines()
    labels = json.loads((tmp_path / "labels.json").read_text())
    assert len(lines) == n > 30_000
    groups = set(labels["accounts"].values())
    assert {"campaign_hydra", "campaign_rubric", "campaign_agentic", "campaign_slow", "lookalike_consortium",
            "lookalike_evalteam", "lookalike_classroom", "lookalike_app", "lookalike_viral_template",
            "lookalike_viral_newcomers", "benign"} <= groups
    assert set(labels["campaign_start"]) == {g for g in groups if g.startswith("campaign_")}
    first = [json.loads(line) for line in lines[:2000]]
    for line in lines[:: len(lines) // 200]:  # every kind of account, across the three days
        jsonschema.validate(json.loads(line), event_schema)
    assert {type(e["ts"]) for e in first} == {int, str}  # epoch ms and RFC 3339, as the contract allows
    assert any("messages" in e for e in first) and any("prompt" in e for e in first)
    wrapper = probe_independent.words.VIRAL_TEMPLATE.split("{")[0]
    senders = {e["account_id"] for e in map(json.loads, lines) if e.get("prompt", "").startswith(wrapper)}
    assert senders and {labels["accounts"][a] for a in senders} <= {"lookalike_viral_template",
                                                                     "lookalike_viral_newcomers"}
    first_use: dict[str, tuple[float, str | None]] = {}  # newcomers: signed up minutes before their first request
    for event in map(json.loads, lines):
        if labels["accounts"][event["account_id"]] == "lookalike_viral_newcomers":
            ts = parse_time(event["ts"], "ts")
            if event["account_id"] not in first_use or ts < first_use[event["account_id"]][0]:
                first_use[event["account_id"]] = (ts, event["account_created_at"])
    gaps = [ts - parse_time(created, "account_created_at") for ts, created in first_use.values() if created]
    assert len(first_use) == 38 and gaps and all(0 < gap < 1800 for gap in gaps)


def test_smaller_crews_have_as_many_accounts_as_asked(tmp_path: Path) -> None:
    probe_independent.generate(tmp_path, seed=3, corpus=shared_file("data/prompts.jsonl.gz"), users=100,
                               hydra_accounts=5, crew_accounts=5)
    labels = json.loads((tmp_path / "labels.json").read_text())["accounts"]
    crews = [g for g in labels.values() if g.startswith("campaign_")]
    assert {g: crews.count(g) for g in set(crews)} == {"campaign_hydra": 5, "campaign_rubric": 5,
                                                      "campaign_agentic": 5, "campaign_slow": 5}


@pytest.mark.parametrize(("own_cards", "cards"), [(False, 8), (True, 40)])
def test_the_hydra_shares_eight_cards_or_pays_with_one_per_account(tmp_path: Path, own_cards: bool,
                                                                   cards: int) -> None:
    probe_independent.generate(tmp_path, seed=3, corpus=shared_file("data/prompts.jsonl.gz"), users=50,
                               hydra_accounts=40, crew_accounts=5, own_cards=own_cards)
    labels = json.loads((tmp_path / "labels.json").read_text())["accounts"]
    hydra = [json.loads(line) for line in (tmp_path / "events.jsonl").read_text().splitlines()
             if labels[json.loads(line)["account_id"]] == "campaign_hydra"]
    paying = {(e["account_id"], e["payment_fingerprint"]) for e in hydra}
    assert len({a for a, _ in paying}) == 40 == len(paying)  # one card per account, whichever
    assert len({card for _, card in paying}) == cards
    assert len({e["ip"] for e in hydra}) > 100  # on the proxy pool either way


@pytest.mark.parametrize("rate", [4.0, 0.75])
def test_the_slow_crew_sends_about_as_many_requests_an_hour_as_asked(tmp_path: Path, rate: float) -> None:
    probe_independent.generate(tmp_path, seed=3, corpus=shared_file("data/prompts.jsonl.gz"), users=50,
                               hydra_accounts=5, crew_accounts=5, slow_rate=rate)
    labels = json.loads((tmp_path / "labels.json").read_text())["accounts"]
    times: dict[str, list[float]] = {}
    for event in map(json.loads, (tmp_path / "events.jsonl").read_text().splitlines()):
        if labels[event["account_id"]] == "campaign_slow":
            ts = parse_time(event["ts"], "ts")
            times.setdefault(event["account_id"], []).append(ts)
    ordered = [sorted(ts) for ts in times.values()]
    gaps = sorted(b - a for ts in ordered for a, b in zip(ts, ts[1:], strict=False) if b - a < 6 * 3600)
    assert len(times) == 5
    assert 0.7 * 3600 / rate < gaps[len(gaps) // 2] < 1.3 * 3600 / rate  # within a day's working hours


def test_the_tenant_look_alikes_are_one_organisation_and_card_each_drawn_after_everything_else(
        tmp_path: Path) -> None:
    corpus = shared_file("data/prompts.jsonl.gz")
    probe_independent.generate(tmp_path / "plain", seed=3, corpus=corpus, users=50, hydra_accounts=5, crew_accounts=5)
    probe_independent.generate(tmp_path / "tenants", seed=3, corpus=corpus, users=50, hydra_accounts=5,
                               crew_accounts=5, tenants=True)
    labels = json.loads((tmp_path / "tenants" / "labels.json").read_text())["accounts"]
    lines = (tmp_path / "tenants" / "events.jsonl").read_text().splitlines()
    events = [json.loads(line) for line in lines]
    tenants: dict[str, list[dict]] = {"lookalike_agent_product": [], "lookalike_reseller": []}
    for event in events:
        if labels[event["account_id"]] in tenants:
            tenants[labels[event["account_id"]]].append(event)
    for group, accounts in (("lookalike_agent_product", 30), ("lookalike_reseller", 25)):
        sent = tenants[group]
        assert len({e["account_id"] for e in sent}) == accounts
        assert len({e["org_id"] for e in sent}) == 1 == len({e["payment_fingerprint"] for e in sent})
    product = tenants["lookalike_agent_product"]
    assert all(e["messages"][0]["role"] == "system" and e["tools"] for e in product)
    assert len({e["messages"][0]["content"] for e in product}) == 1 and len({e["ip"] for e in product}) == 3
    moved = {e["account_id"] for e in product if e["model"] == "nova-4"}
    assert len(moved) == 30 and all(parse_time(e["ts"], "ts") > probe_independent.RELEASE
                                    for e in product if e["model"] == "nova-4")
    assert len({e["ip"] for e in tenants["lookalike_reseller"]}) == 2
    plain = (tmp_path / "plain" / "events.jsonl").read_text().splitlines()
    tenant_ids = {e["account_id"] for e in product + tenants["lookalike_reseller"]}
    others = [line for line, event in zip(lines, events, strict=True) if event["account_id"] not in tenant_ids]
    assert others == plain  # every other draw is the same with the tenants


def _meets_the_targets(data: Path) -> Evaluation:
    """Replay the probe written to ``data`` with default settings and check the issue's targets on it: precision
    and recall, no look-alike alerted, every campaign caught within two hours."""
    alerts_path = data / "alerts.jsonl"
    result = CliRunner().invoke(app, ["replay", str(data / "events.jsonl"), "--alerts-out", str(alerts_path),
                                      "--db", "", "--no-progress"])
    assert result.exit_code == 0, result.output
    quality = evaluate(load_alerts(alerts_path), load_labels(data / "labels.json"))
    assert quality.precision >= 0.95 and quality.recall >= 0.9, quality.as_dict()
    assert not quality.false_positives_by_group, quality.false_positives_by_group
    for campaign in quality.campaigns:
        assert campaign.time_to_detect_s is not None and campaign.time_to_detect_s <= 2 * 3600, campaign
    return quality


@pytest.mark.slow
def test_the_detector_meets_its_targets_on_the_probe(tmp_path: Path) -> None:
    """Every option at once, seed 4: oblique wordings, strangers sharing public templates, a hydra on clean
    infrastructure, and a consortium running a new benchmark, whose first run alerted 3 of its accounts while a
    group's intent counted on every request, recycled or not (now at most on its members' novel requests)."""
    corpus = shared_file("data/prompts.jsonl.gz")
    probe_independent.generate(tmp_path, seed=4, hard=True, clean_hydra=True, consortium=True, corpus=corpus)
    _meets_the_targets(tmp_path)


@pytest.mark.slow
def test_a_thousand_account_farm_leaves_the_small_crews_their_own_campaigns(tmp_path: Path) -> None:
    """Seed 1, the hydra's traffic over 1,000 accounts: its tasks and the other crews' come from the same public
    benchmarks, so they are one component of over a thousand accounts, where modularity alone put the agentic crew
    and the rubric crew in one community and the agentic crew was never caught (``communities._apart``)."""
    corpus = shared_file("data/prompts.jsonl.gz")
    probe_independent.generate(tmp_path, seed=1, corpus=corpus, hydra_accounts=1000)
    quality = _meets_the_targets(tmp_path)
    assert next(c for c in quality.campaigns if c.group == "campaign_hydra").accounts == 1000


@pytest.mark.slow
def test_an_agent_product_and_a_reseller_stay_quiet(tmp_path: Path) -> None:
    """Seed 2 in oblique wordings with the multi-tenant look-alikes: an agent product's workspaces (one system prompt
    and tool set around the clock, moved to the new model hours after its release) and a reseller's tenants, each one
    organisation and card. None of their accounts is alerted, and the campaigns are caught as without them."""
    corpus = shared_file("data/prompts.jsonl.gz")
    probe_independent.generate(tmp_path, seed=2, hard=True, corpus=corpus, tenants=True)
    quality = _meets_the_targets(tmp_path)
    assert quality.flagged == 118
