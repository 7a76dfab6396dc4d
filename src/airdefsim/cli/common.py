"""Helpers shared by the CLI commands: one-line errors, scenario loading."""

from __future__ import annotations

import sys
from typing import NoReturn

import typer
from rich.console import Console

from airdefsim.scenario import Scenario, ScenarioError, load_scenario

err_console = Console(stderr=True, highlight=False)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print one clear line on stderr and exit (never a traceback)."""
    err_console.print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(code)


def load_or_exit(path: str) -> Scenario:
    """Load a scenario; on problems print one line each and exit 2."""
    try:
        return load_scenario(path)
    except ScenarioError as exc:
        for p in exc.problems:
            print(str(p), file=sys.stderr)
        raise typer.Exit(2) from None
