"""Stream activity counts: kept in checkpoints, written with them, final after the settle window."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hydrawatch.store.accounts import ActivityRow, write_activity_rows
from streams.activity import ActivityCounts
from streams.checkpoint import StreamStore
from streams.events import Event, parse_record

HOUR_MS = 3_600_000
BASE_MS = 1_772_000_000_000 // HOUR_MS * HOUR_MS


def _event(account: str, hour: int, model: str = "atlas-2") -> Event:
    return parse_record({"ts": BASE_MS + hour * HOUR_MS + 60_000, "account_id": account, "prompt": "hi",
                         "model": model})


def _stored(engine: Engine) -> dict[tuple[str, int, str], int]:
    with Session(engine) as session:
        rows = session.execute(select(ActivityRow.account_id, ActivityRow.hour, ActivityRow.model,
                                      ActivityRow.requests)).all()
    first = BASE_MS // HOUR_MS
    return {(a, h - first, m): n for a, h, m, n in rows}


def _checkpoint(store: StreamStore, counts: ActivityCounts, offset: int) -> ActivityCounts:
    rows, late, kept = counts.checkpoint()

    def write(session: Session) -> None:
        write_activity_rows(session, rows)
        write_activity_rows(session, late, increment=True)

    assert store.save("all/g/t", b"state", {0: offset}, offset, also=write)
    return kept


def test_counts_are_written_with_checkpoints_and_settled_hours_leave_the_state(engine: Engine) -> None:
    store, counts = StreamStore(engine), ActivityCounts(settle_hours=2)
    for hour in (0, 0, 1, 5):
        counts.observe(_event("a", hour))
    counts.observe(_event("b", 5, model="atlas-3"))
    counts = _checkpoint(store, counts, 5)  # hours 0 and 1 are now final: they leave the state
    assert _stored(engine) == {("a", 0, "atlas-2"): 2, ("a", 1, "atlas-2"): 1, ("a", 5, "atlas-2"): 1,
                               ("b", 5, "atlas-3"): 1}
    first = BASE_MS // HOUR_MS
    assert {(a, h - first, m) for a, h, m in counts.counts} == {("a", 5, "atlas-2"), ("b", 5, "atlas-3")}

    counts.observe(_event("a", 5))
    counts.observe(_event("a", 0))  # late: its hour was already final
    counts = _checkpoint(store, counts, 7)
    assert _stored(engine)[("a", 5, "atlas-2")] == 2 and _stored(engine)[("a", 0, "atlas-2")] == 3
    assert not counts.late


def test_a_failed_checkpoint_writes_nothing(engine: Engine) -> None:
    store, counts = StreamStore(engine), ActivityCounts()
    counts.observe(_event("a", 0))
    _checkpoint(store, counts, 10)
    rows, late, _ = counts.checkpoint()
    refused = store.save("all/g/t", b"stale", {0: 9}, 9,  # behind the stored checkpoint: refused
                         also=lambda session: write_activity_rows(session, [{**rows[0], "requests": 99}]))
    assert not refused and _stored(engine) == {("a", 0, "atlas-2"): 1}
