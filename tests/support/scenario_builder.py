"""Builds request events from a scenario file (tests/detector/scenarios/*.yaml) plus benign background traffic.

Scenarios are data, CrowdSec-style: each names groups of accounts with their infrastructure, prompt style and
pacing, and what the detector is expected to do (alert on some groups, stay silent on others).
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path
from typing import Any

import yaml

BASE_TS = 1_772_000_000.0
WORDS = ("river market engine garden theorem protein ledger harbor violin glacier compiler pigeon canyon "
         "lantern saddle orbit meadow quartz falcon tunnel ribbon magnet copper willow dune ember atlas "
         "circuit maple comet harvest needle beacon prairie cobalt marble thunder velvet").split()
VERBS = "compute estimate explain compare derive prove design summarize classify rank".split()
WRAPPERS = {
    "templated_reasoning": [
        "You are a meticulous tutor. Solve the following problem and lay out every intermediate step of your "
        "reasoning in order before the final answer.\n\nProblem: {task}\n\nEnd with a line 'FINAL: <answer>'.",
        "Work through this task carefully. Explain your internal reasoning step by step, numbering each step, "
        "then state the final answer on its own line.\n\nTask: {task}",
        "Think through the question below in full detail. Show your complete chain of thought, checking each "
        "intermediate result, and finish with the answer in bold.\n\nQuestion: {task}",
    ],
    "templated_rubric": [
        "You are a strict grader. Score the candidate answer below against this rubric: correctness 0-4, "
        "reasoning quality 0-3, clarity 0-3. Justify every criterion and output a JSON score.\n\n{task}",
        "Act as an impartial judge. Evaluate the following response on a scale of 1 to 10 using the rubric of "
        "accuracy, completeness and style, explaining each deduction in detail.\n\n{task}",
    ],
    "templated_plain": [  # an operator's wrappers in words no intent rule knows (a new wording, seen nowhere before)
        "Here is an item from our exercise set. Produce the model solution in our house format and close with a "
        "line 'RESULT: <value>'.\n\nItem: {task}",
        "Exercise follows. Write the full answer the way our course booklet does, then 'RESULT: <value>'.\n\n"
        "{task}",
        "{task}\n\nAnswer in the house format of our exercise booklet and finish with 'RESULT: <value>'.",
    ],
}
TERSE_CLOSINGS = [  # an operator's closing instructions in short sentences no intent rule knows, after a long task
    "Narrate the design decisions as you go. Keep code last.",
    "Tell me how you'd attack this first. Then commit to one answer.",
    "Sketch the plan before the details. Final value at the bottom.",
]
AGENT_WRAPPERS = [
    "You are an autonomous coding agent. Plan the work step by step, call the tools, and after every call write "
    "down the exact tool input and output before you continue.\n\nTask: {task}",
    "Complete the task below as an agent. Think out loud before each tool call, say why you chose that tool, and "
    "end with a full transcript of every step you took.\n\n{task}",
]
AGENT_TOOLS = ["bash", "read_file", "write_file", "run_tests"]
WORKSPACE_SYSTEM = ("You are Dockhand, the assistant inside the Dockhand operations console. Look things up with "
                    "the tools before answering, and keep answers short.")
WORKSPACE_TOOLS = [{"name": "search_runbooks"}, {"name": "query_metrics"}, {"name": "open_ticket"}]
BENCHMARK = [f"Question {i}: what is {i * 7} plus {i * 3}? Think step by step." for i in range(15)]
HARNESS = ("Answer the following question. Think step by step, then finish with a line of the form 'Answer: X'."
           "\n\n{item}")  # an evaluation harness's prompt around the items of a new benchmark (a fixed set)
HARNESS_ITEMS = [f"How does the {WORDS[i % 37]} change the {WORDS[i * 7 % 37]} in case {i}?" for i in range(100)]
VIRAL = "Explain step by step why the sky looks blue at noon but red at sunset"
VIRAL_TEMPLATE = "Act as a patient teacher: answer my question step by step, showing your reasoning at each step. "
CREATED_DAYS = {"spread": (20, 400), "years": (400, 1500),  # account age at the scenario's start, by ``created``
                "customers": (20, 1000),  # a slice of a customer base: some weeks to years
                "months": (120, 300)}  # customers of some months, none a year old


SCENARIOS = sorted((Path(__file__).resolve().parents[1] / "detector" / "scenarios").glob("*.yaml"))


def load(path: Path) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text()))


def run_scenario(scenario: dict[str, Any], seed: int = 1) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Replay a scenario through a detector (no embedding tiers: fast); returns every alert and the groups."""
    from detector.engine import Detector
    from hydrawatch.settings import AllowList, Settings
    from streams.events import parse_record

    events, groups = build(scenario, seed)
    settings = Settings(db_url="", allowlist=AllowList(**scenario.get("allowlist", {})))
    detector = Detector(settings)
    alerts = []
    for record in events:
        alerts.extend(detector.process(parse_record(record)))
    alerts.extend(detector.finish())
    return alerts, groups


