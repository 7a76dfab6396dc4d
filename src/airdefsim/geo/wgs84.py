"""WGS84 geodesy: geodetic <-> ECEF <-> local ENU / AER, vectorised.

All angles in radians, lengths in metres. Every function accepts scalars or arrays
(broadcast over the leading axes; position vectors have a last axis of 3).

References: NIMA TR8350.2 (WGS 84 constants); H. Vermeille, "An analytical method to
transform geocentric into geodetic coordinates", J. Geodesy 85 (2011).
Cross-checked in the tests against pymap3d and pyproj.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]

A = 6378137.0  # m, semi-major axis
INV_F = 298.257223563  # inverse flattening
F = 1.0 / INV_F
B = A * (1.0 - F)  # m, semi-minor axis (6356752.314245)
E2 = F * (2.0 - F)  # first eccentricity squared
EP2 = E2 / (1.0 - E2)  # second eccentricity squared
MEAN_RADIUS = 6371000.0  # m, mean earth radius used by the 4/3-earth horizon model


def geodetic_to_ecef(lat: ArrayLike, lon: ArrayLike, h: ArrayLike) -> F64:
    """Geodetic (lat, lon in rad; h in m above the ellipsoid) -> ECEF (…, 3) in m."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    h = np.asarray(h, dtype=float)
    slat, clat = np.sin(lat), np.cos(lat)
    n = A / np.sqrt(1.0 - E2 * slat * slat)
    x = (n + h) * clat * np.cos(lon)
    y = (n + h) * clat * np.sin(lon)
    z = (n * (1.0 - E2) + h) * slat
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def ecef_to_geodetic(pos: ArrayLike) -> tuple[F64, F64, F64]:
    """ECEF (…, 3) m -> (lat rad, lon rad, h m), exact closed form (Vermeille 2011)."""
    p = np.asarray(pos, dtype=float)
    x, y, z = p[..., 0], p[..., 1], p[..., 2]
    lat, h = _vermeille(np.hypot(x, y), z)
    return lat, np.arctan2(y, x), h


def _vermeille(w: F64, z: F64) -> tuple[F64, F64]:
    """Vermeille (2011), "An analytical method to transform geocentric into geodetic
    coordinates", J. Geodesy 85: exact closed form valid outside the evolute."""
    e4 = E2 * E2
    pv = (w / A) ** 2
    q = (1.0 - E2) / (A * A) * z * z
    r = (pv + q - e4) / 6.0
    s = e4 * pv * q / (4.0 * r**3)
    t = np.cbrt(1.0 + s + np.sqrt(s * (2.0 + s)))
    u = r * (1.0 + t + 1.0 / t)
    v = np.sqrt(u * u + e4 * q)
    wv = E2 * (u + v - q) / (2.0 * v)
    k = np.sqrt(u + v + wv * wv) - wv
    dd = k * w / (k + E2)
    rho = np.hypot(dd, z)
    lat = 2.0 * np.arctan2(z, dd + rho)
    h = (k + E2 - 1.0) / k * rho
    return lat, h


def enu_rotation(lat: float, lon: float) -> F64:
    """Rotation matrix (3, 3) taking ECEF vectors to ENU at (lat, lon) rad: v_enu = R @ v."""
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    return np.array(
        [
            [-so, co, 0.0],
            [-sl * co, -sl * so, cl],
            [cl * co, cl * so, sl],
        ]
    )


def ecef_to_enu_vec(v: ArrayLike, lat: float, lon: float) -> F64:
    """Rotate ECEF vectors (…, 3) into ENU at (lat, lon) rad (velocities, offsets)."""
    return np.asarray(v, dtype=float) @ enu_rotation(lat, lon).T


def enu_to_ecef_vec(v: ArrayLike, lat: float, lon: float) -> F64:
    """Rotate ENU vectors (…, 3) at (lat, lon) rad into ECEF."""
    return np.asarray(v, dtype=float) @ enu_rotation(lat, lon)


def enu_to_aer(enu: ArrayLike) -> tuple[F64, F64, F64]:
    """ENU (…, 3) -> azimuth (rad, clockwise from north, [0, 2π)), elevation (rad),
    slant range (m)."""
    p = np.asarray(enu, dtype=float)
    e, n, u = p[..., 0], p[..., 1], p[..., 2]
    horiz = np.hypot(e, n)
    az = np.mod(np.arctan2(e, n), 2.0 * np.pi)
    el = np.arctan2(u, horiz)
    rng = np.hypot(horiz, u)
    return az, el, rng


def aer_to_enu(az: ArrayLike, el: ArrayLike, srange: ArrayLike) -> F64:
    """Azimuth, elevation (rad), slant range (m) -> ENU (…, 3) m."""
    az = np.asarray(az, dtype=float)
    el = np.asarray(el, dtype=float)
    r = np.asarray(srange, dtype=float)
    ce = np.cos(el)
    return np.stack(
        np.broadcast_arrays(r * ce * np.sin(az), r * ce * np.cos(az), r * np.sin(el)), axis=-1
    )


@dataclass(frozen=True)
class LocalFrame:
    """A local east-north-up tangent frame at a geodetic point (lat, lon rad; h m).

    The scenario ENU frame is ``LocalFrame`` at the scenario origin with h = 0; each
    radar also has one at its site for azimuth/elevation.
    """

    lat: float
    lon: float
    h: float = 0.0

    @property
    def origin(self) -> F64:
        """(3,) ECEF of the frame origin, m."""
        return geodetic_to_ecef(self.lat, self.lon, self.h)

    @property
    def rotation(self) -> F64:
        """(3, 3) ECEF -> ENU rotation."""
        return enu_rotation(self.lat, self.lon)

    def to_enu(self, pos_ecef: ArrayLike) -> F64:
        """ECEF positions (…, 3) -> ENU (…, 3), m."""
        return (np.asarray(pos_ecef, dtype=float) - self.origin) @ self.rotation.T

    def to_ecef(self, pos_enu: ArrayLike) -> F64:
        """ENU positions (…, 3) -> ECEF (…, 3), m."""
        return np.asarray(pos_enu, dtype=float) @ self.rotation + self.origin

    def vec_to_enu(self, v_ecef: ArrayLike) -> F64:
        """ECEF vectors (velocities) -> ENU."""
        return np.asarray(v_ecef, dtype=float) @ self.rotation.T

    def vec_to_ecef(self, v_enu: ArrayLike) -> F64:
        """ENU vectors (velocities) -> ECEF."""
        return np.asarray(v_enu, dtype=float) @ self.rotation

    def aer(self, pos_ecef: ArrayLike) -> tuple[F64, F64, F64]:
        """Azimuth, elevation (rad) and slant range (m) of ECEF points seen from here."""
        return enu_to_aer(self.to_enu(pos_ecef))

    @staticmethod
    def from_degrees(lat_deg: float, lon_deg: float, h: float = 0.0) -> LocalFrame:
        return LocalFrame(np.radians(lat_deg), np.radians(lon_deg), h)
