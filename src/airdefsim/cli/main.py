"""``airdefsim`` — the command line.

The core commands (run, validate, presets, report) live here; every other part adds its
own from ``airdefsim/cli/<part>.py`` through a ``register(app)`` function.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import sys
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from airdefsim.analysis.invariants import check as check_invariants
from airdefsim.analysis.metrics import format_value
from airdefsim.analysis.timeline import timelines
from airdefsim.cli.common import err_console, fail, load_or_exit
from airdefsim.export.asterix import AsterixUdpSink
from airdefsim.jsonsafe import dumps
from airdefsim.record.recorder import RunDirError, read_run
from airdefsim.scenario import Scenario, get_presets
from airdefsim.sim import run_scenario
from airdefsim.summary import METRICS, RunSummary, metric_label

app = typer.Typer(
    name="airdefsim",
    help="Open air-defense engagement simulator and operator trainer (public figures only).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
presets_app = typer.Typer(
    help="List the presets, or show one with its sources.", invoke_without_command=True
)
app.add_typer(presets_app, name="presets")
console = Console(highlight=False, soft_wrap=True)

# other parts' commands; each module exposes register(app)
PARTS = ("track", "coverage", "envelope", "compare", "mc", "export", "web")


def summary_table(summary: RunSummary, title: str) -> Table:
    """The run's summary: engagement results, then (after a rule) the bookkeeping
    (friendlies present, tracks, simulated and wall-clock time); labels, units and
    display scale from the metric registry."""
    table = Table(title=title, show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    ordered = [m for m in METRICS if m.result] + [m for m in METRICS if not m.result]
    for i, m in enumerate(ordered):
        table.add_row(
            metric_label(m.key),
            format_value(m, getattr(summary, m.key)),
            end_section=i + 1 < len(ordered) and m.result and not ordered[i + 1].result,
        )
    return table


@app.command()
def run(
    scenario: Annotated[str, typer.Argument(help="scenario YAML file")],
    seed: Annotated[int | None, typer.Option(help="random seed (default: the scenario's)")] = None,
    out: Annotated[
        Path | None, typer.Option(help="run directory for the recording and report")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="print the summary as one JSON object")
    ] = False,
    report: Annotated[bool, typer.Option(help="write report.html into the run directory")] = True,
    asterix_udp: Annotated[
        str | None, typer.Option(help="also stream ASTERIX CAT062 to HOST:PORT over UDP")
    ] = None,
) -> None:
    """Run a scenario; print the summary; record it and write a report with --out."""
    scn = load_or_exit(scenario)
    sinks: list[Any] = []
    if asterix_udp:
        sinks.append(_asterix_sink(asterix_udp, scn))
    t_wall = time.perf_counter()
    show_progress = not as_json and sys.stderr.isatty()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[t]:>6.0f} s sim"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
        disable=not show_progress,
    ) as progress:
        task = progress.add_task(scn.name, total=scn.duration, t=0.0)

        def tick(t: float) -> None:
            progress.update(task, completed=t, t=t)

        try:
            result = run_scenario(scn, seed=seed, out_dir=out, progress=tick, sinks=sinks)
        except OSError as exc:
            fail(f"cannot write the run directory {out}: {exc.strerror or exc}")
    summary = dataclasses.replace(result.summary, wall_seconds=time.perf_counter() - t_wall)
    if out is not None and report:
        write_report(out)
    if as_json:
        print(dumps(summary.to_dict(), indent=None))
        return
    console.print(summary_table(summary, f"{scn.name} — seed {summary.seed}"))
    if out is not None:
        console.print(
            f"recording: {out}/   report: {out / 'report.html'}" if report else f"recording: {out}/"
        )


def write_report(run_dir: Path) -> Path:
    """Write ``report.html`` of a recorded run (the report module pulls in matplotlib, a
    heavy import every other command can do without: imported here, on use)."""
    from airdefsim.analysis.report import write_report as write

    return write(run_dir)


def _asterix_sink(target: str, scn: Scenario) -> AsterixUdpSink:
    host, _, port = target.rpartition(":")
    if not host or not port.isdigit():
        fail(f"--asterix-udp wants HOST:PORT, got {target!r}")
    ax = scn.asterix
    return AsterixUdpSink(
        host,
        int(port),
        ax.sac,
        ax.sic,
        scn.origin.lat,
        scn.origin.lon,
        scn.epoch,
        service_id=ax.service_id,
        max_datagram=ax.max_datagram,
    )


@app.command()
def validate(scenario: Annotated[str, typer.Argument(help="scenario YAML file")]) -> None:
    """Check a scenario: exit 0 when valid, else exit 2 with FILE:LINE: field: message lines."""
    scn = load_or_exit(scenario)
    n_red = sum(g.count for g in scn.red)
    n_friend = sum(g.count for g in scn.friendly_air)
    console.print(
        f"{scenario}: valid — {len(scn.blue)} unit(s), {n_red} threat(s), {n_friend} friendly aircraft, {scn.duration:.0f} s"
    )


@app.command("report")
def report_cmd(
    run_dir: Annotated[Path, typer.Argument(help="run directory written by 'run --out'")],
) -> None:
    """(Re)write report.html for a recorded run."""
    try:
        path = write_report(run_dir)
    except RunDirError as exc:
        fail(str(exc))
    console.print(f"report: {path}")


def _t(x: float) -> str:
    return "—" if x != x else f"{x:.0f}"


@app.command("timeline")
def timeline_cmd(
    run_dir: Annotated[Path, typer.Argument(help="run directory written by 'run --out'")],
    as_json: Annotated[bool, typer.Option("--json", help="one JSON object per object")] = False,
) -> None:
    """Each air object's kill chain: first detection, first fire-control plot, first
    track, identity, launches, outcome and why a threat leaked (times in s)."""
    try:
        items = timelines(read_run(run_dir))
    except RunDirError as exc:
        fail(str(exc))
    if as_json:
        for tl in items:
            print(dumps({**dataclasses.asdict(tl), "why": tl.why}, indent=None))
        return
    table = Table(title=f"kill chain per object — {run_dir}")
    for col in (
        "object",
        "det",
        "FC plot",
        "track",
        "identity",
        "launch",
        "fired",
        "outcome",
        "why",
    ):
        table.add_column(
            col, justify="left" if col in ("object", "identity", "outcome", "why") else "right"
        )
    for tl in items:
        table.add_row(
            escape(tl.name) + ("" if tl.hostile else " (friend)"),
            _t(tl.first_detection),
            _t(tl.first_fc_plot),
            _t(tl.first_track),
            f"{tl.declared or 'unknown'}" + (f" @{_t(tl.declared_at)}" if tl.declared else ""),
            _t(tl.first_launch),
            str(tl.launches),
            tl.outcome + (f" @{_t(tl.outcome_at)}" if tl.outcome_at == tl.outcome_at else ""),
            escape(tl.why),
        )
    console.print(table)


@app.command("check")
def check_cmd(
    run_dir: Annotated[Path, typer.Argument(help="run directory written by 'run --out'")],
) -> None:
    """Check a recording against the kill chain's invariants (no kill without the track
    its guidance needs, none outside the altitude band, no friendly engaged, no launch
    at a bad track, speeds and flight times in bounds); exit 1 on a violation."""
    try:
        violations = check_invariants(read_run(run_dir))
    except RunDirError as exc:
        fail(str(exc))
    for line in violations:
        console.print(escape(line))
    console.print(f"{len(violations)} violation(s)")
    if violations:
        raise typer.Exit(1)


@presets_app.callback()
def presets_list(ctx: typer.Context) -> None:
    """List every preset by kind."""
    if ctx.invoked_subcommand is not None:
        return
    p = get_presets()
    table = Table(title="presets")
    table.add_column("kind")
    table.add_column("names")
    for kind, names in p.names().items():
        table.add_row(kind, ", ".join(names))
    console.print(table)


@presets_app.command("show")
def presets_show(
    name: Annotated[str, typer.Argument(help="preset name, e.g. s400_battalion or 40N6E")],
) -> None:
    """Print one preset with the source of each figure."""
    p = get_presets()
    kind = p.kind_of(name)
    if kind is None:
        every = sorted(n for names in p.names().values() for n in names)
        fail(f"no preset named {name!r} (known: {', '.join(every)})")
    raw = dict(p.raw[kind][name])
    sources = raw.pop("sources", {}) or {}
    table = Table(title=f"{kind[:-1]} preset {name}")
    table.add_column("field")
    table.add_column("value")
    table.add_column("source")
    for key, value in raw.items():
        src = sources.get(key, "")
        if not src:
            src = next((v for k, v in sources.items() if k.split(".")[0] == key), "")
        shown = json.dumps(value) if not isinstance(value, str) else value
        table.add_row(escape(key), escape(shown), escape(src or "schema default / structural"))
    console.print(table)
    extra = [k for k in sources if k.split(".")[0] not in raw]
    for k in extra:
        console.print(escape(f"  {k}: {sources[k]}"))


def _register_parts() -> None:
    for part in PARTS:
        try:
            module = importlib.import_module(f"airdefsim.cli.{part}")
        except ModuleNotFoundError as exc:
            if exc.name == f"airdefsim.cli.{part}":
                continue
            raise
        module.register(app)


_register_parts()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
