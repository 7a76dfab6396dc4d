"""``airdefsim compare A.yaml B.yaml``: two systems on the same raid, side by side.

A thin wrapper over :func:`airdefsim.analysis.compare.compare` on the shared batch edge
(:mod:`airdefsim.cli.batch`), like ``mc``: a local pool (``--workers``) or a Dask
cluster (``--scheduler``), a progress bar, durable rows and ``--resume`` in ``--out``.
A bad scenario prints one ``FILE:LINE`` line per problem, any other bad input one
``error:`` line; both exit 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from airdefsim.analysis import compare as cmp
from airdefsim.cli import batch
from airdefsim.cli.common import err_console, load_raw_or_exit, print_json


def comparison_table(result: dict[str, Any]) -> Table:
    """Rich table: metric | A mean ± half-width | B … | B − A (paired by replication).
    Proportions show their Wilson interval ``[lo, hi]``. Short labels from the metric
    registry: the table fits 80 columns."""
    names = result.get("names", {"a": "A", "b": "B"})
    n = result.get("n", len(result.get("seeds", [])))
    conf = float(result.get("confidence", 0.95))
    table = Table(
        title=f"A: {names['a']}\nB: {names['b']}\n{n} runs each, paired on the same seeds",
        title_justify="left",
    )
    table.add_column("metric", overflow="fold")
    table.add_column("A", justify="right", no_wrap=True)
    table.add_column("B", justify="right", no_wrap=True)
    table.add_column("B − A (paired)", justify="right", no_wrap=True)
    for c in cmp.COMPARED:
        sym = c.proportion is None
        table.add_row(
            c.short,
            cmp.format_stat(result["a"][c.key], symmetric=sym),
            cmp.format_stat(result["b"][c.key], symmetric=sym),
            cmp.format_stat(result.get("diff", {}).get(c.key, {}), symmetric=True),
        )
    table.caption = escape(f"{conf:.0%}: mean ± t half-width; proportions: Wilson [lo, hi]")
    return table


def compare_command(
    scenario_a: Annotated[Path, typer.Argument(help="first scenario YAML (A)")],
    scenario_b: Annotated[Path, typer.Argument(help="second scenario YAML (B)")],
    n: Annotated[int, typer.Option("-n", "--runs", help="runs per scenario")] = 20,
    seed: Annotated[
        int,
        typer.Option("--seed", help="base seed: run k of A and of B uses the k-th derived seed"),
    ] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="print {a, b} metrics as JSON")] = False,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="run directory: results.jsonl, compare.csv/.json/.png (resumable)"
        ),
    ] = None,
    workers: Annotated[int | None, batch.WORKERS_OPT] = None,
    scheduler: Annotated[str | None, batch.SCHED_OPT] = None,
    resume: Annotated[bool, batch.RESUME_OPT] = False,
    plots: Annotated[bool, batch.PLOTS_OPT] = True,
    replication: Annotated[str, batch.REPL_OPT] = batch.DEFAULT_REPLICATION,
) -> None:
    """Compare two scenarios (e.g. S-400 vs Patriot on the same raid) over N paired runs."""
    fn = batch.resolve(replication)
    raw_a = load_raw_or_exit(scenario_a)
    raw_b = load_raw_or_exit(scenario_b)
    result = batch.run(
        "compare",
        out,
        workers,
        scheduler,
        lambda on_start, on_row: cmp.compare(
            raw_a,
            raw_b,
            n,
            out,
            seed=seed,
            replication=fn,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            plots=plots,
            scenario_files=(str(scenario_a), str(scenario_b)),
            on_row=on_row,
            on_start=on_start,
        ),
    )
    if out is not None:
        err_console.print(
            f"results.jsonl, compare.csv, compare.json{', compare.png' if plots else ''} in {out}"
        )
    if as_json:
        print_json({"a": result["a"], "b": result["b"]})
        return
    Console(highlight=False).print(comparison_table(result))


def register(app: typer.Typer) -> None:
    """Add ``compare`` to the ``airdefsim`` application."""
    app.command("compare")(compare_command)
