"""End to end: simulate -> replay (CLI) -> alerts, dead letters, store -> evaluate, with a quality floor."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from detector.engine import Detector
from detector.evaluation import evaluate, load_alerts, load_labels
from hydrawatch.cli import app
from hydrawatch.settings import Settings
from hydrawatch.simulator import generate
from hydrawatch.store import AlertRow, CampaignRow, MemberRow, make_engine
from streams.sources import ReplaySource

runner = CliRunner()


@pytest.fixture(scope="module")
def simulated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("sim")
    generate(out, scale=0.4, days=2.0, seed=13)
    return out


def _simulate_and_replay(out: Path, **simulate: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Simulate into ``out`` (``generate`` options), replay it with the CLI (no store): the alerts and labels."""
    generate(out, **simulate)
    alerts_path = out / "alerts.jsonl"
    result = runner.invoke(app, ["replay", str(out / "events.jsonl"), "--alerts-out", str(alerts_path),
                                 "--db", "", "--no-progress"])
    assert result.exit_code == 0, result.output
    return load_alerts(alerts_path), load_labels(out / "labels.json")


@pytest.mark.slow
def test_replay_meets_the_quality_floor_and_fills_the_store(simulated: Path, tmp_path: Path,
                                                            alert_schema: dict) -> None:
    alerts_path, db = tmp_path / "alerts.jsonl", tmp_path / "hw.db"
    result = runner.invoke(app, ["replay", str(simulated / "events.jsonl"), "--alerts-out", str(alerts_path),
                                 "--db", f"sqlite:///{db}", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert "events/s" in result.output
    alerts = load_alerts(alerts_path)
    # at this small scale the slow crew has only a few accounts active in its first hours: caught means an
    # alert of three of its accounts here (the five-account, two-hour target is measured at default scale)
    quality = evaluate(alerts, load_labels(simulated / "labels.json"), min_caught=3)
    assert quality.precision >= 0.95 and quality.recall >= 0.85, quality.as_dict()
    assert not [g for g in quality.false_positives_by_group if g.startswith("lookalike")]
    for campaign in quality.campaigns:
        assert campaign.time_to_detect_s is not None and campaign.time_to_detect_s <= 3 * 3600, campaign
    # the 12-account agentic crew: three card cells and unpaid accounts on one datacenter network with the crew's own
    # agent runtime, which nearly no one else uses there; one campaign of five within the hour (23 min; 173 while
    # that network + client pair weighed as little as a crowd's browser)
    agentic = next(c for c in evaluate(alerts, load_labels(simulated / "labels.json")).campaigns
                   if c.group == "campaign_agentic")
    assert agentic.time_to_detect_s is not None and agentic.time_to_detect_s <= 3600, agentic
    for alert in alerts:
        jsonschema.validate(alert, alert_schema)
    ids = [a["alert_id"] for a in alerts]
    assert len(ids) == len(set(ids))
    alerted: set[str] = set()
    absorbed: set[str] = set()
    for alert in alerts:  # related campaigns: campaigns alerted on before, never the alert's own
        related = {r["campaign_id"] for r in alert["related_campaigns"]}
        assert alert["campaign_id"] not in related and related <= alerted, alert["alert_id"]
        merged = set(alert.get("absorbed_campaigns", []))  # cells alerted apart, then held whole by one group:
        assert alert["campaign_id"] not in merged and merged <= alerted, alert["alert_id"]  # alerted before,
        assert alert["campaign_id"] not in absorbed, alert["alert_id"]  # and silent once absorbed
        absorbed |= merged
        alerted.add(alert["campaign_id"])
    assert absorbed  # this data set has some: cells of one crew alerted apart before one group held them
    with Session(make_engine(f"sqlite:///{db}")) as session:
        assert session.scalar(select(func.count()).select_from(AlertRow)) == len(alerts)
        assert session.scalar(select(func.count()).select_from(CampaignRow)) == len({a["campaign_id"] for a in alerts})
        members = session.scalar(select(func.count()).select_from(MemberRow))
    named: dict[str, set[str]] = {}  # a campaign's members: every account any of its versions named (an account
    for alert in alerts:  # that later left it for the campaign its crew founded stays a member of both)
        named.setdefault(alert["campaign_id"], set()).update(alert["accounts"])
    assert members == sum(len(accounts) for accounts in named.values())
    report = runner.invoke(app, ["evaluate", "--alerts", str(alerts_path), "--labels",
                                 str(simulated / "labels.json"), "--json"])
    assert report.exit_code == 0 and json.loads(report.output)["precision"] >= 0.95



@pytest.mark.slow
def test_viral_senders_wording_remarks_of_their_own_stay_out_of_alerts(tmp_path: Path) -> None:
    """A trending step-by-step prompt that most of its senders send with a sentence of their own (``simulate
    --viral-remarks``): the shared sentence is public language, not an operator's template, and no sender is
    alerted (38 were on this data set while public sentences counted fully from half their senders on)."""
    quality = evaluate(*_simulate_and_replay(tmp_path, scale=1.0, days=2.0, seed=5, viral_remarks=0.6))
    assert quality.false_positives_by_group == {}, quality.as_dict()
    assert all(campaign.time_to_detect_s is not None for campaign in quality.campaigns), quality.as_dict()

@pytest.mark.slow
def test_wrappers_sent_as_system_prompts_are_caught_as_in_the_prompt(tmp_path: Path) -> None:
    """Every campaign sends its extraction wrapper as the system prompt and only the task as the user turn
    (``simulate --system-wrappers 1.0``): the system prompt is read with the prompt, so the crews are caught as
    when the wrapper is in the prompt (while it was not read, seed 7 at scale 1 caught its hydra after 447 min
    and its slow crew never)."""
    quality = evaluate(*_simulate_and_replay(tmp_path, scale=0.4, days=2.0, seed=13, system_wrappers=1.0), min_caught=3)
    assert quality.precision >= 0.95 and quality.recall >= 0.85, quality.as_dict()
    assert not [g for g in quality.false_positives_by_group if g.startswith("lookalike")]
    for campaign in quality.campaigns:
        assert campaign.time_to_detect_s is not None and campaign.time_to_detect_s <= 3 * 3600, campaign


def test_bad_input_goes_to_the_dead_letter_file_and_valid_events_are_all_kept(simulated: Path,
                                                                             tmp_path: Path) -> None:
    lines = (simulated / "events.jsonl").read_bytes().splitlines()[:3000]
    bad = [b"{not json", b'{"ts": 1, "account_id": "x", "prompt": "\xff"}', b'{"ts": 1, "prompt": "x"}',
           b'{"ts": "later", "account_id": "x", "prompt": "x"}', b'{"ts": 1, "account_id": "x"}',
           b'{"ts": 1, "account_id": "x", "prompt": "x", "asn": "AS1"}']
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_bytes(b"\n".join(lines[:1000] + bad + lines[1000:]) + b"\n")
    dlq = tmp_path / "dlq.jsonl"
    result = runner.invoke(app, ["replay", str(mixed), "--alerts-out", str(tmp_path / "a.jsonl"),
                                 "--dlq-out", str(dlq), "--db", "", "--no-progress"])
    assert result.exit_code == 0, result.output
    dead = [orjson.loads(line) for line in dlq.read_bytes().splitlines()]
    assert [d["line"] for d in dead] == list(range(1001, 1007))
    assert all(d["source"] == str(mixed) and d["reason"] for d in dead)
    counted = sum(s.events for s in _replayed_detector(mixed).accounts.values())
    assert counted == 3000


def _replayed_detector(path: Path) -> Detector:
    detector = Detector(Settings(db_url=""))
    for event in ReplaySource([path], lambda r: None):
        detector.process(event)
    return detector


def test_unusable_arguments_exit_non_zero(tmp_path: Path) -> None:
    result = runner.invoke(app, ["replay", str(tmp_path / "missing.jsonl"), "--alerts-out", str(tmp_path / "a")])
    assert result.exit_code == 2
    assert "no such input file" in result.output


def test_a_store_that_cannot_be_used_is_a_clear_error_and_output_folders_are_made(
        simulated: Path, tmp_path: Path) -> None:
    few = tmp_path / "few.jsonl"
    few.write_bytes(b"\n".join((simulated / "events.jsonl").read_bytes().splitlines()[:200]) + b"\n")
    unreachable = "postgresql://hw:s3cret@127.0.0.1:1/hw"  # nothing listens on port 1
    for url, said in (("not-a-url", "--db is not a database URL: 'not-a-url'"),
                      (unreachable, "cannot use the database postgresql://hw:***@127.0.0.1:1/hw")):
        result = runner.invoke(app, ["replay", str(few), "--alerts-out", str(tmp_path / "a.jsonl"), "--db", url,
                                     "--no-progress"])
        assert result.exit_code == 2, result.output
        assert said in " ".join(result.output.split()) and "s3cret" not in result.output
        assert "Traceback" not in result.output
    nested = tmp_path / "runs" / "today"
    result = runner.invoke(app, ["replay", str(few), "--alerts-out", str(nested / "alerts.jsonl"),
                                 "--db", f"sqlite:///{nested / 'db' / 'store.db'}", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert (nested / "alerts.jsonl").exists() and (nested / "alerts.dlq.jsonl").exists()
    assert (nested / "db" / "store.db").exists()


def test_a_replay_logs_its_own_lines_not_the_start_up_chatter_of_libraries(simulated: Path, tmp_path: Path) -> None:
    """alembic narrates its plugin set-up and faiss its CPU-feature probing at INFO, on every start. The process
    exits without the interpreter's teardown (``runtime.exit_now``): its alerts are all in the file and the store."""
    lines = (simulated / "events.jsonl").read_bytes().splitlines()[:6000]
    (tmp_path / "few.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    done = subprocess.run(
        [sys.executable, "-m", "hydrawatch.cli", "replay", str(tmp_path / "few.jsonl"), "--alerts-out",
         str(tmp_path / "alerts.jsonl"), "--db", f"sqlite:///{tmp_path / 'store.db'}", "--no-progress"],
        capture_output=True, text=True, timeout=120, check=True)
    log = done.stderr + done.stdout
    assert "feedback from the store" in log  # our INFO lines still show ...
    assert re.search(r"INFO hydrawatch\.store\.feedback: feedback from the store: .* triaged campaigns\n", done.stderr)
    # ... one record per line in a pipe: rich would have wrapped it at 80 columns
    assert "replay summary" in log
    assert re.search(r"accounts carrying +│ org_id \d+%", done.stdout)  # linkage fields' coverage
    assert "setup plugin" not in log
    assert "Loading faiss" not in log
    written = [json.loads(line)["alert_id"] for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with Session(engine) as session:
        stored = session.scalar(select(func.count()).select_from(AlertRow))
    engine.dispose()
    assert written and stored == len(written) == len(set(written))


def test_checkpoint_restore_continues_exactly(simulated: Path) -> None:
    events = list(ReplaySource([simulated / "events.jsonl"], lambda r: None))[:20000]
    settings = Settings(db_url="")
    whole = Detector(settings)
    expected = [a for e in events for a in whole.process(e)] + whole.finish()
    first = Detector(settings)
    got = [a for e in events[:9000] for a in first.process(e)]
    second = Detector(settings)
    second.restore(first.checkpoint())
    got += [a for e in events[9000:] for a in second.process(e)] + second.finish()
    assert [a["alert_id"] for a in got] == [a["alert_id"] for a in expected]
    assert [a["accounts"] for a in got] == [a["accounts"] for a in expected]


@pytest.mark.slow
def test_quality_holds_with_real_benign_prompts(tmp_path: Path) -> None:
    """Benign users drawing half their prompts from a corpus of real prompts (benchmarks, coding, reasoning
    and judging tasks) must stay quiet while the campaigns are still caught."""
    from shared_paths import shared_file

    corpus = shared_file("data/prompts.jsonl.gz")
    generate(tmp_path, scale=0.4, days=2.0, seed=5, benign_corpus=corpus)
    settings = Settings(db_url="")
    from hydrawatch.replay import replay

    result = replay([tmp_path / "events.jsonl"], settings, alerts_out=tmp_path / "alerts.jsonl", db_url="")
    assert result.rejected == 0
    quality = evaluate(load_alerts(tmp_path / "alerts.jsonl"), load_labels(tmp_path / "labels.json"), min_caught=3)
    assert quality.precision >= 0.95 and quality.recall >= 0.85, quality.as_dict()
    assert not [g for g in quality.false_positives_by_group if g != "benign"], quality.false_positives_by_group


@pytest.mark.slow
def test_crews_whose_wordings_no_intent_rule_knows_are_caught_on_templates_sent_by_machines(tmp_path: Path) -> None:
    """Every campaign wrapper in wordings the intent rules were not written from (``simulate --unseen-wordings``):
    templated novel requests on a machine's schedule (``automated_templates``) still make the crews campaigns.
    Without that signal this data set's hydra was caught after 93 min, its reasoning crew after 179 and its slow
    crew never; now 18, 89 and 309."""
    quality = evaluate(*_simulate_and_replay(tmp_path, scale=0.4, days=2.0, seed=13, unseen_wordings=True))
    assert quality.precision >= 0.95 and quality.recall >= 0.9, quality.as_dict()
    assert not [g for g in quality.false_positives_by_group if g.startswith("lookalike")]
    caught = {c.group: c.time_to_detect_s for c in quality.campaigns}
    assert all(t is not None for t in caught.values()), caught
    assert caught["campaign_hydra"] <= 3600 and caught["campaign_reasoning"] <= 2 * 3600, caught


@pytest.mark.slow
def test_a_slow_crew_whose_accounts_start_within_an_hour_is_caught_within_two_hours(tmp_path: Path) -> None:
    """The slow crew (clean infrastructure, a few requests an hour per account) brought online within an hour
    (``simulate --slow-ramp-hours 1``): caught within two hours of its first request, however thin each account's
    own evidence is (31-75 min at this scale on six seeds). The default crew takes ten hours to start its accounts,
    so its fifth one may start after two."""
    quality = evaluate(*_simulate_and_replay(tmp_path, scale=0.4, days=2.0, seed=13, slow_ramp_hours=1.0))
    assert quality.precision >= 0.95 and quality.recall >= 0.9, quality.as_dict()
    slow = next(c for c in quality.campaigns if c.group == "campaign_slow")
    assert slow.catchable_after_s is not None and slow.catchable_after_s <= 3600, slow
    assert slow.time_to_detect_s is not None and slow.time_to_detect_s <= 2 * 3600, slow


@pytest.mark.slow
def test_crews_padded_with_ordinary_requests_are_still_caught(tmp_path: Path) -> None:
    """Three quarters of the crews' requests ordinary prompts (``simulate --campaign-filler 0.75``), which dilutes
    every account's share of extraction requests: each campaign is still caught, its accounts' reused wrappers
    counting whatever else they send. Before they did, this data set's slow crew was never caught (recall
    0.868); now after 849 min (recall 0.956)."""
    quality = evaluate(*_simulate_and_replay(tmp_path, scale=0.4, days=2.0, seed=13, campaign_filler=0.75))
    assert quality.precision >= 0.95 and quality.recall >= 0.9, quality.as_dict()
    assert not [g for g in quality.false_positives_by_group if g.startswith("lookalike")]
    assert all(c.time_to_detect_s is not None for c in quality.campaigns), quality.as_dict()


def test_a_file_sorted_by_account_is_replayed_with_a_warning_that_says_what_to_do(
        simulated: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    import hydrawatch.lab as lab
    from hydrawatch.replay import replay

    records = [orjson.loads(line) for line in (simulated / "events.jsonl").read_bytes().splitlines()[:2000]]
    records.sort(key=lambda r: r["account_id"])  # an export grouped by account
    path = tmp_path / "by_account.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n")
    with caplog.at_level("WARNING", logger="streams.sources"):
        result = replay([path], Settings(db_url=""))
    assert result.source.accepted == 2000 and 0 < result.source.late < 2000
    warning = next(r.getMessage() for r in caplog.records if r.name == "streams.sources")
    assert f"{result.source.late} of 2000 events" in warning
    assert "sort the input by ts" in warning and "HYDRAWATCH_DETECTION__REORDER_WINDOW_S" in warning
    caplog.clear()
    with caplog.at_level("WARNING", logger="streams.sources"):
        replay([simulated / "events.jsonl"], Settings(db_url=""))
    assert not [r for r in caplog.records if r.name == "streams.sources"]  # in order: nothing to say
    caplog.clear()
    with caplog.at_level("WARNING", logger="streams.sources"):
        run = lab.replay([path])  # a notebook is told too
    assert run.source.late == result.source.late and "sort the input by ts" in caplog.text
