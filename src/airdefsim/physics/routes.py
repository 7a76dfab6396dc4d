"""Threat and aircraft motion: closed-form routes evaluated for every object at once.

A route is a chain of legs of three kinds:

* A *great-circle leg* joins two waypoints along the great circle of the mean sphere
  through their latitudes/longitudes, with the altitude above the WGS84 ellipsoid
  varying linearly along the leg, at constant ground speed: a sea-skimmer at 30 m on a
  300 km leg stays at 30 m (it is not a straight ECEF chord, whose sagitta would be
  ~1.8 km).
* A *table leg* is a precomputed trajectory (a ballistic arc from
  :mod:`airdefsim.physics.ballistic`, a terrain-following or terminal profile from
  :mod:`airdefsim.physics.manoeuvre`) interpolated linearly in time.
* An *arc leg* is a path on the local tangent plane at its start point: a circular arc
  of constant horizontal speed ``v`` and turn rate ``ω`` (radius ``v/|ω|``; ``ω = 0``
  is a straight line), heading ``ψ(τ) = ψ0 + ω τ`` (clockwise from north), with the
  altitude above the ellipsoid changing at a constant rate. In the start point's ENU
  frame the horizontal position is, in closed form,

      east  = v τ (sin ψ0 · sin Δ/Δ + cos ψ0 · (1 − cos Δ)/Δ),
      north = v τ (cos ψ0 · sin Δ/Δ − sin ψ0 · (1 − cos Δ)/Δ),   Δ = ω τ,

  and the up coordinate drops by the earth's curvature, ``(n²/(M+h) + e²/(N+h))/2``
  (Euler's radius of curvature in the direction of travel; M and N the meridian and
  prime-vertical radii), so the altitude holds to millimetres over the few kilometres
  of a turn. Manoeuvres (:meth:`RouteSet.break_turn`) are made of arc legs.

Nothing is integrated: ``RouteSet.evaluate(t)`` gives positions, velocities and
accelerations of all N objects at time ``t`` in ECEF (m, m/s, m/s²). Velocity and
acceleration come from central differences of the closed form (step 0.25 s), exact for
straight legs to rounding and to O((ω δ)²/12) on arcs (4.5e-4 relative for a 9 g turn
at 300 m/s).

A route can be changed while the simulation runs: :meth:`RouteSet.splice` replaces an
object's route from a time on, :meth:`RouteSet.break_turn` splices an evasive turn
(see :mod:`airdefsim.physics.manoeuvre`). Positions before the splice time never
change.

Assumptions: the great circle is taken on a sphere with the geodetic latitudes as
spherical ones (a distortion below 0.2 % in heading, irrelevant at these ranges); the
ground speed is the leg's speed at the leg's mean altitude.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from airdefsim.geo.wgs84 import (
    E2,
    MEAN_RADIUS,
    A,
    ecef_to_geodetic,
    enu_rotation,
    geodetic_to_ecef,
)
from airdefsim.physics.manoeuvre import BreakTurn, turn_rate

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


def radii_of_curvature(lat: F64 | float, h: F64 | float = 0.0) -> tuple[F64, F64]:
    """Meridian and prime-vertical radii of curvature (m) at geodetic ``lat`` (rad),
    raised by the altitude ``h`` (m): ``(M + h, N + h)``."""
    s2 = np.sin(lat) ** 2
    w = np.sqrt(1.0 - E2 * s2)
    return A * (1.0 - E2) / w**3 + h, A / w + h


def arc_offsets(
    heading: F64,
    speed: F64,
    turn_rate: F64,
    climb_rate: F64,
    tau: F64,
    m_h: F64,
    n_h: F64,
) -> F64:
    """ENU offsets (K, 3), m, of arc legs from their start points, ``tau`` s after it.

    Parameters
    ----------
    heading, speed, turn_rate, climb_rate : (K,) rad (clockwise from north), m/s
        (horizontal), rad/s (+ = right, clockwise seen from above), m/s
    tau : (K,) s since the leg's start
    m_h, n_h : (K,) m, meridian and prime-vertical radii of curvature plus the altitude
        at the start (:func:`radii_of_curvature`)
    """
    d = turn_rate * tau
    sinc = np.sinc(d / np.pi)  # sin Δ / Δ, 1 at Δ = 0
    half = np.sinc(d / (2.0 * np.pi))
    cosc = 0.5 * d * half * half  # (1 − cos Δ) / Δ, 0 at Δ = 0
    s = speed * tau
    sp, cp = np.sin(heading), np.cos(heading)
    east = s * (sp * sinc + cp * cosc)
    north = s * (cp * sinc - sp * cosc)
    up = climb_rate * tau - 0.5 * (north * north / m_h + east * east / n_h)
    return np.stack([east, north, up], axis=-1)


@dataclass
class Leg:
    """One leg of one object over [t0, t1] s.

    * great circle: from (lat0, lon0, h0) to (lat1, lon1, h1) (rad, rad, m);
    * table: ``table_t`` (S,) s and ``table_pos`` (S, 3) m ECEF replace the ends;
    * arc: ``heading`` (rad, clockwise from north) is set; the leg starts at
      (lat0, lon0, h0) and flies ``speed`` (m/s, horizontal), ``turn_rate`` (rad/s,
      + right), ``climb_rate`` (m/s); (lat1, lon1, h1) is its end, for information
      (build one with :func:`arc_leg`).

    ``evasive`` marks the legs of a manoeuvre (not part of the planned route).
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
    heading: float | None = None
    speed: float = 0.0
    turn_rate: float = 0.0
    climb_rate: float = 0.0
    evasive: bool = False

    @property
    def is_table(self) -> bool:
        return self.table_t is not None

    @property
    def is_arc(self) -> bool:
        return self.heading is not None and self.table_t is None


