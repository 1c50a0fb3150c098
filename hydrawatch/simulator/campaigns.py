"""The five labelled extraction campaigns, each with its own infrastructure and evasion style."""

from __future__ import annotations

import logging

from .infra import COUNTRIES, PROXY_ASNS
from .model import DAY, HOUR, Account, Net, scaled
from .pacing import poisson, regular
from .rand import Rng
from .tasks import wrapped
from .world import World

log = logging.getLogger(__name__)


def campaign_account(
    world: World,
    rng: Rng,
    group: str,
    net: Net,
    *,
    channel: str,
    created: float,
    payment: str | None,
    ua: str,
    msg_p: float = 0.25,
    endpoint: str = "/v1/messages",
) -> Account:
    """A campaign account (org-less) registered in the world."""
    inf = world.infra
    return world.add(
        Account(
            account_id=inf.uid("acct"),
            group=group,
            org_id=None,
            keys=inf.keys(),
            country=net[2],
            tz=inf.tz(net[2]) if net[2] in COUNTRIES else 0.0,
            channel=channel,
            created_at=created,
            payment=payment,
            ua=ua,
            endpoint=endpoint,
            msg_p=msg_p,
            parts_p=rng.choice((0.0, 0.5, 1.0)),
            home=net,
        )
    )


def send(
    world: World,
    rng: Rng,
    acct: Account,
    t: float,
    family: str,
    filler: float,
    *,
    net: Net | None = None,
    model: str = "atlas-2",
    max_tokens: int = 4096,
    near_max: float = 0.4,
    p429: float = 0.003,
) -> None:
    """One campaign request: a wrapped extraction prompt, or ordinary-looking filler (``filler``: the crew's own
    share of filler, which ``world.campaign_filler`` overrides where the crew has any)."""
    if filler > 0 and world.campaign_filler is not None:
        filler = world.campaign_filler
    if rng.chance(filler):
        world.sink.emit(acct, t, world.texts.prompt(), net=net, model=model, p429=p429)
        return
    split = world.systems is not None and world.system_wrappers > 0 and world.systems.chance(world.system_wrappers)
    text, system = wrapped(rng, family, split, world.wrappers)
    world.sink.emit(
        acct,
        t,
        text,
        system=system,
        net=net,
        model=model,
        max_tokens=max_tokens,
        out_median=900,
        near_max=near_max,
        p429=p429,
    )


