"""Event time that one client with a wrong clock cannot move far ahead.

A stream's clock is the latest event time seen: it decides when campaigns are re-evaluated and which accounts have
gone idle. One event stamped years ahead (a gateway node with a wrong clock, local time written as UTC) would move
it there for good: every later event would look late, no evaluation would fall due again, and every account would
look idle. So an event more than ``max_jump_s`` ahead of the clock is an *outlier*: it is processed at the clock's
time instead of its own, and it moves nothing. The clock follows a jump only when events of ``CONFIRM_ACCOUNTS``
distinct accounts in a row are that far ahead, as after a pause in the traffic (a stream resumed, files with a gap
between them). Before the first event, this machine's clock is the reference: an event later than it is an outlier
too, until confirmed the same way.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import time

from streams.events import Event

log = logging.getLogger(__name__)

CONFIRM_ACCOUNTS = 3  # distinct accounts in a row whose events far ahead of the clock make it jump
LOG_EVERY = 1000      # outliers between two warnings


class EventClock:
    """The latest event time of a stream, guarded against single events far ahead of it (``admit``)."""

    def __init__(self, max_jump_s: float) -> None:
        self.max_jump_s = max_jump_s  # <= 0: no guard, every event moves the clock
        self.now = -math.inf          # no event time yet
        self.outliers = 0
        self._ahead: dict[str, float] = {}  # account -> time of its first event in the current run of far-ahead ones

    @classmethod
    def resumed(cls, max_jump_s: float, now: float | None) -> EventClock:
        """A clock at ``now`` (None: no event yet), for a state checkpointed before it kept a clock of its own."""
        clock = cls(max_jump_s)
        clock.now = -math.inf if now is None else now
        return clock

    def admit(self, event: Event) -> Event:
        """The event to process: itself, or a copy at the clock's time when it is an outlier."""
        ts = event.ts
        reference = self.now if self.now > -math.inf else time.time()
        if self.max_jump_s <= 0 or ts <= reference + self.max_jump_s:
            self._ahead.clear()
            if ts > self.now:
                self.now = ts
            return event
        self._ahead.setdefault(event.account_id, ts)
        if len(self._ahead) >= CONFIRM_ACCOUNTS:  # the traffic itself moved on: follow it
            self.now = max(self.now, min(self._ahead.values()))
            self._ahead.clear()
            if ts <= self.now + self.max_jump_s:
                return event
        self.outliers += 1
        if self.outliers % LOG_EVERY == 1:
            log.warning("event %s of account %s is stamped %.1f h ahead of the stream's clock; processed at the "
                        "clock's time (a client's clock or time zone is wrong?); %d such events so far",
                        event.event_id, event.account_id, (ts - reference) / 3600, self.outliers)
        if self.now == -math.inf:
            return event  # nothing to put it at yet: its own time, which moves no clock
        return dataclasses.replace(event, ts=self.now)
