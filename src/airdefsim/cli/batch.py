"""What the batch commands (``mc``, ``sweep``, ``compare``) share.

All three run on :func:`airdefsim.analysis.montecarlo.run_batch`; here is their common
edge: the executor options (``--workers`` | ``--scheduler``), a progress bar on stderr
(replications done, rate, ETA) started only once the input is valid, one-line errors
through :func:`airdefsim.cli.common.fail`, and Ctrl-C, which stops the batch and says
how many rows are saved for ``--resume``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import typer
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
from rich.text import Text

from airdefsim.analysis import montecarlo
from airdefsim.analysis.montecarlo import McError, ReplicationFailed, RowCallback
from airdefsim.cli.common import err_console, fail

R = TypeVar("R")
StartCallback = Callable[[int, int], None]

DEFAULT_REPLICATION = montecarlo.function_name(montecarlo.run_replication)

WORKERS_OPT = typer.Option(
    "--workers", "-j", help="Local worker processes (default: all cores; 0: in this process)."
)
SCHED_OPT = typer.Option(help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
RESUME_OPT = typer.Option(
    "--resume", help="Finish the batch already in --out (never repeats a replication)."
)
JSON_OPT = typer.Option("--json", help="Print the summary as JSON on stdout.")
PLOTS_OPT = typer.Option("--plots/--no-plots", help="Write the PNG plots.")
REPL_OPT = typer.Option(hidden=True, help="Replication function module:function (testing).")


class RateColumn(ProgressColumn):
    """Replications per second (Rich's smoothed speed of the task)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- rep/s" if speed is None else f"{speed:.2f} rep/s", style="cyan")


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )


def _hooks(progress: Progress, label: str) -> tuple[StartCallback, RowCallback]:
    task: list[Any] = []

    def on_start(done: int, total: int) -> None:
        # started only once the batch is valid: bad input prints its line and nothing else
        progress.start()
        task.append(progress.add_task(label, total=total, completed=done))

    def on_row(row: dict[str, Any]) -> None:
        progress.advance(task[0])

    return on_start, on_row


@contextlib.contextmanager
def _stopping(progress: Progress) -> Iterator[None]:
    try:
        yield
    finally:
        if progress.live.is_started:
            progress.stop()


def check_exec(workers: int | None, scheduler: str | None) -> None:
    """Reject contradictory executor options (raises :class:`McError`)."""
    if workers is not None and scheduler is not None:
        raise McError("give either --workers or --scheduler, not both")
    if workers is not None and workers < 0:
        raise McError(f"--workers {workers}: must be >= 0")
    if scheduler is not None and not scheduler.strip():
        raise McError("--scheduler: empty address")


def _interrupted(out: Path | None) -> NoReturn:
    if out is None:
        fail("interrupted: nothing saved (give --out to keep finished runs and --resume)", 130)
    rows = len(montecarlo.unique_rows(montecarlo.read_rows(out / montecarlo.RESULTS)))
    fail(f"interrupted: {rows} replications saved in {out}; run again with --resume", 130)


def run(
    label: str,
    out: Path | None,
    workers: int | None,
    scheduler: str | None,
    body: Callable[[StartCallback, RowCallback], R],
) -> R:
    """Run ``body(on_start, on_row)`` (a batch) with a progress bar; turn every
    foreseeable failure into one line on stderr.

    Exit codes: 2 bad input (options, ``--out``, ``--resume`` on another batch, a run
    directory that cannot be written), 1 a replication raised (finished rows are kept),
    130 Ctrl-C.
    """
    try:
        check_exec(workers, scheduler)
        progress = _progress()
        on_start, on_row = _hooks(progress, label)
        with _stopping(progress):
            return body(on_start, on_row)
    except ReplicationFailed as exc:
        kept = "finished replications are saved; --resume retries" if out else "nothing saved"
        fail(f"{exc} ({kept})", 1)
    except McError as exc:
        fail(str(exc))
    except OSError as exc:  # the run directory cannot be made or written
        fail(f"cannot write {exc.filename or out}: {exc.strerror or exc}")
    except KeyboardInterrupt:
        _interrupted(out)


def resolve(replication: str) -> montecarlo.ReplicationFn:
    """The replication function named ``module:function``; a bad name exits 2."""
    try:
        return montecarlo.resolve_function(replication)
    except McError as exc:
        fail(str(exc))
