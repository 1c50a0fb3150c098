"""A detector's checkpoints: what they hold, and what one written by an earlier version lacks, filled in on restore.

Every later addition to the checkpointed objects is completed here, once, so the code that reads them never
has to ask whether an attribute exists."""

from __future__ import annotations

import math
import pickle
from collections.abc import Callable
from typing import Any

from detector.idle import IdleAccounts
from detector.linking.clients import ClientPopulation
from detector.second_look import SecondLook
from detector.wrapper_mates import MateMemo
from streams.clock import EventClock
from streams.dedup import RecentIds

_NOT_CHECKPOINTED = frozenset({"settings", "det", "fast_tier", "minilm_tier", "allow", "disabled"})
_CAMPAIGN_FIELDS: dict[str, Callable[[Any], Any]] = {  # each added field's value for a campaign written before it
    "founders": lambda campaign: set(campaign.members),  # before founders were kept: its members then founded it
    "absorbed": lambda campaign: [],  # before fragments were merged into campaigns
    "card_mates": lambda campaign: set(),  # before campaigns named their card mates
    "announced_at": lambda campaign: None,  # before versions kept their time: not known (see ``Campaign``)
    "named": lambda campaign: None,  # before versions kept the names: not known
}
_VIEW_DEFAULTS = {"keys": None, "events_at": 0, "recycled_at": 0, "computed_at": -math.inf,  # -inf: refresh due
                  "org": None}


def checkpoint_of(detector: Any) -> bytes:
    """Everything a ``detector.engine.Detector`` has learned, as bytes: its attributes but its settings and what is
    built from them, and its embedding models."""
    state = {k: v for k, v in detector.__dict__.items() if k not in _NOT_CHECKPOINTED}
    return pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def restore_into(detector: Any, blob: bytes) -> None:
    """Continue ``detector`` from a ``checkpoint_of`` a detector with the same settings."""
    state = pickle.loads(blob)  # noqa: S301 - our own checkpoint, never untrusted input
    detector.__dict__.update(state)
    fill_missing(detector, state)  # what checkpoints of earlier versions lack


def fill_missing(detector: Any, state: dict[str, Any]) -> None:
    """Complete ``detector`` (a ``detector.engine.Detector`` whose ``__dict__`` was just updated from ``state``)."""
    if "clock" not in state:  # written before the detector guarded its clock (``streams.clock``)
        detector.clock = EventClock.resumed(detector.det.max_clock_jump_s,
                                            detector.now if detector.stream_start is not None else None)
    if "recent" not in state:  # written before the detector dropped duplicate deliveries (``streams.dedup``)
        detector.recent = RecentIds(detector.det.dedup_window_s)
    if "clients" not in state:  # written before the detector counted network + client pairs
        detector.clients = ClientPopulation.of_states(view.state for view in detector._views.values())
    if "idle" not in state:  # written before evictions skipped their scan while none could be due
        detector.idle = IdleAccounts(-math.inf)  # the first evaluation scans
    if "mate_memo" not in state:  # written before wrapper mates were judged across evaluations
        detector.mate_memo = MateMemo()
    if "second_look" not in state:  # written before groups of customers waited for a second evaluation
        detector.second_look = SecondLook()
    if not hasattr(detector.tracker, "each_account_below"):  # written before small campaigns named each account
        detector.tracker.each_account_below = detector.det.name_each_account_below
    _fill_tracker(detector.tracker)
    for view in detector._views.values():  # slotted: fields added since are unset, not defaulted
        for name, value in _VIEW_DEFAULTS.items():
            if not hasattr(view, name):  # written before views kept their link keys and refresh bookkeeping
                setattr(view, name, value)
        if view.keys is not None and not hasattr(view.keys, "template_cover"):  # before keys bounded templates
            view.keys.template_cover = 1.0
    if getattr(detector.index, "crowded", None) is None:  # written before the index kept its wrapper or crowded set
        detector.index.reclassify(detector.det.max_key_accounts)


def _fill_tracker(tracker: Any) -> None:
    """The campaign tracker (``detector.campaigns.CampaignTracker``) and its campaigns."""
    if not hasattr(tracker, "_versioned"):  # written before an evaluation versioned a campaign at most once
        tracker._versioned = None
    for campaign in tracker.campaigns.values():
        for name, value_of in _CAMPAIGN_FIELDS.items():
            if name not in vars(campaign):
                setattr(campaign, name, value_of(campaign))
