"""ASTERIX Category 062 (SDPS system track data): encoder, strict decoder, UDP sink.

Source: EUROCONTROL, *EUROCONTROL Specification for Surveillance Data Exchange –
ASTERIX Part 9, Category 062: SDPS Track Messages*, edition 1.18 (UAP and item
layouts below; unchanged in 1.19 for the items we emit).

Wire format (Part 1, general): a *data block* is ``CAT (1 octet) | LEN (2 octets, big
endian, whole block incl. these 3) | record…``; a *record* is ``FSPEC | items in FRN
order``. The FSPEC has 7 FRN bits per octet, bit 1 (LSB) of each octet being FX
("another FSPEC octet follows").

UAP, edition 1.18 (FRN: item) — the items this module writes are marked *:

====  ==========  ====  ==========  ====  ==========  ====  ==========
FRN   item        FRN   item        FRN   item        FRN   item
====  ==========  ====  ==========  ====  ==========  ====  ==========
1     010 *       8     210         15    200         22    270
2     spare       9     060         16    295         23    300
3     015 *       10    245         17    136 *       24    110
4     070 *       11    380         18    130 *       25    120
5     105 *       12    040 *       19    135         26    510
6     100 *       13    080 *       20    220 *       27    500
7     185 *       14    290         21    390         28    340
====  ==========  ====  ==========  ====  ==========  ====  ==========

Items and resolutions (all signed values two's complement, big endian):

- I062/010 data source identifier: SAC, SIC (1 octet each).
- I062/015 service identification (1 octet).
- I062/070 time of track information: 24 bits, LSB 1/128 s, UTC time of day.
- I062/105 WGS-84 position: lat, lon, 32 bits each, LSB 180/2^25 deg.
- I062/100 Cartesian position: x, y, 24 bits each, LSB 0.5 m.
- I062/185 Cartesian velocity: vx, vy, 16 bits each, LSB 0.25 m/s.
- I062/040 track number: 16 bits.
- I062/080 track status, extensible; octet 1 ``MON SPI MRH SRC(3) CNF FX``, octet 2
  ``SIM TSE TSB FPC AFF STP KOS FX``, octet 3 ``AMA MD4(2) ME MI MD5(2) FX``, octet 4
  ``CST PSR SSR MDS ADS SUC AAC FX``.
- I062/136 measured flight level: 16 bits, LSB 1/4 FL (25 ft), range -15 … 1500 FL.
- I062/130 geometric altitude (above the WGS-84 ellipsoid): 16 bits, LSB 6.25 ft,
  range -1500 … 150 000 ft.
- I062/220 calculated rate of climb/descent: 16 bits, LSB 6.25 ft/min (saturates at
  ±204 794 ft/min ≈ ±1040 m/s: a re-entering ballistic missile may exceed it).

Mapping from the recorded ``tracks`` table (scenario ENU at the run's origin):

- the *system reference point* (SRP) is the scenario origin and the system plane of
  I062/100 and I062/185 is the oblique stereographic projection of the WGS-84 ellipsoid
  tangent there (PROJ ``sterea``: Gauss conformal sphere of radius sqrt(M N) at the
  SRP, scale 1 at the SRP), the usual SDPS system plane. The tracker's ENU tangent
  plane is *not* used for it: the two differ by ~170 m at 300 km and ~1.3 km at 600 km
  (at ground level; more for high targets).
  (vx, vy) is the track's horizontal velocity carried into that plane by the
  projection's differential (rotation by the meridian convergence, scale k).
- every track carries ``SIM = 1`` (simulated), ``MRH = 1`` (geometric altitude is the
  more reliable), ``SRC = 2`` (3-D radar), ``CNF = 1`` for tentative tracks and
  ``CST = 1`` for coasting tracks; ``TSB`` on a track's first update, ``TSE`` on its
  last one when the track ended before the end of the recording.
- I062/220 is the velocity along the local vertical at the track (not the scenario
  ``vu``, whose axis is the vertical at the origin).
- I062/130 is omitted when the altitude is outside the item's range (a ballistic
  missile near apogee); I062/136 is only sent for tracks identified ``friendly``
  (the cooperative, Mode C-replying aircraft), as the ISA pressure altitude of the
  geometric altitude (standard day: pressure altitude = geopotential altitude,
  US Standard Atmosphere 1976, r0 = 6 356 766 m; geoid undulation neglected).
- track numbers are ``track_id mod 65536``.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import ValidationError
from pyproj import Transformer

from airdefsim.export.run import parse_epoch
from airdefsim.geo import LocalFrame, ecef_to_geodetic, geodetic_to_ecef
from airdefsim.scenario.schema import AsterixSettings

CAT = 62
EDITION = "1.18"

LSB_LATLON_DEG = 180.0 / 2**25  # deg, I062/105
LSB_XY_M = 0.5  # m, I062/100
LSB_V_MPS = 0.25  # m/s, I062/185
LSB_TIME_S = 1.0 / 128.0  # s, I062/070
LSB_GEO_ALT_FT = 6.25  # ft, I062/130
LSB_MFL_FL = 0.25  # flight levels, I062/136
LSB_ROCD_FPM = 6.25  # ft/min, I062/220
FT = 0.3048  # m per international foot
GEO_ALT_RANGE_FT = (-1500.0, 150000.0)  # I062/130 valid range
MFL_RANGE_FL = (-15.0, 1500.0)  # I062/136 valid range
R0_GEOPOTENTIAL = 6356766.0  # m, US Standard Atmosphere 1976
DAY_S = 86400.0

# FRN (1-based) of each item in the edition 1.18 UAP.
UAP: dict[str, int] = {
    "010": 1,
    "015": 3,
    "070": 4,
    "105": 5,
    "100": 6,
    "185": 7,
    "040": 12,
    "080": 13,
    "136": 17,
    "130": 18,
    "220": 20,
}
# Fixed item lengths in octets (080 is extensible).
_FIXED_LEN = {
    "010": 2,
    "015": 1,
    "070": 3,
    "105": 8,
    "100": 6,
    "185": 4,
    "040": 2,
    "136": 2,
    "130": 2,
    "220": 2,
}
_ORDER = sorted(UAP, key=UAP.__getitem__)
# Full UAP of edition 1.18: FRN -> item (None = spare); used to name unsupported items.
_UAP_FULL: list[str | None] = [
    "010", None, "015", "070", "105", "100", "185",
    "210", "060", "245", "380", "040", "080", "290",
    "200", "295", "136", "130", "135", "220", "390",
    "270", "300", "110", "120", "510", "500", "340",
    None, None, None, None, None, "RE", "SP",
]  # fmt: skip

STATUS_TENTATIVE, STATUS_CONFIRMED, STATUS_COASTING = 0, 1, 2
_STATUS_NAMES = {"tentative": 0, "confirmed": 1, "coasting": 2}

U8 = NDArray[np.uint8]
F64 = NDArray[np.float64]


class AsterixError(ValueError):
    """A malformed, truncated or unsupported ASTERIX data block (message says where)."""


# ---------------------------------------------------------------- field arrays


@dataclass(frozen=True)
class Cat062Fields:
    """CAT062 track updates in physical units, structure of arrays (N rows).

    Attributes
    ----------
    sac, sic : (N,) int — data source identifier
    service_id : (N,) int
    time_of_day : (N,) float, s — UTC seconds since midnight, [0, 86400)
    track_number : (N,) int, 0 … 65535
    lat_deg, lon_deg : (N,) float, deg, WGS-84
    x, y : (N,) float, m — Cartesian position from the system reference point
    vx, vy : (N,) float, m/s — Cartesian velocity
    geo_alt_ft : (N,) float, ft above the ellipsoid; NaN = item absent
    mfl_fl : (N,) float, flight levels; NaN = item absent
    cnf : (N,) bool — tentative track (I062/080 CNF)
    sim : (N,) bool — simulated track
    tse, tsb : (N,) bool — last / first message of the track
    cst : (N,) bool — coasting (extrapolated) track
    rocd_fpm : (N,) float, ft/min — rate of climb/descent; NaN = item absent; None:
        absent for every row
    """

    sac: NDArray[np.int64]
    sic: NDArray[np.int64]
    service_id: NDArray[np.int64]
    time_of_day: F64
    track_number: NDArray[np.int64]
    lat_deg: F64
    lon_deg: F64
    x: F64
    y: F64
    vx: F64
    vy: F64
    geo_alt_ft: F64
    mfl_fl: F64
    cnf: NDArray[np.bool_]
    sim: NDArray[np.bool_]
    tse: NDArray[np.bool_]
    tsb: NDArray[np.bool_]
    cst: NDArray[np.bool_]
    rocd_fpm: F64 | None = None

    def __len__(self) -> int:
        return int(self.track_number.shape[0])


def time_of_day(t: ArrayLike, epoch: datetime | str | None) -> F64:
    """Scenario times (N,) s since ``epoch`` -> UTC seconds since midnight, [0, 86400)."""
    ep = parse_epoch(epoch)
    midnight = ep.replace(hour=0, minute=0, second=0, microsecond=0)
    offset = (ep - midnight).total_seconds()
    return np.mod(offset + np.asarray(t, dtype=float), DAY_S)


def pressure_flight_level(alt_m: ArrayLike) -> F64:
    """Geometric altitude (m) -> ISA standard-day flight level (hundreds of ft).

    Pressure altitude on a standard day equals geopotential altitude
    ``H = r0 z / (r0 + z)`` (US Standard Atmosphere 1976, r0 = 6 356 766 m).
    """
    z = np.asarray(alt_m, dtype=float)
    return R0_GEOPOTENTIAL * z / (R0_GEOPOTENTIAL + z) / FT / 100.0


def _status_codes(status: ArrayLike) -> NDArray[np.int64]:
    s = np.asarray(status)
    if s.dtype.kind in "iub":
        return s.astype(np.int64)
    return np.array([_STATUS_NAMES.get(str(v).lower(), STATUS_CONFIRMED) for v in s], np.int64)


def first_last_flags(
    t: ArrayLike, track_id: ArrayLike, t_end: float | None = None
) -> tuple[NDArray[np.bool_], NDArray[np.bool_]]:
    """Mark each track's first row and, if it ended before ``t_end``, its last row.

    Parameters
    ----------
    t : (N,) float, s; track_id : (N,) int
    t_end : end of the recording (default: the last ``t``); a track whose last row is
        at ``t_end`` is still alive and gets no TSE.

    Returns
    -------
    tsb, tse : (N,) bool
    """
    tt = np.asarray(t, dtype=float)
    ids = np.asarray(track_id, dtype=np.int64)
    n = ids.shape[0]
    tsb = np.zeros(n, bool)
    tse = np.zeros(n, bool)
    if n == 0:
        return tsb, tse
    end = float(tt.max()) if t_end is None else float(t_end)
    order = np.lexsort((tt, ids))
    sid = ids[order]
    starts = np.r_[True, sid[1:] != sid[:-1]]
    ends = np.r_[sid[1:] != sid[:-1], True]
    tsb[order[starts]] = True
    last = order[ends]
    tse[last[tt[last] < end]] = True
    return tsb, tse


@lru_cache(maxsize=32)
def _plane(lat0_deg: float, lon0_deg: float) -> Transformer:
    return Transformer.from_crs(
        "+proj=longlat +ellps=WGS84 +no_defs",
        f"+proj=sterea +lat_0={lat0_deg!r} +lon_0={lon0_deg!r} +k=1 +x_0=0 +y_0=0 "
        "+ellps=WGS84 +units=m +no_defs",
        always_xy=True,
    )


def system_plane(
    lat_deg: ArrayLike, lon_deg: ArrayLike, origin: tuple[float, float]
) -> tuple[F64, F64]:
    """WGS-84 positions (N,) deg -> system-plane (x, y) (N,) m, east and north of the SRP.

    Oblique stereographic projection tangent at ``origin`` = (lat, lon) deg, see the
    module docstring. Height does not enter (a projection of the horizontal position).
    """
    x, y = _plane(float(origin[0]), float(origin[1])).transform(
        np.asarray(lon_deg, dtype=float), np.asarray(lat_deg, dtype=float)
    )
    return np.asarray(x, float), np.asarray(y, float)


def system_plane_velocity(
    lat_deg: ArrayLike,
    lon_deg: ArrayLike,
    vel_enu: ArrayLike,
    origin: tuple[float, float],
    dt: float = 1.0,
) -> tuple[F64, F64]:
    """Velocities in the scenario ENU frame -> system-plane (vx, vy), m/s.

    The horizontal velocity at the track (its components along the local east and north
    at (lat, lon)) is carried through the projection's differential: rotated by the
    meridian convergence and scaled by the point scale factor k. So ``|(vx, vy)|`` is
    k × the speed over ground, whatever the altitude.

    Parameters
    ----------
    lat_deg, lon_deg : (N,) track positions, deg
    vel_enu : (N, 3) m/s in the scenario ENU frame (tangent at ``origin``, h = 0)
    origin : (lat, lon) deg of the SRP / scenario origin
    dt : s, half-width of the central difference on the ellipsoid

    Returns
    -------
    vx, vy : (N,) m/s — ``(P(g + v_h dt) - P(g - v_h dt)) / (2 dt)``, g the track's
        foot on the ellipsoid, v_h its local horizontal velocity, P the projection;
        exact to O(dt²) (< 1e-6 m/s at missile speeds).
    """
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    frame = LocalFrame.from_degrees(float(origin[0]), float(origin[1]))
    v = frame.vec_to_ecef(np.asarray(vel_enu, dtype=float).reshape(-1, 3))
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    east = np.stack([-so, co, np.zeros_like(lat)], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    v_h = np.sum(v * east, axis=-1)[:, None] * east + np.sum(v * north, axis=-1)[:, None] * north
    foot = geodetic_to_ecef(lat, lon, np.zeros_like(lat))
    out = []
    for sign in (1.0, -1.0):
        la, lo, _ = ecef_to_geodetic(foot + sign * dt * v_h)
        out.append(system_plane(np.degrees(la), np.degrees(lo), origin))
    (x1, y1), (x0, y0) = out
    return (x1 - x0) / (2.0 * dt), (y1 - y0) / (2.0 * dt)


def vertical_rate(
    lat_deg: ArrayLike, lon_deg: ArrayLike, vel_enu: ArrayLike, origin: tuple[float, float]
) -> F64:
    """Rate of climb (N,) m/s: the velocity along the local ellipsoid normal (up) at each
    track, from velocities (N, 3) m/s in the scenario ENU frame at ``origin`` (deg)."""
    lat = np.radians(np.asarray(lat_deg, dtype=float))
    lon = np.radians(np.asarray(lon_deg, dtype=float))
    v = LocalFrame.from_degrees(float(origin[0]), float(origin[1])).vec_to_ecef(
        np.asarray(vel_enu, dtype=float).reshape(-1, 3)
    )
    up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
    return np.asarray(np.sum(v * up, axis=-1), float)


def fields_from_tracks(
    cols: Mapping[str, ArrayLike],
    epoch: datetime | str | None,
    sac: int,
    sic: int,
    *,
    origin: tuple[float, float],
    service_id: int = 1,
    tsb: ArrayLike | None = None,
    tse: ArrayLike | None = None,
) -> Cat062Fields:
    """Recorded ``tracks`` columns -> CAT062 fields (see the module docstring mapping).

    Parameters
    ----------
    cols : the ``tracks`` table: ``t, track_id, status, identity, ve, vn, vu,
        lat_deg, lon_deg, alt_m`` (N,) each; velocities in scenario ENU, m/s
        (``vu`` may be absent: 0)
    epoch : scenario epoch (t = 0)
    sac, sic, service_id : 0 … 255
    origin : (lat, lon) deg of the scenario origin = system reference point
    tsb, tse : (N,) bool first/last-message flags (default: none set)
    """
    for name, v in (("sac", sac), ("sic", sic), ("service_id", service_id)):
        if not 0 <= int(v) <= 255:
            raise ValueError(f"{name} must be in 0..255, got {v}")
    t = np.asarray(cols["t"], dtype=float)
    n = t.shape[0]
    status = _status_codes(cols["status"])
    alt_m = np.asarray(cols["alt_m"], dtype=float)
    geo_alt_ft = alt_m / FT
    geo_alt_ft = np.where(
        (geo_alt_ft >= GEO_ALT_RANGE_FT[0]) & (geo_alt_ft <= GEO_ALT_RANGE_FT[1]),
        geo_alt_ft,
        np.nan,
    )
    identity = np.asarray(cols.get("identity", np.full(n, "unknown", object)), dtype=object)
    fl = pressure_flight_level(alt_m)
    has_mfl = (identity == "friendly") & (fl >= MFL_RANGE_FL[0]) & (fl <= MFL_RANGE_FL[1])
    zeros = np.zeros(n, bool)
    lat_deg = np.asarray(cols["lat_deg"], dtype=float)
    lon_deg = np.asarray(cols["lon_deg"], dtype=float)
    x, y = system_plane(lat_deg, lon_deg, origin)
    vu = np.asarray(cols["vu"], dtype=float) if "vu" in cols else np.zeros(n)
    vel = np.stack(
        [np.asarray(cols["ve"], dtype=float), np.asarray(cols["vn"], dtype=float), vu], axis=-1
    )
    vx, vy = system_plane_velocity(lat_deg, lon_deg, vel, origin)
    rocd_fpm = vertical_rate(lat_deg, lon_deg, vel, origin) / FT * 60.0
    return Cat062Fields(
        sac=np.full(n, int(sac), np.int64),
        sic=np.full(n, int(sic), np.int64),
        service_id=np.full(n, int(service_id), np.int64),
        time_of_day=time_of_day(t, epoch),
        track_number=np.mod(np.asarray(cols["track_id"], dtype=np.int64), 65536),
        lat_deg=lat_deg,
        lon_deg=lon_deg,
        x=x,
        y=y,
        vx=vx,
        vy=vy,
        geo_alt_ft=geo_alt_ft,
        mfl_fl=np.where(has_mfl, fl, np.nan),
        cnf=status == STATUS_TENTATIVE,
        sim=np.ones(n, bool),
        tse=zeros.copy() if tse is None else np.asarray(tse, bool),
        tsb=zeros.copy() if tsb is None else np.asarray(tsb, bool),
        cst=status == STATUS_COASTING,
        rocd_fpm=rocd_fpm,
    )


# ---------------------------------------------------------------- encoder


def _quantise(v: ArrayLike, lsb: float, bits: int, signed: bool = True) -> NDArray[np.int64]:
    """Round ``v / lsb`` to the nearest integer, saturated to the field's range."""
    q = np.rint(np.asarray(v, dtype=float) / lsb)
    lo, hi = (-(2 ** (bits - 1)), 2 ** (bits - 1) - 1) if signed else (0, 2**bits - 1)
    return np.clip(q, lo, hi).astype(np.int64)


