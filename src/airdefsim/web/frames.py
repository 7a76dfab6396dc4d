"""What the console shows: the air picture turned into JSON-ready frames.

Pure functions over arrays. Positions leave here as degrees and metres (lat, lon, alt
above the WGS84 ellipsoid); velocities as north/east/up m/s; bearings from the
defending unit, clockwise from true north, in degrees.

Between two 1 s simulation steps the console moves tracks and interceptors by dead
reckoning (constant velocity on a local flat earth, good to metres over 1 s), so the
scope moves smoothly at the frame rate.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from airdefsim.geo.wgs84 import A, LocalFrame, ecef_to_geodetic, enu_rotation

F64 = NDArray[np.float64]

TYPE_GUESSES = ("ballistic", "cruise missile", "drone", "airliner", "fighter", "unknown")


def guess_type(speed: F64, alt: F64, climb: F64, iff_reply: NDArray[np.bool_]) -> list[str]:
    """A crude kinematic type guess, as a C2 operator's first look would make it.

    Parameters
    ----------
    speed : (M,) float, m/s — ground speed (horizontal)
    alt : (M,) float, m — altitude above the ellipsoid
    climb : (M,) float, m/s — vertical speed (up positive)
    iff_reply : (M,) bool — the track answered IFF

    Returns
    -------
    list of M str from ``TYPE_GUESSES``. Rules, first match wins: |climb| > 300 m/s or
    speed > 1500 m/s → ballistic; speed < 70 m/s → drone; below 500 m at 150-350 m/s →
    cruise missile; answers IFF at 180-280 m/s above 6 km → airliner; otherwise fighter.
    """
    speed = np.asarray(speed, float)
    alt = np.asarray(alt, float)
    climb = np.asarray(climb, float)
    iff = np.asarray(iff_reply, bool)
    out = np.full(speed.shape, "fighter", dtype=object)
    airliner = iff & (speed >= 180) & (speed <= 280) & (alt > 6000)
    cruise = (alt < 500) & (speed >= 150) & (speed <= 350)
    drone = speed < 70
    ballistic = (np.abs(climb) > 300) | (speed > 1500)
    out[airliner] = "airliner"
    out[cruise] = "cruise missile"
    out[drone] = "drone"
    out[ballistic] = "ballistic"
    out[~np.isfinite(speed)] = "unknown"
    return [str(s) for s in out]


def geodetic_deg(pos_ecef: F64) -> tuple[F64, F64, F64]:
    """(N, 3) ECEF m → lat deg, lon deg, alt m (each (N,))."""
    lat, lon, h = ecef_to_geodetic(np.asarray(pos_ecef, float).reshape(-1, 3))
    return np.degrees(lat), np.degrees(lon), h


def ned_velocity(pos_ecef: F64, vel_ecef: F64) -> F64:
    """(N, 3) ECEF velocities → (N, 3) local [east, north, up] m/s at each position."""
    pos = np.asarray(pos_ecef, float).reshape(-1, 3)
    vel = np.asarray(vel_ecef, float).reshape(-1, 3)
    if len(pos) == 0:
        return np.zeros((0, 3))
    lat, lon, _ = ecef_to_geodetic(pos)
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    vx, vy, vz = vel[:, 0], vel[:, 1], vel[:, 2]
    e = -so * vx + co * vy
    n = -sl * co * vx - sl * so * vy + cl * vz
    u = cl * co * vx + cl * so * vy + sl * vz
    return np.stack([e, n, u], axis=-1)


def range_bearing(
    lat_deg: F64, lon_deg: F64, alt: F64, site_lat_deg: float, site_lon_deg: float
) -> tuple[F64, F64]:
    """Slant range (m) and true bearing (deg, 0-360) of points seen from a site (h = 0)."""
    from airdefsim.geo.wgs84 import geodetic_to_ecef

    site = LocalFrame.from_degrees(site_lat_deg, site_lon_deg)
    pos = geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg), alt).reshape(-1, 3)
    az, _el, rng = site.aer(pos)
    return rng, np.degrees(az) % 360.0


def dead_reckon(lat_deg: F64, lon_deg: F64, alt: F64, v_enu: F64, dt: float) -> tuple:
    """Advance points by ``dt`` s at constant local velocity (flat earth over ``dt``).

    lat_deg, lon_deg, alt : (N,); v_enu : (N, 3) east/north/up m/s. Returns new
    (lat_deg, lon_deg, alt). Error over 1 s at Mach 5 is under a metre.
    """
    if dt == 0.0 or len(lat_deg) == 0:
        return lat_deg, lon_deg, alt
    r = A + alt
    dlat = v_enu[:, 1] * dt / r
    dlon = v_enu[:, 0] * dt / (r * np.cos(np.radians(lat_deg)))
    return lat_deg + np.degrees(dlat), lon_deg + np.degrees(dlon), alt + v_enu[:, 2] * dt


def _f(x: float, nd: int = 1) -> float | None:
    """JSON-safe rounded float (None for inf/nan)."""
    return round(float(x), nd) if math.isfinite(x) else None


def picture_tracks(picture: Any, site_lat_deg: float, site_lon_deg: float) -> dict[str, Any]:
    """Track arrays of an ``AirPicture`` in console units (column-wise, JSON-ready lists).

    Returns a dict of equal-length lists: id, identity, iff (None not interrogated /
    True reply / False no reply), lat, lon, alt (m), ve, vn, vu (m/s), speed (m/s,
    horizontal), heading (deg), rank, tta (s or None), type, range (m), bearing (deg),
    engaged (bool). ``t`` is the picture time (s).
    """
    m = len(picture.track_id)
    if m == 0:
        keys = (
            "id identity iff lat lon alt ve vn vu speed heading rank tta type range bearing engaged"
        )
        out: dict[str, Any] = {k: [] for k in keys.split()}
        out["t"] = float(picture.t)
        return out
    lat, lon, alt = geodetic_deg(picture.pos)
    v = ned_velocity(picture.pos, picture.vel)
    speed = np.hypot(v[:, 0], v[:, 1])
    heading = np.degrees(np.arctan2(v[:, 0], v[:, 1])) % 360.0
    rng, brg = range_bearing(lat, lon, alt, site_lat_deg, site_lon_deg)
    iff_int = np.asarray(picture.iff_interrogated, bool)
    iff_rep = np.asarray(picture.iff_reply, bool)
    engaged = {int(e.track_id) for e in picture.engagements}
    types = guess_type(speed, alt, v[:, 2], iff_rep & iff_int)
    return {
        "t": float(picture.t),
        "id": [int(i) for i in picture.track_id],
        "identity": [str(s) for s in picture.identity],
        "iff": [bool(r) if i else None for i, r in zip(iff_int, iff_rep, strict=True)],
        "lat": lat.tolist(),
        "lon": lon.tolist(),
        "alt": alt.tolist(),
        "ve": v[:, 0].tolist(),
        "vn": v[:, 1].tolist(),
        "vu": v[:, 2].tolist(),
        "speed": speed.tolist(),
        "heading": heading.tolist(),
        "rank": [int(r) for r in picture.threat_rank],
        "tta": [_f(x) for x in np.asarray(picture.time_to_asset, float)],
        "type": types,
        "range": rng.tolist(),
        "bearing": brg.tolist(),
        "engaged": [int(i) in engaged for i in picture.track_id],
    }


def extrapolate_tracks(base: dict[str, Any], t: float, site_lat_deg: float, site_lon_deg: float):
    """Copy of ``picture_tracks`` output moved to time ``t`` (dead reckoning), rounded."""
    n = len(base["id"])
    dt = float(t - base["t"])
    out = dict(base)
    if n:
        v = np.stack([base["ve"], base["vn"], base["vu"]], axis=-1)
        lat, lon, alt = dead_reckon(
            np.asarray(base["lat"]), np.asarray(base["lon"]), np.asarray(base["alt"]), v, dt
        )
        rng, brg = range_bearing(lat, lon, alt, site_lat_deg, site_lon_deg)
        out["lat"] = np.round(lat, 5).tolist()
        out["lon"] = np.round(lon, 5).tolist()
        out["alt"] = np.round(alt, 0).tolist()
        out["range"] = np.round(rng, 0).tolist()
        out["bearing"] = np.round(brg, 1).tolist()
        out["tta"] = [None if x is None else round(max(x - dt, 0.0), 1) for x in base["tta"]]
        for k in ("ve", "vn", "vu", "speed", "heading"):
            out[k] = np.round(np.asarray(base[k], float), 1).tolist()
    out["t"] = round(t, 2)
    return out


def enu_to_latlon(frame: LocalFrame, enu: F64) -> tuple[F64, F64, F64]:
    """Scenario ENU (N, 3) m → lat deg, lon deg, alt m."""
    enu = np.asarray(enu, float).reshape(-1, 3)
    if len(enu) == 0:
        z = np.zeros(0)
        return z, z.copy(), z.copy()
    return geodetic_deg(frame.to_ecef(enu))


def ecef_vel_to_enu_at(lat_deg: float, lon_deg: float, vel_ecef: F64) -> F64:
    """(N, 3) ECEF velocities → ENU at one reference point (fast, for small areas)."""
    rot = enu_rotation(math.radians(lat_deg), math.radians(lon_deg))
    return np.asarray(vel_ecef, float).reshape(-1, 3) @ rot.T


def unit_states(picture: Any) -> list[dict[str, Any]]:
    """Units of an ``AirPicture``: launchers with ready rounds, channel usage, weapons."""
    out = []
    for u in picture.units:
        inventory: dict[str, int] = {}
        launchers = []
        for ln in u.launchers:
            for k, n in ln.missiles.items():
                inventory[k] = inventory.get(k, 0) + int(n)
            launchers.append(
                {
                    "name": ln.name,
                    "missiles": {k: int(n) for k, n in ln.missiles.items()},
                    "ready": float(ln.busy_until) <= picture.t
                    and float(ln.reload_until) <= picture.t,
                }
            )
        out.append(
            {
                "name": u.name,
                "preset": u.preset,
                "lat": math.degrees(u.lat),
                "lon": math.degrees(u.lon),
                "weapons": u.weapons,
                "target_channels": int(u.target_channels),
                "targets_engaged": int(u.targets_engaged),
                "missile_channels": int(u.missile_channels),
                "missiles_guided": int(u.missiles_guided),
                "inventory": inventory,
                "launchers": launchers,
            }
        )
    return out
