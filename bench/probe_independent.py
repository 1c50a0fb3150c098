"""Held-out probe: an independently written traffic generator, to measure the detector beyond its own simulator.

``hydrawatch simulate`` and the detector were written together, and a detector measured on one generator can
learn its habits. This one shares no code or text with ``hydrawatch.simulator``: ordinary users send real prompts
from the licensed corpus (``../shared/data/prompts.jsonl.gz``, read only by tests and benchmarks), the campaigns
wrap real benchmark tasks from it in wordings written here, and the look-alikes follow the threat model's list.
Three days: 1,800 ordinary users, apps with a system prompt, an evaluation team, a viral prompt, a classroom;
a proxy-rotating hydra, a rubric-grading crew, an agentic crew pivoting to a new model, a slow crew.

Usage: python bench/probe_independent.py OUT [--seed N] [--hard] [--clean-hydra | --own-cards] [--hydra-accounts N]
                                           [--consortium] [--crew-accounts N] [--viral-template DAY]
                                           [--viral-newcomers DAY] [--slow-rate R] [--tenants] [--users N] [--replay]
  --hard         campaign wrappers in oblique words no intent rule was written from, more ordinary users who ask
                 for steps, and strangers who send public prompt templates with slots of their own
  --clean-hydra  the hydra on one residential address, card and browser per account (no proxy, no signup waves)
  --own-cards    the hydra on its proxies and signup waves as before, but a card per account (no shared payment)
  --hydra-accounts N  the hydra's traffic (about 450 requests an hour) spread over N accounts instead of 60: a
                 larger farm, each account lighter (N=1000: about one request every two hours each)
  --crew-accounts N  the rubric, agentic and slow crews with N accounts each instead of 25, 18 and 15 (each account
                 as busy as before: smaller crews, less traffic; N=5 is the smallest a catch can name)
  --slow-rate R  each slow-crew account sends about R requests an hour by day (0.75R-1.25R; default 4, the 3-5
                 it sent before the option): the threat model's slower pacing
  --consortium   an evaluation consortium runs a new benchmark: four organisations, one campus network, one harness
  --viral-template DAY  350 ordinary users send a trending prompt that asks for steps around a question of their
                 own, for 8 hours from DAY (0-2.5) into the three days (a look-alike: docs/threat-coverage.md)
  --viral-newcomers DAY  350 people sign up during 8 hours from DAY, sent by a trending prompt that asks for steps
                 (the prompt as posted, or its slot filled with a question of their own); half stay on as ordinary
                 users: a signup wave of young accounts with extraction intent and no tie but the prompt
  --tenants      an agent product and a reseller: one organisation and card each for many accounts, multi-tenant
                 traffic (``probe_tenants``), drawn after everything else
  --users N      ordinary users instead of 1,800 (more people, more chance one asks a public task a crew wrapped)
  --replay       replay OUT with default settings and print ``hydrawatch evaluate``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import probe_wordings as words
from probe_tenants import agent_product, reseller
from probe_world import (
    BROWSERS,
    CORPUS,
    DAY,
    END,
    HOUR,
    NETWORKS,
    ORDINARY,
    RELEASE,
    ROOT,
    T0,
    TASKS,
    UTC_OFFSET,
    ProbeWorld,
)


class Probe(ProbeWorld):
    """The probe's traffic: ordinary users, look-alikes and campaigns, drawn in that order."""

    # -- ordinary traffic and look-alikes ----------------------------------------------------------------
    def ordinary_users(self) -> None:
        r, nat = self.rng, [self.ip() for _ in range(25)]
        habits = words.HABITS + words.MORE_HABITS if self.hard else words.HABITS
        for i in range(self.users):
            asn, country = r.choice(NETWORKS)
            mobile = r.random() < 0.12  # a carrier NAT pool that unrelated users share
            net = (r.choice(nat), 21928, "US") if mobile else (self.ip(), asn, country)
            acct = self.account("benign", i, net, r.choice(BROWSERS), self.uid("pf_", "b", i) if r.random() < 0.8
                                else None, r.choice(["self_serve"] * 8 + ["enterprise", "education"]),
                                T0 - r.uniform(20, 700) * DAY)
            habit = r.choice(habits) if r.random() < (0.25 if self.hard else 0.12) else None
            for day in range(3):
                for _ in range(r.randint(1, 3) if r.random() < 0.55 else 0):
                    ts = T0 + day * DAY + (r.uniform(8, 23) - UTC_OFFSET[net[2]]) % 24 * HOUR
                    for _ in range(r.randint(1, 8)):
                        text = self.pick(*ORDINARY)
                        text += f" {habit}" if habit and r.random() < 0.5 else ""
                        later = ts > RELEASE + r.uniform(0, 3) * DAY  # users move to the new model over days
                        model = "nova-4" if later else r.choice(["nova-3", "nova-3-mini"])
                        self.send(acct, ts, text, model=model, messages=r.random() < 0.4,
                                  max_tokens=r.choice([None, 1024, 4096]))
                        ts += r.uniform(20, 400)

    def lookalikes(self, consortium: bool, viral_template: float | None = None, newcomers: float | None = None) -> None:
        r = self.rng
        for i, system in enumerate(["You are Penny, a budgeting helper in a personal finance app. Be concise.",
                                    "You are the support assistant of a travel booking site. Suggest next steps.",
                                    "You are a coding tutor inside an IDE plugin. Explain code to beginners."]):
            app = self.account("lookalike_app", i, (self.ip(), 16509, "US"), "app-backend/2.1",
                               self.uid("pf_", "app", i), "enterprise", T0 - 300 * DAY)
            ts = T0
            while ts < END:
                self.send(app, ts, self.pick("clinc150", "staqc_sql", "nq_open"), system=system)
                ts += r.expovariate(1 / 120)
        items, ips = r.sample(self.corpus["bbh"], 60), [self.ip() for _ in range(3)]
        org, card = self.uid("o_", "evalco"), self.uid("pf_", "evalco")
        team = [self.account("lookalike_evalteam", i, (r.choice(ips), 14618, "US"), "evalkit/0.9 requests/2.31",
                             card, "enterprise", T0 - 200 * DAY, org=org) for i in range(20)]
        for batch in range(12):  # one org and card, synchronized batches of fixed items every six hours
            ts = T0 + batch * 6 * HOUR + r.uniform(0, 600)
            for acct in team:
                for k, item in enumerate(r.sample(items, 15)):
                    self.send(acct, ts + k * r.uniform(2, 6), item + "\nLet's think step by step.", max_tokens=2048)
        if consortium:
            self.consortium()
        senders = sorted({e["account_id"] for _, e in self.events if self.labels[e["account_id"]] == "benign"})
        for account_id in r.sample(senders, self.users * 7 // 36):  # a viral prompt (350 of 1,800)
            acct = self.accounts[account_id]
            remark = r.choice([" lol", " my kid asked me this", " for a blog post"]) if r.random() < 0.3 else ""
            self.send(acct, T0 + 1.8 * DAY + r.uniform(0, 8 * HOUR), words.VIRAL + remark)
        if viral_template is not None:  # a trending prompt with a slot: each sender's own question
            for account_id in r.sample(senders, self.users * 7 // 36):
                self.labels[account_id], acct = "lookalike_viral_template", self.accounts[account_id]
                ts = T0 + viral_template * DAY + r.uniform(0, 8 * HOUR)
                for _ in range(r.randint(1, 4)):
                    self.send(acct, ts, words.VIRAL_TEMPLATE.format(question=self.pick("nq_open", "clinc150", "gsm8k")))
                    ts += r.uniform(60, 900)
        if newcomers is not None:
            self.viral_newcomers(newcomers)
        if self.hard:  # public prompt templates, each sent by strangers with slots of their own
            public = r.sample([p for p in self.corpus["awesome_chatgpt_prompts"] if 200 < len(p) < 600], 5)
            for account_id in r.sample(senders, self.users // 12):
                acct, template = self.accounts[account_id], r.choice(public)
                for day in range(3):
                    ts = T0 + day * DAY + r.uniform(6, 22) * HOUR
                    for _ in range(r.randint(1, 6) if r.random() < 0.5 else 0):
                        self.send(acct, ts, f"{template} {self.pick('clinc150', 'nq_open')}")
                        ts += r.uniform(30, 600)
        campus = self.ip()
        for i in range(35):  # a classroom on one campus address, one assignment, own words
            student = self.account("lookalike_classroom", i, (campus, 1103, "NL"), r.choice(BROWSERS[:2]), None,
                                   "education", T0 + 1.5 * DAY - r.uniform(0, 20) * DAY)
            ts = T0 + 1.5 * DAY + 13 * HOUR + r.uniform(0, 1.5 * HOUR)
            for _ in range(r.randint(2, 5)):
                opener = r.choice(["hi,", "quick question:", "for my homework", "ok so", ""])
                self.send(student, ts, f"{opener} {r.choice(words.CLASS_ASKS)}".strip())
                ts += r.uniform(60, 900)

    def viral_newcomers(self, day: float) -> None:
        """People who sign up because a prompt is trending: created minutes before their first request, on their
        own networks, browsers and cards; the prompt once to three times, then (half of them) ordinary use."""
        r = self.rng
        for i in range(self.users * 7 // 36):
            asn, country = r.choice(NETWORKS)
            signup = T0 + day * DAY + r.uniform(0, 8 * HOUR)
            acct = self.account("lookalike_viral_newcomers", i, (self.ip(), asn, country), r.choice(BROWSERS),
                                self.uid("pf_", "new", i) if r.random() < 0.6 else None, "self_serve", signup)
            ts = signup + r.uniform(60, 1800)
            for _ in range(r.randint(1, 3)):
                own = words.VIRAL_TEMPLATE.format(question=self.pick("nq_open", "clinc150", "gsm8k"))
                self.send(acct, ts, own if r.random() < 0.5 else words.VIRAL, messages=r.random() < 0.4)
                ts += r.uniform(60, 900)
            while r.random() < 0.5 and ts < END:  # staying on: a few ordinary requests now and then
                ts += r.uniform(2, 20) * HOUR
                for _ in range(r.randint(1, 5)):
                    self.send(acct, ts, self.pick(*ORDINARY), messages=r.random() < 0.4)
                    ts += r.uniform(20, 400)

    def consortium(self) -> None:
        """Four organisations with own cards on one campus network; a harness sends 60 of 100 new items a night."""
        r = self.rng
        items, net = r.sample(self.corpus["gsm8k"], 50) + r.sample(self.corpus["bbh"], 50), self.ip()[:-4]
        for o in range(4):
            org, card = self.uid("o_", "uni", o), self.uid("pf_", "uni", o)
            labs = [self.account("lookalike_consortium", o * 10 + k, (f"{net}.{r.randint(1, 39)}", 12093, "CA"),
                                 "lm-eval-harness/0.4 requests/2.31", card, "education", T0 - r.uniform(30, 300) * DAY,
                                 org=org) for k in range(5)]
            for night in range(3):
                for acct in labs:
                    ts = T0 + night * DAY + r.uniform(1, 3) * HOUR
                    for item in r.sample(items, 60):
                        self.send(acct, ts, words.HARNESS + item, max_tokens=1024)
                        ts += r.uniform(3, 12)

    # -- campaigns ------------------------------------------------------------------------------------------
    def campaigns(self, clean_hydra: bool, hydra_accounts: int = 60, crew_accounts: int | None = None,
                  own_cards: bool = False, slow_rate: float = 4.0) -> None:
        r = self.rng
        rubric, agentic, slow = (crew_accounts,) * 3 if crew_accounts else (25, 18, 15)
        reasoning = words.REASONING_OBLIQUE if self.hard else words.REASONING
        pool = [(self.ip(), *r.choice(NETWORKS)) for _ in range(2500)]  # a residential proxy service
        cards = [self.uid("pf_", "hydra", k) for k in range(8)]
        light = 60 / hydra_accounts  # each account's share of the farm's traffic, against 60 accounts
        for i in range(hydra_accounts):
            own = r.choice(pool)
            wave = T0 - (2 if i < hydra_accounts // 2 else 1) * DAY + r.uniform(0, 2400)
            acct = (self.account("campaign_hydra", i, own, BROWSERS[i % 3], self.uid("pf_", "hc", i), "self_serve",
                                 T0 - r.uniform(10, 90) * DAY) if clean_hydra else
                    self.account("campaign_hydra", i, own, "python-httpx/0.27.0",
                                 self.uid("pf_", "ho", i) if own_cards else cards[i % 8],
                                 r.choice(["trial", "startup_program"]), wave))
            for ts in self.regular(T0 + 0.5 * DAY + r.uniform(0, HOUR), END, HOUR / r.uniform(6, 9) / light,
                                   60 / light):
                ip, asn, country = own if clean_hydra else r.choice(pool)
                text = (self.pick("clinc150", "nq_open") if r.random() < 0.2 else
                        r.choice(reasoning).format(task=self.pick(*TASKS)))
                self.send(acct, ts, text, campaign=True, ip=ip, asn=asn, country=country, max_tokens=8192,
                          out=r.choice([8192, r.randint(1500, 8192)]), status=429 if r.random() < 0.03 else 200)
        for i in range(rubric):  # graders on one datacenter network, each its own card, security-research programme
            acct = self.account("campaign_rubric", i, (f"52.14.{r.randint(0, 255)}.{i}", 16509, "US"),
                                "node-fetch/3.3.2", self.uid("pf_", "rb", i), "security_research",
                                T0 - r.uniform(3, 9) * DAY)
            for ts in self.regular(T0 + DAY + r.uniform(0, 2 * HOUR), END, HOUR / r.uniform(4, 6), 120):
                answer = self.pick("gsm8k", "nq_open", "mbpp")[:200]
                self.send(acct, ts, r.choice(words.RUBRIC).format(task=self.pick(*TASKS), answer=answer), campaign=True,
                          max_tokens=1024)
        for i in range(agentic):  # an agent runtime on one cloud network, moving to nova-4 hours after its release
            acct = self.account("campaign_agentic", i, (f"34.90.{r.randint(0, 255)}.{i % 6}", 396982, "US"),
                                "agentloop/1.4", self.uid("pf_", "ag", i // 6), "startup_program",
                                T0 - r.uniform(4, 15) * DAY)
            switch = RELEASE + r.uniform(1, 8) * HOUR
            for ts in self.regular(T0 + 1.2 * DAY + r.uniform(0, 2 * HOUR), END, HOUR / r.uniform(5, 7), 200):
                model = "nova-4" if ts > switch and r.random() < 0.6 else "nova-3"
                self.send(acct, ts, "Task: " + self.pick("mbpp", "humaneval", "staqc_sql"), campaign=True,
                          model=model, system=words.AGENT_SYSTEM, max_tokens=4096,
                          tools=["read_file", "write_file", "run_tests", "shell"])
        rewrite = words.REWRITE_OBLIQUE if self.hard else words.REWRITE
        for i in range(slow):  # clean residential accounts brought online over 90 minutes, each sending 0.75-1.25
            # times ``slow_rate`` requests an hour by day (3-5 by default)
            asn, country = r.choice(NETWORKS)
            acct = self.account("campaign_slow", i, (self.ip(), asn, country), BROWSERS[i % 2],
                                self.uid("pf_", "sl", i), "self_serve", T0 - r.uniform(14, 60) * DAY)
            day = T0 + 0.8 * DAY + r.uniform(0, 1.5 * HOUR)
            while day < END:
                until = min(day + r.uniform(8, 12) * HOUR, END)  # drawn before the gap, as always
                for ts in self.regular(day, until, HOUR / r.uniform(0.75 * slow_rate, 1.25 * slow_rate), 300):
                    text = (self.pick("clinc150", "nq_open") if r.random() < 0.25 else
                            r.choice(rewrite).format(task=self.pick(*TASKS)))
                    self.send(acct, ts, text, campaign=True, messages=True)
                day += DAY


def generate(out: Path, seed: int = 1, hard: bool = False, clean_hydra: bool = False, consortium: bool = False,
             corpus: Path = CORPUS, users: int = 1800, viral_template: float | None = None,
             viral_newcomers: float | None = None, hydra_accounts: int = 60, crew_accounts: int | None = None,
             own_cards: bool = False, slow_rate: float = 4.0, tenants: bool = False) -> int:
    """Write ``out/events.jsonl`` and ``out/labels.json`` (``users``: ordinary users; ``viral_template`` and
    ``viral_newcomers``: the day the trending template or the signups start, None: none; ``slow_rate``: requests
    an hour of each slow-crew account by day); returns the number of events."""
    probe = Probe(seed, hard, corpus, users)
    probe.ordinary_users()
    probe.lookalikes(consortium, viral_template, viral_newcomers)
    probe.campaigns(clean_hydra, hydra_accounts, crew_accounts, own_cards, slow_rate)
    if tenants:
        agent_product(probe)
        reseller(probe)
    return probe.write(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    for flag in ("--hard", "--clean-hydra", "--own-cards", "--consortium", "--tenants", "--replay"):
        parser.add_argument(flag, action="store_true")
    parser.add_argument("--viral-template", type=float, metavar="DAY")
    parser.add_argument("--viral-newcomers", type=float, metavar="DAY")
    parser.add_argument("--hydra-accounts", type=int, default=60, metavar="N")
    parser.add_argument("--crew-accounts", type=int, metavar="N")
    parser.add_argument("--slow-rate", type=float, default=4.0, metavar="R")
    parser.add_argument("--users", type=int, default=1800, metavar="N")
    args = parser.parse_args()
    for flag, day in (("--viral-template", args.viral_template), ("--viral-newcomers", args.viral_newcomers)):
        if day is not None and not 0 <= day <= 2.5:
            parser.error(f"{flag}: a day from 0 to 2.5")
    if not 0.1 <= args.slow_rate <= 20:
        parser.error("--slow-rate: requests an hour from 0.1 to 20")
    if args.users < 100:
        parser.error("--users: 100 or more")
    if args.clean_hydra and args.own_cards:
        parser.error("--own-cards: the clean hydra has a card per account already")
    if not CORPUS.exists():
        sys.exit(f"the prompt corpus is not at {CORPUS}: set HYDRAWATCH_SHARED_DIR (a clone has no ../shared)")
    n = generate(args.out, args.seed, args.hard, args.clean_hydra, args.consortium, users=args.users,
                 viral_template=args.viral_template, viral_newcomers=args.viral_newcomers,
                 hydra_accounts=args.hydra_accounts, crew_accounts=args.crew_accounts, own_cards=args.own_cards,
                 slow_rate=args.slow_rate, tenants=args.tenants)
    print(f"{args.out}: {n:,} events")
    if args.replay:
        cli = [sys.executable, "-m", "hydrawatch.cli"]
        subprocess.run([*cli, "replay", str(args.out / "events.jsonl"), "--alerts-out", str(args.out / "alerts.jsonl"),
                        "--dlq-out", str(args.out / "dead_letters.jsonl"), "--db", "", "--no-progress"], check=True,
                       cwd=ROOT)
        subprocess.run([*cli, "evaluate", "--alerts", str(args.out / "alerts.jsonl"), "--labels",
                        str(args.out / "labels.json")], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