def build(scenario: dict[str, Any], seed: int = 1) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Events (sorted by ts) and the group of every account."""
    rng = random.Random(seed)
    hours = float(scenario["hours"])
    events: list[dict[str, Any]] = []
    groups: dict[str, str] = {}
    background = {"name": "benign", "accounts": 60, "org": "none", "payment": "own", "ips": "own",
                  "style": "benign", "rate_per_hour": 1.5, "regular": False, "created": "spread"}
    for spec in [*scenario["groups"], background]:
        events.extend(_group_events(spec, hours, rng, groups))
    events.sort(key=lambda e: e["ts"])
    for i, event in enumerate(events):
        event["event_id"] = f"ev-{i}"
        event["ts"] = round(event["ts"] * 1000)
    return events, groups


def _group_events(spec: dict[str, Any], hours: float, rng: random.Random, groups: dict[str, str]) -> list[dict]:
    name = spec["name"]
    out = []
    wave = BASE_TS - 3 * 86400 + rng.random() * 3600
    payments = int(str(spec["payment"]).split(":")[-1]) if str(spec["payment"]).startswith(("shared", "cards_of")) \
        else 0
    payer = str(spec["payment"]).split(":")[1] if str(spec["payment"]).startswith("cards_of") else name  # whose cards
    pool = int(str(spec["ips"]).split(":")[1]) if str(spec["ips"]).startswith("pool") else 0
    for a in range(spec["accounts"]):
        account = f"{name}-{a}"
        groups[account] = name
        created = (0.0 if spec["created"] == "at_first_use" else  # set below: minutes before the first request
                   wave + rng.random() * 1800 if spec["created"] == "wave" else  # one signup evening; customers
                   BASE_TS - rng.uniform(*CREATED_DAYS[spec["created"]]) * 86400)  # of some weeks to a year or years
        base = {
            "account_id": account,
            "org_id": _org(spec["org"], name, a),
            "payment_fingerprint": (f"pay-{payer}-{a % payments}" if payments else
                                    None if spec["payment"] == "none" else f"pay-{account}"),
            "account_created_at": round(created * 1000),
            "signup_channel": spec.get("channel", "self_serve"),
            "user_agent": spec.get("user_agent") or ("python-httpx/0.27" if spec["style"].startswith("templated")
                                                     else f"Mozilla/5.0 browser-{rng.randrange(6)}"),
            "model": "atlas-2", "max_tokens": 2048,
        }
        own_ip = f"198.51.{rng.randrange(256)}.{rng.randrange(256)}"
        near_max = spec.get("near_max", spec["style"].startswith("templated"))  # outputs run to max_tokens
        ts = BASE_TS + (spec.get("start_hour", 0) + rng.random() * spec.get("start_within_hours", 1)) * 3600
        if spec["created"] == "at_first_use":  # signed up to send it
            base["account_created_at"] = round((ts - rng.uniform(60, 1800)) * 1000)
        for _ in range(spec.get("requests", 1 << 30)):  # ``requests``: a batch of that many, then silence
            if ts >= BASE_TS + hours * 3600:
                break
            ip = f"203.0.113.{rng.randrange(pool)}" if pool else own_ip
            request = _request(spec["style"], rng, a)
            text = request.get("prompt") or request["messages"][1]["content"]
            asn = 64500 + (zlib.crc32(ip.encode()) % 3 if pool else rng.randrange(50))
            out.append({**base, **request, "ts": ts, "ip": ip, "asn": asn, "input_tokens": len(text) // 4,
                        "output_tokens": 2000 if near_max else rng.randrange(50, 600)})
            gap = 3600 / spec["rate_per_hour"]
            ts += gap * (rng.uniform(0.9, 1.1) if spec["regular"] else rng.expovariate(1.0))
    return out


def _org(org: str, name: str, account: int) -> str | None:
    """``shared``: one organisation for the group; ``several:N``: N organisations (account i in i % N); else none."""
    if org == "shared":
        return f"org-{name}"
    if org.startswith("several:"):
        return f"org-{name}-{account % int(org.split(':')[1])}"
    return None


def _request(style: str, rng: random.Random, account: int) -> dict[str, Any]:
    """The request's text fields: a ``prompt``, or for agent styles ``messages`` with ``tools``."""
    if style == "templated_agentic":  # a crew harvesting agent traces: shared wrappers around coding tasks
        task = rng.choice(AGENT_WRAPPERS).format(task=_task(rng))
        return _agent_messages("You are a helpful assistant.", task, AGENT_TOOLS, rng)
    if style == "agent_workspace":  # an agent product: one system prompt, each workspace's own requests
        words = rng.sample(WORDS, 2)
        ask = (f"{rng.choice(VERBS).capitalize()} why the {words[0]} service in workspace {account} was slow "
               f"after the {words[1]} deploy {rng.randrange(2, 99)} minutes ago")
        return _agent_messages(WORKSPACE_SYSTEM, ask, WORKSPACE_TOOLS, rng)
    return {"prompt": _text(style, rng, account)}


