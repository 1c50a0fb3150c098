"""Tool definitions and tool-use traces (assistant tool_use / user tool_result turns)."""

from __future__ import annotations

from typing import Any

from .rand import Rng
from .texts import fill

TOOL_DESCRIPTIONS = {
    "get_weather": "Current weather for a city.",
    "search_web": "Search the web and return top results.",
    "calculator": "Evaluate an arithmetic expression.",
    "get_stock_price": "Latest price for a ticker.",
    "send_email": "Send an email on the user's behalf.",
    "create_event": "Create a calendar event.",
    "lookup_order": "Find an order by id.",
    "search_tickets": "Search support tickets.",
    "get_customer": "Fetch a customer profile.",
    "update_ticket": "Change ticket status or fields.",
    "send_reply": "Reply to the customer on a ticket.",
    "query_orders": "List orders matching filters.",
    "issue_refund": "Refund part or all of an order.",
    "kb_search": "Search the help-center articles.",
    "bash": "Run a shell command in the sandbox.",
    "str_replace_editor": "View or edit a file by replacing text.",
    "read_file": "Read a file from the workspace.",
    "run_tests": "Run the test suite and report failures.",
    "computer": "Take screenshots, move the mouse, click and type.",
    "python": "Execute Python code.",
}
GENERIC_TOOLS = (
    "get_weather",
    "search_web",
    "calculator",
    "get_stock_price",
    "send_email",
    "create_event",
    "lookup_order",
)
PRODUCT_TOOLS = (
    "search_tickets",
    "get_customer",
    "update_ticket",
    "send_reply",
    "query_orders",
    "issue_refund",
    "kb_search",
)
CODING_TOOLS = ("bash", "str_replace_editor", "read_file", "run_tests", "python")
COMPUTER_TOOLS = ("computer", "bash", "search_web")

_MODULES = "billing auth parser scheduler cache exporter router metrics storage invoice search ingest".split()


def tool_defs(names: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """Tool definition objects for the given tool names."""
    return [{"name": n, "description": TOOL_DESCRIPTIONS[n]} for n in names]


def _step(rng: Rng, tool: str) -> tuple[dict[str, Any], str]:
    """A plausible input and result for one call of `tool`."""
    mod = rng.choice(_MODULES)
    if tool == "bash":
        cmd = rng.choice(
            (
                f"pytest -q tests/test_{mod}.py",
                f"grep -rn 'def {mod}' src/",
                "git diff --stat",
                f"ls src/{mod}",
                "pip install -e .",
            )
        )
        return {
            "command": cmd
        }, f"{rng.randint(0, 4)} failed, {rng.randint(5, 60)} passed in {rng.uniform(0.5, 9):.2f}s"
    if tool in ("read_file", "str_replace_editor"):
        path = f"src/{mod}/{rng.choice(('core', 'utils', 'models', 'api'))}.py"
        code = f"def {mod}_{rng.choice(('load', 'save', 'sync'))}(x):\n    return x[{rng.randint(0, 9)}]"
        if tool == "read_file":
            return {"path": path}, code
        return {
            "command": "str_replace",
            "path": path,
            "old_str": "x[0]",
            "new_str": "x.get(0)",
        }, "File edited."
    if tool == "run_tests":
        return {
            "target": f"tests/test_{mod}.py"
        }, f"FAILED tests/test_{mod}.py::test_{rng.randint(1, 40)} - AssertionError"
    if tool == "python":
        return {"code": f"print(sum(range({rng.randint(10, 9999)})))"}, str(rng.randint(100, 10**6))
    if tool == "computer":
        act = rng.choice(("screenshot", "left_click", "type", "scroll"))
        inp: dict[str, Any] = {"action": act}
        if act == "left_click":
            inp["coordinate"] = [rng.randint(0, 1280), rng.randint(0, 800)]
        elif act == "type":
            inp["text"] = fill("{city} {n2}", rng)
        return inp, "[screenshot captured]" if act == "screenshot" else "ok"
    if tool == "search_web":
        q = fill("{concept} {lang} example", rng)
        return {"query": q}, f"1. {q} - docs\n2. {q} - blog post\n3. {q} - Q&A thread"
    if tool in ("search_tickets", "kb_search", "query_orders"):
        return {
            "query": fill("{item} {n2}", rng)
        }, f"Found {rng.randint(0, 9)} results: #{rng.randint(10000, 99999)}"
    if tool in ("get_customer", "lookup_order", "get_stock_price", "get_weather"):
        return {"id": str(rng.randint(10000, 99999))}, fill(
            '{"name": "{name}", "city": "{city}", "orders": {n}}', rng
        )
    return {"value": fill("{item}", rng)}, "done"


def trace(
    rng: Rng, task: str, tools: tuple[str, ...], n_steps: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """History of an agent loop after n_steps tool calls, plus the pending tool_result parts.

    Returns (history, pre_parts): history starts with the user's task; pre_parts holds the
    last tool result, to be sent with the new user text in the final turn.
    """
    history: list[dict[str, Any]] = [{"role": "user", "content": task}]
    pending: list[dict[str, Any]] = []
    for i in range(n_steps):
        tool = rng.choice(tools)
        inp, result = _step(rng, tool)
        call_id = f"toolu_{rng.hexstr(12)}"
        if pending:
            history.append({"role": "user", "content": pending})
        history.append(
            {
                "role": "assistant",
                "content": [
                    {"type": "text", "text": f"Step {i + 1}: using {tool}."},
                    {"type": "tool_use", "id": call_id, "name": tool, "input": inp},
                ],
            }
        )
        pending = [{"type": "tool_result", "tool_use_id": call_id, "content": result}]
    return history, pending
