"""The MiniLM tier: a per-account sample budget of alerted campaigns, cached by text hash."""

from __future__ import annotations

from scenario_builder import SCENARIOS, build, load

from detector.engine import Detector
from features.embeddings import load_tiers
from hydrawatch.settings import Settings
from streams.events import parse_record


def test_alerts_carry_minilm_content_coherence_within_budget() -> None:
    settings = Settings(db_url="")
    settings.embedding.minilm_per_account = 1
    settings.embedding.minilm_per_campaign = 5
    fast, minilm = load_tiers(settings)
    assert minilm is not None
    detector = Detector(settings, fast, minilm)
    events, _ = build(load(next(p for p in SCENARIOS if p.stem == "hydra_shared_card")))
    alerts = [a for record in events for a in detector.process(parse_record(record))] + detector.finish()
    assert alerts
    for alert in alerts:
        coherence = next(s for s in alert["signals"] if s["name"] == "content_coherence")
        assert coherence["weight"] == 0.0  # evidence only: it never changes the score
        assert 0.3 < coherence["value"] <= 1.0  # templated prompts of one operator read alike
    assert minilm.encoded <= 5 * len(alerts)  # the per-campaign budget, minus text-hash cache hits
