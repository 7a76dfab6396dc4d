"""Helpers shared by the CLI commands: the one error path, scenario loading.

Every command reports bad input the same way, never with a traceback:

- :func:`fail` — one line ``error: …`` on stderr, exit 2 (or the code given);
- :func:`fail_scenario` — a scenario's problems, one ``FILE:LINE: path: message`` line
  each (what ``airdefsim validate`` prints), exit 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from airdefsim.jsonsafe import dumps
from airdefsim.scenario import (
    Scenario,
    ScenarioError,
    load_scenario,
    read_scenario_raw,
    validate_dict,
)

err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``error: message`` as one line on stderr and exit with ``code`` (never a
    traceback). A message of several lines is joined with ``; ``."""
    text = "; ".join(line.strip() for line in str(message).splitlines() if line.strip())
    err_console.print(f"[red]error:[/red] {escape(text)}", soft_wrap=True)
    raise typer.Exit(code)


def fail_scenario(exc: ScenarioError) -> NoReturn:
    """Print every problem of a scenario (``FILE:LINE: path: message``, one a line) on
    stderr and exit 2."""
    for p in exc.problems:
        print(str(p), file=sys.stderr)
    raise typer.Exit(2)


def load_or_exit(path: str | Path) -> Scenario:
    """Load a scenario; on problems print one line each and exit 2."""
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        fail_scenario(exc)


def load_raw_or_exit(path: str | Path) -> dict[str, Any]:
    """Read and validate a scenario file, returning its raw (YAML-loaded) mapping — what
    the batch commands hand to their workers; on problems print one line each (with the
    file's line numbers) and exit 2."""
    try:
        raw, lines, file = read_scenario_raw(path)
        validate_dict(raw, file, lines)
    except ScenarioError as exc:
        fail_scenario(exc)
    return raw


def print_json(obj: Any) -> None:
    """``obj`` as indented JSON on stdout (the ``--json`` output of every command; NaN
    is ``null``, keys in the order given)."""
    sys.stdout.write(dumps(obj, indent=2, sort_keys=False) + "\n")
