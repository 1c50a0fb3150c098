"""Tests of the traffic simulator (small runs: scale=0.1, days=1)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from hydrawatch.simulator import SimulationSummary, generate
from hydrawatch.simulator.model import BENIGN_GROUPS, CAMPAIGN_GROUPS

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
SCHEMA = SHARED / "schema" / "request-event.schema.json"
CORPUS = SHARED / "data" / "prompts.jsonl.gz"


def _small(out: Path, seed: int, corpus: Path | None = None) -> SimulationSummary:
    return generate(out, scale=0.1, days=1.0, seed=seed, benign_corpus=corpus)


def _ts(value: str | float) -> float:
    if isinstance(value, (int, float)):
        return value / 1000.0
    return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()


def _text(ev: dict[str, Any]) -> str:
    if "prompt" in ev:
        return ev["prompt"]
    content = ev["messages"][-1]["content"]
    if isinstance(content, str):
        return content
    return " ".join(p["text"] for p in content if isinstance(p, dict) and "text" in p)


class Run:
    """A generated data set, loaded."""

    def __init__(self, summary: SimulationSummary) -> None:
        self.summary = summary
        self.labels = json.loads(summary.labels_path.read_text())
        self.events = [json.loads(line) for line in summary.events_path.read_text().splitlines()]
        self.by_group: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for ev in self.events:
            self.by_group[self.labels["accounts"][ev["account_id"]]].append(ev)
        self.release = _ts(self.labels["model_releases"]["atlas-3"])


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return Run(_small(tmp_path_factory.mktemp("sim"), 11))


def test_summary_matches_files(run: Run) -> None:
    assert run.summary.events == len(run.events) > 2000
    assert run.summary.accounts == len(run.labels["accounts"])
    assert sum(run.summary.groups.values()) == run.summary.accounts


def test_deterministic_for_a_seed(run: Run, tmp_path: Path) -> None:
    again = _small(tmp_path / "a", 11)
    assert again.events_path.read_bytes() == run.summary.events_path.read_bytes()
    assert again.labels_path.read_bytes() == run.summary.labels_path.read_bytes()
    other = _small(tmp_path / "b", 12)
    assert other.events_path.read_bytes() != run.summary.events_path.read_bytes()


def test_events_valid_against_schema(run: Run) -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    if not SCHEMA.exists():
        pytest.skip(f"shared schema not found at {SCHEMA} (../shared is absent)")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))
    for ev in run.events:
        errors = list(validator.iter_errors(ev))
        assert not errors, (ev["event_id"], errors[0].message)


def test_labels_cover_accounts_and_groups(run: Run) -> None:
    accounts = run.labels["accounts"]
    assert {ev["account_id"] for ev in run.events} == set(accounts)
    assert set(accounts.values()) == set(BENIGN_GROUPS) | set(CAMPAIGN_GROUPS)
    assert set(run.labels["campaign_start"]) == set(CAMPAIGN_GROUPS)
    assert "atlas-3" in run.labels["model_releases"]


def test_campaign_start_is_first_request(run: Run) -> None:
    run_start = min(_ts(ev["ts"]) for ev in run.events)
    starts = {}
    for group in CAMPAIGN_GROUPS:
        first = min(_ts(ev["ts"]) for ev in run.by_group[group])
        starts[group] = _ts(run.labels["campaign_start"][group])
        assert abs(first - starts[group]) < 0.002, group
        assert starts[group] > run_start + 600, f"{group} should not start at t=0"
    assert len(set(starts.values())) == len(CAMPAIGN_GROUPS)


def test_event_fields(run: Run) -> None:
    ids = [ev["event_id"] for ev in run.events]
    assert len(ids) == len(set(ids))
    kinds = Counter(type(ev["ts"]).__name__ for ev in run.events)
    assert 0.05 < kinds["int"] / len(run.events) < 0.3
    assert any("region" in ev or "client_meta" in ev for ev in run.events)
    share_messages = sum("messages" in ev for ev in run.events) / len(run.events)
    assert 0.15 < share_messages < 0.55
    parts = [ev for ev in run.events if "messages" in ev and isinstance(ev["messages"][-1]["content"], list)]
    assert parts
    assert any(
        p.get("type") == "tool_use"
        for ev in run.events
        for m in ev.get("messages", ())
        if isinstance(m.get("content"), list)
        for p in m["content"]
    )
    assert {ev["status"] for ev in run.events} >= {200, 429}
    assert {ev["model"] for ev in run.events} == {"atlas-2", "atlas-2-mini", "atlas-3"}
    for ev in run.events:
        assert ev["model"] != "atlas-3" or _ts(ev["ts"]) >= run.release
        assert ev["output_tokens"] <= ev["max_tokens"]


def test_time_order_has_small_disorder(run: Run) -> None:
    running, late = float("-inf"), 0
    for ev in run.events:
        t = _ts(ev["ts"])
        if t < running:
            late += 1
            assert running - t <= 31.0
        running = max(running, t)
    assert 0 < late < 0.25 * len(run.events)


def test_benign_texts_are_diverse(run: Run) -> None:
    texts = [_text(ev) for ev in run.by_group["benign"]]
    assert len(set(texts)) / len(texts) > 0.7


@pytest.mark.parametrize("group", ["campaign_hydra", "campaign_reasoning", "campaign_slow", "campaign_pivot"])
def test_campaign_wrappers_shared_tasks_differ(run: Run, group: str) -> None:
    texts = [_text(ev) for ev in run.by_group[group]]
    assert len(set(texts)) / len(texts) > 0.9  # tasks rarely repeat
    heads = Counter(t[:30] for t in texts)
    tails = Counter(t[-30:] for t in texts)
    covered = sum(1 for t in texts if heads[t[:30]] >= 5 or tails[t[-30:]] >= 5)
    assert covered / len(texts) > 0.5  # a few wrapper templates cover most prompts
    assert covered / len(texts) < 0.97  # ordinary-looking filler is mixed in


def test_hydra_accounts_stay_light_and_share_infrastructure(run: Run) -> None:
    evs = run.by_group["campaign_hydra"]
    per_hour = Counter((ev["account_id"], int(_ts(ev["ts"]) // 3600)) for ev in evs)
    assert max(per_hour.values()) < 20
    accounts = {ev["account_id"] for ev in evs}
    assert len({ev["payment_fingerprint"] for ev in evs}) < len(accounts) / 2
    assert len({ev["user_agent"] for ev in evs}) == 2


def test_agentic_campaign_uses_tools(run: Run) -> None:
    evs = run.by_group["campaign_agentic"]
    assert sum(bool(ev["tools"]) for ev in evs) / len(evs) > 0.4
    assert {ev["signup_channel"] for ev in evs} <= {"startup_program", "security_research"}
    assert len({ev["asn"] for ev in evs}) == 1


def test_pivot_moves_to_new_model(run: Run) -> None:
    after = [ev for ev in run.by_group["campaign_pivot"] if _ts(ev["ts"]) >= run.release + 6 * 3600]
    share = sum(ev["model"] == "atlas-3" for ev in after) / len(after)
    assert 0.3 < share < 0.7


def test_lookalike_properties(run: Run) -> None:
    team = run.by_group["lookalike_eval_team"]
    assert len({ev["org_id"] for ev in team}) == 1 and len({ev["payment_fingerprint"] for ev in team}) == 1
    assert len({ev["ip"] for ev in team}) == 1
    klass = run.by_group["lookalike_classroom"]
    assert len({ev["ip"] for ev in klass}) == 1
    assert {ev["signup_channel"] for ev in klass} == {"education"}
    created = [_ts(ev["account_created_at"]) for ev in klass]
    assert max(created) - min(created) < 3 * 3600
    assert len({_text(ev) for ev in klass}) / len(klass) > 0.8  # own words, not a template
    cons = run.by_group["lookalike_eval_consortium"]
    n_cons = len({ev["account_id"] for ev in cons})
    assert (
        len({ev["org_id"] for ev in cons})
        == len({ev["payment_fingerprint"] for ev in cons})
        == min(4, n_cons)
    )
    assert len({ev["ip"] for ev in cons}) <= 3 and len({ev["asn"] for ev in cons}) == 1
    assert len({_text(ev) for ev in cons}) / len(cons) < 0.5  # fixed items recycled
    product = run.by_group["lookalike_agent_product"]
    assert len({ev["org_id"] for ev in product}) == 1 and all(ev["tools"] for ev in product)
    viral = Counter(_text(ev).lower().rstrip(" .?!pls") for ev in run.by_group["lookalike_viral"])
    assert viral.most_common(1)[0][1] >= 0.4 * len(
        {ev["account_id"] for ev in run.by_group["lookalike_viral"]}
    )


def test_benign_corpus_is_mixed_in(tmp_path: Path) -> None:
    if not CORPUS.exists():
        pytest.skip(f"corpus not found at {CORPUS} (../shared is absent)")
    import gzip

    with gzip.open(CORPUS, "rt") as fh:
        corpus = {json.loads(line)["text"] for line in fh}
    result = Run(_small(tmp_path, 3, CORPUS))
    texts = [_text(ev) for ev in result.by_group["benign"]]
    share = sum(t in corpus for t in texts) / len(texts)
    assert 0.25 < share < 0.65


def test_viral_remarks_extend_only_viral_sends(run: Run, tmp_path: Path) -> None:
    """The ``viral_remarks`` probe: each viral send gets a sentence of its sender's own (rarely the same twice);
    every other event, and the labels, are those of the run without it."""
    remarked = Run(generate(tmp_path, scale=0.1, days=1.0, seed=11, viral_remarks=1.0))
    assert remarked.labels == run.labels and len(remarked.events) == len(run.events)
    changed = [(a, b) for a, b in zip(run.events, remarked.events, strict=True) if a != b]
    assert len(changed) >= 10
    own = ("prompt", "messages", "input_tokens", "latency_ms")  # the text, and what its length moves
    remarks = []
    for before, after in changed:
        assert run.labels["accounts"][before["account_id"]] == "lookalike_viral"
        assert {k: v for k, v in before.items() if k not in own} == {k: v for k, v in after.items() if k not in own}
        assert _text(after).startswith(_text(before)) and len(_text(after)) > len(_text(before)) + 20
        remarks.append(_text(after)[len(_text(before)):])
    assert len(set(remarks)) >= 0.8 * len(remarks)
    with pytest.raises(ValueError, match="viral_remarks"):
        generate(tmp_path / "bad", scale=0.1, days=1.0, viral_remarks=1.5)


def test_system_wrappers_move_only_campaign_wrappers_into_the_system_prompt(run: Run, tmp_path: Path) -> None:
    """The ``system_wrappers`` probe: a campaign's templated request sends its wrapper as the system prompt and
    only the task's text as the user turn; every other event, and the labels, are those of the run without it."""
    moved = Run(generate(tmp_path, scale=0.1, days=1.0, seed=11, system_wrappers=1.0))
    assert moved.labels == run.labels and len(moved.events) == len(run.events)
    changed = [(a, b) for a, b in zip(run.events, moved.events, strict=True) if a != b]
    assert len(changed) >= 50
    for before, after in changed:
        assert run.labels["accounts"][before["account_id"]] in CAMPAIGN_GROUPS
        turns = after.get("messages") or []
        system = after.get("system") or next(t["content"] for t in turns if t["role"] == "system")
        assert len(system) > 40 and system.split()[0] in _text(before)  # the wrapper's opening words ...
        assert system not in _text(after)
        assert all(line in _text(before) for line in _text(after).split("\n") if line)  # ... and the task alone
    with pytest.raises(ValueError, match="system_wrappers"):
        generate(tmp_path / "bad", scale=0.1, days=1.0, system_wrappers=-0.1)


