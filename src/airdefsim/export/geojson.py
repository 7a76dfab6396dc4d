"""GeoJSON (RFC 7946) of a run for GIS tools (QGIS, geojson.io, Leaflet).

One FeatureCollection; every feature has a ``layer`` property so it can be styled or
filtered: ``unit`` and ``asset`` points, ``coverage`` polygons (one per radar, at the
requested target altitude, counter-clockwise closed rings on the WGS-84 ellipsoid — a
circle, or a sector for a radar that scans a sector; see ``airdefsim.export.common``),
``truth``, ``track`` and ``interceptor`` paths as LineStrings of ``[lon, lat, alt_m]``
with ``t_start``/``t_end`` (s since the epoch), and ``event`` points (launch, kill,
miss …).

Coordinates: WGS-84 degrees, altitude in m above the ellipsoid (RFC 7946 §3.1.1 allows
the third element). Rings that would cross the antimeridian are not split.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from airdefsim.export.common import (
    EVENT_KINDS,
    coverage_radius,
    group_paths,
    radar_sites,
    run_name,
)
from airdefsim.export.run import RunData

LAYERS = ("truth", "tracks", "interceptors", "coverage")


def _feature(geometry: dict[str, Any], props: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def _line(cols: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, Any] | None:
    """LineString (Point for one row) of ``[lon, lat, alt]``; rows without a position
    are dropped, a missing altitude is written as 0."""
    rows = rows[np.isfinite(cols["lat_deg"][rows]) & np.isfinite(cols["lon_deg"][rows])]
    coords = np.stack(
        [cols["lon_deg"][rows], cols["lat_deg"][rows], cols["alt_m"][rows]], axis=-1
    ).round(7)
    coords[:, 2] = np.nan_to_num(coords[:, 2])
    if rows.size == 0:
        return None
    if rows.size == 1:
        return {"type": "Point", "coordinates": coords[0].tolist()}
    return {"type": "LineString", "coordinates": coords.tolist()}


def coverage_features(
    meta: dict[str, Any], target_alt_m: float, rcs_m2: float | None = None, n: int = 72
) -> list[dict]:
    """One Polygon per radar: where a target at ``target_alt_m`` (m) with RCS ``rcs_m2``
    (m²; None: each radar's calibration RCS) is covered."""
    out = []
    for site in radar_sites(meta):
        radius = float(coverage_radius(site, target_alt_m, rcs_m2))
        if not np.isfinite(radius) or radius <= 0.0:
            continue
        lon, lat = site.outline(radius, n)
        ring = np.stack([lon, lat], axis=-1).round(7).tolist()
        ring[-1] = ring[0]
        out.append(
            _feature(
                {"type": "Polygon", "coordinates": [ring]},
                {
                    "layer": "coverage",
                    "unit": site.unit,
                    "radar": site.name,
                    "role": site.role,
                    "target_alt_m": float(target_alt_m),
                    "target_rcs_m2": rcs_m2 if rcs_m2 is not None else site.calibration_rcs_m2,
                    "radius_m": radius,
                    "heading_deg": site.heading_deg,
                    "sector_width_deg": site.sector_width_deg,
                },
            )
        )
    return out


def run_to_geojson(
    run: RunData,
    what: tuple[str, ...] = LAYERS,
    coverage_alt_m: float = 1000.0,
    coverage_rcs_m2: float | None = None,
) -> dict[str, Any]:
    """The run as a GeoJSON FeatureCollection (a JSON-ready dict).

    Parameters
    ----------
    run : the recorded run
    what : layers among ``truth, tracks, interceptors, coverage`` (units, assets and
        events are always included)
    coverage_alt_m : m, target altitude of the coverage polygons
    coverage_rcs_m2 : m², target RCS of the coverage polygons (None: calibration RCS)
    """
    meta = run.meta
    feats: list[dict[str, Any]] = []
    for u in meta.get("units", []) or []:
        feats.append(
            _feature(
                {"type": "Point", "coordinates": [u["lon_deg"], u["lat_deg"]]},
                {"layer": "unit", "name": u.get("name"), "preset": u.get("preset")},
            )
        )
    for a in meta.get("assets", []) or []:
        feats.append(
            _feature(
                {"type": "Point", "coordinates": [a["lon_deg"], a["lat_deg"]]},
                {"layer": "asset", "name": a.get("name"), "value": a.get("value")},
            )
        )
    if "coverage" in what:
        feats.extend(coverage_features(meta, coverage_alt_m, coverage_rcs_m2))
    if "truth" in what:
        tr = run.table("truth")
        for oid, rows in group_paths(tr, "id"):
            last = rows[-1]
            geom = _line(tr, rows)
            if geom is None:
                continue
            feats.append(
                _feature(
                    geom,
                    {
                        "layer": "truth",
                        "id": int(oid),
                        "name": str(tr["name"][last]),
                        "kind": str(tr["kind"][last]),
                        "hostile": bool(tr["hostile"][last]),
                        "t_start": float(tr["t"][rows[0]]),
                        "t_end": float(tr["t"][last]),
                    },
                )
            )
    if "tracks" in what:
        tk = run.table("tracks")
        for tid, rows in group_paths(tk, "track_id"):
            last = rows[-1]
            geom = _line(tk, rows)
            if geom is None:
                continue
            feats.append(
                _feature(
                    geom,
                    {
                        "layer": "track",
                        "track_id": int(tid),
                        "identity": str(tk["identity"][last]),
                        "truth_id": int(tk["truth_id"][last]),
                        "t_start": float(tk["t"][rows[0]]),
                        "t_end": float(tk["t"][last]),
                    },
                )
            )
    if "interceptors" in what:
        ic = run.table("interceptors")
        for iid, rows in group_paths(ic, "id"):
            last = rows[-1]
            geom = _line(ic, rows)
            if geom is None:
                continue
            feats.append(
                _feature(
                    geom,
                    {
                        "layer": "interceptor",
                        "id": int(iid),
                        "missile": str(ic["missile"][last]),
                        "unit": str(ic["unit"][last]),
                        "target_id": int(ic["target_id"][last]),
                        "t_start": float(ic["t"][rows[0]]),
                        "t_end": float(ic["t"][last]),
                    },
                )
            )
    ev = run.table("events")
    if ev:
        keep = (
            np.isin(ev["kind"], EVENT_KINDS)
            & np.isfinite(ev["lat_deg"])
            & np.isfinite(ev["lon_deg"])
        )
        for k in np.flatnonzero(keep):
            alt = float(ev["alt_m"][k]) if np.isfinite(ev["alt_m"][k]) else 0.0
            feats.append(
                _feature(
                    {
                        "type": "Point",
                        "coordinates": [
                            round(float(ev["lon_deg"][k]), 7),
                            round(float(ev["lat_deg"][k]), 7),
                            alt,
                        ],
                    },
                    {
                        "layer": "event",
                        "kind": str(ev["kind"][k]),
                        "t": float(ev["t"][k]),
                        "unit": str(ev["unit"][k]),
                        "track_id": int(ev["track_id"][k]),
                        "interceptor_id": int(ev["interceptor_id"][k]),
                    },
                )
            )
    return {
        "type": "FeatureCollection",
        "name": run_name(meta),
        "features": feats,
    }


def dumps(collection: dict[str, Any]) -> str:
    """Compact, strict JSON (NaN is not valid GeoJSON and raises)."""
    return json.dumps(collection, separators=(",", ":"), allow_nan=False)
