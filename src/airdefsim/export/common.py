"""Shared pieces of the map exporters: coverage circles on the ellipsoid, radar sites,
per-object paths grouped from a table, ISO times.

Coverage model (a drawing aid, not the detection model): a radar at antenna height
``h_r`` sees a target at altitude ``h`` out to the ground range

    min( sqrt(R² - (h - h_r)²),  d_los(h_r, h) )

where ``R = min(R_cal (σ/σ_cal)^(1/4), instrumented_range_m)`` is the slant detection
range against a target of RCS σ (``detection_range_m`` = R_cal against
``calibration_rcs_m2`` = σ_cal in ``run.json``; σ = σ_cal unless asked) and ``d_los`` the
4/3-earth line-of-sight range
(``airdefsim.geo.horizon.max_los_range``). The circle of that radius is traced on the
WGS-84 ellipsoid by the direct geodesic problem (``pyproj.Geod.fwd``, Karney 2013).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import Geod

from airdefsim.events import EventKind
from airdefsim.geo.horizon import max_los_range

F64 = NDArray[np.float64]
GEOD = Geod(ellps="WGS84")


def geodesic_ring(lat_deg: float, lon_deg: float, radius_m: float, n: int = 72) -> tuple[F64, F64]:
    """A closed ring of points at geodesic distance ``radius_m`` from a centre.

    Parameters
    ----------
    lat_deg, lon_deg : centre, deg (WGS-84)
    radius_m : m, > 0
    n : number of distinct vertices (the ring has n + 1, last = first)

    Returns
    -------
    lon, lat : (n + 1,) deg — counter-clockwise as seen from above (the RFC 7946 winding
        of an exterior ring): forward azimuths decrease from 360° to 0°.
    """
    az = 360.0 - np.arange(n) * (360.0 / n)
    lon, lat, _ = GEOD.fwd(
        np.full(n, float(lon_deg)), np.full(n, float(lat_deg)), az, np.full(n, float(radius_m))
    )
    lon = np.append(lon, lon[0])
    lat = np.append(lat, lat[0])
    return np.asarray(lon, float), np.asarray(lat, float)


def geodesic_sector(
    lat_deg: float,
    lon_deg: float,
    radius_m: float,
    heading_deg: float,
    width_deg: float,
    n: int = 72,
) -> tuple[F64, F64]:
    """A closed ring outlining a sector: centre, arc, centre.

    Parameters
    ----------
    lat_deg, lon_deg : centre, deg; radius_m : m
    heading_deg : azimuth of the sector's axis, deg clockwise from north
    width_deg : full width, deg (>= 360 gives the full circle of :func:`geodesic_ring`)
    n : vertices on a full circle (the arc gets a proportional share, at least 2)

    Returns
    -------
    lon, lat : counter-clockwise as seen from above: out along the clockwise edge
        (heading + width/2), back along the arc to the other edge, home to the centre.
    """
    if width_deg >= 360.0:
        return geodesic_ring(lat_deg, lon_deg, radius_m, n)
    k = max(2, int(np.ceil(n * width_deg / 360.0)) + 1)
    az = np.linspace(heading_deg + width_deg / 2.0, heading_deg - width_deg / 2.0, k)
    lon, lat, _ = GEOD.fwd(
        np.full(k, float(lon_deg)), np.full(k, float(lat_deg)), az, np.full(k, float(radius_m))
    )
    lon = np.r_[lon_deg, lon, lon_deg]
    lat = np.r_[lat_deg, lat, lat_deg]
    return np.asarray(lon, float), np.asarray(lat, float)


@dataclass(frozen=True)
class RadarSite:
    """One radar of ``run.json`` with its site (deg, m), ranges (m) and scanned sector
    (``heading_deg`` of its axis, ``sector_width_deg``; 360 for a rotating radar)."""

    unit: str
    name: str
    role: str
    lat_deg: float
    lon_deg: float
    alt_m: float
    instrumented_range_m: float
    detection_range_m: float
    heading_deg: float = 0.0
    sector_width_deg: float = 360.0
    calibration_rcs_m2: float | None = None

    def outline(self, radius_m: float, n: int = 72) -> tuple[F64, F64]:
        """Closed lon/lat ring of the covered area at ``radius_m`` (circle or sector)."""
        return geodesic_sector(
            self.lat_deg, self.lon_deg, radius_m, self.heading_deg, self.sector_width_deg, n
        )


def radar_sites(meta: dict[str, Any]) -> list[RadarSite]:
    """All radars in ``meta["units"]`` (a radar without a site takes its unit's)."""
    out = []
    for u in meta.get("units", []) or []:
        for r in u.get("radars", []) or []:
            inst = float(r.get("instrumented_range_m") or np.inf)
            det = float(r.get("detection_range_m") or inst)
            out.append(
                RadarSite(
                    unit=str(u.get("name", "")),
                    name=str(r.get("name", "")),
                    role=str(r.get("role", "")),
                    lat_deg=float(r.get("lat_deg", u.get("lat_deg", 0.0))),
                    lon_deg=float(r.get("lon_deg", u.get("lon_deg", 0.0))),
                    alt_m=float(r.get("alt_m") or 0.0),
                    instrumented_range_m=inst,
                    detection_range_m=det,
                    heading_deg=float(r.get("heading_deg") or 0.0),
                    sector_width_deg=min(float(r.get("sector_width_deg") or 360.0), 360.0),
                    calibration_rcs_m2=(
                        float(r["calibration_rcs_m2"]) if r.get("calibration_rcs_m2") else None
                    ),
                )
            )
    return out


def detection_range(site: RadarSite, rcs_m2: float | None = None) -> float:
    """Slant detection range (m) of ``site`` against a target of ``rcs_m2`` (m²).

    The radar equation at a fixed detection threshold gives R ∝ σ^(1/4) (Skolnik,
    *Introduction to Radar Systems*, eq. 2.1), so ``R = R_cal (σ / σ_cal)^(1/4)`` from
    the calibration pair in ``run.json``; None (or no calibration RCS) gives ``R_cal``.
    Never beyond the instrumented range.
    """
    r = site.detection_range_m
    if rcs_m2 is not None and site.calibration_rcs_m2 and site.calibration_rcs_m2 > 0:
        r *= (float(rcs_m2) / site.calibration_rcs_m2) ** 0.25
    return float(min(r, site.instrumented_range_m))


def coverage_radius(site: RadarSite, target_alt_m: ArrayLike, rcs_m2: float | None = None) -> F64:
    """Ground range (m) to which ``site`` covers a target at ``target_alt_m`` (m) with
    radar cross-section ``rcs_m2`` (None: the calibration RCS); 0 where the altitude is
    out of reach (see the module docstring)."""
    h = np.asarray(target_alt_m, dtype=float)
    slant = detection_range(site, rcs_m2)
    dh = h - site.alt_m
    ground = np.sqrt(np.maximum(slant * slant - dh * dh, 0.0))
    return np.minimum(ground, max_los_range(site.alt_m, h))


def iso(epoch: datetime, t: float = 0.0) -> str:
    """``epoch + t`` seconds as ISO-8601 UTC with a ``Z`` (millisecond precision)."""
    dt = epoch + timedelta(seconds=float(t))
    return dt.strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def group_paths(
    cols: dict[str, np.ndarray], key: str, max_points: int | None = None
) -> list[tuple[Any, np.ndarray]]:
    """Group a table's rows by ``key`` into time-ordered paths.

    Parameters
    ----------
    cols : table columns (N,) each, with ``t`` and ``key``
    key : the id column (``id``, ``track_id`` …)
    max_points : keep at most this many evenly spaced rows per path (first and last
        always kept); None keeps all

    Returns
    -------
    list of (id value, row indices (K,) into ``cols`` sorted by t), ordered by id
    """
    if not cols or cols[key].size == 0:
        return []
    ids = cols[key]
    order = np.lexsort((cols["t"], ids))
    sid = ids[order]
    cuts = np.flatnonzero(sid[1:] != sid[:-1]) + 1
    out = []
    for rows in np.split(order, cuts):
        if max_points is not None and rows.size > max_points:
            keep = np.unique(np.linspace(0, rows.size - 1, max_points).round().astype(int))
            rows = rows[keep]
        out.append((ids[rows[0]].item() if hasattr(ids[rows[0]], "item") else ids[rows[0]], rows))
    return out


RGBA = {
    "hostile": (230, 40, 40, 255),
    "friendly": (40, 140, 255, 255),
    "unknown": (255, 210, 0, 255),
    "interceptor": (255, 255, 255, 255),
    "unit": (0, 200, 80, 255),
    "asset": (255, 140, 0, 255),
    "coverage": (0, 200, 80, 50),
    "event": (255, 0, 255, 255),
}

#: the event kinds drawn on maps (see :data:`airdefsim.events.EventKind`)
EVENT_KINDS: tuple[EventKind, ...] = (
    "launch",
    "kill",
    "miss",
    "self_destruct",
    "leak",
    "asset_hit",
    "friendly_engaged",
)


def run_name(meta: dict[str, Any]) -> str:
    """A display name for the run: ``scenario_name``, else ``scenario`` when it is a
    string (or a dict with a ``name``), else "airdefsim run"."""
    name = meta.get("scenario_name")
    scn = meta.get("scenario")
    if not name and isinstance(scn, str):
        name = scn
    if not name and isinstance(scn, dict):
        name = scn.get("name")
    return str(name) if name else "airdefsim run"