def test_unseen_wordings_change_only_the_campaigns_wrappers(run: Run, tmp_path: Path) -> None:
    """The ``unseen_wordings`` probe: campaign requests use the held-out wrappers, which most intent rules do not
    read; every other account's events are those of the run without it."""
    from features.intent import match_intent
    from hydrawatch.simulator.tasks import WRAPPERS
    from hydrawatch.simulator.unseen_wordings import UNSEEN_WRAPPERS

    reworded = Run(generate(tmp_path, scale=0.1, days=1.0, seed=11, unseen_wordings=True))
    groups = run.labels["accounts"]

    def others(r: Run) -> list[str]:
        return sorted(json.dumps({**ev, "event_id": None}, sort_keys=True) for ev in r.events  # ids: by order
                      if groups[ev["account_id"]] not in CAMPAIGN_GROUPS)

    assert reworded.labels["accounts"] == groups and others(reworded) == others(run)
    campaign_texts = [_text(ev) for ev in reworded.events if groups[ev["account_id"]] in CAMPAIGN_GROUPS]

    def openings(wrappers: dict[str, tuple[str, ...]]) -> set[str]:
        return {w.split("{")[0][:40] for ws in wrappers.values() for w in ws if not w.startswith("{")}

    assert sum(any(t.startswith(o) for o in openings(UNSEEN_WRAPPERS)) for t in campaign_texts) >= 50
    assert not any(t.startswith(o) for t in campaign_texts for o in openings(WRAPPERS) - {""})
    fired = [bool(match_intent(w.format(task="t", ctask="c", cand="x", sq="q")).mask)
             for ws in UNSEEN_WRAPPERS.values() for w in ws]
    assert sum(fired) <= len(fired) / 3  # held out: a rule written from these texts makes the probe moot


