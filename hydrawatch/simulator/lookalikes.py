"""Legitimate groups that share features with campaigns (must not be flagged)."""

from __future__ import annotations

import logging

from .agents import PRODUCT_TOOLS, tool_defs, trace
from .benign import make_user, user_traffic
from .infra import CLOUD, UNIVERSITY
from .lookalike_texts import (
    AGENT_SYSTEM,
    BUSY_APP_SYSTEMS,
    assignment_for,
    product_task,
    student_question,
)
from .model import DAY, HOUR, START, Account, Net, scaled
from .pacing import diurnal_poisson, session_times
from .rand import Rng
from .world import World

log = logging.getLogger(__name__)


def lookalike_account(
    world: World,
    rng: Rng,
    group: str,
    org: str | None,
    payment: str | None,
    ua: str,
    net: Net,
    channel: str,
    created: float,
    tz: float = 0.0,
    **kw: object,
) -> Account:
    """A look-alike group account registered in the world."""
    inf = world.infra
    return world.add(
        Account(
            account_id=inf.uid("acct"),
            group=group,
            org_id=org,
            keys=inf.keys(),
            country=net[2],
            tz=tz,
            channel=channel,
            created_at=created,
            payment=payment,
            ua=ua,
            home=net,
            **kw,  # type: ignore[arg-type]
        )
    )


def models_available(world: World, t: float) -> tuple[str, ...]:
    """Models a client can pick at time t."""
    return ("atlas-2", "atlas-2-mini", "atlas-3") if t >= world.release else ("atlas-2", "atlas-2-mini")


def build_agent_product(world: World, rng: Rng) -> None:
    """One org, one key per customer workspace, tool-using agent loops with one system prompt, 24/7."""
    g = "lookalike_agent_product"
    n = scaled(30, world.scale, 3)
    inf = world.infra
    org, card, ua = inf.uid("org"), inf.payment(), "relay-agent/3.2.1 atlas-typescript/0.41.2"
    ips = inf.pool(8075, CLOUD[8075], 4)
    tools = tool_defs(PRODUCT_TOOLS)
    for _ in range(n):
        acct = lookalike_account(
            world,
            rng,
            g,
            org,
            card,
            ua,
            rng.choice(ips),
            "enterprise",
            START - rng.uniform(5, 400) * DAY,
            msg_p=1.0,
            parts_p=0.5,
        )
        tz = rng.choice((-8.0, -5.0, 0.0, 1.0, 5.5, 9.0))
        switch = world.release + rng.uniform(0.5, 3) * DAY
        for s in diurnal_poisson(rng, world.start, world.end, rng.uniform(0.6, 1.6), tz):
            job = product_task(rng)
            model = "atlas-3" if s >= switch and rng.chance(0.6) else "atlas-2"
            steps = rng.randint(1, 6)
            for k, ts in enumerate(session_times(rng, s, steps, 6.0, world.end)):
                if k == 0:
                    world.sink.emit(
                        acct,
                        ts,
                        job,
                        net=rng.choice(ips),
                        model=model,
                        system=AGENT_SYSTEM,
                        tools=tools,
                        max_tokens=1024,
                    )
                    continue
                history, pre = trace(rng, job, PRODUCT_TOOLS, k)
                world.sink.emit(
                    acct,
                    ts,
                    "Continue.",
                    net=rng.choice(ips),
                    model=model,
                    system=AGENT_SYSTEM,
                    tools=tools,
                    history=history,
                    pre_parts=pre,
                    max_tokens=1024,
                )
    log.info("%s: %d accounts", g, n)


