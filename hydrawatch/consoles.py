"""The command line's two consoles: messages on stderr, results on stdout."""

from __future__ import annotations

from rich.console import Console

console = Console(stderr=True)
out = Console(soft_wrap=True)  # results carry paths, commands and tokens: never wrapped mid-line
