"""Evaluation look-alikes: an eval team (one org) and a university consortium (several orgs)."""

from __future__ import annotations

import logging

from .infra import UNIVERSITY
from .lookalike_texts import EVAL_WRAPPERS, benchmark
from .lookalikes import lookalike_account, models_available
from .model import DAY, HOUR, START, scaled
from .pacing import human_session_starts, session_times
from .rand import Rng
from .world import World

log = logging.getLogger(__name__)


def build_eval_team(world: World, rng: Rng) -> None:
    """One org, one card, one egress: benchmark suites in synchronized batches every few hours."""
    g = "lookalike_eval_team"
    n = scaled(25, world.scale, 3)
    inf = world.infra
    org, card, ua = inf.uid("org"), inf.payment(), "atlas-python/1.52.0 evalkit/2.1.0"
    net = inf.pool(16509, "US", 1)[0]
    accts = [
        lookalike_account(
            world, rng, g, org, card, ua, net, "enterprise", START - rng.uniform(20, 200) * DAY, msg_p=0.0
        )
        for _ in range(n)
    ]
    n_items = max(30, int(150 * world.scale))
    suites = [
        benchmark(rng, name, n_items, kinds, rng.choice(EVAL_WRAPPERS))
        for name, kinds in (
            ("MathSuite", ("math",)),
            ("ReasonSuite", ("logic", "science")),
            ("CodeSuite", ("code",)),
        )
    ]
    t, b = world.start + rng.uniform(0.5, 2) * HOUR, 0
    while t < world.end:
        suite, model = suites[b % 3], rng.choice(models_available(world, t))
        for k, acct in enumerate(accts):
            shard = suite[k::n]
            times = session_times(rng, t + rng.uniform(0, 15), len(shard), 3.0, world.end)
            for ts, item in zip(times, shard, strict=False):
                world.sink.emit(
                    acct,
                    ts,
                    item,
                    net=net,
                    model=model,
                    max_tokens=2048,
                    out_median=600,
                    near_max=0.15,
                    as_messages=False,
                )
        t += 4 * HOUR + rng.normal(0, 300)
        b += 1
    log.info("%s: %d accounts", g, n)


def build_eval_consortium(world: World, rng: Rng) -> None:
    """Four orgs with own cards on one campus network re-running the same fixed benchmark items."""
    g = "lookalike_eval_consortium"
    n = scaled(16, world.scale, 3)
    inf = world.infra
    campus = inf.pool(25, UNIVERSITY[25], 3)
    items = benchmark(
        rng,
        "UniBench",
        max(20, int(50 * world.scale**0.5)),
        ("math", "logic"),
        "{item}\nLet's think step by step.",
    )
    n_orgs = min(4, n)
    orgs = [
        (inf.uid("org"), inf.payment(), inf.sdk_ua(), rng.choice(("education", "self_serve")))
        for _ in range(n_orgs)
    ]
    for j in range(n):
        org, card, ua, channel = orgs[j % n_orgs]
        acct = lookalike_account(
            world,
            rng,
            g,
            org,
            card,
            ua,
            rng.choice(campus),
            channel,
            START - rng.uniform(10, 300) * DAY,
            tz=-8.0,
            msg_p=0.5,
        )
        starts = human_session_starts(rng, world.start, world.end, -8.0, 1.5, 0.9)
        for s in starts:
            model = rng.choice(models_available(world, s))
            for ts, item in zip(session_times(rng, s, len(items), 6.0, world.end), items, strict=False):
                world.sink.emit(acct, ts, item, net=rng.choice(campus), model=model, max_tokens=1024)
    log.info("%s: %d accounts in %d orgs", g, n, n_orgs)
