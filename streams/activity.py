"""Requests per (account, hour, model) counted by a stream process and kept in its checkpoints.

The dashboard's account activity (``account_activity`` in the store) is written from these counts. They live in
the checkpointed state, so a restart from a checkpoint counts exactly the events after it again; at each
checkpoint every pending count is written as an absolute value (an idempotent upsert), then hours older than
``settle_hours`` before the newest one are dropped from the state: they are final. An event for an hour
already dropped (later than the settle window, rare) is written as an increment instead. The rows are written
in the same transaction as the checkpoint that no longer holds them, so a crash can neither lose nor repeat a
count.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from streams.events import Event

Row = dict[str, Any]


@dataclass
class ActivityCounts:
    """Pending counts of one stream key (the whole input, or one partition)."""

    settle_hours: int = 2
    counts: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    late: Counter[tuple[str, int, str]] = field(default_factory=Counter)
    latest_hour: int = 0
    settled_before: int = 0  # hours before this were written as final and dropped

    def observe(self, event: Event) -> None:
        hour = int(event.ts // 3600)
        key = (event.account_id, hour, event.model or "")
        if hour < self.settled_before:
            self.late[key] += 1
        else:
            self.counts[key] += 1
        self.latest_hour = max(self.latest_hour, hour)

    def checkpoint(self) -> tuple[list[Row], list[Row], ActivityCounts]:
        """(absolute rows of every pending count, increment rows of late events, the counts to keep once those
        are written): the rows go into the store in the transaction that saves the state holding the rest."""
        kept = ActivityCounts(self.settle_hours, Counter(), Counter(), self.latest_hour,
                              max(self.settled_before, self.latest_hour - self.settle_hours))
        kept.counts.update({k: n for k, n in self.counts.items() if k[1] >= kept.settled_before})
        return _rows(self.counts), _rows(self.late), kept


def _rows(counts: Counter[tuple[str, int, str]]) -> list[Row]:
    return [{"account_id": a, "hour": h, "model": m, "requests": n} for (a, h, m), n in counts.items()]
