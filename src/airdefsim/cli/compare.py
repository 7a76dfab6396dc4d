"""``airdefsim compare A.yaml B.yaml``: two systems on the same raid, side by side.

A thin wrapper over :func:`airdefsim.analysis.compare.compare`. Bad input (a scenario
that does not load, ``-n`` below 1, an ``--out`` that is a file) prints one line on
stderr and exits 2.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from airdefsim.analysis import compare as cmp
from airdefsim.cli.common import fail, load_or_exit


def comparison_table(result: dict[str, Any]) -> Table:
    """Rich table: metric | A mean [95 % interval] | B … | B − A (paired, same seeds)."""
    names = result.get("names", {"a": "A", "b": "B"})
    n = len(result.get("seeds", []))
    table = Table(
        title=f"A: {names['a']}\nB: {names['b']}\n{n} runs each on the same seeds",
        title_justify="left",
    )
    table.add_column("metric", overflow="fold")
    table.add_column("A", justify="right", no_wrap=True)
    table.add_column("B", justify="right", no_wrap=True)
    table.add_column("B − A (paired)", justify="right", no_wrap=True)
    proportions = {k for k, _ in cmp.PROPORTIONS}
    for key in cmp.LABELS:
        sym = key not in proportions
        table.add_row(
            cmp.SHORT.get(key, key),
            cmp.format_stat(result["a"][key], symmetric=sym),
            cmp.format_stat(result["b"][key], symmetric=sym),
            cmp.format_stat(result.get("diff", {}).get(key, {}), symmetric=True),
        )
    table.caption = "95 %: mean ± t half-width; fractions: Wilson [lo, hi]"
    return table


def compare_command(
    scenario_a: Annotated[str, typer.Argument(help="first scenario YAML (A)")],
    scenario_b: Annotated[str, typer.Argument(help="second scenario YAML (B)")],
    n: Annotated[int, typer.Option("-n", "--runs", help="runs per scenario")] = 20,
    seed: Annotated[int, typer.Option("--seed", help="first seed (same seeds for A and B)")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="print {a, b} metrics as JSON")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", help="directory for compare.csv/.json/.png")
    ] = None,
    workers: Annotated[int, typer.Option("--workers", "-j", help="parallel processes")] = 1,
) -> None:
    """Compare two scenarios (e.g. S-400 vs Patriot on the same raid) over N seeds."""
    if n < 1:
        fail(f"-n must be at least 1, got {n}")
    if workers < 1:
        fail(f"--workers must be at least 1, got {workers}")
    if out is not None and out.exists() and not out.is_dir():
        fail(f"--out {out} exists and is not a directory")
    sa = load_or_exit(scenario_a)
    sb = load_or_exit(scenario_b)
    err = Console(stderr=True)
    with Progress(
        TextColumn("[bold]compare"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("runs", total=2 * n)
        try:
            result = cmp.compare(
                sa,
                sb,
                n=n,
                seed=seed,
                progress=lambda d, _t: bar.update(task, completed=d),
                workers=workers,
            )
        except ValueError as exc:
            fail(str(exc))
    if out is not None:
        try:
            paths = cmp.write_outputs(result, out)
        except OSError as exc:
            fail(f"cannot write to {out}: {exc.strerror or exc}")
        err.print("wrote " + ", ".join(str(p) for p in paths))
    if as_json:
        sys.stdout.write(json.dumps({"a": result["a"], "b": result["b"]}, indent=2) + "\n")
        return
    Console(highlight=False).print(comparison_table(result))


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the ``airdefsim`` application."""
    app.command("compare")(compare_command)
