"""Decision profiles: golden cases per shipped profile, the simulation (shadow) flag, custom profile files,
validation, and the detector attaching decisions to the alerts it builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from scenario_builder import SCENARIOS, load, run_scenario

from detector.decisions import apply_decision, load_profiles, parse_profiles
from hydrawatch.settings import DecisionSettings, Settings


def alert(severity: str, score: float, accounts: int, evasion: float = 0.1, **extra: Any) -> dict[str, Any]:
    return {"alert_id": "cmp-1-v1", "severity": severity, "score": score,
            "accounts": [f"a{i}" for i in range(accounts)],
            "signals": [{"name": "extraction_intent", "weight": 1.0, "value": 0.9},
                        {"name": "evasion", "weight": 0.2, "value": evasion}], **extra}


GOLDEN = [  # (alert, decision) against detector/decision_profiles.yaml
    (alert("critical", 0.95, 12, evasion=0.6),
     {"action": "suspend", "profile": "suspend-critical", "simulated": True,
      "live_action": "require_verification", "live_profile": "verify-evasive"}),
    (alert("critical", 0.95, 12, evasion=0.1),
     {"action": "suspend", "profile": "suspend-critical", "simulated": True, "live_action": "throttle",
      "live_profile": "throttle-high"}),
    (alert("critical", 0.95, 5, evasion=0.1), {"action": "throttle", "profile": "throttle-high", "simulated": False}),
    (alert("high", 0.85, 4, evasion=0.45),
     {"action": "require_verification", "profile": "verify-evasive", "simulated": False}),
    (alert("high", 0.85, 4, evasion=0.2), {"action": "throttle", "profile": "throttle-high", "simulated": False}),
    (alert("medium", 0.7, 30, evasion=0.9), {"action": "monitor", "profile": "monitor-rest", "simulated": False}),
    (alert("low", 0.56, 3), {"action": "monitor", "profile": "monitor-rest", "simulated": False}),
]


@pytest.mark.parametrize(("given", "expected"), GOLDEN)
def test_shipped_profiles_golden_cases(given: dict[str, Any], expected: dict[str, Any]) -> None:
    assert load_profiles().decide(given) == expected


def test_every_shipped_profile_is_exercised() -> None:
    rules = load_profiles()
    used = {load_profiles().decide(a)["profile"] for a, _ in GOLDEN} | {
        rules.decide(a).get("live_profile") for a, _ in GOLDEN}
    assert {p.name for p in rules.profiles} <= used


def test_promoting_a_simulated_profile_makes_it_act(tmp_path: Path) -> None:
    path = tmp_path / "profiles.yaml"
    path.write_text("""
- name: suspend-huge
  filter: {min_accounts: 10, signals: {extraction_intent: 0.8}, shadow: false}
  decision: suspend
- name: verify-any
  filter: {}
  decision: require_verification
  simulation: true
""")
    settings = Settings(db_url="", decisions=DecisionSettings(profiles_file=path))
    assert apply_decision(alert("high", 0.8, 12), settings)["decision"] == {
        "action": "suspend", "profile": "suspend-huge", "simulated": False}
    assert apply_decision(alert("high", 0.8, 12, shadow=True), settings)["decision"] == {
        "action": "require_verification", "profile": "verify-any", "simulated": True,
        "live_action": "monitor", "live_profile": "default"}


def test_toml_json_profiles_and_validation(tmp_path: Path) -> None:
    toml = tmp_path / "p.toml"
    toml.write_text('[[profiles]]\nname = "t"\ndecision = "throttle"\n[profiles.filter]\nseverity = ["low"]\n'
                    'max_score = 0.6\n')
    assert load_profiles(toml).decide(alert("low", 0.56, 3))["action"] == "throttle"
    assert load_profiles(toml).decide(alert("low", 0.61, 3)) == {"action": "monitor", "profile": "default",
                                                                  "simulated": False}
    json_file = tmp_path / "p.json"
    json_file.write_text('[{"name": "j", "decision": "suspend", "filter": {"max_accounts": 3}}]')
    assert load_profiles(json_file).decide(alert("low", 0.5, 3))["action"] == "suspend"
    with pytest.raises(ValidationError):
        parse_profiles([{"name": "typo", "decision": "throttle", "filter": {"min_sevrity": "high"}}])
    with pytest.raises(ValidationError):
        parse_profiles([{"name": "bad", "decision": "ban"}])
    with pytest.raises(ValueError, match="unique"):
        parse_profiles([{"name": "x", "decision": "monitor"}, {"name": "x", "decision": "throttle"}])


def test_disabled_decisions_leave_alerts_alone() -> None:
    settings = Settings(db_url="", decisions=DecisionSettings(enabled=False))
    assert "decision" not in apply_decision(alert("high", 0.9, 5), settings)


def test_the_detector_attaches_decisions() -> None:
    scenario = next(p for p in SCENARIOS if p.name == "slow_clean_crew.yaml")
    alerts, _ = run_scenario(load(scenario))
    assert alerts
    for a in alerts:
        assert a["decision"] == load_profiles().decide(a)
        assert a["decision"]["action"] in ("monitor", "throttle", "suspend", "require_verification")
