"""One entry point for every export format: ``export_run(run_dir, fmt, …)``.

The CLI (``airdefsim export``) is a thin wrapper over :func:`export_run`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from airdefsim.export import asterix, czml, geojson, kml
from airdefsim.export.run import RunData, load_run

LAYERS = ("truth", "tracks", "interceptors", "coverage")


@dataclass(frozen=True)
class ExportOptions:
    """Options shared by the exporters.

    Attributes
    ----------
    what : layers to write, a subset of ``LAYERS`` (ASTERIX always writes tracks)
    sac, sic : ASTERIX data source identifier, 0 … 255
    service_id : ASTERIX I062/015
    coverage_alt_m : m, target altitude at which coverage is drawn (GeoJSON, KML)
    coverage_rcs_m2 : m², target RCS for the coverage (None: each radar's calibration RCS)
    """

    what: tuple[str, ...] = LAYERS
    sac: int = 0
    sic: int = 1
    service_id: int = 1
    coverage_alt_m: float = 1000.0
    coverage_rcs_m2: float | None = None


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_run` wrote: file, format, size in octets, items written."""

    path: Path
    fmt: str
    n_bytes: int
    counts: dict[str, int]


def _asterix(run: RunData, opt: ExportOptions) -> tuple[bytes, dict[str, int]]:
    tracks = run.table("tracks")
    if not tracks:
        return b"", {"track updates": 0}
    data = asterix.encode_tracks(
        tracks, run.epoch, opt.sac, opt.sic, origin=run.origin, service_id=opt.service_id
    )
    return data, {"track updates": len(tracks["t"])}


def _czml(run: RunData, opt: ExportOptions) -> tuple[bytes, dict[str, int]]:
    packets = czml.run_to_czml(run, opt.what, opt.coverage_rcs_m2)
    kinds: dict[str, int] = {}
    for p in packets[1:]:
        layer = str(p["id"]).split("/", 1)[0]
        kinds[layer] = kinds.get(layer, 0) + 1
    return czml.dumps(packets).encode("utf-8"), {"packets": len(packets), **kinds}


def _kml(run: RunData, opt: ExportOptions) -> tuple[bytes, dict[str, int]]:
    return kml.run_to_kml(run, opt.what, opt.coverage_alt_m, opt.coverage_rcs_m2)


def _geojson(run: RunData, opt: ExportOptions) -> tuple[bytes, dict[str, int]]:
    fc = geojson.run_to_geojson(run, opt.what, opt.coverage_alt_m, opt.coverage_rcs_m2)
    kinds: dict[str, int] = {}
    for f in fc["features"]:
        layer = str(f["properties"]["layer"])
        kinds[layer] = kinds.get(layer, 0) + 1
    return geojson.dumps(fc).encode("utf-8"), {"features": len(fc["features"]), **kinds}


Writer = Callable[[RunData, ExportOptions], tuple[bytes, dict[str, int]]]

# format -> (default file name, writer)
FORMATS: dict[str, tuple[str, Writer]] = {
    "asterix": ("tracks.cat062.ast", _asterix),
    "czml": ("run.czml", _czml),
    "kml": ("run.kml", _kml),
    "geojson": ("run.geojson", _geojson),
}


def parse_what(text: str | Iterable[str]) -> tuple[str, ...]:
    """``"truth,tracks"`` -> ("truth", "tracks"); unknown names raise ValueError."""
    names = [s.strip() for s in (text.split(",") if isinstance(text, str) else text)]
    names = [s for s in names if s]
    bad = [s for s in names if s not in LAYERS]
    if bad or not names:
        raise ValueError(f"--what takes a comma list of {', '.join(LAYERS)}; got {text!r}")
    return tuple(dict.fromkeys(names))


def export_run(
    run_dir: str | Path,
    fmt: str,
    out: str | Path | None = None,
    options: ExportOptions | None = None,
) -> ExportResult:
    """Export the run in ``run_dir`` as ``fmt`` (one of ``FORMATS``).

    Parameters
    ----------
    run_dir : a run directory (``run.json`` + Parquet tables)
    fmt : ``asterix``, ``czml``, ``kml`` or ``geojson``
    out : output file (default: ``run_dir / <format's default name>``)
    options : layers, ASTERIX SAC/SIC, coverage altitude

    Raises
    ------
    ValueError (RunDirError included) with a one-line message on bad input.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    opt = options or ExportOptions()
    for name, v in (("--sac", opt.sac), ("--sic", opt.sic)):
        if not 0 <= v <= 255:
            raise ValueError(f"{name} must be in 0..255, got {v}")
    if opt.coverage_rcs_m2 is not None and not opt.coverage_rcs_m2 > 0:
        raise ValueError(f"--coverage-rcs must be > 0 m², got {opt.coverage_rcs_m2}")
    run = load_run(run_dir)
    default_name, writer = FORMATS[fmt]
    data, counts = writer(run, opt)
    path = Path(out) if out is not None else Path(run_dir) / default_name
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write ({exc.strerror or exc})") from None
    return ExportResult(path=path, fmt=fmt, n_bytes=len(data), counts=counts)
