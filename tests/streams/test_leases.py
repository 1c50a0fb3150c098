"""Leases in the store: one linker per group, standby take-over, and fencing of a paused holder."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from hydrawatch.stream_linker import await_lease
from streams.checkpoint import LeaseLost, StreamStore
from streams.leases import Lease


def test_one_holder_at_a_time_and_release_hands_over(engine: Engine) -> None:
    first, second = Lease(engine, "linker/g/p", 30.0), Lease(engine, "linker/g/p", 30.0)
    assert first.acquire() and not first.due()
    assert not second.acquire()
    assert first.acquire()  # renewal
    assert Lease(engine, "linker/other/p", 30.0).acquire()  # another group's linker is independent
    first.release()
    assert second.acquire() and not first.acquire()


def test_an_expired_holder_is_fenced_out_of_checkpoints(engine: Engine) -> None:
    store = StreamStore(engine)
    paused, standby = Lease(engine, "linker/g/p", 0.3), Lease(engine, "linker/g/p", 30.0)
    assert paused.acquire()
    assert store.save("linker/g/p", b"old", {0: 5}, 5, fence=paused.renew_in)
    time.sleep(0.4)  # the holder was paused longer than the time to live
    assert standby.acquire()
    with pytest.raises(LeaseLost):
        store.save("linker/g/p", b"stale", {0: 9}, 9, fence=paused.renew_in)
    assert store.save("linker/g/p", b"new", {0: 6}, 6, fence=standby.renew_in)
    loaded = store.load("linker/g/p")
    assert loaded is not None and loaded.state == b"new" and loaded.offsets == {0: 6}
    paused.release()  # no longer its lease: nothing happens
    assert not paused.acquire()


def test_concurrent_claims_have_one_winner(engine: Engine) -> None:
    leases = [Lease(engine, "linker/race/p", 30.0) for _ in range(6)]
    results: list[bool] = []
    start = threading.Barrier(len(leases))

    def claim(lease: Lease) -> None:
        start.wait()
        results.append(lease.acquire())

    threads = [threading.Thread(target=claim, args=(lease,)) for lease in leases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 5 + [True]


@dataclass
class _Runtime:
    """The parts of ``hydrawatch.stream.Runtime`` that standing by uses."""

    stopping: bool = False
    last_loop: float = 0.0
    details: Any = field(default=dict)


def test_a_standby_linker_takes_over_when_the_active_one_stops(engine: Engine) -> None:
    active, standby = Lease(engine, "linker/g/p", 0.6), Lease(engine, "linker/g/p", 0.6)
    assert active.acquire()
    runtime = _Runtime()
    took_over: list[bool] = []
    waiter = threading.Thread(target=lambda: took_over.append(await_lease(runtime, standby)))  # type: ignore[arg-type]
    waiter.start()
    time.sleep(0.5)
    assert not took_over and runtime.details() == {"standby": True}
    active.release()  # a clean stop
    waiter.join(timeout=5)
    assert took_over == [True] and not active.acquire()

    stopped = _Runtime(stopping=True)
    assert not await_lease(stopped, Lease(engine, "linker/g/p", 0.6))  # type: ignore[arg-type]