def arc_leg(
    obj: int,
    t0: float,
    duration: float,
    lat0: float,
    lon0: float,
    h0: float,
    heading: float,
    speed: float,
    turn_rate: float = 0.0,
    climb_rate: float = 0.0,
    evasive: bool = True,
) -> Leg:
    """An arc leg (see the module docstring) with its end point filled in."""
    end = arc_state(lat0, lon0, h0, heading, speed, turn_rate, climb_rate, duration)[0]
    lat1, lon1, h1 = ecef_to_geodetic(end)
    return Leg(
        obj,
        t0,
        t0 + duration,
        lat0,
        lon0,
        h0,
        float(lat1),
        float(lon1),
        float(h1),
        heading=heading,
        speed=speed,
        turn_rate=turn_rate,
        climb_rate=climb_rate,
        evasive=evasive,
    )


def arc_state(
    lat0: float,
    lon0: float,
    h0: float,
    heading: float,
    speed: float,
    turn_rate: float,
    climb_rate: float,
    tau: float,
) -> tuple[F64, F64]:
    """ECEF position (3,) m and velocity (3,) m/s on an arc leg ``tau`` s after its
    start (the velocity is the closed form's exact derivative)."""
    m_h, n_h = radii_of_curvature(lat0, h0)
    rot = enu_rotation(lat0, lon0)
    one = np.ones(1)
    enu = arc_offsets(
        heading * one,
        speed * one,
        turn_rate * one,
        climb_rate * one,
        tau * one,
        m_h * one,
        n_h * one,
    )[0]
    psi = heading + turn_rate * tau
    ve, vn = speed * np.sin(psi), speed * np.cos(psi)
    vu = climb_rate - (enu[1] * vn / m_h + enu[0] * ve / n_h)
    pos = geodetic_to_ecef(lat0, lon0, h0) + enu @ rot
    return pos, np.array([ve, vn, vu]) @ rot


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
        self.n = n_objects
        self._build(legs)

    def _build(self, legs: list[Leg]) -> None:
        legs = sorted(legs, key=lambda g: (g.obj, g.t0))
        n_objects = self.n
        self.legs = legs
        self.obj = np.array([g.obj for g in legs], dtype=np.int64)
        self.t0 = np.array([g.t0 for g in legs], dtype=float)
        self.t1 = np.array([g.t1 for g in legs], dtype=float)
        self.is_table = np.array([g.is_table for g in legs], dtype=bool)
        self.is_arc = np.array([g.is_arc for g in legs], dtype=bool)
        self.evasive = np.array([g.evasive for g in legs], dtype=bool)
        # hot path: skip the subset searches when no leg of that kind exists
        self.has_table = bool(self.is_table.any())
        self.has_arc = bool(self.is_arc.any())
        lat0 = np.array([g.lat0 for g in legs], dtype=float)
        lon0 = np.array([g.lon0 for g in legs], dtype=float)
        lat1 = np.array([g.lat1 for g in legs], dtype=float)
        lon1 = np.array([g.lon1 for g in legs], dtype=float)
        self.h0 = np.array([g.h0 for g in legs], dtype=float)
        self.h1 = np.array([g.h1 for g in legs], dtype=float)
        self.u0 = unit_vector(lat0, lon0)
        self.u1 = unit_vector(lat1, lon1)
        self.omega = great_circle_angle(lat0, lon0, lat1, lon1)
        # arc legs: start frame (origin, ECEF -> ENU rotation), radii, motion
        self.arc_heading = np.array([g.heading or 0.0 for g in legs], dtype=float)
        self.arc_speed = np.array([g.speed for g in legs], dtype=float)
        self.arc_turn = np.array([g.turn_rate for g in legs], dtype=float)
        self.arc_climb = np.array([g.climb_rate for g in legs], dtype=float)
        self.arc_origin = geodetic_to_ecef(lat0, lon0, self.h0).reshape(-1, 3)
        self.arc_rot = np.zeros((len(legs), 3, 3))
        for j in np.flatnonzero(self.is_arc):
            self.arc_rot[j] = enu_rotation(lat0[j], lon0[j])
        self.arc_m, self.arc_n = radii_of_curvature(lat0, self.h0)
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
        tt = np.clip(t, self.start, self.end)  # (N,): start and end are per object
        return self._leg_position(leg, tt)

    def _leg_position(self, leg: NDArray[np.int64], tt: F64) -> F64:
        """ECEF positions (K, 3) on legs ``leg`` (K,) at times ``tt`` (K,) s, each
        clamped to its leg."""
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
        pos = geodetic_to_ecef(lat, lon, h).reshape(-1, 3)
        on_table = np.flatnonzero(self.is_table[leg]) if self.has_table else ()
        if len(on_table):
            lg = leg[on_table]
            lo, hi = self.tab_lo[lg], self.tab_hi[lg]
            ti = np.clip(tt[on_table], self.tab_t[lo], self.tab_t[hi - 1])
            j = np.searchsorted(self.tab_key, lg * _KEY + ti, side="right") - 1
            j = np.clip(j, lo, np.maximum(hi - 2, lo))
            j1 = np.minimum(j + 1, hi - 1)
            dt = self.tab_t[j1] - self.tab_t[j]
            w = np.where(dt > 0, (ti - self.tab_t[j]) / np.where(dt > 0, dt, 1.0), 0.0)
            pos[on_table] = self.tab_pos[j] + w[:, None] * (self.tab_pos[j1] - self.tab_pos[j])
        on_arc = np.flatnonzero(self.is_arc[leg]) if self.has_arc else ()
        if len(on_arc):
            lg = leg[on_arc]
            tau = f[on_arc] * (self.t1[lg] - self.t0[lg])
            enu = arc_offsets(
                self.arc_heading[lg],
                self.arc_speed[lg],
                self.arc_turn[lg],
                self.arc_climb[lg],
                tau,
                self.arc_m[lg],
                self.arc_n[lg],
            )
            pos[on_arc] = self.arc_origin[lg] + np.einsum("kj,kji->ki", enu, self.arc_rot[lg])
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

    # ------------------------------------------------------------ changing a route

    def state(self, obj: int, t: float) -> tuple[F64, F64]:
        """ECEF position (3,) m and velocity (3,) m/s of object ``obj`` at ``t``, from
        the closed form of the leg it is on at ``t`` (the velocity by a second-order
        one-sided difference of ±2 ms inside that leg: the velocity the next leg must
        continue)."""
        i = int(self._legs_at(t)[obj])
        eps = 1e-3
        t = float(np.clip(t, self.t0[i], self.t1[i]))
        sign = 1.0 if t + 2 * eps <= self.t1[i] else -1.0
        tt = t + sign * eps * np.arange(3.0)
        p = self._leg_position(np.full(3, i), tt)
        vel = sign * (-3.0 * p[0] + 4.0 * p[1] - p[2]) / (2.0 * eps)
        return p[0], vel

    def splice(self, obj: int, t: float, legs: list[Leg]) -> None:
        """Replace the route of object ``obj`` from time ``t`` on with ``legs``.

        The legs flown before ``t`` are kept (the one flying at ``t`` is cut there, exactly:
        positions before ``t`` do not change); ``legs`` must start at ``t`` from the
        object's position at ``t`` (:meth:`state`) and be contiguous in time. The
        flattened arrays are rebuilt: O(total legs), meant for rare events (a threat
        warned of a missile), not for every step.
        """
        if not self.start[obj] <= t <= self.end[obj]:
            raise ValueError(
                f"object {obj} is not on its route at t = {t:.2f} s "
                f"([{self.start[obj]:.2f}, {self.end[obj]:.2f}] s)"
            )
        kept: list[Leg] = []
        for g in self.legs:
            if g.obj != obj or g.t1 <= t:
                kept.append(g)
            elif g.t0 < t:
                kept.append(self._cut(g, t))
        self._build(kept + legs)

    def _cut(self, g: Leg, t: float) -> Leg:
        """Leg ``g`` ending at ``t`` (t0 < t < t1), on the same closed form."""
        if g.is_table:
            assert g.table_t is not None and g.table_pos is not None
            keep = g.table_t < t
            p = np.array(
                [np.interp(t, g.table_t, g.table_pos[:, k]) for k in range(3)], dtype=float
            )
            return replace(
                g,
                t1=t,
                table_t=np.append(g.table_t[keep], t),
                table_pos=np.vstack([g.table_pos[keep], p]),
            )
        if g.is_arc:
            assert g.heading is not None
            return arc_leg(
                g.obj,
                g.t0,
                t - g.t0,
                g.lat0,
                g.lon0,
                g.h0,
                g.heading,
                g.speed,
                g.turn_rate,
                g.climb_rate,
                g.evasive,
            )
        f = (t - g.t0) / max(g.t1 - g.t0, 1e-9)
        lat, lon = gc_point(g.lat0, g.lon0, g.lat1, g.lon1, f)
        return replace(g, t1=t, lat1=float(lat), lon1=float(lon), h1=g.h0 + f * (g.h1 - g.h0))

    def break_turn(self, obj: int, turn: BreakTurn) -> None:
        """Splice an evasive break turn into the route of object ``obj`` at ``turn.t``.

        The object (on a great-circle or arc leg; not on a table leg: ballistic arcs and
        terrain or terminal profiles do not evade) flies, from its position and velocity
        at ``turn.t``:

        1. a turn at constant horizontal speed and load factor ``n``
           (``turn.load_factor``), radius ``v² / (g √(n² − 1))``, toward
           ``turn.direction`` until its heading is ``turn.heading``; its vertical rate is
           kept (zero on a level leg: a level break turn);
        2. ``turn.hold`` s straight on that heading;
        3. a turn back at ``turn.resume_load_factor``, toward the side of its *rejoin
           waypoint* (the end of the planned — not evasive — leg it was flying), ending
           tangent to the great circle to that waypoint (solved by fixed-point iteration
           on the sphere), then that great circle, at the same speed, climbing or
           descending linearly to the waypoint's altitude;
        4. the rest of its planned route, delayed by the time the manoeuvre cost.

        Position and velocity are continuous at every splice (to rounding; the vertical
        rate changes at the rejoin point where the waypoint's altitude differs, as it does
        at any waypoint). A waypoint inside both turning circles (a warning just before
        it) is skipped for the next; only when every remaining one is, the object flies
        straight to the last (a heading discontinuity).

        Call it at most once per step and discard any cached ``evaluate`` of the current
        time: the acceleration at ``turn.t`` changes.
        """
        t = float(turn.t)
        if not bool(self.flying(t)[obj]):
            raise ValueError(f"object {obj} is not flying at t = {t:.2f} s")
        cur = self.legs[int(self._legs_at(t)[obj])]
        if cur.is_table:
            raise ValueError(f"object {obj} is on a table leg at t = {t:.2f} s: no break turn")
        if turn.load_factor <= 1.0 or turn.resume_load_factor <= 1.0:
            raise ValueError("a level turn needs a load factor above 1")
        pos, vel = self.state(obj, t)
        lat, lon, h, psi, vh, climb = _horizontal_state(pos, vel)
        if vh < 1.0:
            raise ValueError(f"object {obj} is not moving at t = {t:.2f} s")
        legs: list[Leg] = []
        tc = t
        # 1. the break turn
        w1 = turn_rate(vh, turn.load_factor)
        # turn angle in [-1 mrad, 2π - 1 mrad): a heading already (within 1 mrad, e.g. the
        # drift between the warning and the break) reached needs no turn, not a loop
        angle = float(np.mod(turn.direction * (turn.heading - psi) + 1e-3, 2.0 * np.pi)) - 1e-3
        if angle > 1e-9:
            d = angle / w1
            legs.append(arc_leg(obj, tc, d, lat, lon, h, psi, vh, turn.direction * w1, climb))
            tc += d
            lat, lon, h, psi, vh, climb = _arc_end(legs[-1])
        # 2. hold the new heading
        if turn.hold > 0.0:
            legs.append(arc_leg(obj, tc, turn.hold, lat, lon, h, psi, vh, 0.0, climb))
            tc += turn.hold
            lat, lon, h, psi, vh, climb = _arc_end(legs[-1])
        # 3. back to the planned route: the first planned waypoint outside the turning
        # circles (normally the end of the leg it was flying)
        rate = turn_rate(vh, turn.resume_load_factor)
        points = self._rejoin_points(obj, t)
        if not points:  # nothing planned after (not on a route the world builds)
            self.splice(obj, t, legs)
            return
        tries = (
            (p, _turn_to_waypoint(obj, tc, lat, lon, h, psi, vh, climb, *p[0], rate))
            for p in points
        )
        point, back = next(((p, b) for p, b in tries if b is not None), (points[-1], None))
        (lat_w, lon_w, h_w), t_w_old, later = point
        if back is None:  # every waypoint is inside both turning circles: straight to the last
            back = [_gc_leg_at_speed(obj, tc, lat, lon, h, lat_w, lon_w, h_w, vh)]
        legs += back
        shift = legs[-1].t1 - t_w_old
        for g in later:
            moved = replace(g, t0=g.t0 + shift, t1=g.t1 + shift)
            if g.table_t is not None:
                moved.table_t = g.table_t + shift
            legs.append(moved)
        self.splice(obj, t, legs)

    def _rejoin_points(
        self, obj: int, t: float
    ) -> list[tuple[tuple[float, float, float], float, list[Leg]]]:
        """The planned waypoints a manoeuvre at ``t`` may return to, in route order:
        ((lat, lon, h), its planned arrival time, the planned legs after it). The start
        of a table leg (a terminal profile) is a waypoint; the legs of an earlier
        manoeuvre are not."""
        mine = [g for g in self.legs if g.obj == obj and g.t1 > t]
        points = []
        for k, g in enumerate(mine):
            if g.evasive:
                continue
            if g.is_table:
                assert g.table_pos is not None
                la, lo, hh = ecef_to_geodetic(g.table_pos[0])
                points.append(((float(la), float(lo), float(hh)), g.t0, mine[k:]))
                break
            points.append(((g.lat1, g.lon1, g.h1), g.t1, mine[k + 1 :]))
        return points


