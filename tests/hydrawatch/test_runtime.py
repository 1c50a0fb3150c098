"""The process exit of the command line (``hydrawatch.runtime.exit_now``): nothing a normal exit does is lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=tmp_path, capture_output=True,
                          text=True, timeout=60)


@pytest.mark.parametrize(("code", "status"), [(3, 3), (None, 0), (0, 0)])
def test_an_exit_runs_the_atexit_handlers_flushes_logs_and_streams_and_keeps_the_status(
        tmp_path: Path, code: int | None, status: int) -> None:
    done = _run(f"""
        import atexit, logging
        from hydrawatch.runtime import exit_now
        atexit.register(lambda: open("handler-ran", "w").write("yes"))
        logging.basicConfig(filename="run.log", level=logging.INFO)
        logging.getLogger("x").info("the last record")
        print("buffered output", end="")
        exit_now({code!r})
        print("never")
    """, tmp_path)
    assert done.returncode == status, done.stderr
    assert done.stdout == "buffered output"
    assert (tmp_path / "handler-ran").read_text() == "yes"
    assert "the last record" in (tmp_path / "run.log").read_text()


def test_an_exit_with_a_message_prints_it_and_fails(tmp_path: Path) -> None:
    done = _run("""
        from hydrawatch.runtime import exit_now
        exit_now("cannot go on: the reason")
    """, tmp_path)
    assert done.returncode == 1
    assert done.stderr.strip() == "cannot go on: the reason"


def test_the_command_line_exits_with_the_commands_status(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "hydrawatch.cli", "replay", str(tmp_path / "missing.jsonl"),
                           "--alerts-out", str(tmp_path / "alerts.jsonl")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no such input file" in done.stdout + done.stderr
    usage = subprocess.run([sys.executable, "-m", "hydrawatch.cli", "replay"], capture_output=True, text=True,
                           timeout=60)
    assert usage.returncode == 2 and "Missing argument" in usage.stdout + usage.stderr
