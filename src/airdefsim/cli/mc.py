"""``airdefsim mc`` and ``airdefsim sweep``: Monte Carlo batches and parameter sweeps.

Thin wrappers over :func:`airdefsim.analysis.montecarlo.run_montecarlo` and
:func:`airdefsim.analysis.sweep.run_sweep`. Bad input (scenario, ``--set``, ``--out``,
``--resume`` on another batch) prints one line per problem on stderr and exits 2.
Also runnable alone: ``python -m airdefsim.cli.mc mc SCENARIO ...``.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from airdefsim.analysis import montecarlo, sweep
from airdefsim.analysis.montecarlo import McError, ReplicationFailed, ReplicationFn

_err = Console(stderr=True)

DEFAULT_REPLICATION = montecarlo.function_name(montecarlo.run_replication)


class RateColumn(ProgressColumn):
    """Replications per second (Rich's smoothed speed of the task)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- rep/s" if speed is None else f"{speed:.2f} rep/s", style="cyan")


def _fail(message: str, code: int = 2) -> typer.Exit:
    for line in message.splitlines() or [message]:
        print(line, file=sys.stderr)
    return typer.Exit(code)


def load_raw(path: Path, replication: str) -> tuple[dict[str, Any], ReplicationFn]:
    """Read and validate the scenario file (problems with file line numbers) and
    import the replication function.

    Raises
    ------
    McError
        Unreadable or invalid scenario (one line per problem), unknown function.
    """
    from airdefsim.scenario import ScenarioError, read_scenario_raw, validate_dict

    fn = montecarlo.resolve_function(replication)
    try:
        raw, lines, file = read_scenario_raw(path)
        validate_dict(raw, file, lines)
    except ScenarioError as exc:
        raise McError("\n".join(str(p) for p in exc.problems)) from None
    return raw, fn


def _progress_hooks(
    progress: Progress, label: str
) -> tuple[Callable[[int, int], None], Callable[[dict[str, Any]], None]]:
    task: list[Any] = []

    def on_start(done: int, total: int) -> None:
        # started only once the batch is valid: bad input prints its line and nothing else
        progress.start()
        task.append(progress.add_task(label, total=total, completed=done))

    def on_row(row: dict[str, Any]) -> None:
        progress.advance(task[0])

    return on_start, on_row


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=_err,
        transient=False,
    )


@contextlib.contextmanager
def _stopping(progress: Progress) -> Iterator[None]:
    try:
        yield
    finally:
        if progress.live.is_started:
            progress.stop()


def _fmt(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.4g}"
    return str(v)


def print_summary(summary: dict[str, Any], console: Console) -> None:
    """Rich tables of a batch summary (metrics with t intervals, probabilities with
    Wilson intervals)."""
    conf = summary.get("confidence", 0.95)
    t = Table(title=f"{summary.get('scenario', '')}: {summary.get('n')} replications")
    for col in ("metric", "mean", "std", f"{conf:.0%} lo", f"{conf:.0%} hi", "n"):
        t.add_column(col, justify="left" if col == "metric" else "right")
    for name, st in summary.get("metrics", {}).items():
        t.add_row(
            name, _fmt(st["mean"]), _fmt(st["std"]), _fmt(st["lo"]), _fmt(st["hi"]), str(st["n"])
        )
    console.print(t)
    probs = summary.get("probabilities", {})
    if probs:
        p = Table(title="probabilities (Wilson intervals)")
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


def print_sweep(summary: dict[str, Any], console: Console) -> None:
    """One Rich table row per grid point: the parameters, then key metrics as
    ``mean ±half-width`` (t interval) and probabilities as ``p [lo-hi]`` (Wilson)."""
    params = list(summary["params"])
    t = Table(
        title=f"sweep of {summary.get('scenario', '')}: {summary['n']} replications per point "
        f"({summary.get('confidence', 0.95):.0%} intervals)"
    )
    for p in params:
        t.add_column(p, overflow="fold")
    shown = [
        m for m in ("threats_killed", "leakers", "interceptors_fired") if m in summary["metrics"]
    ]
    shown_p = [p for p in ("p_asset_hit", "p_any_leaker") if p in summary["probabilities"]]
    for m in shown + shown_p:
        t.add_column(m, justify="right", overflow="fold")
    for row in summary["table"]:
        cells = [str(row[p]) for p in params]
        for m in shown:
            mean, hi = row[f"{m}_mean"], row[f"{m}_hi"]
            half = None if mean is None or hi is None else hi - mean
            cells.append(f"{_fmt(mean)} ±{_fmt(half)}")
        for m in shown_p:
            cells.append(f"{row[m]:.2f} [{row[f'{m}_lo']:.2f}-{row[f'{m}_hi']:.2f}]")
        t.add_row(*cells)
    console.print(t)


