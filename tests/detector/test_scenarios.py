"""Golden scenario tests: for each scenario file, the detector alerts on the expected groups and stays silent on
the others (including the benign background traffic)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_builder import SCENARIOS, load, run_scenario


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path: Path) -> None:
    scenario = load(path)
    for seed in scenario.get("seeds", [1]):
        _check(scenario, *run_scenario(scenario, seed))


def _check(scenario: dict, alerts: list[dict], groups: dict[str, str]) -> None:
    flagged = {a for alert in alerts for a in alert["accounts"]}
    expect = scenario["expect"]
    for group in expect.get("silent_groups", []):
        noisy = sorted(a for a in flagged if groups.get(a) == group)
        assert not noisy, f"{group} must stay silent, but these accounts were alerted: {noisy[:5]}"
    for group in expect.get("alert_groups", []):
        members = {a for a, g in groups.items() if g == group}
        recall = len(members & flagged) / len(members)
        assert recall >= expect.get("min_recall", 0.9), f"{group}: only {recall:.0%} of its accounts alerted"
    if not expect.get("alert_groups"):
        assert alerts == []
