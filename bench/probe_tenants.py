"""The probe's multi-tenant look-alikes (``probe_independent --tenants``): an agent product and a reseller, each one
organisation paying with one card for many accounts, as the threat model lists them.

- *Agent product*: 30 customer workspaces, each an account of the product's organisation, served by its agent
  runtime from three cloud addresses. Every request carries the product's one system prompt and tool definitions
  and a customer's task (function-calling and coding prompts from the corpus), around the clock at each
  workspace's own pace; the product moves its workspaces to the new model a few hours after its release, one
  cohort at a time (an upgrade, not a harvest: the linkage is transparent).
- *Reseller*: 25 tenants of an agency that resells API access behind two gateway addresses, each tenant with its own
  kind of traffic (a support bot with its own system prompt, coding help, homework help that asks for steps,
  ordinary questions), in its own region's business hours; some tenants are onboarded during the three days.

Drawn after the campaigns, so that every other draw of a probe data set is the same with and without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from probe_world import DAY, END, HOUR, RELEASE, T0, UTC_OFFSET

if TYPE_CHECKING:
    from probe_world import ProbeWorld

PRODUCT_SYSTEM = ("You are Relay, the assistant inside a team workspace. Use the provided functions to look things up "
                  "and take actions for the user; ask before anything destructive. Keep answers short.")
PRODUCT_TOOLS = ["search_docs", "create_ticket", "run_query", "send_message", "read_file", "calendar_lookup"]
TENANT_SYSTEMS = [
    "You answer customer questions for a bicycle shop. Be friendly and brief; never invent stock levels.",
    "You are the help assistant of a language-learning app. Correct the learner gently and give one example.",
    "You summarise support tickets for a logistics company into three bullet points.",
]
TENANT_KINDS = ("bot", "coding", "homework", "ordinary")


def agent_product(world: ProbeWorld) -> None:
    """One organisation and card, 30 workspaces on three cloud addresses, one system prompt and tool set."""
    r = world.rng
    org, card = world.uid("o_", "relay"), world.uid("pf_", "relay")
    egress = [(f"3.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}", 16509, "US") for _ in range(3)]
    cohort_upgrade = [RELEASE + r.uniform(2, 6) * HOUR + k * 3 * HOUR for k in range(3)]
    for i in range(30):
        net = r.choice(egress)
        acct = world.account("lookalike_agent_product", i, net, "relay-runtime/3.2 (+python-httpx)", card,
                             "enterprise", T0 - r.uniform(30, 400) * DAY, org=org)
        pace = r.uniform(1.5, 12.0)  # requests an hour at the workspace's peak
        offset = r.choice(list(UTC_OFFSET.values()))
        upgrade = cohort_upgrade[i % 3]
        ts = T0 + r.uniform(0, HOUR)
        while ts < END:
            local = ((ts - T0) / HOUR + offset) % 24
            busy = 1.0 if 8 <= local < 19 else 0.25  # teams work by day, scheduled jobs run at night
            ts += r.expovariate(pace * busy / HOUR)
            task = world.pick("bfcl", "bfcl", "staqc_sql", "mbpp", "clinc150")
            model = "nova-4" if ts > upgrade else "nova-3"
            world.send(acct, ts, task, model=model, system=PRODUCT_SYSTEM, tools=r.sample(PRODUCT_TOOLS, 4),
                       max_tokens=2048, ip=r.choice(egress)[0])


def reseller(world: ProbeWorld) -> None:
    """One organisation and card, 25 tenants behind two gateway addresses, each its own kind of traffic."""
    r = world.rng
    org, card = world.uid("o_", "resell"), world.uid("pf_", "resell")
    gateways = [f"161.35.{r.randint(0, 255)}.{r.randint(1, 254)}" for _ in range(2)]
    for i in range(25):
        country = r.choice(sorted(UTC_OFFSET))
        onboarded = T0 + r.uniform(0.2, 2.0) * DAY if i % 6 == 5 else T0 - r.uniform(5, 300) * DAY
        acct = world.account("lookalike_reseller", i, (r.choice(gateways), 14061, country),
                             "python-requests/2.31.0", card, "enterprise", onboarded, org=org)
        kind, system = TENANT_KINDS[i % 4], TENANT_SYSTEMS[i % 3]
        per_hour = r.uniform(0.5, 8.0)
        for day in range(3):
            start = T0 + day * DAY + (r.uniform(8, 10) - UTC_OFFSET[country]) % 24 * HOUR
            ts = max(start, onboarded + r.uniform(60, 3600))
            until = start + r.uniform(7, 10) * HOUR
            while ts < min(until, END):
                if kind == "bot":
                    world.send(acct, ts, world.pick("clinc150"), system=system, messages=True)
                elif kind == "coding":
                    world.send(acct, ts, world.pick("staqc_sql", "mbpp", "mbxp"), max_tokens=4096)
                elif kind == "homework":
                    ask = r.choice(["Explain each step.", "Show your working please.", ""])
                    world.send(acct, ts, f"{world.pick('gsm8k', 'bbh')} {ask}".strip(), messages=r.random() < 0.5)
                else:
                    world.send(acct, ts, world.pick("nq_open", "self_instruct", "arena_hard", "oasst_eval"))
                ts += r.expovariate(per_hour / HOUR)