def build_hydra(world: World, rng: Rng) -> None:
    """Proxy-fronted account farm: load-balanced steady stream, rotating proxy IPs, shared cards."""
    g = "campaign_hydra"
    n = scaled(150, world.scale, 5)
    inf = world.infra
    asns = list(PROXY_ASNS)
    proxies = [
        p for a in asns for p in inf.pool(a, PROXY_ASNS[a], max(3, int(80 * world.scale**0.5) // len(asns)))
    ]
    cards = [inf.payment() for _ in range(max(3, round(10 * world.scale)))]
    uas = ("atlas-python/1.49.3", "OpenAI/Python 1.54.4")
    t_start = world.at(0.4)
    waves = [t_start - rng.uniform(2, 5) * DAY for _ in range(rng.randint(2, 3))]
    accts = []
    for _ in range(n):
        ua = rng.choice(uas)
        accts.append(
            campaign_account(
                world,
                rng,
                g,
                rng.choice(proxies),
                channel="self_serve" if rng.chance(0.7) else "startup_program",
                created=rng.choice(waves) + rng.uniform(0, 3) * HOUR,
                payment=rng.choice(cards),
                ua=ua,
                msg_p=0.2,
                endpoint="/v1/chat/completions" if ua.startswith("OpenAI") else "/v1/messages",
            )
        )
    period = HOUR / (n * 3.5)
    order: list[Account] = []
    for t in regular(rng, t_start, world.end, period, period * 0.1):
        if not order:
            order = rng.shuffled(accts)
        acct = order.pop()
        model = "atlas-2-mini" if rng.chance(0.1) else "atlas-2"
        send(
            world,
            rng,
            acct,
            t,
            "hydra",
            0.2,
            net=rng.choice(proxies),
            model=model,
            max_tokens=rng.choice((4096, 8192)),
            near_max=0.5,
            p429=0.04,
        )
    log.info("%s: %d accounts, %d proxies, %d cards", g, n, len(proxies), len(cards))


def build_reasoning(world: World, rng: Rng) -> None:
    """Own card and sticky residential proxy IP per account; regular machine pacing around the clock."""
    g = "campaign_reasoning"
    n = scaled(40, world.scale, 5)
    inf = world.infra
    pairs = [(c, a) for c, v in COUNTRIES.items() for a in v[2]]
    pairs = rng.shuffled(pairs)
    t_start = world.at(0.12)
    for j in range(n):
        country, asn = pairs[j % len(pairs)]
        net = (inf.ip(asn), asn, country)
        acct = campaign_account(
            world,
            rng,
            g,
            net,
            channel="self_serve",
            created=t_start - rng.uniform(1, 30) * DAY,
            payment=inf.payment(),
            ua=inf.sdk_ua(),
            msg_p=0.3,
        )
        period = rng.uniform(600, 1000)
        pause = rng.uniform(0, 24)  # hour of a daily 1-3 h maintenance gap
        gap = rng.uniform(1, 3)
        for t in regular(rng, t_start + rng.uniform(0, 2400), world.end, period, period * 0.04):
            if (((t - t_start) / HOUR - pause) % 24) < gap:
                continue
            send(world, rng, acct, t, "reasoning", 0.18, net=net, near_max=0.35)
    log.info("%s: %d accounts", g, n)


def build_slow(world: World, rng: Rng) -> None:
    """Clean-looking accounts, slow staggered pacing, narrow templated reasoning/rubric extraction; the accounts
    come online one by one over ``world.slow_ramp_hours``."""
    g = "campaign_slow"
    n = scaled(25, world.scale, 5)
    inf = world.infra
    t_start = world.at(0.2)
    pairs = rng.shuffled([(c, a) for c, v in COUNTRIES.items() for a in v[2]])
    for j in range(n):
        country, asn = pairs[(j * 7 + 3) % len(pairs)]
        net = (inf.ip(asn), asn, country)
        acct = campaign_account(
            world,
            rng,
            g,
            net,
            channel="self_serve",
            created=t_start - rng.uniform(14, 60) * DAY,
            payment=inf.payment(),
            ua=inf.browser_ua(),
            msg_p=0.1,
        )
        rate = rng.uniform(2, 6)
        begin = t_start + rng.uniform(0, world.slow_ramp_hours) * HOUR
        window = rng.uniform(8, 14) * HOUR
        day = begin
        while day < world.end:
            for t in regular(rng, day, min(day + window, world.end), HOUR / rate, 0.35 * HOUR / rate):
                send(world, rng, acct, t, "slow", 0.25, net=net, near_max=0.3)
            day += DAY + rng.normal(0, 1800)
    log.info("%s: %d accounts", g, n)


def build_pivot(world: World, rng: Rng) -> None:
    """Education accounts on one ASN, small shared-card groups, moving half its traffic to atlas-3."""
    g = "campaign_pivot"
    n = scaled(40, world.scale, 5)
    inf = world.infra
    ips = inf.pool(20473, "US", 8)
    cards = [inf.payment() for _ in range(max(2, n // 5))]
    uas = [inf.sdk_ua() for _ in range(3)]
    t_start = world.at(0.3)
    for j in range(n):
        acct = campaign_account(
            world,
            rng,
            g,
            rng.choice(ips),
            channel="education",
            created=t_start - rng.uniform(2, 12) * DAY,
            payment=cards[j % len(cards)],
            ua=rng.choice(uas),
            msg_p=0.3,
        )
        delay = rng.uniform(1, 6) * HOUR if rng.chance(0.8) else rng.uniform(6, 20) * HOUR
        switch = world.release + delay
        for t in poisson(rng, t_start + rng.uniform(0, 3600), world.end, rng.uniform(4, 6)):
            model = (
                "atlas-3"
                if t >= switch and rng.chance(0.5)
                else ("atlas-2" if rng.chance(0.9) else "atlas-2-mini")
            )
            send(
                world,
                rng,
                acct,
                t,
                "pivot",
                0.2,
                net=rng.choice(ips),
                model=model,
                max_tokens=8192,
                near_max=0.4,
            )
    log.info("%s: %d accounts", g, n)
