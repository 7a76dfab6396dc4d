"""``airdefsim envelope MISSILE`` — where a launch can intercept, from the flyout model.

The command is a thin wrapper over :func:`envelope_report` (plain data) and
:func:`plot_envelope` (a PNG with Matplotlib's Agg backend).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from airdefsim import units
from airdefsim.cli.common import fail, print_json
from airdefsim.engagement.envelope import EnvelopeTable, envelope, flyout_table
from airdefsim.jsonsafe import to_jsonable
from airdefsim.scenario.presets import get_presets
from airdefsim.scenario.schema import MissileSpec

ASPECTS = ("head-on", "crossing")


def _altitude_grid(spec: MissileSpec, target_altitude: float, step: float = 1000.0) -> np.ndarray:
    top = max(1.25 * spec.max_altitude, target_altitude)
    grid = np.concatenate(
        [[10.0], np.arange(step, top + step / 2, step), [target_altitude, spec.max_altitude]]
    )
    return np.unique(np.round(grid, 3))


def compute_envelopes(
    spec: MissileSpec, target_speed: float, target_altitude: float, fine: bool = False
) -> dict[str, EnvelopeTable]:
    """Head-on and crossing :class:`EnvelopeTable` of ``spec`` against a target at
    ``target_speed`` (m/s); altitude rows every 1 km (``fine``) or every 2.5 km, plus
    ``target_altitude`` (m)."""
    alts = _altitude_grid(spec, target_altitude, 1000.0 if fine else 2500.0)
    return {a: envelope(spec, target_speed, alts, a) for a in ASPECTS}  # type: ignore[arg-type]


def envelope_report(
    spec: MissileSpec,
    target_speed: float,
    target_altitude: float,
    tables: dict[str, EnvelopeTable] | None = None,
) -> dict[str, Any]:
    """JSON-ready summary of the envelopes of ``spec`` (plain values; an undefined
    range — no intercept at that altitude — is None).

    Keys: ``missile``, ``target_speed_mps``, ``target_altitude_m``, ``max_range_m``
    (furthest intercept point, ground range), ``max_altitude_m`` (highest target
    altitude with an intercept), ``flyout_reach_m`` (furthest stationary point the
    flyout reaches, solved up to 1.1 x the published limit), ``published_max_range_m``,
    and per aspect (``head_on``, ``crossing``): ``max_launch_range_m`` and
    ``max_launch_range_at_target_altitude_m`` (solved by bisection, not sampled) and
    the per-altitude rows ``altitude_m``, ``min_launch_range_m`` (sampled),
    ``max_launch_range_m_by_altitude`` (solved).
    """
    if tables is None:
        tables = compute_envelopes(spec, target_speed, target_altitude)
    out: dict[str, Any] = {
        "missile": spec.name,
        "target_speed_mps": float(target_speed),
        "target_altitude_m": float(target_altitude),
        "max_range_m": max(t.max_intercept_range_m for t in tables.values()),
        "max_altitude_m": max(t.max_altitude_m for t in tables.values()),
        "flyout_reach_m": flyout_table(spec).max_ground_range,
        "published_max_range_m": spec.max_range,
        "published_max_altitude_m": spec.max_altitude,
    }
    for aspect, table in tables.items():
        lo, hi = table.range_band()
        row = int(np.argmin(np.abs(table.altitude - target_altitude)))
        out[aspect.replace("-", "_")] = {
            "max_launch_range_m": table.max_range_m,
            "max_launch_range_at_target_altitude_m": hi[row],
            "min_launch_range_at_target_altitude_m": lo[row],
            "altitude_m": table.altitude,
            "min_launch_range_m": lo,
            "max_launch_range_m_by_altitude": hi,
        }
    jsonable: dict[str, Any] = to_jsonable(out)
    return jsonable


def plot_envelope(tables: dict[str, EnvelopeTable], target_altitude: float, path: Path) -> Path:
    """Draw the head-on and crossing envelopes (launch ground range × altitude) to a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(tables), figsize=(6 * len(tables), 4.5), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (aspect, t) in zip(axes, tables.items(), strict=True):
        ax.pcolormesh(
            t.ground_range / 1e3,
            t.altitude / 1e3,
            t.feasible.astype(float),
            cmap="Greens",
            vmin=0,
            vmax=1.4,
            shading="nearest",
        )
        ax.plot(t.max_launch_range / 1e3, t.altitude / 1e3, color="C3", lw=1.2, label="solved max")
        ax.axhline(target_altitude / 1e3, color="k", lw=0.8, ls="--")
        ax.set_title(f"{t.missile} vs {t.target_speed:.0f} m/s target, {aspect}")
        ax.set_xlabel("target ground range at launch (km)")
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("target altitude (km)")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _rows_table(report: dict[str, Any]) -> Table:
    table = Table(
        title=f"{report['missile']}: launch ground range (km) where an intercept is possible"
    )
    table.add_column("target alt (km)", justify="right")
    for aspect in ("head_on", "crossing"):
        table.add_column(aspect.replace("_", "-"), justify="right")
    head, cross = report["head_on"], report["crossing"]

    def band(lo: float | None, hi: float | None) -> str:
        return "—" if lo is None or hi is None else f"{lo / 1e3:.0f} – {hi / 1e3:.0f}"

    for k, alt in enumerate(head["altitude_m"]):
        table.add_row(
            f"{alt / 1e3:.2f}",
            band(head["min_launch_range_m"][k], head["max_launch_range_m_by_altitude"][k]),
            band(cross["min_launch_range_m"][k], cross["max_launch_range_m_by_altitude"][k]),
        )
    return table