def test_slow_ramp_hours_moves_only_the_slow_crews_start(run: Run, tmp_path: Path) -> None:
    """The ``slow_ramp_hours`` probe: the slow crew's accounts all start within that many hours of its first
    request (ten by default, where the fifth starts an hour or more in); every other account sends at the same
    times (what it sends is drawn from streams the crew draws from too, so texts and token counts may differ)."""
    groups = run.labels["accounts"]

    def starts(r: Run) -> list[float]:
        first: dict[str, float] = {}
        for ev in r.by_group["campaign_slow"]:
            first[ev["account_id"]] = min(first.get(ev["account_id"], float("inf")), _ts(ev["ts"]))
        return sorted(first.values())

    def others(r: Run) -> list[tuple[str, float]]:
        return sorted((ev["account_id"], round(_ts(ev["ts"]), 3)) for ev in r.events
                      if groups[ev["account_id"]] != "campaign_slow")

    quick = Run(generate(tmp_path, scale=0.1, days=1.0, seed=11, slow_ramp_hours=0.5))
    assert quick.labels["accounts"] == groups and others(quick) == others(run)
    ramped, default = starts(quick), starts(run)
    assert len(ramped) == len(default) >= 5
    assert ramped[-1] - ramped[0] <= 0.5 * 3600 < default[-1] - default[0]
    with pytest.raises(ValueError, match="slow_ramp_hours"):
        generate(tmp_path / "bad", scale=0.1, days=1.0, slow_ramp_hours=0)


