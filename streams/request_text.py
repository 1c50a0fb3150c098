"""What a request says: the user's text from ``prompt`` or chat ``messages`` (content as a string or parts), the
instructions of its system turn, its tool turns and image parts, and the names of the tools it offers."""

from __future__ import annotations

from typing import Any

from streams.errors import EventError


def prompt_text(record: dict[str, Any]) -> tuple[str, int, bool, str | None]:
    """The user's text: ``prompt``, else the last user turn of ``messages``; also tool turns, image parts and the
    last system (or developer) turn of ``messages``, the request's instructions when it has no ``system``."""
    prompt = record.get("prompt")
    messages = record.get("messages")
    if prompt is not None and not isinstance(prompt, str):
        raise EventError(f"field 'prompt' must be a string, got {type(prompt).__name__}")
    if messages is None:
        if prompt is None:
            raise EventError("missing prompt text: neither 'prompt' nor 'messages' is present")
        return prompt, 0, False, None
    if not isinstance(messages, list):
        raise EventError(f"field 'messages' must be an array, got {type(messages).__name__}")
    last_user, tool_text, tool_turns, image, instructions = "", "", 0, False, None
    for i, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise EventError(f"messages[{i}] must be an object with a string 'role'")
        role = message["role"]
        content = message.get("content")
        text, has_tool, has_image = _content_text(content)
        image = image or has_image
        if role == "tool" or has_tool:
            tool_turns += 1
            if role == "user" and text:
                tool_text = text  # words beside tool results: the user's text when no plain user turn has any
        elif role == "user" and text:
            last_user = text
        elif role in ("system", "developer") and text:
            instructions = text
    if prompt is not None:
        return prompt, tool_turns, image, instructions
    return last_user or tool_text, tool_turns, image, instructions


def _content_text(content: Any) -> tuple[str, bool, bool]:
    """Text of a message's content (string or parts), and whether it held tool or image parts."""
    if isinstance(content, str):
        return content, False, False
    if not isinstance(content, list):
        return "", False, False
    texts, tool, image = [], False, False
    for part in content:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict):
            kind = part.get("type")
            if isinstance(part.get("text"), str):
                texts.append(part["text"])
            if kind in ("tool_use", "tool_result", "function_call", "tool_call"):
                tool = True
            elif kind in ("image", "image_url", "input_image"):
                image = True
    return "\n".join(texts), tool, image


def tool_names(tools: Any) -> tuple[str, ...]:
    """The request's tool names: a string is one; an object's is its ``name``, else its ``function``'s (``?``
    when it has neither)."""
    if tools is None:
        return ()
    if not isinstance(tools, list):
        raise EventError(f"field 'tools' must be an array or null, got {type(tools).__name__}")
    names = []
    for tool in tools:
        if isinstance(tool, str):
            names.append(tool)
        elif isinstance(tool, dict):
            function = tool.get("function")  # OpenAI style: {"type": "function", "function": {"name": ...}}
            name = tool.get("name") or (function.get("name") if isinstance(function, dict) else None)
            names.append(str(name) if name else "?")
    return tuple(names)
