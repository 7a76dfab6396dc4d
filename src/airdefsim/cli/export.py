"""``airdefsim export RUN_DIR --format asterix|czml|kml|geojson`` — a thin wrapper over
:func:`airdefsim.export.api.export_run`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from airdefsim.cli.common import fail
from airdefsim.export.api import FORMATS, LAYERS, ExportOptions, export_run, parse_what
from airdefsim.export.asterix import recorded_settings, with_overrides


def register(app: typer.Typer) -> None:
    """Add the ``export`` command to ``app``."""

    @app.command("export")
    def export(
        run_dir: Path = typer.Argument(..., help="Run directory (run.json + Parquet tables)."),
        fmt: str | None = typer.Option(
            None, "--format", "-f", help=f"Output format (required): {', '.join(FORMATS)}."
        ),
        out: Path | None = typer.Option(None, "--out", "-o", help="Output file."),
        what: str = typer.Option(
            ",".join(LAYERS), "--what", help="Comma list of layers: " + ", ".join(LAYERS) + "."
        ),
        sac: int | None = typer.Option(
            None,
            "--sac",
            help="ASTERIX System Area Code (0-255); default: the scenario's asterix.sac, else 0.",
        ),
        sic: int | None = typer.Option(
            None,
            "--sic",
            help="ASTERIX System Identification Code (0-255); default: the scenario's "
            "asterix.sic, else 1.",
        ),
        coverage_alt: float = typer.Option(
            1000.0, "--coverage-alt", help="Target altitude (m) for coverage rings."
        ),
        coverage_rcs: float | None = typer.Option(
            None,
            "--coverage-rcs",
            help="Target RCS (m²) for coverage; default: each radar's calibration RCS.",
        ),
    ) -> None:
        """Export a recorded run for other tools: ASTERIX CAT062 (any ASTERIX decoder),
        CZML (CesiumJS), KML (Google Earth), GeoJSON (QGIS)."""
        try:
            if fmt is None:
                raise ValueError(f"--format is required: one of {', '.join(FORMATS)}")
            ax = with_overrides(recorded_settings(run_dir), "--", sac=sac, sic=sic)
            opt = ExportOptions(
                what=parse_what(what),
                sac=ax.sac,
                sic=ax.sic,
                service_id=ax.service_id,
                coverage_alt_m=coverage_alt,
                coverage_rcs_m2=coverage_rcs,
            )
            result = export_run(run_dir, fmt, out, opt)
        except ValueError as exc:
            fail(str(exc))
        table = Table(title=f"{result.fmt} export", show_header=False)
        table.add_row("file", str(result.path))
        table.add_row("size", f"{result.n_bytes:,} octets")
        for k, v in result.counts.items():
            table.add_row(k, f"{v:,}")
        Console().print(table)
