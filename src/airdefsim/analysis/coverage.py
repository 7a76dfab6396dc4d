"""Radar coverage: detection range against an RCS at an altitude, horizon range,
first-detection ranges of a unit against threat presets, coverage diagrams.

The geometry is the 4/3 effective earth (refraction folded into the earth radius):
a target at height ``h`` and ground range ``d`` from an antenna at height ``h_a`` is
at central angle ``d / (k a)``; slant range and apparent elevation follow from the
triangle centre–antenna–target. The per-pulse SNR and its losses are the ones the
simulation uses (:mod:`airdefsim.sensors.radar`), with the target's mean RCS; Pd is
the Swerling Pd of one look, i.e. cumulative over one scan (one look per scan).

"Detection range" is the largest slant range at which ``Pd >= pd`` (the range of
first detection for an approaching target), limited by the instrumented range, the
elevation limits and the horizon.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from airdefsim import units
from airdefsim.geo.horizon import max_los_range
from airdefsim.geo.wgs84 import LocalFrame, geodetic_to_ecef
from airdefsim.scenario.presets import get_presets
from airdefsim.scenario.schema import RadarSpec, ThreatSpec
from airdefsim.sensors import detection, jamming, radar, rcs, terrain
from airdefsim.sensors.propagation import EFF_RADIUS

F64 = NDArray[np.float64]

#: default threats of :func:`first_detection_ranges`: (preset, altitude m, aspect)
DEFAULT_THREATS: tuple[tuple[str, float, str], ...] = (
    ("stealth_fighter", 10_000.0, "head-on"),
    ("cruise_missile", 20.0, "head-on"),
)
ASPECTS = {
    "head-on": 0.0,
    "nose": 0.0,
    "side": 0.5 * math.pi,
    "beam": 0.5 * math.pi,
    "tail": math.pi,
}


class CoverageError(ValueError):
    """Bad input to a coverage function (unknown preset, bad value)."""


@dataclass(frozen=True)
class RangeResult:
    """Detection range of one radar against one target.

    detection_range : m, slant range (0 if never detected)
    horizon_range : m, smooth 4/3-earth line-of-sight range for the altitude
    free_space_range : m, range at ``pd`` in free space (no horizon, losses, limits)
    limited_by : "snr" | "horizon" | "instrumented" | "elevation" | "none"
    """

    detection_range: float
    horizon_range: float
    free_space_range: float
    limited_by: str


def effective_geometry(
    ground_rng: F64, h_antenna: float, h_target: float | F64, eff_radius: float = EFF_RADIUS
) -> tuple[F64, F64]:
    """Slant range (m) and apparent elevation (rad) on the effective earth.

    ground_rng : (N,) m; h_antenna, h_target : m."""
    d = np.asarray(ground_rng, dtype=float)
    r1 = eff_radius + h_antenna
    r2 = eff_radius + np.asarray(h_target, dtype=float)
    theta = d / eff_radius
    slant = np.sqrt(np.maximum(r1 * r1 + r2 * r2 - 2.0 * r1 * r2 * np.cos(theta), 1e-6))
    sin_el = (r2 * r2 - r1 * r1 - slant * slant) / (2.0 * r1 * slant)
    return slant, np.arcsin(np.clip(sin_el, -1.0, 1.0))


def free_space_range(
    spec: RadarSpec, rcs_m2: float, pd: float = 0.5, swerling: int | None = None
) -> float:
    """Free-space range (m) at which a target of ``rcs_m2`` reaches ``pd`` in one look:
    ``(k σ / SNR_req)^¼`` — the calibration range scaled by ``(σ/σ_cal)^¼`` when ``pd``
    and the Swerling case are the calibration's."""
    sw = spec.swerling if swerling is None else swerling
    snr_req = float(detection.undb(detection.required_snr_db(pd, spec.pfa, spec.pulses, sw)))
    return (jamming.radar_constant(spec) * rcs_m2 / snr_req) ** 0.25