def _agent_messages(system: str, task: str, tools: list[Any], rng: random.Random) -> dict[str, Any]:
    messages = [{"role": "system", "content": system}, {"role": "user", "content": task}]
    for step in range(rng.randrange(3)):  # a later step of the loop re-sends the task with tool results
        messages += [{"role": "assistant", "content": f"Calling a tool (step {step + 1})."},
                     {"role": "tool", "content": f"exit code 0, {rng.randrange(1, 400)} lines"}]
    return {"messages": messages, "tools": tools}


def _task(rng: random.Random) -> str:
    words = rng.sample(WORDS, 4)
    return (f"{rng.choice(VERBS).capitalize()} how a {words[0]} of {rng.randrange(2, 999)} units interacts "
            f"with the {words[1]} and the {words[2]} when the {words[3]} changes by {rng.randrange(2, 99)} percent")


def _text(style: str, rng: random.Random, account: int) -> str:
    if style in WRAPPERS:
        return rng.choice(WRAPPERS[style]).format(task=_task(rng))
    if style == "templated_terse_tail":  # a long task of its own sentences, then a terse closing wrapper
        return ". ".join(_task(rng) for _ in range(14)) + ".\n\n" + rng.choice(TERSE_CLOSINGS)
    if style == "benchmark_items":
        return rng.choice(BENCHMARK)
    if style == "harness_items":
        return HARNESS.format(item=rng.choice(HARNESS_ITEMS))
    if style == "viral_template":  # a trending prompt with a slot: each sender's own question
        return VIRAL_TEMPLATE + _benign(rng)
    if style == "viral":
        return VIRAL + rng.choice(["", "?", "!", " please"]) if rng.random() < 0.6 else _benign(rng)
    if style == "habitual_steps":  # an ordinary user who asks for steps in about half of their own requests
        words = rng.sample(WORDS, 4)
        text = f"{rng.choice(VERBS).capitalize()} the {words[0]} {words[1]} issue with my {words[2]} {words[3]}"
        return f"{text}, walk me through it step by step." if rng.random() < 0.5 else f"{text}."
    if style == "own_words_steps":  # students who keep asking for step-by-step explanations, in their own words
        opener = rng.choice(["hey", "so", "quick q", "hi", "ok so", "sorry", "hello", ""])
        part = rng.choice(["the recursion part", "question 2", "the base case", "part b"])
        own = " ".join(rng.sample(WORDS, 2))
        if rng.random() < 0.6:
            return f"{opener} can you explain step by step {part} of assignment 3, i tried {own} but it fails"
        return f"{opener} why does my {own} code break on {part} of assignment 3"
    if style == "own_words_assignment":
        opener = rng.choice(["hey", "so", "quick q", "hi", "ok so", "sorry"])
        ask = rng.choice(["how do i start", "im stuck on", "can you explain", "what does it mean", "help with"])
        return f"{opener} {ask} the recursion part of assignment 3 {rng.choice(WORDS)} {rng.randrange(99)}"
    return _benign(rng)


def _benign(rng: random.Random) -> str:
    words = rng.sample(WORDS, 3)
    kind = rng.randrange(4)
    if kind == 0:
        return f"Write a short poem about a {words[0]} and a {words[1]}."
    if kind == 1:
        return f"What is the difference between a {words[0]} and a {words[1]} in {words[2]} terms?"
    if kind == 2:
        return f"Explain step by step how to fix a {words[0]} {words[1]} error number {rng.randrange(999)}."
    return f"Give me {rng.randrange(2, 9)} ideas for a {words[0]} themed party near the {words[1]}."