def _put(out: U8, col: int, values: NDArray[np.int64], n_octets: int) -> None:
    """Write ``values`` (M,) as big-endian two's complement into ``out[:, col:col+n]``
    (the low ``n_octets`` octets of each value's big-endian 64-bit image)."""
    be = np.ascontiguousarray(values, dtype=">i8").view(np.uint8).reshape(-1, 8)
    out[:, col : col + n_octets] = be[:, 8 - n_octets :]


def _fspec(frns: Iterable[int]) -> bytes:
    """FSPEC octets for a set of FRNs (1-based), FX bits set on all but the last octet."""
    frns = list(frns)
    n_oct = (max(frns) - 1) // 7 + 1
    octets = bytearray(n_oct)
    for frn in frns:
        octets[(frn - 1) // 7] |= 0x80 >> ((frn - 1) % 7)
    for k in range(n_oct - 1):
        octets[k] |= 0x01
    return bytes(octets)


def encode_records(f: Cat062Fields) -> tuple[U8, NDArray[np.int64]]:
    """Encode N track updates as CAT062 records (no data-block header).

    Rows sharing a layout (which optional items are present, length of I062/080) are
    encoded together, column by column, with NumPy; the records are then scattered
    into one flat buffer in row order.

    Returns
    -------
    buf : (L,) uint8 — the N records back to back, in row order
    offsets : (N + 1,) int — record k is ``buf[offsets[k]:offsets[k+1]]``
    """
    n = len(f)
    has_alt = np.isfinite(f.geo_alt_ft)
    has_mfl = np.isfinite(f.mfl_fl)
    cst = np.asarray(f.cst, bool)
    rocd = np.full(n, np.nan) if f.rocd_fpm is None else np.asarray(f.rocd_fpm, float)
    has_rocd = np.isfinite(rocd)
    layout = (
        has_alt.astype(np.int64)
        | (has_mfl.astype(np.int64) << 1)
        | (cst.astype(np.int64) << 2)
        | (has_rocd.astype(np.int64) << 3)
    )
    lengths = np.zeros(n, np.int64)
    groups: list[tuple[NDArray[np.int64], U8]] = []
    for code in np.unique(layout):
        idx = np.flatnonzero(layout == code)
        g_alt, g_mfl, g_cst, g_rocd = (bool(code & b) for b in (1, 2, 4, 8))
        items = [
            i
            for i in _ORDER
            if (i != "130" or g_alt) and (i != "136" or g_mfl) and (i != "220" or g_rocd)
        ]
        fspec = _fspec(UAP[i] for i in items)
        len080 = 4 if g_cst else 2
        rec_len = len(fspec) + sum(len080 if i == "080" else _FIXED_LEN[i] for i in items)
        out = np.zeros((idx.size, rec_len), np.uint8)
        out[:, : len(fspec)] = np.frombuffer(fspec, np.uint8)
        col = len(fspec)
        for item in items:
            if item == "010":
                out[:, col] = f.sac[idx]
                out[:, col + 1] = f.sic[idx]
            elif item == "015":
                out[:, col] = f.service_id[idx]
            elif item == "070":
                tod = _quantise(f.time_of_day[idx], LSB_TIME_S, 24, signed=False)
                _put(out, col, np.mod(tod, int(DAY_S * 128)), 3)
            elif item == "105":
                _put(out, col, _quantise(f.lat_deg[idx], LSB_LATLON_DEG, 32), 4)
                _put(out, col + 4, _quantise(f.lon_deg[idx], LSB_LATLON_DEG, 32), 4)
            elif item == "100":
                _put(out, col, _quantise(f.x[idx], LSB_XY_M, 24), 3)
                _put(out, col + 3, _quantise(f.y[idx], LSB_XY_M, 24), 3)
            elif item == "185":
                _put(out, col, _quantise(f.vx[idx], LSB_V_MPS, 16), 2)
                _put(out, col + 2, _quantise(f.vy[idx], LSB_V_MPS, 16), 2)
            elif item == "040":
                _put(out, col, np.asarray(f.track_number[idx], np.int64) & 0xFFFF, 2)
            elif item == "080":
                # octet 1: MON=0 SPI=0 MRH=1 SRC=010 (3-D radar) CNF FX=1
                out[:, col] = 0x20 | (0b010 << 2) | (f.cnf[idx].astype(np.uint8) << 1) | 1
                out[:, col + 1] = (
                    (f.sim[idx].astype(np.uint8) << 7)
                    | (f.tse[idx].astype(np.uint8) << 6)
                    | (f.tsb[idx].astype(np.uint8) << 5)
                    | (1 if g_cst else 0)
                )
                if g_cst:
                    out[:, col + 2] = 0x01  # octet 3: all zero, FX
                    out[:, col + 3] = 0x80  # octet 4: CST
            elif item == "136":
                _put(out, col, _quantise(f.mfl_fl[idx], LSB_MFL_FL, 16), 2)
            elif item == "130":
                _put(out, col, _quantise(f.geo_alt_ft[idx], LSB_GEO_ALT_FT, 16), 2)
            elif item == "220":
                _put(out, col, _quantise(rocd[idx], LSB_ROCD_FPM, 16), 2)
            col += len080 if item == "080" else _FIXED_LEN[item]
        lengths[idx] = rec_len
        groups.append((idx, out))
    offsets = np.zeros(n + 1, np.int64)
    np.cumsum(lengths, out=offsets[1:])
    buf = np.zeros(int(offsets[-1]), np.uint8)
    for idx, out in groups:
        pos = offsets[idx][:, None] + np.arange(out.shape[1])
        buf[pos] = out
    return buf, offsets


def encode_blocks(f: Cat062Fields, records_per_block: int = 1) -> list[bytes]:
    """Encode track updates as CAT062 data blocks.

    Parameters
    ----------
    f : N track updates
    records_per_block : records packed into each data block (default 1: one data
        block per track update); a block never exceeds 65 535 octets.

    Returns
    -------
    list of data blocks (``CAT | LEN | records``), in row order
    """
    if records_per_block < 1:
        raise ValueError("records_per_block must be >= 1")
    n = len(f)
    if n == 0:
        return []
    buf, offsets = encode_records(f)
    if records_per_block == 1:
        lens = np.diff(offsets) + 3
        total = np.zeros(n + 1, np.int64)
        np.cumsum(lens, out=total[1:])
        out = np.zeros(int(total[-1]), np.uint8)
        starts = total[:-1]
        out[starts] = CAT
        out[starts + 1] = lens >> 8
        out[starts + 2] = lens & 0xFF
        mask = np.ones(out.shape[0], bool)
        mask[starts] = mask[starts + 1] = mask[starts + 2] = False
        out[mask] = buf
        raw = out.tobytes()
        return [raw[total[k] : total[k + 1]] for k in range(n)]
    blocks: list[bytes] = []
    k = 0
    while k < n:
        j = min(n, k + records_per_block)
        while offsets[j] - offsets[k] + 3 > 0xFFFF:
            j -= 1
        body = buf[offsets[k] : offsets[j]].tobytes()
        length = len(body) + 3
        blocks.append(bytes((CAT, length >> 8, length & 0xFF)) + body)
        k = j
    return blocks


def encode_tracks(
    cols: Mapping[str, ArrayLike],
    epoch: datetime | str | None,
    sac: int,
    sic: int,
    *,
    origin: tuple[float, float],
    service_id: int = 1,
    records_per_block: int = 1,
) -> bytes:
    """A whole recorded ``tracks`` table -> one CAT062 byte stream (concatenated blocks).

    ``origin`` = (lat, lon) deg of the scenario origin, the system reference point.

    Rows are written in time order; TSB marks each track's first update, TSE the last
    update of a track that ended before the end of the recording.
    """
    t = np.asarray(cols["t"], dtype=float)
    order = np.argsort(t, kind="stable")
    sorted_cols = {k: np.asarray(v)[order] for k, v in cols.items()}
    tsb, tse = first_last_flags(sorted_cols["t"], sorted_cols["track_id"])
    f = fields_from_tracks(
        sorted_cols, epoch, sac, sic, origin=origin, service_id=service_id, tsb=tsb, tse=tse
    )
    return b"".join(encode_blocks(f, records_per_block))


# ---------------------------------------------------------------- decoder


def _signed(value: int, bits: int) -> int:
    return value - (1 << bits) if value & (1 << (bits - 1)) else value


def _decode_record(data: bytes, pos: int, end: int) -> tuple[dict[str, Any], int]:
    """Decode one record at ``data[pos:end]``; return (fields, position after it)."""
    start = pos
    frns: list[int] = []
    octet_no = 0
    while True:
        if pos >= end:
            raise AsterixError(f"record at octet {start}: FSPEC runs past the end of the block")
        b = data[pos]
        pos += 1
        for bit in range(7):
            if b & (0x80 >> bit):
                frns.append(octet_no * 7 + bit + 1)
        octet_no += 1
        if not b & 1:
            break
    if not frns:
        raise AsterixError(f"record at octet {start}: empty FSPEC")
    rec: dict[str, Any] = {}
    for frn in frns:
        item = _UAP_FULL[frn - 1] if frn <= len(_UAP_FULL) else None
        if item is None:
            raise AsterixError(f"record at octet {start}: FSPEC sets spare FRN {frn}")
        if item not in UAP:
            raise AsterixError(f"record at octet {start}: item I062/{item} is not supported")
        if item == "080":
            octets = []
            while True:
                if pos >= end:
                    raise AsterixError(f"record at octet {start}: I062/080 truncated")
                octets.append(data[pos])
                pos += 1
                if not octets[-1] & 1:
                    break
            o1 = octets[0]
            o2 = octets[1] if len(octets) > 1 else 0
            o4 = octets[3] if len(octets) > 3 else 0
            rec.update(
                mrh=bool(o1 & 0x20),
                src=(o1 >> 2) & 0x7,
                cnf=bool(o1 & 0x02),
                sim=bool(o2 & 0x80),
                tse=bool(o2 & 0x40),
                tsb=bool(o2 & 0x20),
                cst=bool(o4 & 0x80),
            )
            continue
        n = _FIXED_LEN[item]
        if pos + n > end:
            raise AsterixError(f"record at octet {start}: I062/{item} truncated")
        raw = data[pos : pos + n]
        pos += n
        if item == "010":
            rec["sac"], rec["sic"] = raw[0], raw[1]
        elif item == "015":
            rec["service_id"] = raw[0]
        elif item == "070":
            rec["time_of_day"] = int.from_bytes(raw, "big") * LSB_TIME_S
        elif item == "105":
            rec["lat_deg"] = _signed(int.from_bytes(raw[:4], "big"), 32) * LSB_LATLON_DEG
            rec["lon_deg"] = _signed(int.from_bytes(raw[4:], "big"), 32) * LSB_LATLON_DEG
        elif item == "100":
            rec["x"] = _signed(int.from_bytes(raw[:3], "big"), 24) * LSB_XY_M
            rec["y"] = _signed(int.from_bytes(raw[3:], "big"), 24) * LSB_XY_M
        elif item == "185":
            rec["vx"] = _signed(int.from_bytes(raw[:2], "big"), 16) * LSB_V_MPS
            rec["vy"] = _signed(int.from_bytes(raw[2:], "big"), 16) * LSB_V_MPS
        elif item == "040":
            rec["track_number"] = int.from_bytes(raw, "big")
        elif item == "136":
            rec["mfl_fl"] = _signed(int.from_bytes(raw, "big"), 16) * LSB_MFL_FL
        elif item == "130":
            rec["geo_alt_ft"] = _signed(int.from_bytes(raw, "big"), 16) * LSB_GEO_ALT_FT
        elif item == "220":
            rec["rocd_fpm"] = _signed(int.from_bytes(raw, "big"), 16) * LSB_ROCD_FPM
    return rec, pos


_DECODED_FLOAT = (
    "time_of_day", "lat_deg", "lon_deg", "x", "y", "vx", "vy", "geo_alt_ft", "mfl_fl", "rocd_fpm",
)  # fmt: skip
_DECODED_INT = ("sac", "sic", "service_id", "track_number", "src")
_DECODED_BOOL = ("mrh", "cnf", "sim", "tse", "tsb", "cst")


def decode(data: bytes | bytearray | memoryview) -> dict[str, np.ndarray]:
    """Decode a byte stream of CAT062 data blocks (as written by this module).

    Strict: every block must be CAT062, its LEN must fit in the stream, its records
    must fill it exactly, and every item must be one this module knows.

    Returns
    -------
    dict of (N,) arrays, one row per record: ``block`` (index of the data block),
    ``sac, sic, service_id, track_number, src`` (int, -1 if absent),
    ``time_of_day, lat_deg, lon_deg, x, y, vx, vy, geo_alt_ft, mfl_fl, rocd_fpm`` (float,
    NaN if absent; s, deg, m, m/s, ft, FL, ft/min), ``mrh, cnf, sim, tse, tsb, cst`` (bool).

    Raises
    ------
    AsterixError
        for a malformed or truncated block, naming the octet where it failed.
    """
    buf = bytes(data)
    rows: list[dict[str, Any]] = []
    pos = 0
    block = 0
    while pos < len(buf):
        if pos + 3 > len(buf):
            raise AsterixError(f"block {block} at octet {pos}: truncated header")
        cat = buf[pos]
        length = int.from_bytes(buf[pos + 1 : pos + 3], "big")
        if cat != CAT:
            raise AsterixError(f"block {block} at octet {pos}: category {cat}, expected {CAT}")
        if length < 4:
            raise AsterixError(f"block {block} at octet {pos}: LEN {length} is too small")
        end = pos + length
        if end > len(buf):
            raise AsterixError(
                f"block {block} at octet {pos}: truncated (LEN {length}, {len(buf) - pos} octets left)"
            )
        p = pos + 3
        while p < end:
            rec, p = _decode_record(buf, p, end)
            rec["block"] = block
            rows.append(rec)
        pos = end
        block += 1
    out: dict[str, np.ndarray] = {"block": np.array([r["block"] for r in rows], np.int64)}
    for k in _DECODED_FLOAT:
        out[k] = np.array([r.get(k, np.nan) for r in rows], float)
    for k in _DECODED_INT:
        out[k] = np.array([r.get(k, -1) for r in rows], np.int64)
    for k in _DECODED_BOOL:
        out[k] = np.array([r.get(k, False) for r in rows], bool)
    return out


def split_blocks(data: bytes) -> list[bytes]:
    """Split a byte stream into its data blocks by their LEN fields (strict framing)."""
    blocks = []
    pos = 0
    while pos < len(data):
        if pos + 3 > len(data):
            raise AsterixError(f"octet {pos}: truncated block header")
        length = int.from_bytes(data[pos + 1 : pos + 3], "big")
        if length < 4 or pos + length > len(data):
            raise AsterixError(f"octet {pos}: bad or truncated block (LEN {length})")
        blocks.append(data[pos : pos + length])
        pos += length
    return blocks


# ---------------------------------------------------------------- settings


def recorded_settings(run_dir: str | Path) -> AsterixSettings:
    """The ``asterix:`` settings of the scenario recorded in ``run_dir/run.json``.

    The defaults when the run has none (or the file cannot be read: exporting it then
    reports the real problem).
    """
    try:
        meta = json.loads((Path(run_dir) / "run.json").read_text(encoding="utf-8"))
        return AsterixSettings.model_validate(meta["scenario"]["asterix"])
    except (OSError, ValueError, KeyError, TypeError, ValidationError):
        return AsterixSettings()


def with_overrides(
    settings: AsterixSettings, option_prefix: str = "", **given: int | None
) -> AsterixSettings:
    """``settings`` with the values that were given (not None), validated by the one
    model. Raises ``ValueError`` naming the value: ``sac: Input should be less than or
    equal to 255`` (``--sac: …`` with ``option_prefix="--"``, for a command line)."""
    changes = {k: v for k, v in given.items() if v is not None}
    try:
        return AsterixSettings.model_validate({**settings.model_dump(), **changes})
    except ValidationError as exc:
        err = exc.errors()[0]
        name = ".".join(str(p) for p in err["loc"])
        if option_prefix:
            name = option_prefix + name.replace("_", "-")
        raise ValueError(f"{name}: {err['msg']}") from None


# ---------------------------------------------------------------- UDP sink


def parse_host_port(text: str) -> tuple[str, int]:
    """``"HOST:PORT"`` -> (host, port); raises ValueError with a one-line message."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"expected HOST:PORT (e.g. 127.0.0.1:8600), got {text!r}")
    return host.strip("[]"), int(port)


def pack_datagrams(blocks: Sequence[bytes], max_bytes: int = 1400) -> list[bytes]:
    """Concatenate whole data blocks into datagrams of at most ``max_bytes`` each
    (a single larger block gets a datagram of its own)."""
    out: list[bytes] = []
    cur = bytearray()
    for b in blocks:
        if cur and len(cur) + len(b) > max_bytes:
            out.append(bytes(cur))
            cur = bytearray()
        cur += b
    if cur:
        out.append(bytes(cur))
    return out


class AsterixUdpSink:
    """A simulation sink sending every recorded track update as CAT062 over UDP.

    Implements the sink protocol of ``airdefsim.sim.sinks``: ``open(meta)``,
    ``rows(table, cols)``, ``event(ev)``, ``close(summary)``. On ``rows("tracks",
    cols)`` the rows are encoded (one data block per track update) and sent as
    datagrams of whole blocks, each at most ``max_datagram`` octets. A track's first
    update has TSB set. Each call is taken to hold every live track (as the simulation
    records them): a track present in the previous call and absent now was deleted, and
    its last update is sent again with TSE set. Other tables and events are ignored.

    Parameters
    ----------
    host, port : destination (unicast or multicast address)
    sac, sic : data source identifier, 0 … 255 (ranges: :class:`AsterixSettings`, whose
        check raises ``ValueError`` naming the option)
    origin_lat_deg, origin_lon_deg : scenario origin = system reference point of the
        system plane (I062/100, I062/185); also used to derive lat/lon/alt when the rows
        carry only ENU
    epoch : scenario epoch (ISO string or datetime); None: taken from ``meta["epoch"]``
        at ``open``
    service_id : I062/015
    max_datagram : octets per datagram (default 1400, below a 1500-octet MTU)
    """

    def __init__(
        self,
        host: str,
        port: int,
        sac: int,
        sic: int,
        origin_lat_deg: float,
        origin_lon_deg: float,
        epoch: datetime | str | None = None,
        service_id: int = 1,
        max_datagram: int = 1400,
    ) -> None:
        ax = with_overrides(
            AsterixSettings(), sac=sac, sic=sic, service_id=service_id, max_datagram=max_datagram
        )
        self.address = (host, int(port))
        self.sac, self.sic, self.service_id = ax.sac, ax.sic, ax.service_id
        self.origin = (float(origin_lat_deg), float(origin_lon_deg))
        self.epoch: datetime | None = None if epoch is None else parse_epoch(epoch)
        self.max_datagram = ax.max_datagram
        self.n_blocks = 0
        self.n_datagrams = 0
        self.n_ended = 0
        self._seen: set[int] = set()
        self._prev: dict[str, np.ndarray] | None = None
        self._sock: socket.socket | None = None

    def open(self, meta: dict) -> None:
        if self.epoch is None:
            self.epoch = parse_epoch(meta.get("epoch"))
        family = socket.AF_INET6 if ":" in self.address[0] else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_DGRAM)

    def rows(self, table: str, cols: dict[str, np.ndarray]) -> None:
        if table != "tracks" or self._sock is None:
            return
        cols = {k: np.asarray(v) for k, v in self._with_geodetic(cols).items()}
        ids = np.asarray(cols["track_id"], np.int64)
        epoch = self.epoch or datetime(2000, 1, 1, tzinfo=UTC)
        blocks: list[bytes] = []
        prev = self._prev
        if prev is not None:
            # tracks of the previous call that are gone were deleted: repeat their
            # last update with TSE set (the "last message for this track")
            gone = ~np.isin(prev["track_id"], ids)
            if gone.any():
                last = {k: v[gone] for k, v in prev.items()}
                n_gone = int(gone.sum())
                f = fields_from_tracks(
                    last, epoch, self.sac, self.sic, origin=self.origin,
                    service_id=self.service_id, tsb=np.zeros(n_gone, bool), tse=np.ones(n_gone, bool),
                )  # fmt: skip
                blocks += encode_blocks(f)
                self.n_ended += n_gone
        if ids.size:
            tsb = ~np.isin(ids, np.fromiter(self._seen, np.int64, len(self._seen)))
            self._seen.update(int(i) for i in ids[tsb])
            f = fields_from_tracks(
                cols,
                epoch,
                self.sac,
                self.sic,
                origin=self.origin,
                service_id=self.service_id,
                tsb=tsb,
            )
            blocks += encode_blocks(f)
        self._prev = cols
        for dgram in pack_datagrams(blocks, self.max_datagram):
            self._sock.sendto(dgram, self.address)
            self.n_datagrams += 1
        self.n_blocks += len(blocks)

    def event(self, ev: dict) -> None:
        return None

    def close(self, summary: dict) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def _with_geodetic(self, cols: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Add lat_deg/lon_deg/alt_m from ENU (scenario frame) when the rows lack them."""
        if all(k in cols for k in ("lat_deg", "lon_deg", "alt_m")):
            return cols
        frame = LocalFrame.from_degrees(*self.origin)
        enu = np.stack([np.asarray(cols[k], float) for k in ("e", "n", "u")], axis=-1)
        lat, lon, h = ecef_to_geodetic(frame.to_ecef(enu))
        return {**cols, "lat_deg": np.degrees(lat), "lon_deg": np.degrees(lon), "alt_m": h}
