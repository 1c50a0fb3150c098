"""Checkpoints written by earlier versions: what they lack is filled in once, on restore (``detector.restore``)."""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from dataclasses import fields
from typing import Any

import pytest

from detector.engine import Detector
from detector.linking.keys import LinkKeys
from detector.scoring import AccountView
from hydrawatch.settings import Settings
from streams.events import parse_record

VIEW_FIELDS_ADDED = ("keys", "events_at", "recycled_at", "computed_at")  # the last four fields, added in that order
CAMPAIGN_FIELDS_ADDED = ("founders", "absorbed", "announced_at", "named", "card_mates")


def _hydra_events() -> tuple[list[dict[str, Any]], int]:
    from scenario_builder import SCENARIOS, build, load

    events, _groups = build(load(next(p for p in SCENARIOS if p.stem == "hydra_shared_card")), seed=1)
    events.sort(key=lambda r: r["ts"])
    return events, 80  # the hydra's second version is out by then; two more follow as it grows


def _written_without_last(dropped: int) -> Callable[[Any], list[Any]]:
    """A slotted dataclass's ``__getstate__`` (``object.__getstate__``: no dict, the slots' values) as a version
    without its last ``dropped`` fields wrote it."""
    return lambda self: (None, {f.name: getattr(self, f.name) for f in fields(self)[:-dropped]})


def _legacy_checkpoint(detector: Detector, monkeypatch: pytest.MonkeyPatch, view_fields_dropped: int) -> bytes:
    """The detector's checkpoint as an earlier version wrote it: campaigns without the fields added since, the
    tracker without its per-evaluation set, the detector without its held groups and wrapper mates' judgements,
    views (and their link keys) without their last fields."""
    assert tuple(f.name for f in fields(AccountView))[-len(VIEW_FIELDS_ADDED):] == VIEW_FIELDS_ADDED
    assert fields(LinkKeys)[-1].name == "template_cover"  # what ``_written_without_last`` drops must be these
    state = pickle.loads(detector.checkpoint())
    del state["tracker"]._versioned, state["tracker"].each_account_below
    del state["second_look"]  # before groups of customers waited for a second evaluation
    del state["mate_memo"]  # before wrapper mates were judged across evaluations
    for campaign in state["tracker"].campaigns.values():
        for name in CAMPAIGN_FIELDS_ADDED:
            delattr(campaign, name)
    with monkeypatch.context() as patch:
        patch.setattr(AccountView, "__getstate__", _written_without_last(view_fields_dropped))
        patch.setattr(LinkKeys, "__getstate__", _written_without_last(1))  # no template_cover
        return pickle.dumps(state)


@pytest.mark.parametrize("view_fields_dropped", [4, 3], ids=["views-without-keys", "keys-without-cover"])
def test_a_checkpoint_of_an_earlier_version_is_completed_on_restore_and_the_replay_goes_on(
        monkeypatch: pytest.MonkeyPatch, view_fields_dropped: int) -> None:
    events, cut = _hydra_events()
    detector = Detector(Settings(db_url=""))
    before = [a for record in events[:cut] for a in detector.process(parse_record(record))]
    assert before and detector.tracker.campaigns, "the hydra should be caught by then"
    members = {cid: set(c.members) for cid, c in detector.tracker.campaigns.items()}

    restored = Detector(Settings(db_url=""))
    restored.restore(_legacy_checkpoint(detector, monkeypatch, view_fields_dropped))

    assert restored.tracker._versioned is None and restored.tracker.each_account_below == 10  # the setting's
    assert restored.second_look.previous == restored.second_look.current == set()
    assert restored.mate_memo.judged == {} and restored.mate_memo.evaluations == 0  # judges everyone anew
    for cid, campaign in restored.tracker.campaigns.items():
        assert campaign.founders == members[cid]  # its members then founded it
        assert campaign.absorbed == [] and campaign.card_mates == set()
        assert campaign.announced_at is None and campaign.named is None
    views = restored._views.values()
    assert views and all(v.computed_at == -math.inf and v.events_at == 0 and v.recycled_at == 0 for v in views)
    if view_fields_dropped == 4:
        assert all(v.keys is None for v in views)
    else:
        assert any(v.keys is not None for v in views)
        assert all(v.keys.template_cover == 1.0 for v in views if v.keys is not None)

    after = [a for record in events[cut:] for a in restored.process(parse_record(record))] + restored.finish()
    uninterrupted = [a for record in events[cut:] for a in detector.process(parse_record(record))] + detector.finish()
    assert after, "the restored detector should keep reporting the hydra as it grows"
    assert {a["campaign_id"] for a in after} <= set(members) | {a["campaign_id"] for a in uninterrupted}
    assert set(after[-1]["accounts"]) == set(uninterrupted[-1]["accounts"])