def register(app: typer.Typer) -> None:
    """Add ``airdefsim envelope`` to the CLI."""

    @app.command("envelope")
    def envelope_cmd(
        missile: Annotated[str, typer.Argument(help="missile preset, e.g. 48N6E3, PAC-3_MSE")],
        target_speed: Annotated[
            str, typer.Option(help="target speed: '300' (m/s), '250 kt', 'Mach 0.9'")
        ] = "300",
        target_altitude: Annotated[
            str, typer.Option(help="target altitude, e.g. '10km'")
        ] = "10 km",
        as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
        out: Annotated[
            Path | None, typer.Option(help="directory for envelope_<MISSILE>.png")
        ] = None,
    ) -> None:
        """Range × altitude where a launch can intercept (head-on and crossing), from flyouts."""
        specs = get_presets().missiles
        if missile not in specs:
            fail(f"unknown missile {missile!r} (known: {', '.join(sorted(specs))})")
        spec = specs[missile]
        try:
            alt = units.length(target_altitude)
            speed = units.speed(target_speed).at(alt)
        except units.UnitError as exc:
            fail(str(exc))
        if not 0.0 <= alt <= 100e3:
            fail(f"target altitude must be between 0 and 100 km, got {target_altitude!r}")
        if not 0.0 <= speed <= 10e3:
            fail(f"target speed must be between 0 and 10 km/s, got {target_speed!r}")
        tables = compute_envelopes(spec, speed, alt, fine=out is not None)
        report = envelope_report(spec, speed, alt, tables)
        if out is not None:
            report["png"] = str(plot_envelope(tables, alt, out / f"envelope_{missile}.png"))
        if as_json:
            print_json(report)
            return
        console = Console(highlight=False)
        console.print(_rows_table(report))
        h, c = report["head_on"], report["crossing"]

        def km(v: float | None) -> str:
            return "—" if v is None else f"{v / 1e3:.0f} km"

        console.print(
            f"target {speed:.0f} m/s at {alt / 1e3:.1f} km: launch up to "
            f"{km(h['max_launch_range_at_target_altitude_m'])} head-on, "
            f"{km(c['max_launch_range_at_target_altitude_m'])} crossing"
        )
        console.print(
            f"furthest intercept {km(report['max_range_m'])}, highest {km(report['max_altitude_m'])}"
            f" (flyout reach {km(report['flyout_reach_m'])};"
            f" preset limit {km(spec.max_range)} / {km(spec.max_altitude)})"
        )
        if "png" in report:
            console.print(f"wrote {report['png']}")