def _check_exec(workers: int | None, scheduler: str | None) -> None:
    if workers is not None and scheduler is not None:
        raise McError("give either --workers or --scheduler, not both")
    if workers is not None and workers < 0:
        raise McError(f"--workers {workers}: must be >= 0")
    if scheduler is not None and not scheduler.strip():
        raise McError("--scheduler: empty address")


def _interrupted(out: Path) -> typer.Exit:
    rows = len(montecarlo.unique_rows(montecarlo.read_rows(out / montecarlo.RESULTS)))
    return _fail(f"interrupted: {rows} replications saved in {out}; run again with --resume", 130)


N_OPT = typer.Option("-n", "--replications", help="Replications (per grid point).")
WORKERS_OPT = typer.Option(help="Local worker processes (default: all cores; 0: in this process).")
SCHED_OPT = typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
OUT_OPT = typer.Option("--out", "-o", help="Run directory (results, summary, plots).")
RESUME_OPT = typer.Option(
    "--resume", help="Finish the batch already in --out (never repeats a replication)."
)
JSON_OPT = typer.Option("--json", help="Print the summary as JSON on stdout.")
PLOTS_OPT = typer.Option("--plots/--no-plots", help="Write the PNG plots.")
REPL_OPT = typer.Option(hidden=True, help="Replication function module:function (testing).")


def mc_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, OUT_OPT],
    n: Annotated[int, N_OPT] = 100,
    workers: Annotated[int | None, WORKERS_OPT] = None,
    scheduler: Annotated[str | None, SCHED_OPT] = None,
    resume: Annotated[bool, RESUME_OPT] = False,
    as_json: Annotated[bool, JSON_OPT] = False,
    plots: Annotated[bool, PLOTS_OPT] = True,
    replication: Annotated[str, REPL_OPT] = DEFAULT_REPLICATION,
) -> None:
    """Monte Carlo: run a scenario N times with derived seeds; statistics and plots."""
    _run_batch(
        scenario,
        out,
        workers,
        scheduler,
        replication,
        "replications",
        lambda raw, fn, hooks: montecarlo.run_montecarlo(
            raw,
            n,
            out,
            replication=fn,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            scenario_file=str(scenario),
            plots=plots,
            **hooks,
        ),
        lambda summary: print_summary(summary, Console()),
        "results, summary.json and plots",
        as_json,
    )


def _run_batch(
    scenario: Path,
    out: Path,
    workers: int | None,
    scheduler: str | None,
    replication: str,
    label: str,
    run: Any,
    show: Any,
    written: str,
    as_json: bool,
) -> None:
    """What ``mc`` and ``sweep`` share: load, progress, one-line errors, Ctrl-C, output."""
    try:
        _check_exec(workers, scheduler)
        raw, fn = load_raw(scenario, replication)
        progress = _progress()
        on_start, on_row = _progress_hooks(progress, label)
        with _stopping(progress):
            summary = run(raw, fn, {"on_row": on_row, "on_start": on_start})
    except ReplicationFailed as exc:
        raise _fail(f"{exc} (finished replications are saved; --resume retries)", 1) from None
    except McError as exc:
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        raise _interrupted(out) from None
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        show(summary)
        Console().print(f"{written} in [bold]{out}[/bold]")


def sweep_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario YAML file.")],
    out: Annotated[Path, OUT_OPT],
    set_: Annotated[
        list[str],
        typer.Option("--set", help="PATH=V1,V2,... e.g. red[0].count=10,20,40 (repeatable)."),
    ],
    n: Annotated[int, N_OPT] = 100,
    workers: Annotated[int | None, WORKERS_OPT] = None,
    scheduler: Annotated[str | None, SCHED_OPT] = None,
    resume: Annotated[bool, RESUME_OPT] = False,
    as_json: Annotated[bool, JSON_OPT] = False,
    plots: Annotated[bool, PLOTS_OPT] = True,
    replication: Annotated[str, REPL_OPT] = DEFAULT_REPLICATION,
) -> None:
    """Parameter sweep: a Monte Carlo batch at every point of the --set grid."""
    try:
        params = [sweep.parse_set(s) for s in set_]
    except McError as exc:
        raise _fail(str(exc)) from None
    _run_batch(
        scenario,
        out,
        workers,
        scheduler,
        replication,
        "sweep",
        lambda raw, fn, hooks: sweep.run_sweep(
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
            **hooks,
        ),
        lambda summary: print_sweep(summary, Console()),
        "results, sweep.csv, sweep.parquet and plots",
        as_json,
    )


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