def test_campaign_filler_pads_the_crews_with_ordinary_requests(run: Run, tmp_path: Path) -> None:
    """The ``campaign_filler`` probe: that share of the hydra's, reasoning, slow and pivot crews' requests are
    ordinary prompts instead of their wrapped extraction asks (which the intent rules read); the labels, and when
    every other account sends, stay those of the run without it."""
    from features.intent import match_intent

    padded_groups = ("campaign_hydra", "campaign_reasoning", "campaign_slow", "campaign_pivot")
    groups = run.labels["accounts"]

    def extraction_share(r: Run) -> float:
        texts = [_text(ev) for g in padded_groups for ev in r.by_group[g]]
        return sum(bool(match_intent(text).mask) for text in texts) / len(texts)

    def others(r: Run) -> list[tuple[str, float]]:
        return sorted((ev["account_id"], round(_ts(ev["ts"]), 3)) for ev in r.events
                      if groups[ev["account_id"]] not in padded_groups)

    padded = Run(generate(tmp_path, scale=0.1, days=1.0, seed=11, campaign_filler=0.75))
    assert padded.labels["accounts"] == groups and others(padded) == others(run)
    assert extraction_share(run) > 0.7 and 0.2 < extraction_share(padded) < 0.3
    with pytest.raises(ValueError, match="campaign_filler"):
        generate(tmp_path / "bad", scale=0.1, days=1.0, campaign_filler=1.0)


def test_simulate_command_passes_the_filler_probe_and_refuses_a_share_of_one(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from hydrawatch.cli import app

    runner = CliRunner()
    done = runner.invoke(app, ["simulate", "--out", str(tmp_path / "cli"), "--scale", "0.1", "--days", "1",
                               "--seed", "11", "--campaign-filler", "0.75"])
    assert done.exit_code == 0, done.output
    direct = generate(tmp_path / "direct", scale=0.1, days=1.0, seed=11, campaign_filler=0.75)
    assert (tmp_path / "cli" / "events.jsonl").read_bytes() == direct.events_path.read_bytes()
    refused = runner.invoke(app, ["simulate", "--out", str(tmp_path / "bad"), "--campaign-filler", "1"])
    assert refused.exit_code == 2 and "--campaign-filler" in refused.output
    assert not (tmp_path / "bad").exists()
