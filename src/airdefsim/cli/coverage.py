"""``airdefsim coverage``: detection and horizon ranges of a unit's radars, diagrams.

A thin wrapper over :mod:`airdefsim.analysis.coverage`. Bad input prints one ``error:``
line on stderr and exits 2.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from airdefsim import units
from airdefsim.analysis import coverage
from airdefsim.cli.common import fail, print_json
from airdefsim.sensors.terrain import Dem


class _BadInput(ValueError):
    pass


def parse_rcs(text: str) -> float:
    """RCS text -> m²: ``"0.01"``, ``"0.01 m2"`` or ``"-20 dBsm"``."""
    t = text.strip()
    try:
        if re.search(r"dbsm$", t, re.IGNORECASE):
            return 10.0 ** (units.dbsm(t) / 10.0)
        value = units.area(t)
    except units.UnitError as exc:
        raise _BadInput(f"--rcs: {exc}") from None
    if not value > 0:
        raise _BadInput(f"--rcs must be positive, got {text!r}")
    return value


def parse_altitude(text: str) -> float:
    """Altitude text -> m: ``"10km"``, ``"20 m"``, ``"30000 ft"`` or a number (m)."""
    t = text.strip()
    m = re.match(r"^([-+]?[\d.]+(?:[eE][-+]?\d+)?)\s*([A-Za-z]*)$", t)
    if not m:
        raise _BadInput(f"--altitude: cannot read {text!r} (use e.g. 10km or '20 m')")
    try:
        value = units.length(f"{m.group(1)} {m.group(2)}".strip())
    except units.UnitError as exc:
        raise _BadInput(f"--altitude: {exc}") from None
    if value < 0:
        raise _BadInput("--altitude must not be negative")
    return value


def parse_jammer(text: str) -> tuple[float, float, float]:
    """``"lat,lon,erp_dbw"`` -> (lat deg, lon deg, ERP dBW)."""
    parts = text.split(",")
    try:
        lat, lon, erp = (float(p) for p in parts)
    except ValueError:
        raise _BadInput(f"--jammer: expected lat,lon,erp_dbw, got {text!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _BadInput(f"--jammer: latitude/longitude out of range in {text!r}")
    return lat, lon, erp


def parse_site(text: str) -> tuple[float, float]:
    """``"lat,lon"`` (deg) -> (lat, lon)."""
    try:
        lat, lon = (float(p) for p in text.split(","))
    except ValueError:
        raise _BadInput(f"--site: expected lat,lon, got {text!r}") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise _BadInput(f"--site: latitude/longitude out of range in {text!r}")
    return lat, lon


def run_coverage(
    name: str,
    rcs: str = "0.01",
    altitude: str = "10km",
    band: str | None = None,
    pd: float = 0.5,
    out: Path | None = None,
    dem: Path | None = None,
    jammer: str | None = None,
    site: str | None = None,
    first_detection: bool = False,
) -> dict[str, Any]:
    """Compute the coverage rows (and write PNGs to ``out``). Raises ``_BadInput`` or
    :class:`coverage.CoverageError` on bad input."""
    rcs_m2 = parse_rcs(rcs)
    alt = parse_altitude(altitude)
    if not 0.0 < pd < 1.0:
        raise _BadInput("--pd must be between 0 and 1")
    jam = parse_jammer(jammer) if jammer else None
    site_deg = parse_site(site) if site else None
    rows = coverage.coverage_table(name, rcs_m2, alt, pd, band)
    result: dict[str, Any] = {"radars": rows}
    if first_detection:
        result["first_detection"] = coverage.first_detection_ranges(name, pd=pd)
    if jam is not None:
        result["jammer"] = {"lat_deg": jam[0], "lon_deg": jam[1], "erp_dbw": jam[2]}
    if out is not None:
        dem_obj = None
        if dem is not None:
            try:
                dem_obj = Dem.from_geotiff(dem)
            except Exception as exc:  # rasterio raises its own error types
                raise _BadInput(f"--dem: cannot read {dem}: {exc}") from None
            if site_deg is None:  # the radar at the DEM's centre
                site_deg = (
                    dem_obj.lat0_deg + 0.5 * dem_obj.dlat_deg * (dem_obj.heights.shape[0] - 1),
                    dem_obj.lon0_deg + 0.5 * dem_obj.dlon_deg * (dem_obj.heights.shape[1] - 1),
                )
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _BadInput(f"--out: cannot create {out}: {exc.strerror}") from None
        files = []
        if site_deg is None:
            if jam is not None:
                raise _BadInput("--jammer needs the radar's --site lat,lon (or a --dem)")
            site_deg = (0.0, 0.0)
        specs = dict(coverage.resolve_radars(name))
        for label, spec in specs.items():
            safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", label)
            files.append(
                str(coverage.plot_vertical(spec, rcs_m2, pd, out / f"{safe}_vertical.png"))
            )
            files.append(
                str(
                    coverage.plot_horizontal(
                        spec,
                        rcs_m2,
                        alt,
                        pd,
                        out / f"{safe}_horizontal.png",
                        site_deg,
                        dem_obj,
                        jam,
                    )
                )
            )
        result["files"] = files
    return result


def register(app: typer.Typer) -> None:
    """Add ``coverage`` to the ``airdefsim`` app."""

    @app.command("coverage")
    def coverage_cmd(
        name: Annotated[
            str, typer.Argument(help="unit preset (s400_battalion …) or radar (91N6E …)")
        ],
        rcs: Annotated[
            str, typer.Option(help="target RCS: m² ('0.01') or dBsm ('-20 dBsm')")
        ] = "0.01",
        altitude: Annotated[
            str, typer.Option(help="target altitude, e.g. 10km or '20 m'")
        ] = "10km",
        band: Annotated[
            str | None, typer.Option(help="override the radars' band (attenuation)")
        ] = None,
        pd: Annotated[float, typer.Option(help="Pd per scan that defines detection")] = 0.5,
        json_out: Annotated[
            bool, typer.Option("--json", help="print JSON instead of a table")
        ] = False,
        out: Annotated[
            Path | None, typer.Option(help="write coverage PNGs to this directory")
        ] = None,
        dem: Annotated[
            Path | None, typer.Option(help="GeoTIFF DEM for terrain masking (with --out)")
        ] = None,
        jammer: Annotated[
            str | None, typer.Option(help="stand-off jammer lat,lon,erp_dbw (with --out)")
        ] = None,
        site: Annotated[
            str | None,
            typer.Option(help="radar site lat,lon for --dem/--jammer (default: DEM centre)"),
        ] = None,
        first_detection: Annotated[
            bool,
            typer.Option(
                "--first-detection",
                help="also first-detection ranges vs stealth_fighter (10 km) and cruise_missile (20 m)",
            ),
        ] = False,
    ) -> None:
        """Detection range (Pd per scan) against an RCS at an altitude, and the radar
        horizon, for each radar of a unit or one radar."""
        try:
            result = run_coverage(
                name, rcs, altitude, band, pd, out, dem, jammer, site, first_detection
            )
        except (_BadInput, coverage.CoverageError) as exc:
            fail(str(exc))
        if json_out:
            print_json(result)
            return
        rows = result["radars"]
        first = rows[0] if rows else {"rcs_m2": 0.0, "altitude_m": 0.0, "pd": pd}
        console = Console(highlight=False)
        table = Table(
            title=(
                f"{name}: {10 * math.log10(first['rcs_m2']):.1f} dBsm "
                f"({first['rcs_m2']:g} m²) at {first['altitude_m'] / 1e3:g} km, Pd ≥ {first['pd']:g} per scan"
            )
        )
        # short headers: the table fits an 80-column terminal
        for col in ("radar", "role", "band", "det km", "hor km", "free km", "limit"):
            table.add_column(col, justify="right" if "km" in col else "left", no_wrap=True)
        for r in rows:
            table.add_row(
                r["name"],
                r["role"],
                r["band"],
                f"{r['detection_range_m'] / 1e3:.1f}",
                f"{r['horizon_range_m'] / 1e3:.1f}",
                f"{r['free_space_range_m'] / 1e3:.1f}",
                r["limited_by"],
            )
        console.print(table)
        if "first_detection" in result:
            ft = Table(
                title=f"{name}: first detection (Pd ≥ {pd:g} per scan, nose-on RCS in each radar's band)"
            )
            for col in ("radar", "threat", "alt km", "dBsm", "det km", "hor km", "limit"):
                ft.add_column(
                    col,
                    justify="left" if col in ("radar", "threat", "limit") else "right",
                    no_wrap=True,
                )
            for r in result["first_detection"]:
                ft.add_row(
                    r["radar"],
                    r["threat"],
                    f"{r['altitude_m'] / 1e3:g}",
                    f"{r['rcs_dbsm']:g}",
                    f"{r['detection_range_m'] / 1e3:.1f}",
                    f"{r['horizon_range_m'] / 1e3:.1f}",
                    r["limited_by"],
                )
            console.print(ft)
        for f in result.get("files", []):
            console.print(f"wrote {f}")