def build_classroom(world: World, rng: Rng) -> None:
    """Students created in one evening, one campus NAT IP, same assignment in class slots, own words."""
    g = "lookalike_classroom"
    n = scaled(40, world.scale, 3)
    campus: Net = world.infra.pool(786, UNIVERSITY[786], 1)[0]
    wave = START - 6 * DAY + 19 * HOUR
    slots = (10.0, 14.5)
    for _ in range(n):
        acct = make_user(world, rng, g)
        acct.channel, acct.created_at, acct.payment = "education", wave + rng.uniform(0, 2) * HOUR, None
        acct.country, acct.tz = "GB", 0.0
        acct.home = campus
        acct.extra["mode"] = "campus"
        quirks = (rng.chance(0.4), rng.chance(0.3))
        day = world.start
        while day < world.end:
            d = int((day - world.start) // DAY)
            for slot in slots:
                if not rng.chance(0.85):
                    continue
                s0 = day + slot * HOUR + rng.uniform(5, 60) * 60
                a = assignment_for(d * 2 + slots.index(slot))
                for ts in session_times(rng, s0, rng.randint(1, 6), 420.0, min(world.end, s0 + 1.5 * HOUR)):
                    world.sink.emit(
                        acct,
                        ts,
                        student_question(rng, a, quirks),
                        net=campus,
                        model=world.benign_model(rng, acct, ts),
                    )
            day += DAY
        user_traffic(world, rng, acct, world.start, world.end, rate_mult=0.3)
    log.info("%s: %d students", g, n)


def build_busy_app(world: World, rng: Rng) -> None:
    """Two apps built on the API: fixed system prompt, thousands of varied requests per day."""
    g = "lookalike_busy_app"
    n = scaled(2, world.scale, 3)
    inf = world.infra
    for j in range(n):
        asn = rng.choice((16509, 15169, 14061))
        ips = inf.pool(asn, CLOUD[asn], 3)
        acct = lookalike_account(
            world,
            rng,
            g,
            inf.uid("org"),
            inf.payment(),
            f"{('quillo', 'shoppal')[j % 2]}-backend/5.{j}",
            ips[0],
            "self_serve",
            START - rng.uniform(60, 500) * DAY,
            msg_p=0.6,
            parts_p=0.0,
            endpoint="/v1/chat/completions",
        )
        system = BUSY_APP_SYSTEMS[j % 2]
        rate = rng.uniform(90, 130) * min(1.0, world.scale)
        model = ("atlas-2-mini", "atlas-2")[j % 2]
        for ts in diurnal_poisson(rng, world.start, world.end, rate, rng.choice((-5.0, 1.0)), floor=0.4):
            history = None
            text = world.texts.prompt()
            if rng.chance(0.3):
                prev = world.texts.prompt()
                history = [
                    {"role": "user", "content": prev},
                    {"role": "assistant", "content": world.texts.reply(prev)},
                ]
            world.sink.emit(
                acct,
                ts,
                text,
                net=rng.choice(ips),
                model=model,
                system=system,
                history=history,
                max_tokens=1024,
                p429=0.01,
            )
    log.info("%s: %d apps", g, n)


def build_reseller(world: World, rng: Rng) -> None:
    """An agency / reseller: one org, many tenant accounts, varied benign traffic via shared egress."""
    g = "lookalike_reseller"
    n = scaled(20, world.scale, 3)
    inf = world.infra
    org, card = inf.uid("org"), inf.payment()
    ips = inf.pool(14061, CLOUD[14061], 3)
    for _ in range(n):
        acct = lookalike_account(
            world,
            rng,
            g,
            org,
            card,
            "tenantgate/1.8 (+https://tenantgate.example)",
            ips[0],
            "enterprise",
            START - rng.uniform(30, 600) * DAY,
            msg_p=0.4,
        )
        acct.extra.update(p_mini=rng.uniform(0.1, 0.6), adopt_at=world.adoption_time(rng))
        tz = world.infra.tz(world.infra.country())
        system = None if rng.chance(0.5) else f"You are the assistant of tenant {rng.hexstr(4)}. Be helpful."
        for ts in diurnal_poisson(rng, world.start, world.end, rng.uniform(1, 5), tz):
            world.sink.emit(
                acct,
                ts,
                world.texts.prompt(),
                net=rng.choice(ips),
                system=system,
                model=world.benign_model(rng, acct, ts),
            )
    log.info("%s: %d tenants", g, n)
