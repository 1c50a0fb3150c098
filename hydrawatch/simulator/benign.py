"""Ordinary users (group `benign`) and viral-prompt senders (group `lookalike_viral`)."""

from __future__ import annotations

import logging
import math

from .agents import GENERIC_TOOLS, tool_defs
from .lookalike_texts import personal_remark
from .model import DAY, HOUR, START, Account, Net, scaled
from .pacing import human_session_starts, session_times
from .rand import Rng
from .texts import STEP_SUFFIXES, fill
from .world import World

log = logging.getLogger(__name__)

_VISION = (
    "What does this chart show?",
    "Can you read the text in this screenshot?",
    "What plant is this?",
    "Describe this photo for alt text.",
    "Is there anything wrong with this wiring?",
    "Transcribe this receipt and total it.",
    "What breed is my dog?",
    "Explain this error message.",
    "Is this mole something to worry about?",
    "Summarize this slide in {n} bullets.",
    "Translate the sign in this photo into {hlang}.",
    "What {dish} recipe could I make from this fridge?",
)
VIRAL_PROMPTS = (
    "Explain step by step why a mirror flips left and right but not up and down.",
    "If you could only keep three apps on your phone, which would you keep and why?",
)
_VIRAL_VARIANTS = ("", "", "", "!", "?", " ", "..", " pls")


def make_user(
    world: World, rng: Rng, group: str, org: str | None = None, office: Net | None = None
) -> Account:
    """An ordinary human user with home/mobile/VPN networking and personal habits."""
    inf = world.infra
    country = office[2] if office else inf.country()
    mode = "office" if office else rng.choice(("home",) * 15 + ("mobile",) * 4 + ("vpn",))
    sdk = rng.chance(0.55)
    msgs = rng.chance(0.25)
    acct = Account(
        account_id=inf.uid("acct"),
        group=group,
        org_id=org,
        keys=inf.keys(rng.choice((1, 1, 1, 2, 3))),
        country=country,
        tz=inf.tz(country),
        channel="enterprise" if org else inf.benign_channel(),
        created_at=START - rng.uniform(2 * DAY, 700 * DAY),
        payment=None if rng.chance(0.12) else inf.payment(),
        ua=inf.sdk_ua() if sdk else inf.browser_ua(),
        endpoint="/v1/chat/completions" if rng.chance(0.4) else "/v1/messages",
        msg_p=0.85 if msgs else 0.05,
        parts_p=rng.choice((0.0, 0.2, 0.9)),
        home=inf.residential(country),
    )
    acct.extra.update(
        mode=mode,
        office=office,
        p_mini=rng.uniform(0.05, 0.6),
        adopt_at=world.adoption_time(rng),
        per_day=min(max(rng.lognormal(math.log(5.5), 1.0), 1.0), 150.0),
        p_active=rng.uniform(0.45, 0.95),
        steps=rng.chance(0.1),
        tools=rng.chance(0.05),
        fav_vpn=rng.choice(world.vpn_exits()),
    )
    return world.add(acct)


def _session_net(world: World, rng: Rng, acct: Account, t: float) -> Net:
    """Egress address for one session of a human user."""
    mode = acct.extra["mode"]
    country = acct.country
    if mode == "campus":  # whole campus behind one NAT address
        return acct.home  # type: ignore[return-value]
    if mode == "office" and 8 <= ((t / HOUR + acct.tz) % 24) < 18 and rng.chance(0.85):
        return acct.extra["office"]  # type: ignore[return-value]
    if mode == "mobile" or rng.chance(0.1):
        return rng.choice(world.mobile_pool(rng.choice(world.infra.mobile_asns(country))))
    if mode == "vpn":
        return acct.extra["fav_vpn"] if rng.chance(0.7) else rng.choice(world.vpn_exits())  # type: ignore[return-value]
    if rng.chance(0.03):  # DHCP renewal: a new home address from now on
        acct.home = world.infra.residential(country)
    return acct.home  # type: ignore[return-value]


def user_traffic(world: World, rng: Rng, acct: Account, t0: float, t1: float, rate_mult: float = 1.0) -> None:
    """A human user's sessions between t0 and t1."""
    per_day = float(acct.extra["per_day"]) * rate_mult  # type: ignore[arg-type]
    sessions_per_day = max(per_day / 4.0, 0.8)
    starts = human_session_starts(rng, t0, t1, acct.tz, sessions_per_day, float(acct.extra["p_active"]))  # type: ignore[arg-type]
    per_session = max(per_day / sessions_per_day, 1.0)
    tools = tool_defs(rng.sample(GENERIC_TOOLS, rng.randint(1, 3))) if acct.extra["tools"] else None
    for s in starts:
        net = _session_net(world, rng, acct, s)
        model = world.benign_model(rng, acct, s)
        n = 1 + rng.poisson(per_session - 1)
        prev: str | None = None
        for t in session_times(rng, s, n, rng.uniform(40, 240), t1):
            history = None
            if prev is not None and rng.chance(0.25):
                text = world.texts.followup()
                history = [
                    {"role": "user", "content": prev},
                    {"role": "assistant", "content": world.texts.reply(prev)},
                ]
            else:
                text = world.texts.prompt()
            if acct.extra["steps"] and rng.chance(0.6):
                text += rng.choice(STEP_SUFFIXES)
            image = rng.chance(0.02)
            if image:
                text = fill(rng.choice(_VISION), rng)
            world.sink.emit(
                acct,
                t,
                text,
                net=net,
                model=model,
                history=history,
                has_image=image,
                tools=tools if tools and rng.chance(0.7) else None,
                as_messages=None if history is None else rng.chance(acct.msg_p + 0.1),
            )
            prev = text


def build_benign(world: World, rng: Rng) -> None:
    """The `benign` group: individuals plus a few enterprise teams sharing an office egress."""
    n = scaled(3000, world.scale, 20)
    n_office = int(n * 0.08)
    made = 0
    while made < n_office:
        country = world.infra.country()
        office = world.infra.residential(country)
        org = world.infra.uid("org")
        for _ in range(min(rng.randint(4, 15), n_office - made)):
            user_traffic(
                world, rng, make_user(world, rng, "benign", org=org, office=office), world.start, world.end
            )
            made += 1
    for _ in range(n - n_office):
        user_traffic(world, rng, make_user(world, rng, "benign"), world.start, world.end)
    log.info("benign: %d users", n)


def build_viral(world: World, rng: Rng) -> None:
    """`lookalike_viral`: unrelated users who all send a trending prompt during a ~12 h window."""
    n = scaled(400, world.scale, 3)
    w0 = world.at(0.45)
    w1 = min(w0 + 12 * HOUR, world.end)
    for _ in range(n):
        acct = make_user(world, rng, "lookalike_viral")
        user_traffic(world, rng, acct, world.start, world.end)
        for _ in range(rng.choice((1, 1, 1, 2, 3))):
            t = w0 + (w1 - w0) * rng.random() ** 1.5  # interest peaks early, then fades
            base = VIRAL_PROMPTS[0] if rng.chance(0.7) else VIRAL_PROMPTS[1]
            text = base.rstrip(".?") + rng.choice((".", "?", "")) + rng.choice(_VIRAL_VARIANTS)
            if rng.chance(0.1):
                text = text.lower()
            if world.remarks is not None and world.viral_remarks and world.remarks.chance(world.viral_remarks):
                text = f"{text} {personal_remark(world.remarks)}"
            net = acct.home if acct.extra["mode"] == "home" else _session_net(world, rng, acct, t)
            world.sink.emit(acct, t, text, net=net, model=world.benign_model(rng, acct, t))
    log.info("viral: %d users", n)
