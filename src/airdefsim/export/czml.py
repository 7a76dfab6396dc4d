"""CZML of a run for CesiumJS: replay it on a 3-D globe.

Packets (CZML 1.0, the Cesium "CZML Guide" and "Packet" reference):

- ``document``: name, version and a ``clock`` spanning the recording (loops, 10×).
- ``unit/<name>``, ``asset/<name>``: static points with labels.
- ``coverage/<unit>/<radar>``: a translucent dome — an ``ellipsoid`` of radius the
  detection range (``airdefsim.export.common.detection_range``) cut at the horizontal plane
  (``maximumCone`` = π/2; Cesium's cone angle is measured from the local up axis),
  limited by ``minimumClock``/``maximumClock`` to the scanned sector of a sector radar.
- ``truth/<id>``, ``track/<id>``, ``interceptor/<id>``: sampled positions
  (``cartographicDegrees`` = [t, lon, lat, h, …], t in s from the position ``epoch``),
  linear interpolation, ``availability`` from first to last sample, a point and a
  trailing path. Colours: hostile red, friendly blue, unknown yellow, interceptors white;
  a track whose identity changed (declared, IFF) changes colour at that time.
- ``event/<k>``: launch, kill, miss … as points available for ``EVENT_SHOW_S``
  seconds from the event.

Heights are metres above the WGS-84 ellipsoid, which is what Cesium's
cartographic heights are.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from airdefsim.export.common import (
    EVENT_KINDS,
    RGBA,
    detection_range,
    group_paths,
    iso,
    radar_sites,
    run_name,
)
from airdefsim.export.run import RunData

LAYERS = ("truth", "tracks", "interceptors", "coverage")
EVENT_SHOW_S = 20.0  # s an event marker stays visible


def _color(name: str, alpha: int | None = None) -> dict[str, Any]:
    r, g, b, a = RGBA[name]
    return {"rgba": [r, g, b, a if alpha is None else alpha]}


def _clock_span(heading_deg: float, width_deg: float) -> dict[str, float]:
    """Cesium ellipsoid clock limits of a sector (empty for a full circle).

    The clock angle is measured in the local east-north plane from east towards north
    (counter-clockwise), so azimuth ``az`` (clockwise from north) is clock ``90° - az``;
    the minimum is taken in [-180°, 180°) and the maximum is the minimum plus the width.
    """
    if width_deg >= 360.0:
        return {}
    lo = np.radians((90.0 - (heading_deg + width_deg / 2.0) + 180.0) % 360.0 - 180.0)
    return {"minimumClock": float(lo), "maximumClock": float(lo + np.radians(width_deg))}


def _sampled(cols: dict[str, np.ndarray], rows: np.ndarray) -> np.ndarray:
    """(K, 4) [t, lon, lat, h] of ``rows`` with a position, t relative to the epoch."""
    rows = rows[np.isfinite(cols["lat_deg"][rows]) & np.isfinite(cols["lon_deg"][rows])]
    return np.stack(
        [
            cols["t"][rows],
            cols["lon_deg"][rows],
            cols["lat_deg"][rows],
            np.nan_to_num(cols["alt_m"][rows]),
        ],
        axis=-1,
    )


def _moving_packet(
    pid: str,
    name: str,
    samples: np.ndarray,
    epoch_iso: str,
    epoch: Any,
    color: str,
    size: float,
    trail_s: float,
    description: str = "",
) -> dict[str, Any]:
    t0, t1 = float(samples[0, 0]), float(samples[-1, 0])
    pkt: dict[str, Any] = {
        "id": pid,
        "name": name,
        "availability": f"{iso(epoch, t0)}/{iso(epoch, t1)}",
        "position": {
            "epoch": epoch_iso,
            "interpolationAlgorithm": "LINEAR",
            "interpolationDegree": 1,
            "cartographicDegrees": np.round(samples, 7).ravel().tolist(),
        },
        "point": {
            "color": _color(color),
            "pixelSize": size,
            "outlineColor": {"rgba": [0, 0, 0, 255]},
            "outlineWidth": 1,
        },
        "path": {
            "material": {"solidColor": {"color": _color(color)}},
            "width": 1.5,
            "leadTime": 0,
            "trailTime": trail_s,
            "resolution": 5,
        },
    }
    if description:
        pkt["description"] = description
    return pkt


def identity_intervals(t: np.ndarray, identity: np.ndarray, epoch: Any) -> list[dict[str, Any]]:
    """Colour intervals of one track from its identity over time.

    Parameters
    ----------
    t : (K,) float, s, sorted; identity : (K,) str per update

    Returns
    -------
    list of ``{"interval": "start/end", "rgba": [...]}``, one per run of equal
    identity; each interval runs from the run's first update to the next run's first
    update (the last to the last update).
    """
    ident = np.asarray(identity).astype(str)
    if ident.size == 0:
        return []
    starts = np.flatnonzero(np.r_[True, ident[1:] != ident[:-1]])
    ends = np.r_[starts[1:], ident.size - 1]
    out = []
    for a, b in zip(starts, ends, strict=True):
        name = ident[a] if ident[a] in RGBA else "unknown"
        out.append(
            {"interval": f"{iso(epoch, float(t[a]))}/{iso(epoch, float(t[b]))}", **_color(name)}
        )
    return out


def run_to_czml(
    run: RunData, what: tuple[str, ...] = LAYERS, coverage_rcs_m2: float | None = None
) -> list[dict[str, Any]]:
    """The run as a list of CZML packets (JSON-ready dicts), the document packet first.

    Parameters
    ----------
    run : the recorded run
    what : layers among ``truth, tracks, interceptors, coverage`` (units, assets and
        events are always included)
    coverage_rcs_m2 : m², target RCS of the coverage domes (None: calibration RCS)
    """
    meta, epoch = run.meta, run.epoch
    epoch_iso = iso(epoch)
    t_all = [
        run.table(n)["t"] for n in ("truth", "tracks", "interceptors", "events") if run.table(n)
    ]
    t_all = [t for t in t_all if t.size]
    t_end = float(max(t.max() for t in t_all)) if t_all else 0.0
    t_end = max(t_end, 1.0)
    packets: list[dict[str, Any]] = [
        {
            "id": "document",
            "name": run_name(meta),
            "version": "1.0",
            "clock": {
                "interval": f"{epoch_iso}/{iso(epoch, t_end)}",
                "currentTime": epoch_iso,
                "multiplier": 10,
                "range": "LOOP_STOP",
                "step": "SYSTEM_CLOCK_MULTIPLIER",
            },
        }
    ]
    for u in meta.get("units", []) or []:
        packets.append(
            {
                "id": f"unit/{u.get('name')}",
                "name": str(u.get("name")),
                "description": f"preset {u.get('preset')}",
                "position": {
                    "cartographicDegrees": [float(u["lon_deg"]), float(u["lat_deg"]), 0.0]
                },
                "point": {
                    "color": _color("unit"),
                    "pixelSize": 12,
                    "heightReference": {"heightReference": "CLAMP_TO_GROUND"},
                },
                "label": {
                    "text": str(u.get("name")),
                    "font": "12pt sans-serif",
                    "pixelOffset": {"cartesian2": [0, -20]},
                },
            }
        )
    for a in meta.get("assets", []) or []:
        packets.append(
            {
                "id": f"asset/{a.get('name')}",
                "name": str(a.get("name")),
                "description": f"defended asset, value {a.get('value')}",
                "position": {
                    "cartographicDegrees": [float(a["lon_deg"]), float(a["lat_deg"]), 0.0]
                },
                "point": {
                    "color": _color("asset"),
                    "pixelSize": 10,
                    "heightReference": {"heightReference": "CLAMP_TO_GROUND"},
                },
                "label": {
                    "text": str(a.get("name")),
                    "font": "11pt sans-serif",
                    "pixelOffset": {"cartesian2": [0, -18]},
                },
            }
        )
    if "coverage" in what:
        for site in radar_sites(meta):
            r = detection_range(site, coverage_rcs_m2)
            if not np.isfinite(r) or r <= 0:
                continue
            packets.append(
                {
                    "id": f"coverage/{site.unit}/{site.name}",
                    "name": f"{site.name} coverage",
                    "description": f"{site.role} radar of {site.unit}, {r / 1000:.0f} km",
                    "position": {"cartographicDegrees": [site.lon_deg, site.lat_deg, site.alt_m]},
                    "ellipsoid": {
                        "radii": {"cartesian": [r, r, r]},
                        "maximumCone": float(np.pi / 2),
                        **_clock_span(site.heading_deg, site.sector_width_deg),
                        "material": {"solidColor": {"color": _color("coverage")}},
                        "outline": True,
                        "outlineColor": _color("coverage", 160),
                        "slicePartitions": 48,
                        "stackPartitions": 24,
                    },
                }
            )
    if "truth" in what:
        cols = run.table("truth")
        for oid, rows in group_paths(cols, "id"):
            s = _sampled(cols, rows)
            if s.shape[0] == 0:
                continue
            last = rows[-1]
            style = "hostile" if cols["hostile"][last] else "friendly"
            packets.append(
                _moving_packet(
                    f"truth/{oid}",
                    str(cols["name"][last]),
                    s,
                    epoch_iso,
                    epoch,
                    style,
                    8,
                    600,
                    f"{cols['kind'][last]} (truth id {oid})",
                )
            )
    if "tracks" in what:
        cols = run.table("tracks")
        for tid, rows in group_paths(cols, "track_id"):
            s = _sampled(cols, rows)
            if s.shape[0] == 0:
                continue
            ident = str(cols["identity"][rows[-1]])
            packets.append(
                _moving_packet(
                    f"track/{tid}",
                    f"track {tid}",
                    s,
                    epoch_iso,
                    epoch,
                    ident if ident in RGBA else "unknown",
                    5,
                    120,
                    f"{ident}, truth id {cols['truth_id'][rows[-1]]}",
                )
            )
            colours = identity_intervals(cols["t"][rows], cols["identity"][rows], epoch)
            if len(colours) > 1:  # the identity changed: colour by time interval
                packets[-1]["point"]["color"] = colours
                packets[-1]["path"]["material"]["solidColor"]["color"] = colours
    if "interceptors" in what:
        cols = run.table("interceptors")
        for iid, rows in group_paths(cols, "id"):
            s = _sampled(cols, rows)
            if s.shape[0] == 0:
                continue
            last = rows[-1]
            packets.append(
                _moving_packet(
                    f"interceptor/{iid}",
                    f"{cols['missile'][last]} #{iid}",
                    s,
                    epoch_iso,
                    epoch,
                    "interceptor",
                    6,
                    60,
                    f"from {cols['unit'][last]} at track {cols['track_id'][last]}",
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
            t = float(ev["t"][k])
            kind = str(ev["kind"][k])
            alt = float(ev["alt_m"][k]) if np.isfinite(ev["alt_m"][k]) else 0.0
            packets.append(
                {
                    "id": f"event/{k}",
                    "name": f"{kind} t={t:.1f} s",
                    "description": str(ev["detail"][k]),
                    "availability": f"{iso(epoch, t)}/{iso(epoch, t + EVENT_SHOW_S)}",
                    "position": {
                        "cartographicDegrees": [
                            float(ev["lon_deg"][k]),
                            float(ev["lat_deg"][k]),
                            alt,
                        ]
                    },
                    "point": {
                        "color": _color("event"),
                        "pixelSize": 14 if kind in ("kill", "asset_hit") else 10,
                    },
                    "label": {
                        "text": kind,
                        "font": "10pt sans-serif",
                        "pixelOffset": {"cartesian2": [0, -16]},
                    },
                }
            )
    return packets


def dumps(packets: list[dict[str, Any]]) -> str:
    """The CZML document (a JSON array of packets); NaN raises (it is not JSON)."""
    return json.dumps(packets, separators=(",", ":"), allow_nan=False)


class CzmlError(ValueError):
    """A CZML document that breaks the packet structure this module promises."""


def check_structure(packets: list[dict[str, Any]]) -> None:
    """Check the packet structure beyond what a schema can see.

    - the first packet is ``document`` with version ``1.0`` and a clock interval;
    - packet ids are unique;
    - sampled positions (with ``epoch``) hold [t, lon, lat, h] quadruples with
      non-decreasing t, lon in [-180, 180], lat in [-90, 90]; static ones a triple;
    - every ``availability`` lies inside the document clock interval.

    Raises
    ------
    CzmlError naming the packet and the rule.
    """
    if not packets or packets[0].get("id") != "document" or packets[0].get("version") != "1.0":
        raise CzmlError("first packet must be the document packet with version 1.0")
    try:
        c0, c1 = packets[0]["clock"]["interval"].split("/")
    except (KeyError, ValueError):
        raise CzmlError("document packet has no clock interval") from None
    ids = [p.get("id") for p in packets]
    if len(set(ids)) != len(ids):
        raise CzmlError("packet ids are not unique")
    for p in packets[1:]:
        pid = p.get("id")
        pos = p.get("position")
        if pos is not None:
            v = np.asarray(pos.get("cartographicDegrees", []), float)
            if "epoch" in pos:
                if v.size == 0 or v.size % 4:
                    raise CzmlError(f"{pid}: sampled cartographicDegrees is not [t, lon, lat, h]*")
                s = v.reshape(-1, 4)
                if np.any(np.diff(s[:, 0]) < 0):
                    raise CzmlError(f"{pid}: sample times decrease")
                lon, lat = s[:, 1], s[:, 2]
            else:
                if v.size != 3:
                    raise CzmlError(f"{pid}: static cartographicDegrees is not [lon, lat, h]")
                lon, lat = v[:1], v[1:2]
            if np.any(np.abs(lon) > 180) or np.any(np.abs(lat) > 90) or not np.all(np.isfinite(v)):
                raise CzmlError(f"{pid}: position out of range")
        if "availability" in p:
            a0, a1 = p["availability"].split("/")
            # ISO-8601 UTC strings of one format compare in time order
            if not (c0 <= a0 <= a1) or a0 > c1:
                raise CzmlError(f"{pid}: availability {p['availability']} outside the clock")
