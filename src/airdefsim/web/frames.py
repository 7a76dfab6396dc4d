"""What the console shows: the air picture turned into the wire's columns.

Pure functions over arrays. Positions leave here as degrees and metres (lat, lon, alt
above the WGS84 ellipsoid); velocities as east/north/up m/s in the local frame at each
track; bearings from the defending unit, clockwise from true north, in degrees. A
track's kind is the picture's (``AirPicture.kind``, the one kinematic classifier): the
console never guesses a type itself.

Between two 1 s simulation steps the console moves tracks by dead reckoning (constant
velocity on a local flat earth, good to metres over 1 s), so the scope moves smoothly at
the frame rate.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from airdefsim.geo.wgs84 import A, LocalFrame, ecef_to_geodetic, geodetic_to_ecef
from airdefsim.types import AirPicture
from airdefsim.web.wire import (
    InterceptorColumns,
    LauncherPanel,
    PictureColumns,
    PlotColumns,
    UnitPanel,
)

F64 = NDArray[np.float64]


def geodetic_deg(pos_ecef: F64) -> tuple[F64, F64, F64]:
    """(N, 3) ECEF m → lat deg, lon deg, alt m (each (N,))."""
    lat, lon, h = ecef_to_geodetic(np.asarray(pos_ecef, float).reshape(-1, 3))
    return np.degrees(lat), np.degrees(lon), h


def enu_velocity(pos_ecef: F64, vel_ecef: F64) -> F64:
    """(N, 3) ECEF velocities → (N, 3) [east, north, up] m/s in the local frame at each
    position (N, 3) ECEF m."""
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


def range_bearing(lat_deg: F64, lon_deg: F64, alt: F64, site: LocalFrame) -> tuple[F64, F64]:
    """Slant range (m) and true bearing (deg, 0-360) of points (N,) seen from ``site``."""
    pos = geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg), alt).reshape(-1, 3)
    az, _el, rng = site.aer(pos)
    return rng, np.degrees(az) % 360.0


def dead_reckon(
    lat_deg: F64, lon_deg: F64, alt: F64, v_enu: F64, dt: float
) -> tuple[F64, F64, F64]:
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


@dataclass(frozen=True)
class TrackSnapshot:
    """The picture's tracks at time ``t`` (s) in console units, ready to dead-reckon.

    Attributes
    ----------
    id : (M,) int; identity, kind : list of M str; iff : list of M (None | bool)
    lat, lon : (M,) float, deg; alt : (M,) float, m
    v_enu : (M, 3) float, m/s — east, north, up at each track
    rank : (M,) int; tta : (M,) float, s (inf: opening); engaged : (M,) bool
    ve, vn, vu, speed (horizontal), heading : list of M float — rounded for the wire
    (m/s, deg), the same at every display time
    """

    t: float
    id: list[int]
    identity: list[str]
    kind: list[str]
    iff: list[bool | None]
    lat: F64
    lon: F64
    alt: F64
    v_enu: F64
    rank: list[int]
    tta: F64
    engaged: list[bool]
    ve: list[float]
    vn: list[float]
    vu: list[float]
    speed: list[float]
    heading: list[float]

    def __len__(self) -> int:
        return len(self.id)

    def state_of(self, track_id: int) -> tuple[str, bool | None] | None:
        """(identity, IFF answer) of a track on this picture, None if it is not on it."""
        if track_id not in self.id:
            return None
        i = self.id.index(track_id)
        return self.identity[i], self.iff[i]


def snapshot(picture: AirPicture) -> TrackSnapshot:
    """The tracks of an ``AirPicture`` in console units."""
    lat, lon, alt = geodetic_deg(picture.pos)
    interrogated = np.asarray(picture.iff_interrogated, bool)
    reply = np.asarray(picture.iff_reply, bool)
    engaged = np.asarray(picture.salvos) > 0
    v = enu_velocity(picture.pos, picture.vel)
    return TrackSnapshot(
        t=float(picture.t),
        id=[int(i) for i in picture.track_id],
        identity=[str(s) for s in picture.identity],
        kind=[str(k) for k in picture.kind],
        iff=[bool(r) if i else None for i, r in zip(interrogated, reply, strict=True)],
        lat=lat,
        lon=lon,
        alt=alt,
        v_enu=v,
        rank=[int(r) for r in picture.threat_rank],
        tta=np.asarray(picture.time_to_asset, float),
        engaged=[bool(e) for e in engaged],
        ve=_rounded(v[:, 0], 1),
        vn=_rounded(v[:, 1], 1),
        vu=_rounded(v[:, 2], 1),
        speed=_rounded(np.hypot(v[:, 0], v[:, 1]), 1),
        heading=_rounded(np.degrees(np.arctan2(v[:, 0], v[:, 1])) % 360.0, 1),
    )


def _rounded(x: F64, nd: int) -> list[float]:
    """Python floats rounded to ``nd`` decimals (what goes on the wire)."""
    return np.round(np.asarray(x, float), nd).tolist()  # type: ignore[no-any-return]


def tracks_at(snap: TrackSnapshot, t: float, site: LocalFrame) -> PictureColumns:
    """The track table at display time ``t`` (s): positions dead-reckoned from the
    snapshot, range and bearing from ``site`` (the first unit), rounded for the wire.
    Called at the frame rate: what does not move is computed once in the snapshot."""
    dt = float(t - snap.t)
    lat, lon, alt = dead_reckon(snap.lat, snap.lon, snap.alt, snap.v_enu, dt)
    rng, brg = range_bearing(lat, lon, alt, site)
    tta = snap.tta - dt
    return PictureColumns(
        id=snap.id,
        identity=snap.identity,
        lat=_rounded(lat, 5),
        lon=_rounded(lon, 5),
        alt=_rounded(alt, 0),
        ve=snap.ve,
        vn=snap.vn,
        vu=snap.vu,
        speed=snap.speed,
        heading=snap.heading,
        rank=snap.rank,
        tta=[round(max(x, 0.0), 1) if math.isfinite(x) else None for x in tta],
        kind=snap.kind,
        range=_rounded(rng, 0),
        bearing=_rounded(brg, 1),
        iff=snap.iff,
        engaged=snap.engaged,
    )


def unit_panels(picture: AirPicture) -> list[UnitPanel]:
    """The units of an ``AirPicture``: ready rounds, launchers, channels, weapons."""
    out = []
    for u in picture.units:
        inventory: dict[str, int] = {}
        launchers = []
        for ln in u.launchers:
            for k, n in ln.missiles.items():
                inventory[k] = inventory.get(k, 0) + int(n)
            launchers.append(
                LauncherPanel(
                    name=ln.name,
                    missiles={k: int(n) for k, n in ln.missiles.items()},
                    ready=ln.ready(picture.t),
                )
            )
        out.append(
            UnitPanel(
                name=u.name,
                preset=u.preset,
                weapons=u.weapons,
                target_channels=int(u.target_channels),
                targets_engaged=int(u.targets_engaged),
                missile_channels=int(u.missile_channels),
                missiles_guided=int(u.missiles_guided),
                inventory=inventory,
                launchers=launchers,
            )
        )
    return out


def live_interceptor_ids(picture: AirPicture) -> set[int]:
    """Ids of the interceptors the C2 seat has in flight (its own engagements)."""
    return {int(i) for e in picture.engagements for i in e.interceptor_ids}


def interceptor_columns(
    latest: Mapping[str, np.ndarray] | None, live: set[int]
) -> InterceptorColumns:
    """The latest recorded rows of the ``interceptors`` table, keeping only the
    interceptors still in flight (``live``): the table is not written when none fly,
    so its last batch can name interceptors long gone."""
    if not latest or len(latest.get("id", ())) == 0 or not live:
        return InterceptorColumns(id=[], lat=[], lon=[], alt=[], track_id=[])
    ids = np.asarray(latest["id"], np.int64)
    keep = np.isin(ids, np.fromiter(live, np.int64, len(live)))
    return InterceptorColumns(
        id=[int(i) for i in ids[keep]],
        lat=_rounded(np.asarray(latest["lat_deg"], float)[keep], 5),
        lon=_rounded(np.asarray(latest["lon_deg"], float)[keep], 5),
        alt=_rounded(np.asarray(latest["alt_m"], float)[keep], 0),
        track_id=[int(i) for i in np.asarray(latest["track_id"], np.int64)[keep]],
    )


def plot_columns(plots: F64, t: float) -> PlotColumns:
    """Plots as (K, 3) rows (t s, lat deg, lon deg) → columns with their age at ``t``."""
    p = np.asarray(plots, float).reshape(-1, 3)
    return PlotColumns(
        lat=_rounded(p[:, 1], 5), lon=_rounded(p[:, 2], 5), age=_rounded(t - p[:, 0], 1)
    )
