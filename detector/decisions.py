"""Recommended decisions on alerts, from profiles kept as data (CrowdSec-style).

A profile is ``{name, filter, decision, simulation}``. Profiles are tried in order and the first whose filter
matches decides (``monitor`` when none does). A profile in simulation (shadow) mode never acts: when it is the
first match, the alert says what it *would* recommend with ``simulated: true``, and ``live_action`` /
``live_profile`` give what the live profiles after it recommend. Consumers act on ``action`` only when
``simulated`` is false (else on ``live_action``).
"""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Action = Literal["monitor", "throttle", "suspend", "require_verification"]
Severity = Literal["low", "medium", "high", "critical"]
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
DEFAULT_PROFILES = "decision_profiles.yaml"
FALLBACK = {"action": "monitor", "profile": "default"}


class ProfileFilter(BaseModel):
    """Every condition given must hold (an empty filter matches every alert)."""

    model_config = ConfigDict(extra="forbid")

    severity: list[Severity] | None = Field(None, description="Severity is one of these.")
    min_severity: Severity | None = None
    min_score: float | None = None
    max_score: float | None = None
    min_accounts: int | None = None
    max_accounts: int | None = None
    signals: dict[str, float] = Field(default_factory=dict, description="Signal name -> minimum value.")
    shadow: bool | None = Field(None, description="Only alerts of a shadow detector (or only of a live one).")

    def matches(self, alert: dict[str, Any]) -> bool:
        severity = alert.get("severity", "low")
        score = float(alert.get("score", 0.0))
        size = len(alert.get("accounts", []))
        if self.severity is not None and severity not in self.severity:
            return False
        if self.min_severity is not None and SEVERITY_RANK.get(severity, 0) < SEVERITY_RANK[self.min_severity]:
            return False
        if (self.min_score is not None and score < self.min_score) or (
                self.max_score is not None and score > self.max_score):
            return False
        if (self.min_accounts is not None and size < self.min_accounts) or (
                self.max_accounts is not None and size > self.max_accounts):
            return False
        if self.shadow is not None and bool(alert.get("shadow", False)) != self.shadow:
            return False
        values = {s.get("name"): float(s.get("value", s.get("weight")) or 0.0)
                  for s in alert.get("signals", []) if isinstance(s, dict)}
        return all(values.get(name, 0.0) >= minimum for name, minimum in self.signals.items())


class Profile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    filter: ProfileFilter = Field(default_factory=ProfileFilter)
    decision: Action
    simulation: bool = False


PROFILES = TypeAdapter(list[Profile])


class DecisionRules:
    """An ordered list of profiles."""

    def __init__(self, profiles: list[Profile]) -> None:
        names = [p.name for p in profiles]
        if len(names) != len(set(names)):
            raise ValueError("decision profile names must be unique")
        self.profiles = profiles

    def decide(self, alert: dict[str, Any]) -> dict[str, Any]:
        """The ``decision`` block of an alert."""
        simulated: Profile | None = None
        for profile in self.profiles:
            if not profile.filter.matches(alert):
                continue
            if profile.simulation:
                simulated = simulated or profile
                continue
            live = {"action": profile.decision, "profile": profile.name}
            break
        else:
            live = dict(FALLBACK)
        if simulated is None:
            return {**live, "simulated": False}
        return {"action": simulated.decision, "profile": simulated.name, "simulated": True,
                "live_action": live["action"], "live_profile": live["profile"]}

    def apply(self, alert: dict[str, Any]) -> dict[str, Any]:
        alert["decision"] = self.decide(alert)
        return alert


def parse_profiles(data: Any) -> DecisionRules:
    """Profiles from parsed YAML/TOML/JSON: a list, or a mapping with a ``profiles`` list."""
    if isinstance(data, dict):
        data = data.get("profiles", [])
    return DecisionRules(PROFILES.validate_python(data or []))


def load_profiles(path: Path | None = None) -> DecisionRules:
    """Profiles from a file (by suffix), or the shipped defaults."""
    if path is None:
        path = Path(__file__).with_name(DEFAULT_PROFILES)  # package data
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".toml":
        return parse_profiles(tomllib.loads(text))
    return parse_profiles(json.loads(text) if path.suffix == ".json" else yaml.safe_load(text))


@lru_cache(maxsize=8)
def _cached(path: Path | None) -> DecisionRules:
    return load_profiles(path)


def rules_for(settings: Any) -> DecisionRules | None:
    """The rules configured in ``settings.decisions`` (None when disabled); loaded once per file."""
    config = getattr(settings, "decisions", None)
    if config is None or not config.enabled:
        return None
    return _cached(config.profiles_file)


def apply_decision(alert: dict[str, Any], settings: Any) -> dict[str, Any]:
    """Attach the recommended decision to ``alert`` (unchanged when decisions are disabled)."""
    rules = rules_for(settings)
    return rules.apply(alert) if rules is not None else alert