def pd_profile(
    spec: RadarSpec,
    rcs_m2: float,
    altitude: float,
    ground_rng: F64,
    *,
    swerling: int | None = None,
    jn: F64 | float = 0.0,
    band: str | None = None,
    losses: bool = True,
) -> tuple[F64, F64, F64]:
    """Pd of one look (one scan) against a target of mean RCS ``rcs_m2`` at
    ``altitude`` (m above the radar's ground) along ground ranges ``ground_rng`` (N,) m.

    Returns ``(pd (N,), slant (N,) m, elevation (N,) rad)``; Pd is 0 where the target is
    beyond the horizon, the instrumented range or the elevation limits. ``jn`` is the
    jammer-to-noise ratio (linear, scalar or (N,)); ``losses=False`` drops the
    atmospheric and low-elevation losses (free space inside the horizon).
    """
    h_a = spec.mast_height
    slant, el = effective_geometry(ground_rng, h_a, altitude)
    visible = (
        (np.asarray(ground_rng) <= max_los_range(h_a, altitude, EFF_RADIUS))
        & (slant <= spec.instrumented_range)
        & (el >= spec.min_elevation)
        & (el <= spec.max_elevation)
    )
    k = jamming.radar_constant(spec)
    if losses:
        sp = spec if band is None else spec.model_copy(update={"band": band})
        loss = radar.loss_db(
            sp, slant, el, h_a, np.full_like(slant, altitude), np.zeros_like(slant)
        )
    else:
        loss = np.zeros_like(slant)
    snr = k * rcs_m2 * detection.undb(-loss) / slant**4 / (1.0 + np.asarray(jn, dtype=float))
    sw = spec.swerling if swerling is None else swerling
    pd = detection.pd_swerling(snr, spec.pfa, spec.pulses, sw)
    return np.where(visible, pd, 0.0), slant, el


def detection_range(
    spec: RadarSpec,
    rcs_m2: float,
    altitude: float,
    pd: float = 0.5,
    *,
    swerling: int | None = None,
    jn: float = 0.0,
    band: str | None = None,
    losses: bool = True,
    n_grid: int = 2000,
) -> RangeResult:
    """Detection range (largest slant range with Pd >= ``pd``) of ``spec`` against a
    target of mean RCS ``rcs_m2`` (m²) at ``altitude`` (m), and what limits it.

    The Pd profile is sampled on ``n_grid`` ground ranges out to the horizon, then the
    outermost crossing is refined by bisection (to 1 m)."""
    if rcs_m2 <= 0:
        raise CoverageError("RCS must be positive")
    if not 0.0 < pd < 1.0:
        raise CoverageError("pd must be between 0 and 1")
    h_a = spec.mast_height
    horizon = float(max_los_range(h_a, max(altitude, 0.0), EFF_RADIUS))
    fs = free_space_range(spec, rcs_m2, pd, swerling) * (1.0 + jn) ** -0.25
    d_max = min(horizon, spec.instrumented_range * 1.01)
    d = np.linspace(1.0, d_max, n_grid)

    def prof(x: F64) -> F64:
        return pd_profile(
            spec, rcs_m2, altitude, x, swerling=swerling, jn=jn, band=band, losses=losses
        )[0]

    p = prof(d)
    ok = np.flatnonzero(p >= pd)
    if ok.size == 0:
        return RangeResult(0.0, horizon, fs, "snr")
    i = int(ok[-1])
    lo = float(d[i])
    hi = float(d[i + 1]) if i + 1 < d.size else lo
    while hi - lo > 1.0:
        mid = 0.5 * (lo + hi)
        if prof(np.array([mid]))[0] >= pd:
            lo = mid
        else:
            hi = mid
    slant, el = effective_geometry(np.array([lo]), h_a, altitude)
    r = float(slant[0])
    if i + 1 >= d.size:
        limit = "horizon" if horizon <= spec.instrumented_range else "instrumented"
    elif r >= spec.instrumented_range - 2.0:
        limit = "instrumented"
    elif hi >= horizon - 2.0 or lo >= horizon * 0.999:
        limit = "horizon"
    elif el[0] >= spec.max_elevation - 1e-4:
        limit = "elevation"
    else:
        limit = "snr"
    return RangeResult(r, horizon, fs, limit)


def horizon_range(spec: RadarSpec, altitude: float) -> float:
    """Smooth 4/3-earth line-of-sight range (m) from the antenna to ``altitude`` (m)."""
    return float(max_los_range(spec.mast_height, max(altitude, 0.0), EFF_RADIUS))


# ---------------------------------------------------------------- presets


