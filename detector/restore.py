"""What a detector checkpoint written by an earlier version lacks, filled in on restore."""

from __future__ import annotations

from typing import Any

from detector.linking.clients import ClientPopulation
from streams.clock import EventClock
from streams.dedup import RecentIds


def fill_missing(detector: Any, state: dict[str, Any]) -> None:
    """Complete ``detector`` (a ``detector.engine.Detector`` whose ``__dict__`` was just updated from ``state``)."""
    if "clock" not in state:  # written before the detector guarded its clock (``streams.clock``)
        detector.clock = EventClock.resumed(detector.det.max_clock_jump_s,
                                            detector.now if detector.stream_start is not None else None)
    if "recent" not in state:  # written before the detector dropped duplicate deliveries (``streams.dedup``)
        detector.recent = RecentIds(detector.det.dedup_window_s)
    if "clients" not in state:  # written before the detector counted network + client pairs
        detector.clients = ClientPopulation.of_states(view.state for view in detector._views.values())
    for campaign in detector.tracker.campaigns.values():  # written before campaigns named their card mates
        if not hasattr(campaign, "card_mates"):
            campaign.card_mates = set()
    if getattr(detector.index, "crowded", None) is None:  # written before the index kept its wrapper or crowded set
        detector.index.reclassify(detector.det.max_key_accounts)
