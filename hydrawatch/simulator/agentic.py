"""The agentic campaign: tool-use traces and safe-rewrite requests from one datacenter ASN."""

from __future__ import annotations

import logging

from .agents import CODING_TOOLS, COMPUTER_TOOLS, tool_defs, trace
from .campaigns import campaign_account, send
from .model import DAY, scaled
from .pacing import regular, session_times
from .rand import Rng
from .tasks import task
from .world import World

log = logging.getLogger(__name__)


def _computer_task(rng: Rng) -> str:
    """A computer-use job on a desktop environment."""
    report, region = rng.randint(100, 99999), rng.choice(("EMEA", "APAC", "NA"))
    return f"Using the desktop, open the admin console and export report #{report} ({region}) as CSV."


def build_agentic(world: World, rng: Rng) -> None:
    """Light-verification channels, one datacenter ASN, custom UA, agent traces plus safe rewrites."""
    g = "campaign_agentic"
    n = scaled(30, world.scale, 5)
    inf = world.infra
    ips = inf.pool(24940, "DE", 6)
    cards = [inf.payment() for _ in range(3)]
    ua = "orchestr8/0.9.4 (agent-runtime; linux)"
    t_start = world.at(0.6)
    for _ in range(n):
        research = rng.chance(0.5)
        acct = campaign_account(
            world,
            rng,
            g,
            rng.choice(ips),
            channel="security_research" if research else "startup_program",
            created=t_start - rng.uniform(3, 10) * DAY,
            payment=None if research else rng.choice(cards),
            ua=ua,
            msg_p=0.3,
        )
        for s in regular(rng, t_start + rng.uniform(0, 1800), world.end, rng.uniform(1500, 2400), 120.0):
            net = rng.choice(ips)
            u = rng.random()
            if u < 0.15:
                world.sink.emit(acct, s, world.texts.prompt(), net=net)
                continue
            if u < 0.4:
                send(world, rng, acct, s, "agentic_rewrite", 0.0, net=net, max_tokens=1024, near_max=0.1)
                continue
            computer = u > 0.8
            tools = COMPUTER_TOOLS if computer else CODING_TOOLS
            job = _computer_task(rng) if computer else task(rng, "code")
            spec: list[str] | list[dict[str, str]] = list(tools) if rng.chance(0.5) else tool_defs(tools)
            for k, ts in enumerate(session_times(rng, s, rng.randint(3, 8), 8.0, world.end)):
                history, pre = trace(rng, job, tools, k) if k else (None, None)
                world.sink.emit(
                    acct,
                    ts,
                    "Continue with the next step." if k else job,
                    net=net,
                    tools=spec,
                    history=history,
                    pre_parts=pre,
                    has_image=computer and k > 0,
                    max_tokens=8192,
                    out_median=700,
                    near_max=0.3,
                    model="atlas-2",
                )
    log.info("%s: %d accounts", g, n)
