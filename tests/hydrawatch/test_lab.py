"""The notebook API (hydrawatch.lab) and the ablation hooks (detection.disabled_links / disabled_signals)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import hydrawatch.lab as lab
from detector.engine import Detector
from detector.linking.edges import LINK_FAMILIES, LinkSet, disabled_links
from detector.scoring import ACCOUNT_WEIGHTS, AccountView, account_suspicion, disabled_signals, group_score
from features.account import AccountState
from features.vector import FEATURE_NAMES
from hydrawatch.settings import Settings


@pytest.fixture(scope="module")
def sim(tmp_path_factory: pytest.TempPathFactory) -> lab.SimulationSummary:
    return lab.simulate(tmp_path_factory.mktemp("lab"), scale=0.15, days=1.0, seed=7)


@pytest.fixture(scope="module")
def run(sim: lab.SimulationSummary) -> lab.LabRun:
    return lab.replay([sim.events_path], labels=sim.labels_path)


def test_replay_gives_dataframes_of_every_stage(run: lab.LabRun, sim: lab.SimulationSummary) -> None:
    events = run.events_df()
    assert len(events) == sim.events and events["time"].is_monotonic_increasing
    assert {"account_id", "group", "text", "ip", "model"} <= set(events.columns)
    accounts = run.accounts_df()
    assert accounts["account_id"].is_unique and len(accounts) == sim.accounts
    assert {"intent", "templated", "recycled", "automation", "evasion", "anomaly", "suspicion", "group",
            "campaign_id"} <= set(accounts.columns)
    assert {f"f_{n}" for n in FEATURE_NAMES} <= set(accounts.columns)
    assert accounts[["intent", "suspicion", "anomaly"]].apply(lambda c: c.between(0, 1).all()).all()
    alerted = accounts.dropna(subset=["campaign_id"])
    assert (alerted["group"].str.startswith("campaign")).mean() > 0.9
    assert alerted["suspicion"].mean() > accounts.loc[accounts["campaign_id"].isna(), "suspicion"].mean()

    alerts = run.alerts_df()
    assert len(alerts) == len(run.alerts) and {"extraction_intent", "hidden_linkage", "mostly"} <= set(alerts)
    assert len(run.signals_df()) == sum(len(a["signals"]) for a in run.alerts)
    campaigns = run.campaigns_df()
    assert campaigns["campaign_id"].is_unique and set(campaigns["campaign_id"]) == set(alerts["campaign_id"])
    assert (campaigns["first_alert_at"] <= campaigns["last_alert_at"]).all()
    members = run.members_df()
    assert set(members["account_id"]) == set(alerted["account_id"])
    assert run.rejected_df().empty


def test_graph_is_an_edge_list_with_per_link_weights(run: lab.LabRun) -> None:
    graph = run.graph_df()
    links = [c for c in graph.columns if c not in ("source", "target", "weight", "kept")]
    assert set(links) <= set(LINK_FAMILIES) and "shared_template" in links
    assert (graph["source"] < graph["target"]).all() and not graph.duplicated(["source", "target"]).any()
    combined = 1 - np.prod(1 - graph[links].to_numpy(), axis=1)
    assert np.allclose(combined, graph["weight"])
    assert (graph["kept"] == (graph["weight"] >= run.settings.detection.min_edge_weight)).all()
    members = set(run.members_df()["account_id"])
    kept = graph[graph["kept"]]
    assert members <= set(kept["source"]) | set(kept["target"])  # every member has a kept link
    assert len(run.graph_df(everyone=True)) >= len(graph)


def test_evaluate_threshold_and_report(run: lab.LabRun, tmp_path: Path) -> None:
    quality = run.evaluate()
    assert quality.precision >= 0.9 and quality.recall >= 0.8
    results = run.campaign_results_df()
    assert set(results.columns) == {"group", "accounts", "detected", "recall", "time_to_detect_min",
                                    "catchable_after_min"}
    assert (results["catchable_after_min"] >= 0).all()  # the simulator labels each campaign account's start
    curve = run.threshold_df()
    assert curve["threshold"].is_monotonic_decreasing and curve["recall"].iloc[-1] == pytest.approx(quality.recall)
    html = run.report(tmp_path / "report")
    assert html.is_file() and (tmp_path / "report" / "timeline.png").is_file()


def test_ablation_table_and_rerun(run: lab.LabRun, sim: lab.SimulationSummary) -> None:
    table = lab.ablate([sim.events_path], sim.labels_path, {
        "baseline": {}, "no content": {"disabled_links": ["content"]},
        "no linkage weight": {"disabled_signals": ["hidden_linkage"]}})
    assert list(table.index) == ["baseline", "no content", "no linkage weight"]
    assert table.loc["baseline", "recall"] == pytest.approx(run.evaluate().recall)
    assert table.loc["no content", "recall"] <= table.loc["baseline", "recall"]
    quiet = run.rerun(disabled_signals=["intent"])
    assert quiet.settings.detection.disabled_signals == ["intent"]
    assert quiet.accounts_df()["suspicion"].mean() < run.accounts_df()["suspicion"].mean()
    assert run.settings.detection.disabled_signals == []  # the original settings are untouched


def test_unknown_ablation_names_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown links"):
        Detector(lab.with_detection(disabled_links=["telepathy"]))
    with pytest.raises(ValueError, match="unknown signals"):
        Detector(lab.with_detection(disabled_signals=["vibes"]))
    with pytest.raises(ValueError):
        lab.with_detection(min_score="high")
    with pytest.raises(FileNotFoundError):
        lab.replay(["/nonexistent/events.jsonl"])


def test_disabled_links_skip_names_and_families() -> None:
    links = LinkSet(3, disabled=disabled_links(["content", "shared_payment"]))
    pair = (np.array([0]), np.array([1]), np.array([0.9]))
    links.add("shared_template", "content", *pair)
    links.add("shared_payment", "infrastructure", *pair)
    links.add("shared_rotating_ips", "infrastructure", *pair)
    assert set(links.matrices) == {"shared_rotating_ips"}


def test_disabled_signals_zero_account_and_group_weights() -> None:
    assert disabled_signals(["intent"]) == {"intent", "extraction_intent"}
    assert disabled_signals(["behaviour_anomaly"]) == {"anomaly", "behaviour_anomaly"}
    assert disabled_signals(["load_balancing"]) == {"load_balancing"}
    view = AccountView(AccountState("a"), intent=1.0, templated=0.0, recycled=0.0, automation=0.0, evasion=0.0,
                       anomaly=0.0, pivot=0.0)
    view.state.events = 10
    assert account_suspicion(view) > 0.6
    assert account_suspicion(view, disabled_signals(["intent"])) < 0.1
    full = group_score([view], linkage=0.9, load_balancing=0.0)
    ablated = group_score([view], linkage=0.9, load_balancing=0.0, disabled=disabled_signals(["hidden_linkage"]))
    assert ablated.contributions["hidden_linkage"] == 0.0 and ablated.values["hidden_linkage"] == 0.9
    assert ablated.score < full.score
    assert set(ACCOUNT_WEIGHTS) <= set(disabled_signals(list(ACCOUNT_WEIGHTS)))


def test_settings_read_ablation_lists_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HYDRAWATCH_DETECTION__DISABLED_LINKS", '["timing", "shared_payment"]')
    assert Settings().detection.disabled_links == ["timing", "shared_payment"]
