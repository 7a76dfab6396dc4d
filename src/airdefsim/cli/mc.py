"""``airdefsim mc`` and ``airdefsim sweep``: Monte Carlo batches and parameter sweeps.

Thin wrappers over :func:`airdefsim.analysis.montecarlo.run_montecarlo` and
:func:`airdefsim.analysis.sweep.run_sweep` on the shared batch edge
(:mod:`airdefsim.cli.batch`). A bad scenario prints one ``FILE:LINE`` line per problem,
any other bad input (``--set``, ``--out``, ``--resume`` on another batch) one
``error:`` line; both exit 2. Also runnable alone: ``python -m airdefsim.cli.mc mc
SCENARIO ...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from airdefsim.analysis import montecarlo, sweep
from airdefsim.analysis.metrics import label
from airdefsim.analysis.montecarlo import McError
from airdefsim.cli import batch
from airdefsim.cli.common import fail, load_raw_or_exit, print_json
from airdefsim.summary import METRIC

N_OPT = typer.Option("-n", "--replications", help="Replications (per grid point).")
OUT_OPT = typer.Option("--out", "-o", help="Run directory (results, summary, plots).")


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def _shown(key: str, v: Any) -> Any:
    """A statistic of metric ``key`` in its display unit (km for ranges)."""
    m = METRIC.get(key)
    return v * m.display_scale if m is not None and isinstance(v, int | float) else v


def _metric_table(title: str, conf: float, metrics: Mapping[str, Mapping[str, Any]]) -> Table:
    t = Table(title=title)
    for col in ("metric", "mean", "std", f"{conf:.0%} lo", f"{conf:.0%} hi", "n"):
        t.add_column(col, justify="left" if col == "metric" else "right")
    for name, st in metrics.items():
        t.add_row(
            label(name),
            *(_fmt(_shown(name, st[k])) for k in ("mean", "std", "lo", "hi")),
            str(st["n"]),
        )
    return t


def print_summary(summary: Mapping[str, Any], console: Console) -> None:
    """Rich tables of a batch summary: the engagement results (t intervals), the
    proportions (Wilson intervals), then the run bookkeeping (simulated and wall-clock
    time, …). Labels and display units come from the metric registry."""
    conf = float(summary.get("confidence", 0.95))
    metrics = summary.get("metrics", {})
    results = {k: v for k, v in metrics.items() if k in METRIC and METRIC[k].result}
    other = {k: v for k, v in metrics.items() if k not in results}
    console.print(
        _metric_table(
            f"{summary.get('scenario', '')}: {summary.get('n')} replications", conf, results
        )
    )
    probs = summary.get("probabilities", {})
    if probs:
        p = Table(title=f"proportions ({conf:.0%} Wilson intervals)")
        for col in ("event", "p", f"{conf:.0%} lo", f"{conf:.0%} hi", "k/n"):
            p.add_column(col, justify="left" if col == "event" else "right")
        for st in probs.values():
            p.add_row(
                st["description"],
                _fmt(st["p"]),
                _fmt(st["lo"]),
                _fmt(st["hi"]),
                f"{st['k']}/{st['n']}",
            )
        console.print(p)
    if other:
        console.print(_metric_table("run bookkeeping", conf, other))


#: columns of the sweep table: key metrics (t intervals) and proportions (Wilson)
SWEEP_METRICS = ("threats_killed", "leakers", "interceptors_fired")
SWEEP_PROPORTIONS = ("p_asset_hit", "p_any_leaker")


def print_sweep(summary: Mapping[str, Any], console: Console) -> None:
    """One Rich table row per grid point: the parameters, then key metrics as
    ``mean ±half-width`` (t interval) and proportions as ``p [lo-hi]`` (Wilson)."""
    params = list(summary["params"])
    t = Table(
        title=f"sweep of {summary.get('scenario', '')}: {summary['n']} replications per point "
        f"({summary.get('confidence', 0.95):.0%} intervals)"
    )
    for p in params:
        t.add_column(p, overflow="fold")
    shown = [m for m in SWEEP_METRICS if m in summary["metrics"]]
    shown_p = [p for p in SWEEP_PROPORTIONS if p in summary["probabilities"]]
    for m in shown + shown_p:
        t.add_column(label(m, short=True), justify="right", overflow="fold")
    for row in summary["table"]:
        cells = [str(row[p]) for p in params]
        for m in shown:
            mean, hi = _shown(m, row[f"{m}_mean"]), _shown(m, row[f"{m}_hi"])
            half = None if mean is None or hi is None else hi - mean
            cells.append(f"{_fmt(mean)} ±{_fmt(half)}")
        for m in shown_p:
            cells.append(f"{row[m]:.2f} [{row[f'{m}_lo']:.2f}-{row[f'{m}_hi']:.2f}]")
        t.add_row(*cells)
    console.print(t)


def _done(summary: Mapping[str, Any], as_json: bool, out: Path, written: str, show: Any) -> None:
    if as_json:
        print_json(summary)
        return
    show(summary, Console())
    Console().print(f"{written} in [bold]{out}[/bold]")


def mc_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, OUT_OPT],
    n: Annotated[int, N_OPT] = 100,
    workers: Annotated[int | None, batch.WORKERS_OPT] = None,
    scheduler: Annotated[str | None, batch.SCHED_OPT] = None,
    resume: Annotated[bool, batch.RESUME_OPT] = False,
    as_json: Annotated[bool, batch.JSON_OPT] = False,
    plots: Annotated[bool, batch.PLOTS_OPT] = True,
    replication: Annotated[str, batch.REPL_OPT] = batch.DEFAULT_REPLICATION,
) -> None:
    """Monte Carlo: run a scenario N times with derived seeds; statistics and plots."""
    fn = batch.resolve(replication)
    raw = load_raw_or_exit(scenario)
    summary = batch.run(
        "replications",
        out,
        workers,
        scheduler,
        lambda on_start, on_row: montecarlo.run_montecarlo(
            raw,
            n,
            out,
            replication=fn,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            scenario_file=str(scenario),
            plots=plots,
            on_row=on_row,
            on_start=on_start,
        ),
    )
    _done(summary, as_json, out, "results, summary.json and plots", print_summary)


def sweep_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, OUT_OPT],
    set_: Annotated[
        list[str],
        typer.Option("--set", help="PATH=V1,V2,... e.g. red[0].count=10,20,40 (repeatable)."),
    ],
    n: Annotated[int, N_OPT] = 100,
    workers: Annotated[int | None, batch.WORKERS_OPT] = None,
    scheduler: Annotated[str | None, batch.SCHED_OPT] = None,
    resume: Annotated[bool, batch.RESUME_OPT] = False,
    as_json: Annotated[bool, batch.JSON_OPT] = False,
    plots: Annotated[bool, batch.PLOTS_OPT] = True,
    replication: Annotated[str, batch.REPL_OPT] = batch.DEFAULT_REPLICATION,
) -> None:
    """Parameter sweep: a Monte Carlo batch at every point of the --set grid."""
    try:
        params = [sweep.parse_set(s) for s in set_]
    except McError as exc:
        fail(str(exc))
    fn = batch.resolve(replication)
    raw = load_raw_or_exit(scenario)
    summary = batch.run(
        "sweep",
        out,
        workers,
        scheduler,
        lambda on_start, on_row: sweep.run_sweep(
            raw,
            params,
            n,
            out,
            replication=fn,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            scenario_file=str(scenario),
            plots=plots,
            on_row=on_row,
            on_start=on_start,
        ),
    )
    _done(summary, as_json, out, "results, sweep.csv, sweep.parquet and plots", print_sweep)


def register(app: typer.Typer) -> None:
    """Add ``mc`` and ``sweep`` to the ``airdefsim`` command line."""
    app.command("mc")(mc_command)
    app.command("sweep")(sweep_command)


def main() -> None:
    """Run these two commands alone (``python -m airdefsim.cli.mc``)."""
    app = typer.Typer(add_completion=False, no_args_is_help=True)
    register(app)
    app()


if __name__ == "__main__":
    main()