def resolve_radars(name: str, presets: Any = None) -> list[tuple[str, RadarSpec]]:
    """The radars of a unit preset (``s400_battalion`` …) or a single radar preset
    (``91N6E`` …), as (label, spec). Raises :class:`CoverageError` if unknown."""
    if presets is None:
        presets = get_presets()
    if name in presets.radars:
        return [(name, presets.radars[name])]
    if name in presets.units:
        out = []
        for site in presets.units[name].radars:
            if site.radar not in presets.radars:
                raise CoverageError(f"unit {name!r} uses unknown radar {site.radar!r}")
            out.append((site.radar, presets.radars[site.radar]))
        return out
    known = ", ".join(sorted(list(presets.units) + list(presets.radars)))
    raise CoverageError(f"unknown unit or radar {name!r} (known: {known})")


def coverage_table(
    name: str,
    rcs_m2: float = 0.01,
    altitude: float = 10_000.0,
    pd: float = 0.5,
    band: str | None = None,
    jn: float = 0.0,
    presets: Any = None,
) -> list[dict[str, Any]]:
    """Per radar of ``name`` (unit or radar preset): detection range at ``pd`` against
    ``rcs_m2`` at ``altitude`` and the horizon range (the ``coverage`` command's rows).

    Repeated radars of a unit (two 92N6E) appear once."""
    rows = []
    seen: set[str] = set()
    for label, spec in resolve_radars(name, presets):
        if label in seen:
            continue
        seen.add(label)
        res = detection_range(spec, rcs_m2, altitude, pd, band=band, jn=jn)
        rows.append(
            {
                "name": label,
                "role": spec.role,
                "band": band or spec.band,
                "detection_range_m": round(res.detection_range, 1),
                "horizon_range_m": round(res.horizon_range, 1),
                "free_space_range_m": round(res.free_space_range, 1),
                "instrumented_range_m": spec.instrumented_range,
                "limited_by": res.limited_by,
                "rcs_m2": rcs_m2,
                "altitude_m": altitude,
                "pd": pd,
            }
        )
    return rows


def first_detection_ranges(
    unit_preset: str,
    threats: Sequence[tuple[Any, ...]] = DEFAULT_THREATS,
    pd: float = 0.5,
    presets: Any = None,
) -> list[dict[str, Any]]:
    """First-detection range of each radar of ``unit_preset`` against each threat.

    Parameters
    ----------
    unit_preset : unit (or radar) preset name
    threats : ``(threat preset, altitude)`` or ``(threat preset, altitude, aspect)``;
        altitude in m or as text (``"10 km"``, ``"20 m"``); aspect ``head-on`` (default)
        / ``nose``, ``side`` / ``beam`` or ``tail``. The RCS is the preset's at that
        aspect in each radar's band; the Swerling case is the threat's.
    pd : single-scan Pd defining detection

    Returns
    -------
    list of dict rows: radar, threat, altitude_m, aspect, rcs_dbsm, detection_range_m,
    horizon_range_m, limited_by
    """
    if presets is None:
        presets = get_presets()
    rows = []
    radars = resolve_radars(unit_preset, presets)
    seen: set[str] = set()
    for label, spec in radars:
        if label in seen:
            continue
        seen.add(label)
        for item in threats:
            if len(item) not in (2, 3):
                raise CoverageError(f"threat entry {item!r}: expected (preset, altitude[, aspect])")
            threat_name = str(item[0])
            aspect = str(item[2]) if len(item) == 3 else "head-on"
            try:
                alt = units.length(item[1])
            except units.UnitError as exc:
                raise CoverageError(f"threat {threat_name!r}: altitude: {exc}") from None
            if threat_name not in presets.threats:
                raise CoverageError(f"unknown threat preset {threat_name!r}")
            if aspect not in ASPECTS:
                raise CoverageError(f"unknown aspect {aspect!r} (use {', '.join(ASPECTS)})")
            th: ThreatSpec = presets.threats[threat_name]
            dbsm = float(rcs.rcs_dbsm(th.rcs, spec.band, np.array([ASPECTS[aspect]]))[0])
            res = detection_range(spec, 10 ** (dbsm / 10), alt, pd, swerling=th.rcs.swerling)
            rows.append(
                {
                    "radar": label,
                    "threat": threat_name,
                    "altitude_m": alt,
                    "aspect": aspect,
                    "rcs_dbsm": round(dbsm, 2),
                    "detection_range_m": round(res.detection_range, 1),
                    "horizon_range_m": round(res.horizon_range, 1),
                    "limited_by": res.limited_by,
                }
            )
    return rows