def gc_point(
    lat0: float | F64, lon0: float | F64, lat1: float | F64, lon1: float | F64, f: float | F64
) -> tuple[F64, F64]:
    """(lat, lon) rad at fraction ``f`` (not clamped) of the great circle from point 0 to
    point 1 (spherical interpolation at a constant angular rate)."""
    u0 = unit_vector(np.asarray(lat0, dtype=float), np.asarray(lon0, dtype=float))
    u1 = unit_vector(np.asarray(lat1, dtype=float), np.asarray(lon1, dtype=float))
    om = great_circle_angle(lat0, lon0, lat1, lon1)
    f = np.asarray(f, dtype=float)
    if np.all(om < 1e-12):
        u = (1.0 - f)[..., None] * u0 + f[..., None] * u1
    else:
        so = np.sin(om)
        u = (np.sin((1.0 - f) * om) / so)[..., None] * u0 + (np.sin(f * om) / so)[..., None] * u1
    u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    return np.arcsin(np.clip(u[..., 2], -1.0, 1.0)), np.arctan2(u[..., 1], u[..., 0])


def initial_bearing(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    """Initial bearing (rad, clockwise from north) of the great circle from point 0 to
    point 1 on the sphere (the direction a great-circle leg starts in)."""
    dlon = lon1 - lon0
    return float(
        np.arctan2(
            np.sin(dlon) * np.cos(lat1),
            np.cos(lat0) * np.sin(lat1) - np.sin(lat0) * np.cos(lat1) * np.cos(dlon),
        )
    )


def _wrap(a: float) -> float:
    """Angle wrapped to (−π, π]."""
    return float(np.pi - np.mod(np.pi - a, 2.0 * np.pi))


def _horizontal_state(pos: F64, vel: F64) -> tuple[float, float, float, float, float, float]:
    """(lat, lon, h, heading, horizontal speed, vertical rate) of an ECEF state; the
    heading is clockwise from north in the geodetic ENU frame."""
    la, lo, hh = ecef_to_geodetic(pos)
    lat, lon, h = float(la), float(lo), float(hh)
    e, n, u = enu_rotation(lat, lon) @ vel
    return lat, lon, h, float(np.arctan2(e, n)), float(np.hypot(e, n)), float(u)


def _arc_end(g: Leg) -> tuple[float, float, float, float, float, float]:
    assert g.heading is not None
    pos, vel = arc_state(
        g.lat0, g.lon0, g.h0, g.heading, g.speed, g.turn_rate, g.climb_rate, g.t1 - g.t0
    )
    lat, lon, h, psi, vh, _ = _horizontal_state(pos, vel)
    return lat, lon, h, psi, vh, g.climb_rate


def _sphere_bearing(vel: F64, lat: float, lon: float, h: float) -> float:
    """The bearing on the routes' sphere (geodetic latitudes taken as spherical) of an
    ECEF velocity at (lat, lon, h): the initial bearing a great-circle leg needs to leave
    in that ECEF direction."""
    e, n, _ = enu_rotation(lat, lon) @ vel
    m_h, n_h = radii_of_curvature(lat, h)
    return float(np.arctan2(e / n_h, n / m_h))


def _gc_leg_at_speed(
    obj: int,
    t0: float,
    lat0: float,
    lon0: float,
    h0: float,
    lat1: float,
    lon1: float,
    h1: float,
    speed: float,
) -> Leg:
    """A great-circle leg whose horizontal ECEF speed at its start is ``speed`` (m/s)."""
    eps = 1e-6
    la, lo = gc_point(lat0, lon0, lat1, lon1, np.array([-eps, eps]))
    hh = h0 + np.array([-eps, eps]) * (h1 - h0)
    dp = (geodetic_to_ecef(la, lo, hh)[1] - geodetic_to_ecef(la, lo, hh)[0]) / (2 * eps)
    e, n, _ = enu_rotation(lat0, lon0) @ dp
    dur = max(float(np.hypot(e, n)) / max(speed, 1e-6), 1e-6)
    return Leg(obj, t0, t0 + dur, lat0, lon0, h0, lat1, lon1, h1)


def _turn_to_waypoint(
    obj: int,
    t0: float,
    lat: float,
    lon: float,
    h: float,
    heading: float,
    speed: float,
    climb: float,
    lat_w: float,
    lon_w: float,
    h_w: float,
    rate: float,
) -> list[Leg] | None:
    """Legs from (lat, lon, h) flying ``heading`` (rad) at ``speed`` (m/s horizontal) back
    to the waypoint (lat_w, lon_w, h_w): an arc at turn rate ``rate`` (rad/s) toward the
    waypoint's side (the other side if the waypoint is inside that turning circle) that
    ends tangent to the great circle to the waypoint, then that great circle; None if
    the waypoint is inside both turning circles.

    The tangent point T solves ``bearing(T -> W) = heading at T``: first on the local
    tangent plane (the tangent from the turning circle's centre C: exit heading =
    bearing(C -> W) ∓ (acos(r / |CW|) − 90°)), then on the sphere by fixed-point
    iteration on the turn angle (a contraction of ratio ~ r / |CW|, from an error of a
    few µrad).
    """
    beta = initial_bearing(lat, lon, lat_w, lon_w)
    dist = float(great_circle_angle(lat, lon, lat_w, lon_w)) * (MEAN_RADIUS + h)
    radius = speed / rate
    first = 1.0 if _wrap(beta - heading) >= 0.0 else -1.0
    for side in (first, -first):
        w = side * rate
        # flat tangent-plane solution: centre C, tangent from C's circle to W
        ce = side * radius * np.cos(heading)
        cn = -side * radius * np.sin(heading)
        we, wn = dist * np.sin(beta) - ce, dist * np.cos(beta) - cn
        d_cw = float(np.hypot(we, wn))
        if d_cw <= radius * (1.0 + 1e-9):
            continue  # the waypoint is inside this turning circle
        alpha = float(np.arccos(radius / d_cw))
        exit_heading = float(np.arctan2(we, wn)) - side * (alpha - np.pi / 2)
        # turn angle in [-1e-6, 2π - 1e-6): a waypoint dead ahead is no turn, not a loop
        delta = float(np.mod(side * (exit_heading - heading) + 1e-6, 2 * np.pi)) - 1e-6
        # refined on the sphere: bearing(T -> W) = heading at T (a contraction)
        err = np.inf
        for _ in range(60):
            p, v = arc_state(lat, lon, h, heading, speed, w, climb, delta / rate)
            la, lo, hh = (float(x) for x in ecef_to_geodetic(p))
            err = _wrap(initial_bearing(la, lo, lat_w, lon_w) - _sphere_bearing(v, la, lo, hh))
            delta += side * err
            if abs(err) < 1e-13:
                break
        if abs(err) > 1e-9 or not -1e-5 <= delta < 2 * np.pi:
            continue
        legs: list[Leg] = []
        if delta > 1e-9:
            legs.append(arc_leg(obj, t0, delta / rate, lat, lon, h, heading, speed, w, climb))
            t0 = legs[-1].t1
            p, _ = arc_state(lat, lon, h, heading, speed, w, climb, delta / rate)
            lat, lon, h = (float(x) for x in ecef_to_geodetic(p))
        legs.append(_gc_leg_at_speed(obj, t0, lat, lon, h, lat_w, lon_w, h_w, speed))
        return legs
    return None  # the waypoint is inside both turning circles


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
