"""``airdefsim track``: run the tracker over a plots file, optionally score it.

A thin wrapper over :mod:`airdefsim.tracking.batch` and
:func:`airdefsim.tracking.metrics.score_tracks`. Bad input prints one ``error:`` line on
stderr and exits 2.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from airdefsim.cli.common import err_console, fail, fail_scenario, print_json
from airdefsim.scenario import ScenarioError
from airdefsim.scenario.loader import load_tracker_settings
from airdefsim.scenario.schema import TrackerSettings
from airdefsim.tracking import batch
from airdefsim.tracking.metrics import score_tracks

_out = Console(highlight=False, soft_wrap=True)

#: inputs with more steps than this get a progress bar (on stderr)
PROGRESS_MIN_STEPS = 200

JSON_KEYS = (
    "gospa_mean",
    "gospa_localisation",
    "gospa_missed",
    "gospa_false",
    "tracks_confirmed",
    "track_breaks",
    "id_switches",
    "time_to_confirm_mean",
)


def track_file(
    plots_path: str,
    out_path: str,
    config_path: str | None = None,
    truth_path: str | None = None,
    step: float = 1.0,
    c: float = 1000.0,
    p: float = 2.0,
    alpha: float = 2.0,
    show_progress: bool = False,
) -> dict[str, Any]:
    """Track ``plots_path``, write ``out_path``; with a truth file, score the tracks.

    ``show_progress`` allows a Rich progress bar (on stderr) for inputs longer than
    ``PROGRESS_MIN_STEPS`` steps. Returns a summary dict (``n_plots, n_rows, n_tracks, wall_seconds`` and, with truth,
    the ``JSON_KEYS`` metrics). Raises ``ValueError`` on bad input, ``ScenarioError``
    (a ``ValueError`` with FILE:LINE problems) on a bad settings file.
    """
    if not step > 0:
        raise ValueError("--step must be positive")
    if not c > 0 or not p >= 1:
        raise ValueError("GOSPA needs c > 0 and p >= 1")
    if alpha != 2:
        raise ValueError("only --alpha 2 is supported")
    cfg = load_tracker_settings(config_path) if config_path else TrackerSettings()
    plots = batch.plots_from_table(batch.read_table(plots_path, "plots"))
    truth = batch.truth_columns(batch.read_table(truth_path, "truth")) if truth_path else None
    t0 = time.perf_counter()
    n_steps = (float(plots.t.max()) - float(plots.t.min())) / step if len(plots) else 0.0
    if show_progress and n_steps > PROGRESS_MIN_STEPS:
        with Progress(
            TextColumn("tracking"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total} steps"),
            TimeRemainingColumn(),
            console=err_console,
            transient=True,
        ) as bar:
            task = bar.add_task("track", total=None)

            def cb(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            cols = batch.run_tracker(plots, cfg, step, cb)
    else:
        cols = batch.run_tracker(plots, cfg, step)
    wall = time.perf_counter() - t0
    try:
        batch.write_table(cols, out_path)
    except OSError as exc:
        raise ValueError(f"cannot write {out_path}: {exc}") from None
    summary: dict[str, Any] = {
        "n_plots": len(plots),
        "n_rows": int(cols["t"].shape[0]),
        "n_tracks": len(set(cols["track_id"].tolist())),
        "wall_seconds": wall,
    }
    if truth is not None:
        res = score_tracks(truth, cols, c=c, p=p, alpha=alpha)
        summary.update({k: res[k] for k in JSON_KEYS})
    return summary


def register(app: typer.Typer) -> None:
    """Add the ``track`` command to ``app``."""

    @app.command("track")
    def track(
        plots: Annotated[
            str, typer.Argument(help="plots CSV or Parquet: t, sensor, x, y, z, sigma")
        ],
        out: Annotated[str, typer.Option("--out", help="tracks file to write (.parquet or .csv)")],
        config: Annotated[
            str | None,
            typer.Option(
                "--config",
                help="tracker settings YAML (its options, or a file with a 'tracker:' entry)",
            ),
        ] = None,
        truth: Annotated[
            str | None, typer.Option("--truth", help="truth CSV/Parquet: t, id, x, y, z (scores)")
        ] = None,
        step: Annotated[float, typer.Option("--step", help="tracker step, s")] = 1.0,
        c: Annotated[float, typer.Option("--c", help="GOSPA cut-off, m")] = 1000.0,
        p: Annotated[float, typer.Option("--p", help="GOSPA order")] = 2.0,
        alpha: Annotated[float, typer.Option("--alpha", help="GOSPA alpha (2)")] = 2.0,
        as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    ) -> None:
        """Track radar plots into tracks; with --truth, score them (GOSPA, breaks, switches)."""
        try:
            summary = track_file(
                plots, out, config, truth, step, c, p, alpha, show_progress=not as_json
            )
        except ScenarioError as exc:
            # the settings file: one FILE:LINE: path: message line per problem, as validate
            fail_scenario(exc)
        except ValueError as exc:
            fail(str(exc))
        if as_json:
            print_json(summary)
            return
        table = Table(title=f"tracks written to {out}", show_header=False)
        table.add_column("metric")
        table.add_column("value", justify="right")
        for k, v in summary.items():
            table.add_row(k.replace("_", " "), f"{v:.3f}" if isinstance(v, float) else str(v))
        _out.print(table)
