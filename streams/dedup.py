"""Duplicate deliveries: an event whose id was already seen lately is not processed again.

``event_id`` identifies one request (events without one get an id derived from their bytes). The same id twice
is the same request delivered twice: a producer's retry, log files that overlap at their edges, a gateway that
logged a request twice. Processed twice it would count double in the account's volume and make its texts look
re-sent (which is what an evaluation suite does, and discounts a campaign's evidence). Ids are remembered for
``window_s`` of event time (duplicates arrive close together) and at most ``max_ids`` of them.
"""

from __future__ import annotations

from collections import deque

from streams.events import Event

MAX_IDS = 1_000_000  # about 100 MB of ids at most, whatever the traffic


class RecentIds:
    """The ids of the events seen within the last ``window_s`` of event time (``repeated``)."""

    def __init__(self, window_s: float, max_ids: int = MAX_IDS) -> None:
        self.window_s = window_s  # <= 0: every event is new
        self.max_ids = max_ids
        self.repeats = 0
        self._ids: set[str] = set()
        self._order: deque[tuple[float, str]] = deque()  # (event time, id) in the order first seen
        self._latest = float("-inf")

    def repeated(self, event: Event) -> bool:
        """Whether ``event`` is a repeat of one seen lately (counted in ``repeats``); else it is remembered."""
        if self.window_s <= 0:
            return False
        if event.event_id in self._ids:
            self.repeats += 1
            return True
        self._ids.add(event.event_id)
        self._order.append((event.ts, event.event_id))
        self._latest = max(self._latest, event.ts)
        horizon, order = self._latest - self.window_s, self._order
        while len(order) > self.max_ids or order[0][0] < horizon:  # the oldest first seen go first
            self._ids.discard(order.popleft()[1])
        return False
