"""Threat and aircraft motion: closed-form routes evaluated for every object at once.

A route is a chain of legs. A *great-circle leg* joins two waypoints along the great
circle of the mean sphere through their latitudes/longitudes, with the altitude above
the WGS84 ellipsoid varying linearly along the leg, at constant ground speed: a
sea-skimmer at 30 m on a 300 km leg stays at 30 m (it is not a straight ECEF chord,
whose sagitta would be ~1.8 km). A *table leg* is a precomputed trajectory (a ballistic
arc from :mod:`airdefsim.physics.ballistic`) interpolated in time.

Nothing is integrated: ``RouteSet.evaluate(t)`` gives positions, velocities and
accelerations of all N objects at time ``t`` in ECEF (m, m/s, m/s²). Velocity and
acceleration come from central differences of the closed form (step 0.25 s), exact for
straight legs to rounding and to O(δ²) on arcs.

Assumptions: the great circle is taken on a sphere with the geodetic latitudes as
spherical ones (a distortion below 0.2 % in heading, irrelevant at these ranges); the
ground speed is the leg's speed at the leg's mean altitude.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from airdefsim.geo.wgs84 import MEAN_RADIUS, ecef_to_geodetic, geodetic_to_ecef

F64 = NDArray[np.float64]
_KEY = 1.0e7  # s; larger than any scenario duration (flattened per-object time keys)
_DT = 0.25  # s; central-difference step for velocity and acceleration


def unit_vector(lat: F64, lon: F64) -> F64:
    """Unit vectors (…, 3) on the sphere for (lat, lon) rad."""
    cl = np.cos(lat)
    return np.stack([cl * np.cos(lon), cl * np.sin(lon), np.sin(lat)], axis=-1)


def great_circle_angle(
    lat0: F64 | float, lon0: F64 | float, lat1: F64 | float, lon1: F64 | float
) -> F64:
    """Central angle (rad) between points (haversine form, accurate for short legs)."""
    dlat = lat1 - lat0
    dlon = lon1 - lon0
    a = np.sin(dlat / 2) ** 2 + np.cos(lat0) * np.cos(lat1) * np.sin(dlon / 2) ** 2
    return 2.0 * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


@dataclass
class Leg:
    """One leg of one object: from (lat0, lon0, h0) to (lat1, lon1, h1), [t0, t1].

    For a table leg, ``table_t`` (S,) and ``table_pos`` (S, 3) ECEF replace the ends.
    """

    obj: int
    t0: float
    t1: float
    lat0: float = 0.0
    lon0: float = 0.0
    h0: float = 0.0
    lat1: float = 0.0
    lon1: float = 0.0
    h1: float = 0.0
    table_t: F64 | None = None
    table_pos: F64 | None = None


class RouteSet:
    """The routes of N objects, flattened for vectorised evaluation.

    Parameters
    ----------
    legs : list of Leg, any order; each object's legs must be contiguous in time.
    n_objects : int

    An object is *flying* between its first leg's t0 and its last leg's t1; before,
    it sits at its start, after, at its end (``flying`` tells which).
    """

    def __init__(self, legs: list[Leg], n_objects: int):
        legs = sorted(legs, key=lambda g: (g.obj, g.t0))
        self.n = n_objects
        self.obj = np.array([g.obj for g in legs], dtype=np.int64)
        self.t0 = np.array([g.t0 for g in legs], dtype=float)
        self.t1 = np.array([g.t1 for g in legs], dtype=float)
        self.is_table = np.array([g.table_t is not None for g in legs], dtype=bool)
        lat0 = np.array([g.lat0 for g in legs], dtype=float)
        lon0 = np.array([g.lon0 for g in legs], dtype=float)
        lat1 = np.array([g.lat1 for g in legs], dtype=float)
        lon1 = np.array([g.lon1 for g in legs], dtype=float)
        self.h0 = np.array([g.h0 for g in legs], dtype=float)
        self.h1 = np.array([g.h1 for g in legs], dtype=float)
        self.u0 = unit_vector(lat0, lon0)
        self.u1 = unit_vector(lat1, lon1)
        self.omega = great_circle_angle(lat0, lon0, lat1, lon1)
        # table legs, flattened: leg i's samples are rows tab_lo[i]:tab_hi[i] of tab_t/tab_pos
        table_legs = [(i, g) for i, g in enumerate(legs) if g.table_t is not None]
        self.tab_lo = np.zeros(len(legs), dtype=np.int64)
        self.tab_hi = np.zeros(len(legs), dtype=np.int64)
        chunks_t, chunks_p, k = [], [], 0
        for i, g in table_legs:
            assert g.table_t is not None and g.table_pos is not None
            self.tab_lo[i], self.tab_hi[i] = k, k + len(g.table_t)
            k += len(g.table_t)
            chunks_t.append(np.asarray(g.table_t, dtype=float))
            chunks_p.append(np.asarray(g.table_pos, dtype=float))
        self.tab_t = np.concatenate(chunks_t) if chunks_t else np.zeros(0)
        self.tab_pos = np.concatenate(chunks_p) if chunks_p else np.zeros((0, 3))
        self.tab_key = (
            np.repeat(np.arange(len(legs)), self.tab_hi - self.tab_lo) * _KEY + self.tab_t
        )
        self.keys = self.obj * _KEY + self.t0
        self.start = np.full(n_objects, np.inf)
        self.end = np.full(n_objects, -np.inf)
        np.minimum.at(self.start, self.obj, self.t0)
        np.maximum.at(self.end, self.obj, self.t1)
        if legs and not np.all(np.isfinite(self.start)):
            missing = np.flatnonzero(~np.isfinite(self.start))
            raise ValueError(f"objects without legs: {missing.tolist()}")
        # first and last leg index of each object (legs sorted by object, then time)
        self.first_leg = np.searchsorted(self.obj, np.arange(n_objects), side="left")
        self.last_leg = np.searchsorted(self.obj, np.arange(n_objects), side="right") - 1
        self.start_pos = self.position(self.start) if n_objects else np.zeros((0, 3))
        self.end_pos = self.position(self.end) if n_objects else np.zeros((0, 3))

    def _legs_at(self, t: float | F64) -> NDArray[np.int64]:
        objs = np.arange(self.n)
        tt = np.clip(t, self.start, self.end)
        idx = np.searchsorted(self.keys, objs * _KEY + tt, side="right") - 1
        return np.clip(idx, self.first_leg, self.last_leg)

    def position(self, t: float | F64) -> F64:
        """ECEF positions (N, 3) at time ``t`` (scalar or (N,) per object), clamped to
        each route's ends."""
        if self.n == 0:
            return np.zeros((0, 3))
        leg = self._legs_at(t)
        tt = np.clip(t, self.start, self.end)
        span = np.maximum(self.t1[leg] - self.t0[leg], 1e-9)
        f = np.clip((tt - self.t0[leg]) / span, 0.0, 1.0)
        om = self.omega[leg]
        small = om < 1e-12
        so = np.where(small, 1.0, np.sin(om))
        a = np.where(small, 1.0 - f, np.sin((1.0 - f) * om) / so)
        b = np.where(small, f, np.sin(f * om) / so)
        u = a[:, None] * self.u0[leg] + b[:, None] * self.u1[leg]
        u /= np.linalg.norm(u, axis=1, keepdims=True)
        lat = np.arcsin(np.clip(u[:, 2], -1.0, 1.0))
        lon = np.arctan2(u[:, 1], u[:, 0])
        h = self.h0[leg] + f * (self.h1[leg] - self.h0[leg])
        pos = geodetic_to_ecef(lat, lon, h)
        on_table = np.flatnonzero(self.is_table[leg])
        if on_table.size:
            lg = leg[on_table]
            lo, hi = self.tab_lo[lg], self.tab_hi[lg]
            ti = np.clip(tt[on_table], self.tab_t[lo], self.tab_t[hi - 1])
            j = np.searchsorted(self.tab_key, lg * _KEY + ti, side="right") - 1
            j = np.clip(j, lo, np.maximum(hi - 2, lo))
            j1 = np.minimum(j + 1, hi - 1)
            dt = self.tab_t[j1] - self.tab_t[j]
            w = np.where(dt > 0, (ti - self.tab_t[j]) / np.where(dt > 0, dt, 1.0), 0.0)
            pos[on_table] = self.tab_pos[j] + w[:, None] * (self.tab_pos[j1] - self.tab_pos[j])
        return pos

    def evaluate(self, t: float) -> tuple[F64, F64, F64]:
        """(pos, vel, acc) of all objects at ``t``: (N, 3) ECEF each."""
        # derivative stencil kept inside each route so the ends give one-sided values
        tc = np.clip(t, self.start + _DT, np.maximum(self.end - _DT, self.start + _DT))
        p0 = self.position(tc - _DT)
        pc = self.position(tc)
        p2 = self.position(tc + _DT)
        # the position itself: the stencil's centre, or a route end (precomputed); only an
        # object within _DT of an end needs its own evaluation
        p1 = pc.copy()
        before, after = t <= self.start, t >= self.end
        p1[before] = self.start_pos[before]
        p1[after] = self.end_pos[after]
        edge = (tc != t) & ~before & ~after
        if edge.any():
            p1[edge] = self.position(t)[edge]
        vel = (p2 - p0) / (2 * _DT)
        acc = (p2 - 2 * pc + p0) / (_DT * _DT)
        return p1, vel, acc

    def flying(self, t: float) -> NDArray[np.bool_]:
        """(N,) True while an object is between its route's start and end."""
        return (t >= self.start) & (t < self.end)


def leg_duration(
    lat0: float, lon0: float, h0: float, lat1: float, lon1: float, h1: float, speed: float
) -> float:
    """Time (s) to fly a great-circle leg at ``speed`` (m/s), including the climb."""
    ground = great_circle_angle(
        np.float64(lat0), np.float64(lon0), np.float64(lat1), np.float64(lon1)
    ) * (MEAN_RADIUS + 0.5 * (h0 + h1))
    length = float(np.hypot(ground, h1 - h0))
    return length / max(speed, 1e-6)


def geodetic_of(pos: F64) -> tuple[F64, F64, F64]:
    """(lat rad, lon rad, h m) of ECEF positions (re-export for callers of routes)."""
    return ecef_to_geodetic(pos)