# ---------------------------------------------------------------- diagrams


def vertical_coverage(
    spec: RadarSpec, rcs_m2: float, pd: float = 0.5, max_height: float = 30_000.0, n: int = 200
) -> tuple[F64, F64, F64]:
    """Pd on a (height × ground range) grid: ``(ground_rng (n,), heights (n,),
    pd (n, n))`` m, m, probability."""
    gr = np.linspace(1.0, spec.instrumented_range, n)
    hs = np.linspace(0.0, max_height, n)
    pdg = np.stack([pd_profile(spec, rcs_m2, float(h), gr)[0] for h in hs])
    return gr, hs, pdg


def plot_vertical(
    spec: RadarSpec, rcs_m2: float, pd: float, path: str | Path, max_height: float = 30_000.0
) -> Path:
    """Range–height–angle chart (PNG) on the 4/3 earth: the Pd >= ``pd`` region, the
    radar horizon, elevation-angle lines."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gr, hs, pdg = vertical_coverage(spec, rcs_m2, pd, max_height)
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.contourf(gr / 1e3, hs / 1e3, pdg, levels=[pd, 1.0001], colors=["tab:blue"], alpha=0.35)
    ax.contour(gr / 1e3, hs / 1e3, pdg, levels=[pd], colors=["tab:blue"])
    # horizon: lowest visible height at each ground range
    ds = max_los_range(spec.mast_height, 0.0, EFF_RADIUS)
    hmin = np.maximum(gr - ds, 0.0) ** 2 / (2 * EFF_RADIUS)
    ax.plot(gr / 1e3, hmin / 1e3, "k-", lw=1, label="4/3-earth horizon")
    for el_deg in (0.5, 1, 2, 5, 10, 20):
        h_line = gr * math.tan(math.radians(el_deg)) + gr**2 / (2 * EFF_RADIUS)
        m = h_line <= max_height
        ax.plot(gr[m] / 1e3, h_line[m] / 1e3, color="0.7", lw=0.6)
        if m.any():
            j = np.flatnonzero(m)[-1]
            ax.annotate(f"{el_deg:g}°", (gr[j] / 1e3, h_line[j] / 1e3), fontsize=7, color="0.4")
    ax.set_xlabel("ground range (km)")
    ax.set_ylabel("height (km)")
    ax.set_ylim(0, max_height / 1e3)
    ax.set_title(f"{spec.name}: Pd ≥ {pd:g} vs {10 * math.log10(rcs_m2):.1f} dBsm (4/3 earth)")
    ax.legend(loc="upper right", fontsize=8)
    out = Path(path)
    fig.savefig(out, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return out


def horizontal_coverage(
    spec: RadarSpec,
    rcs_m2: float,
    altitude: float,
    pd: float = 0.5,
    site_deg: tuple[float, float] = (0.0, 0.0),
    dem: Any = None,
    jammer: tuple[float, float, float] | None = None,
    n_az: int = 180,
    n_r: int = 300,
    heading: float = 0.0,
) -> tuple[F64, F64]:
    """Detection range (m, slant) by azimuth at ``altitude``: ``(az (n_az,) rad,
    range (n_az,) m)``.

    site_deg : (lat, lon) of the radar, degrees (for the DEM and the jammer)
    dem : :class:`airdefsim.sensors.terrain.Dem` or None — terrain masking
    jammer : (lat_deg, lon_deg, erp_dbw) — a stand-off noise jammer at 10 km altitude
        covering the radar's band with the radar's bandwidth
    """
    az = np.linspace(0.0, 2 * np.pi, n_az, endpoint=False)
    horizon = horizon_range(spec, altitude)
    gr = np.linspace(1.0, min(horizon, spec.instrumented_range * 1.01), n_r)
    ground = 0.0
    if dem is not None:
        ground = float(dem.height(np.array([site_deg[0]]), np.array([site_deg[1]]))[0])
    jn = np.zeros(n_az)
    if jammer is not None:
        site = LocalFrame.from_degrees(site_deg[0], site_deg[1], ground + spec.mast_height)
        jpos = geodetic_to_ecef(math.radians(jammer[0]), math.radians(jammer[1]), 10_000.0)
        jenu = site.to_enu(jpos)
        jaz = math.atan2(jenu[0], jenu[1])
        jr = float(np.linalg.norm(jenu))
        sep = np.abs(radar.wrap_pi(az - jaz))
        main = sep <= 0.5 * spec.beamwidth_az
        if max_los_range(spec.mast_height, 10_000.0, EFF_RADIUS) >= jr:
            jn = jamming.jammer_to_noise(
                spec,
                np.full(n_az, 10 ** (jammer[2] / 10)),
                np.full(n_az, spec.bandwidth),
                np.full(n_az, jr),
                main,
            )
    rng_out = np.zeros(n_az)
    for i in range(n_az):
        p, slant, _ = pd_profile(spec, rcs_m2, altitude, gr, jn=float(jn[i]))
        if spec.scan.type == "sector":
            off = abs(float(radar.wrap_pi(np.array([az[i] - heading]))[0]))
            if off > 0.5 * spec.scan.sector_width:
                continue
        det = p >= pd
        if dem is not None and det.any():
            # terrain relative to the site ground: the radar stands on the DEM
            lat, lon = _destination(site_deg, az[i], gr)
            masked = terrain.is_masked(
                dem,
                site_deg[0],
                site_deg[1],
                ground + spec.mast_height,
                lat,
                lon,
                np.full(gr.shape, ground + altitude),
                gr,
            )
            det &= ~masked
        ok = np.flatnonzero(det)
        if ok.size:
            rng_out[i] = float(slant[ok[-1]])
    return az, rng_out


def _destination(site_deg: tuple[float, float], az: float, gr: F64) -> tuple[F64, F64]:
    """Lat/lon (deg) at ground ranges ``gr`` (m) along azimuth ``az`` (rad) (sphere)."""
    a = 6371000.0
    lat1, lon1 = math.radians(site_deg[0]), math.radians(site_deg[1])
    d = gr / a
    lat2 = np.arcsin(np.sin(lat1) * np.cos(d) + np.cos(lat1) * np.sin(d) * np.cos(az))
    lon2 = lon1 + np.arctan2(
        np.sin(az) * np.sin(d) * np.cos(lat1), np.cos(d) - np.sin(lat1) * np.sin(lat2)
    )
    return np.degrees(lat2), np.degrees(lon2)


def plot_horizontal(
    spec: RadarSpec,
    rcs_m2: float,
    altitude: float,
    pd: float,
    path: str | Path,
    site_deg: tuple[float, float] = (0.0, 0.0),
    dem: Any = None,
    jammer: tuple[float, float, float] | None = None,
) -> Path:
    """Horizontal coverage map (PNG): detection range by azimuth at ``altitude``, with the
    horizon circle; with ``jammer`` the jammed coverage is drawn too."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 6))
    az, r = horizontal_coverage(spec, rcs_m2, altitude, pd, site_deg, dem)
    e, n = r * np.sin(az), r * np.cos(az)
    ax.fill(
        np.r_[e, e[:1]] / 1e3, np.r_[n, n[:1]] / 1e3, alpha=0.3, color="tab:blue", label="clear"
    )
    if jammer is not None:
        _, rj = horizontal_coverage(spec, rcs_m2, altitude, pd, site_deg, dem, jammer)
        ej, nj = rj * np.sin(az), rj * np.cos(az)
        ax.plot(np.r_[ej, ej[:1]] / 1e3, np.r_[nj, nj[:1]] / 1e3, "r-", label="jammed")
    hr = horizon_range(spec, altitude)
    th = np.linspace(0, 2 * np.pi, 361)
    ax.plot(hr * np.sin(th) / 1e3, hr * np.cos(th) / 1e3, "k--", lw=0.8, label="horizon")
    ax.set_aspect("equal")
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    ax.set_title(
        f"{spec.name} at {altitude / 1e3:g} km, {10 * math.log10(rcs_m2):.1f} dBsm, Pd ≥ {pd:g}"
    )
    ax.legend(loc="upper right", fontsize=8)
    out = Path(path)
    fig.savefig(out, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return out
