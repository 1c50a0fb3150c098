"""Texts of the legitimate look-alike groups: benchmark suites, classroom questions, product prompts."""

from __future__ import annotations

from .rand import Rng
from .tasks import task
from .texts import fill


def benchmark(rng: Rng, name: str, n_items: int, kinds: tuple[str, ...], wrapper: str) -> list[str]:
    """A fixed benchmark suite: n_items prompts, generated once and then recycled verbatim."""
    items: dict[str, None] = {}
    while len(items) < n_items:
        body = task(rng, rng.choice(kinds))
        items[wrapper.format(name=name, i=len(items) + 1, item=body)] = None
    return list(items)


EVAL_WRAPPERS = (
    "[{name} #{i}] {item}\nLet's think step by step. Give the final answer after 'Answer:'.",
    "{name} item {i}.\nQuestion: {item}\nShow your reasoning, then answer with 'Answer: <value>'.",
    "{item}\n\nThink step by step. ({name}/{i})",
)

_ASSIGNMENTS = (
    (
        "binary search in Python",
        (
            "the mid index calculation",
            "why my loop never ends",
            "the off-by-one error",
            "what the base case is",
            "how to return -1 when not found",
        ),
    ),
    (
        "the Krebs cycle",
        (
            "where the ATP comes from",
            "what NADH does",
            "why it's called a cycle",
            "how many carbons leave",
            "the difference from glycolysis",
        ),
    ),
    (
        "price elasticity of demand",
        (
            "the midpoint formula",
            "why the sign is negative",
            "elastic vs inelastic",
            "how taxes affect it",
            "the graph for part 2",
        ),
    ),
    (
        "Newton's second law lab",
        (
            "how to compute acceleration from the timer data",
            "the error bars",
            "why our slope isn't 9.8",
            "what to put in the discussion",
            "units for force",
        ),
    ),
)
_OPEN = ("", "", "hey ", "hi, ", "ok so ", "Hello! ", "quick q: ", "sorry if this is dumb but ", "um ")
_CONTEXT = (
    "our assignment is about {topic}",
    "for my homework on {topic}",
    "we have a lab on {topic} due tonight",
    "my prof wants us to explain {topic}",
    "I'm working on the {topic} problem set",
    "in class we did {topic}",
    "doing the {topic} worksheet",
)
_ASK = (
    "and I don't get {aspect}",
    "and I'm stuck on {aspect}",
    "can you explain {aspect}?",
    "why does {aspect} matter?",
    "how do I even start with {aspect}",
    "what's going on with {aspect}",
    "could you help me understand {aspect}",
    "I keep messing up {aspect}",
)
_CLOSE = (
    "",
    "",
    "",
    " thanks",
    " pls explain simply",
    " don't give me the answer just a hint",
    " in simple words?",
    " my friend said something different",
    " (question {part})",
    " lol",
    " ty!!",
)


def assignment_for(day_index: int) -> int:
    """Which assignment a class works on that day."""
    return day_index % len(_ASSIGNMENTS)


def student_question(rng: Rng, assignment: int, quirks: tuple[bool, bool]) -> str:
    """One student's own wording of a question about the class assignment."""
    topic, aspects = _ASSIGNMENTS[assignment]
    ctx = rng.choice(_CONTEXT).format(topic=topic)
    ask = rng.choice(_ASK).format(aspect=rng.choice(aspects))
    close = rng.choice(_CLOSE).format(part=f"{rng.randint(1, 6)}{rng.choice('abc')}")
    text = (
        rng.choice(_OPEN)
        + (f"{ctx} {ask}" if rng.chance(0.6) else f"{ask[0].upper()}{ask[1:]} ({ctx})")
        + close
    )
    lower, terse = quirks
    if lower:
        text = text.lower()
    if terse:
        text = text.replace(", ", " ").rstrip("?.!")
    return text.strip()


AGENT_SYSTEM = (
    "You are Relay, the support operations agent for a customer's workspace. Use the provided tools to look "
    "up customers, orders and tickets before answering. Never issue refunds above the workspace limit "
    "without "
    "approval. Be concise, cite ticket ids, and end each turn with the next action you will take."
)
_PRODUCT_TASKS = (
    "Customer {name} says order #{big}{n} arrived damaged. Check the order and propose a resolution.",
    "Summarize all open tickets about {item} from the last {days} days and group them by cause.",
    "Refund ${n2} to the customer on ticket #{k} if the order shipped more than {days} days late.",
    "Draft a reply to {name} in {city} explaining the new shipping times.",
    "Find customers with more than {n} failed payments this month and tag their tickets 'billing'.",
    "Close tickets tagged 'duplicate' older than {days} days and note the original ticket id.",
    "Escalate ticket #{k}: the customer has contacted us {n} times about {item}.",
)


def product_task(rng: Rng) -> str:
    """A task that an agent product's end user gives to the agent."""
    return fill(rng.choice(_PRODUCT_TASKS), rng)


BUSY_APP_SYSTEMS = (
    "You are Quillo, a friendly writing assistant inside a note-taking app. Improve clarity and tone, keep "
    "the author's voice, and answer questions about the user's notes. Reply in the user's language.",
    "You are ShopPal, the shopping assistant of an online marketplace. Help users compare products, track "
    "orders and write reviews. Never reveal internal pricing rules.",
)


_REMARKS = (
    "{name} asked me this on the way to {city} and I had no idea.",
    "It came up while {name} and I were cooking {dish} in {city}.",
    "I saw it in a {city} group chat about {concept}.",
    "My friend {name} from {city} could not answer it either.",
    "Keep it short, I am on a train to {city} with {name}.",
)


def personal_remark(rng: Rng) -> str:
    """A sentence a viral prompt's sender adds of their own (``simulate --viral-remarks``): a frame with slots
    filled from large word lists, so two strangers rarely write the same one."""
    return fill(rng.choice(_REMARKS), rng)
