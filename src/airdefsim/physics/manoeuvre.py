"""Threat manoeuvres in closed form: evasive break turns, cruise-missile terminal
profiles and terrain following, ballistic-missile terminal weaves.

Everything here is a closed form evaluated (and, where a route needs a table, sampled
every 0.25 s, the routes' differentiation step) — nothing is integrated.

**Level turn.** An aircraft at load factor ``n`` (lift / weight) in a level turn has a
horizontal acceleration ``g √(n² − 1)`` (the lift's vertical part holds its weight), so
its turn rate is ``ω = g √(n² − 1) / v`` and its radius ``r = v² / (g √(n² − 1))``
(Anderson, *Introduction to Flight*, §6.17). A 9 g turn at 300 m/s: 8.94 g horizontal,
0.29 rad/s, r = 1.03 km. The speed is held constant through the turn (an assumption: a
real 9 g turn bleeds speed unless in afterburner) and the load factor is reached at once
(no roll-in).

**Evasion.** :func:`plan_evasion` chooses a break turn from the threat's state and the
missile's position: ``beam`` — turn until the velocity is perpendicular to the line of
sight, by the smaller turn (the missile ends on the near wing line: the closing speed,
and the Doppler a pulse-Doppler seeker tracks, fall toward zero, and the missile's line
of sight rate and hence its demanded acceleration are the largest) — or ``drag`` — turn
away until the missile is dead astern (the missile must chase: range and time of flight
grow, a coasting missile bleeds energy). :meth:`airdefsim.physics.routes.RouteSet.
break_turn` flies it and then turns back onto the planned route.

**Vertical profiles** (terminal dive, pop-up): straight segments and circular arcs in
the vertical plane of the final great-circle leg, flown at constant speed, with arcs of
radius ``v² / a`` for a normal acceleration ``a`` (by default the preset's ``max_g``
less 1 g: a pull-up from level flight at load factor n accelerates the path at
``(n − 1) g``). A profile maps path length ``ℓ`` to ground distance ``x`` and altitude
``h`` in closed form (for an arc of curvature ``κ`` from flight-path angle ``γ0``:
``γ = γ0 + κ ℓ``, ``x = (sin γ − sin γ0)/κ``, ``h = −(cos γ − cos γ0)/κ``).

**Terrain following.** Over a DEM the route's altitudes are heights above the terrain.
The flown height is the smallest smooth profile found by three envelopes of the floor
``terrain + clearance`` sampled every ``v · 0.25 s`` along the route: a cone dilation
(slope within ``tan(max_climb_angle)``), then a sup-convolution with the parabola of
curvature ``κ/2`` and an inf-convolution with curvature ``κ`` (Lasry–Lions
regularisation: the result is never below the floor, keeps the slope bound, and its
curvature stays within ``κ = a / v²``, i.e. vertical acceleration within ``a``). On flat
terrain it is the clearance exactly; on a constant slope ``m`` it rides
``m² / (2 κ)`` higher (≤ 48 m for a 10° slope at 2 g and 246 m/s).

**Ballistic weave.** From the start of the weave (duration ``T``) the arc is offset
across its plane by ``y(τ) = A sin(m π τ / T) sin(π τ / T)``, with ``m`` half-periods
(the integer nearest ``2 T / period``): ``y`` and ``dy/dτ`` are zero at both ends (the
arc is unchanged before, and still lands on the aim point) and ``|d²y/dτ²| ≤ A (π/T)²
(m + 1)²``, so ``A = a (T / π)² / (m + 1)²`` keeps the lateral acceleration within ``a``.

Units: SI, angles in rad, headings clockwise from north; positions ECEF (WGS84) unless
said otherwise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from numpy.typing import NDArray
from scipy.optimize import brentq

from airdefsim.geo.wgs84 import MEAN_RADIUS, ecef_to_geodetic, enu_rotation, geodetic_to_ecef
from airdefsim.scenario.schema import EvasionSpec
from airdefsim.units import G0

F64 = NDArray[np.float64]
SAMPLE_DT = 0.25  # s; table sampling step = the routes' central-difference step
TerrainFn = Callable[[F64, F64], F64]
"""Terrain height (m above the ellipsoid) at (lat, lon) rad arrays of any shape."""


# ------------------------------------------------------------------ level turns


def turn_rate(speed: float, load_factor: float) -> float:
    """Turn rate (rad/s) of a level turn at ``load_factor`` n and ``speed`` (m/s):
    ``g √(n² − 1) / v``."""
    return G0 * float(np.sqrt(max(load_factor * load_factor - 1.0, 0.0))) / max(speed, 1e-9)


def turn_radius(speed: float, load_factor: float) -> float:
    """Radius (m) of a level turn: ``v² / (g √(n² − 1))``."""
    return speed / max(turn_rate(speed, load_factor), 1e-12)


@dataclass(frozen=True)
class BreakTurn:
    """An evasive manoeuvre for :meth:`airdefsim.physics.routes.RouteSet.break_turn`.

    Attributes
    ----------
    t : float, s — when the turn starts
    load_factor : float — n (> 1) of the break turn
    direction : int — +1 right (clockwise seen from above), −1 left
    heading : float, rad — the heading (clockwise from north) the turn ends on
    hold : float, s — time on that heading before turning back
    resume_load_factor : float — n (> 1) of the turn back onto the route
    """

    t: float
    load_factor: float
    direction: int
    heading: float
    hold: float
    resume_load_factor: float


def plan_evasion(
    t: float, pos: F64, vel: F64, missile_pos: F64, evasion: EvasionSpec, max_g: float
) -> BreakTurn:
    """The break turn of a threat warned at ``t`` of a missile at ``missile_pos``.

    Parameters
    ----------
    t : float, s — time of the warning; the turn starts ``evasion.reaction`` later
    pos, vel : (3,) float, m and m/s, ECEF — the threat's state at ``t``
    missile_pos : (3,) float, m, ECEF — the missile's position at ``t``
    evasion : the preset's evasion spec (kind ``beam`` or ``drag``, g, reaction, hold)
    max_g : float, m/s² — the preset's g limit; the turn's load factor is
        ``min(evasion.g, max_g) / g0``

    Returns
    -------
    BreakTurn — the heading is the beam (line of sight ± 90°, whichever is the smaller
    turn) or drag (line of sight + 180°) heading computed from the geometry at ``t``;
    the direction is the shorter way round (right when exactly opposite).
    """
    lat, lon, _ = ecef_to_geodetic(np.asarray(pos, dtype=float))
    rot = enu_rotation(float(lat), float(lon))
    ve, vn, _ = rot @ np.asarray(vel, dtype=float)
    le, ln, _ = rot @ (np.asarray(missile_pos, dtype=float) - np.asarray(pos, dtype=float))
    heading = float(np.arctan2(ve, vn))
    rel = _wrap(float(np.arctan2(le, ln)) - heading)  # missile bearing off the nose
    if evasion.kind == "beam":
        change = rel - np.pi / 2 if rel >= 0.0 else rel + np.pi / 2
    else:
        change = _wrap(rel - np.pi)
        if abs(abs(change) - np.pi) < 1e-12:
            change = np.pi
    n = min(evasion.g, max_g) / G0
    return BreakTurn(
        t=float(t) + evasion.reaction,
        load_factor=float(n),
        direction=1 if change >= 0.0 else -1,
        heading=float(np.mod(heading + change, 2.0 * np.pi)),
        hold=evasion.hold,
        resume_load_factor=float(min(evasion.resume_g, max_g) / G0),
    )


def _wrap(a: float) -> float:
    """Angle wrapped to (−π, π]."""
    return float(np.pi - np.mod(np.pi - a, 2.0 * np.pi))


# ------------------------------------------------------------------ vertical profiles


@dataclass(frozen=True)
class VerticalProfile:
    """A path in a vertical plane: K segments (arcs, or lines where the curvature is
    0) flown one after the other.

    Attributes
    ----------
    x0, h0 : (K,) float, m — ground distance and altitude at each segment's start
    gamma0 : (K,) float, rad — flight-path angle at each segment's start (+ climbing)
    curvature : (K,) float, 1/m — dγ/dℓ (+ pulling up)
    length : (K,) float, m — path length of each segment
    """

    x0: F64
    h0: F64
    gamma0: F64
    curvature: F64
    length: F64

    @property
    def total_length(self) -> float:
        return float(self.length.sum())

    def at(self, ell: F64) -> tuple[F64, F64, F64]:
        """(x, h, γ) at path lengths ``ell`` (S,) m from the start (clamped to the path)."""
        ell = np.clip(np.asarray(ell, dtype=float), 0.0, self.total_length)
        starts = np.concatenate([[0.0], np.cumsum(self.length)[:-1]])
        k = np.clip(np.searchsorted(starts, ell, side="right") - 1, 0, len(starts) - 1)
        d = ell - starts[k]
        g0, kap = self.gamma0[k], self.curvature[k]
        g = g0 + kap * d
        straight = np.abs(kap) < 1e-15
        safe = np.where(straight, 1.0, kap)
        x = np.where(straight, d * np.cos(g0), (np.sin(g) - np.sin(g0)) / safe)
        h = np.where(straight, d * np.sin(g0), -(np.cos(g) - np.cos(g0)) / safe)
        return self.x0[k] + x, self.h0[k] + h, g


def _chain(h0: float, segments: list[tuple[float, float]]) -> VerticalProfile:
    """A profile from level flight at (0, h0) through ``segments`` [(curvature, length)]."""
    segs = [(k, ln) for k, ln in segments if ln > 1e-9]
    x0s, h0s, g0s = [0.0], [h0], [0.0]
    for kap, ln in segs[:-1]:
        one = VerticalProfile(
            np.array([x0s[-1]]),
            np.array([h0s[-1]]),
            np.array([g0s[-1]]),
            np.array([kap]),
            np.array([ln]),
        )
        x, h, g = one.at(np.array([ln]))
        x0s.append(float(x[0]))
        h0s.append(float(h[0]))
        g0s.append(float(g[0]))
    return VerticalProfile(
        np.array(x0s[: len(segs)]),
        np.array(h0s[: len(segs)]),
        np.array(g0s[: len(segs)]),
        np.array([k for k, _ in segs]),
        np.array([ln for _, ln in segs]),
    )


def _dive_segments(height: float, distance: float, radius: float) -> list[tuple[float, float]]:
    """Push-over from level flight into a straight dive losing ``height`` m over
    ``distance`` m of ground: the dive angle γ solves
    ``r sin γ + (height − r (1 − cos γ)) / tan γ = distance`` (monotone in γ)."""
    if height < 0.0:
        raise ValueError("the aim point is above the flight path: a dive cannot reach it")
    if height == 0.0:
        return [(0.0, distance)]
    g_max = float(np.arccos(1.0 - height / radius)) if height < radius else np.pi / 2

    def ground(gam: float) -> float:
        return radius * np.sin(gam) + (height - radius * (1.0 - np.cos(gam))) / np.tan(gam)

    if distance <= ground(g_max):
        raise ValueError(
            f"a dive of {height:.0f} m needs more than {ground(g_max):.0f} m of ground "
            f"at a {radius:.0f} m pull radius, got {distance:.0f} m"
        )
    gam = brentq(lambda g: ground(g) - distance, 1e-9, g_max, xtol=1e-14)
    line = (height - radius * (1.0 - np.cos(gam))) / np.sin(gam)
    return [(-1.0 / radius, radius * gam), (0.0, line)]


def dive_profile(
    h_cruise: float, h_aim: float, distance: float, accel: float, speed: float
) -> VerticalProfile:
    """Terminal dive: level at ``h_cruise`` (m), a push-over at normal acceleration
    ``accel`` (m/s²) and a straight dive reaching ``h_aim`` at ``distance`` m of ground."""
    return _chain(h_cruise, _dive_segments(h_cruise - h_aim, distance, speed * speed / accel))


def popup_profile(
    h_cruise: float,
    h_aim: float,
    distance: float,
    pop_height: float,
    climb_angle: float,
    accel: float,
    speed: float,
) -> VerticalProfile:
    """Terminal pop-up over ``distance`` m of ground: a pull-up at ``accel`` (m/s²) into
    a climb of at most ``climb_angle`` (less when the apex is reached first), a push-over
    levelling at ``h_aim + pop_height``, and a push-over into the dive onto the aim."""
    r = speed * speed / accel
    rise = h_aim + pop_height - h_cruise
    if rise <= 0.0:
        raise ValueError("pop_height puts the apex below the cruise height")
    gam = min(climb_angle, float(np.arccos(max(1.0 - rise / (2.0 * r), -1.0))))
    line = (rise - 2.0 * r * (1.0 - np.cos(gam))) / np.sin(gam)
    climb_ground = 2.0 * r * np.sin(gam) + line * np.cos(gam)
    climb = [(1.0 / r, r * gam), (0.0, line), (-1.0 / r, r * gam)]
    return _chain(h_cruise, climb + _dive_segments(pop_height, distance - climb_ground, r))


def line_profile(h_start: float, h_end: float, distance: float) -> VerticalProfile:
    """A straight climb or descent from ``h_start`` to ``h_end`` (m) over ``distance`` m
    of ground (the fallback when no terminal manoeuvre fits: a kink at its start)."""
    gam = float(np.arctan2(h_end - h_start, distance))
    return VerticalProfile(
        np.zeros(1),
        np.array([h_start]),
        np.array([gam]),
        np.zeros(1),
        np.array([float(np.hypot(distance, h_end - h_start))]),
    )


def sample_profile(
    profile: VerticalProfile, speed: float, dt: float = SAMPLE_DT
) -> tuple[F64, F64, F64]:
    """(τ (S,) s, x (S,) m, h (S,) m) every ``dt`` s along the profile at ``speed``, the
    last sample at its end."""
    dur = profile.total_length / speed
    tau = np.append(np.arange(0.0, dur, dt), dur)
    tau = tau[np.concatenate([np.diff(tau) > 1e-9, [True]])]
    x, h, _ = profile.at(tau * speed)
    return tau, x, h


def ground_track(lat0: float, lon0: float, lat1: float, lon1: float, x: F64, h: F64) -> F64:
    """ECEF (S, 3) of points ``x`` m (ground distance on the mean sphere) along the great
    circle from (lat0, lon0) to (lat1, lon1) rad, at altitudes ``h`` m."""
    lat, lon = _along(
        np.array([lat0, lat1]),
        np.array([lon0, lon1]),
        np.array([0.0, ground_distance(lat0, lon0, lat1, lon1)]),
        np.asarray(x, dtype=float),
    )
    return geodetic_to_ecef(lat, lon, h)


def _unit(lat: float, lon: float) -> F64:
    return np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def ground_distance(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    """Great-circle ground distance (m) on the mean sphere."""
    u0, u1 = _unit(lat0, lon0), _unit(lat1, lon1)
    return float(np.arctan2(np.linalg.norm(np.cross(u0, u1)), u0 @ u1)) * MEAN_RADIUS


# ------------------------------------------------------------------ terrain following


def terrain_following_heights(floor: F64, ds: float, max_slope: float, curvature: float) -> F64:
    """Heights (S,) m of a smooth path never below ``floor`` (S,) m sampled every ``ds``
    m: slope within ``max_slope`` (tan of the climb angle), curvature within
    ``curvature`` (1/m) — the three envelopes of the module docstring."""
    f = np.asarray(floor, dtype=float)
    if f.size < 2:
        return f.copy()
    x = np.arange(f.size) * ds
    k = max_slope
    # cone dilation: max_j f_j − k |x − x_j|, by two running maxima
    fwd = np.maximum.accumulate(f + k * x) - k * x
    bwd = (np.maximum.accumulate((f - k * x)[::-1]) + k * x[::-1])[::-1]
    h = np.maximum(fwd, bwd)
    # sup-convolution (curvature/2) then inf-convolution (curvature): windows beyond
    # 2k/c cannot win for a k-Lipschitz function
    for c, sign in ((0.5 * curvature, 1.0), (curvature, -1.0)):
        w = int(np.ceil(2.0 * k / (c * ds))) + 1
        pad = np.full(w, -np.inf if sign > 0 else np.inf)
        win = sliding_window_view(np.concatenate([pad, h, pad]), 2 * w + 1)
        q = 0.5 * c * (np.arange(-w, w + 1) * ds) ** 2
        h = (win - q).max(axis=1) if sign > 0 else (win + q).min(axis=1)
    return h


def route_profile(
    lat: F64,
    lon: F64,
    clearance: F64,
    speeds: F64,
    terrain: TerrainFn,
    max_slope: float,
    accel: float,
    terminal: Callable[[float], VerticalProfile] | None = None,
    terminal_start: float = 0.0,
    dt: float = SAMPLE_DT,
) -> tuple[F64, F64]:
    """A terrain-following route through waypoints, sampled every ``dt`` s.

    Parameters
    ----------
    lat, lon : (P,) float, rad — waypoints (great-circle legs between them)
    clearance : (P,) float, m — height above the terrain at each waypoint (linear in
        ground distance between them)
    speeds : (P − 1,) float, m/s — speed on each leg (along the path)
    terrain : heights (m above the ellipsoid) at (lat, lon) rad arrays
    max_slope : tan of the largest climb/dive angle
    accel : m/s², largest vertical acceleration (curvature ``accel / v²`` at the fastest
        leg's speed)
    terminal : optional, h_start -> the terminal profile (ground distance from its
        start, altitudes above the ellipsoid) flown over the last ``terminal_start`` m
        of ground, from the terrain-following height where it begins
    dt : s, output step

    Returns
    -------
    t : (S,) float, s from the first waypoint
    pos : (S, 3) float, m, ECEF
    """
    n_legs = len(lat) - 1
    lengths = np.array(
        [ground_distance(lat[i], lon[i], lat[i + 1], lon[i + 1]) for i in range(n_legs)]
    )
    cum = np.concatenate([[0.0], np.cumsum(lengths)])
    total = float(cum[-1])
    x_end = total - (terminal_start if terminal is not None else 0.0)
    if x_end <= 0.0:
        raise ValueError("the terminal phase starts before the route does")
    ds0 = min(float(np.min(speeds)) * dt, 100.0)
    n = max(int(np.ceil(x_end / ds0)), 1)
    ds = x_end / n
    x = np.arange(n + 1, dtype=float) * ds
    la, lo = _along(lat, lon, cum, x)
    floor = terrain(la, lo) + np.interp(x, cum, clearance)
    h = terrain_following_heights(floor, ds, max_slope, accel / float(np.max(speeds)) ** 2)
    leg_of = np.clip(np.searchsorted(cum, x, side="right") - 1, 0, n_legs - 1)
    if terminal is not None:
        prof = terminal(float(h[-1]))
        _, xt, ht = sample_profile(prof, float(speeds[-1]), dt)
        x = np.concatenate([x, x_end + xt[1:]]).astype(float)
        h = np.concatenate([h, ht[1:]])
        leg_of = np.concatenate([leg_of, np.full(xt.size - 1, n_legs - 1)])
        la, lo = _along(lat, lon, cum, x)
    # time along the path at each leg's speed, then resampled every dt
    step = np.hypot(np.diff(x), np.diff(h)) / speeds[leg_of[1:]]
    t_k = np.concatenate([[0.0], np.cumsum(step)])
    t = np.append(np.arange(0.0, t_k[-1], dt), t_k[-1])
    t = t[np.concatenate([np.diff(t) > 1e-9, [True]])]
    xs = np.interp(t, t_k, x)
    hs = np.interp(t, t_k, h)
    la, lo = _along(lat, lon, cum, xs)
    return t, geodetic_to_ecef(la, lo, hs)


def _along(lat: F64, lon: F64, cum: F64, x: F64) -> tuple[F64, F64]:
    """(lat, lon) rad at ground distances ``x`` (m, on the mean sphere) along the
    polyline of great circles through (lat, lon) (P,) whose cumulative lengths are
    ``cum`` (P,): ``u = cos θ u0 + sin θ w`` on each leg (w ⟂ u0 in the leg's plane)."""
    i = np.clip(np.searchsorted(cum, x, side="right") - 1, 0, len(cum) - 2)
    u = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
    u0, u1 = u[i], u[i + 1]
    w = u1 - np.sum(u1 * u0, axis=-1, keepdims=True) * u0
    w /= np.maximum(np.linalg.norm(w, axis=-1, keepdims=True), 1e-300)
    th = (x - cum[i]) / MEAN_RADIUS
    p = np.cos(th)[:, None] * u0 + np.sin(th)[:, None] * w
    return np.arcsin(np.clip(p[:, 2], -1.0, 1.0)), np.arctan2(p[:, 1], p[:, 0])


# ------------------------------------------------------------------ ballistic weave


def weave_offset(tau: F64, duration: float, accel: float, period: float) -> F64:
    """Cross-range offset (m) of the terminal weave at ``tau`` s (S,) after its start
    (0 outside [0, duration]): ``A sin(m π τ/T) sin(π τ/T)``, see the module docstring."""
    tau = np.asarray(tau, dtype=float)
    T = max(duration, 1e-9)
    m = max(1, round(2.0 * T / period))
    amp = accel * (T / np.pi) ** 2 / (m + 1) ** 2
    inside = (tau >= 0.0) & (tau <= T)
    y = amp * np.sin(m * np.pi * tau / T) * np.sin(np.pi * tau / T)
    return np.where(inside, y, 0.0)


def weave_arc(
    t: F64,
    pos: F64,
    launch_lat: float,
    launch_lon: float,
    impact_lat: float,
    impact_lon: float,
    start: float,
    accel: float,
    period: float,
) -> F64:
    """A ballistic arc's samples ``pos`` (S, 3) ECEF at times ``t`` (S,) with the weave
    added across the arc's plane over the last ``start`` m of ground to the impact point
    (the samples before are returned unchanged)."""
    u0 = _unit(launch_lat, launch_lon)
    u1 = _unit(impact_lat, impact_lon)
    across = np.cross(u0, u1)
    across /= np.linalg.norm(across)
    r = pos / np.linalg.norm(pos, axis=1, keepdims=True)
    to_go = np.arctan2(np.linalg.norm(np.cross(r, u1), axis=1), r @ u1) * MEAN_RADIUS
    inside = np.flatnonzero(to_go <= start)
    if inside.size == 0:
        return pos.copy()
    t_w = float(t[inside[0]])
    y = weave_offset(t - t_w, float(t[-1]) - t_w, accel, period)
    return pos + y[:, None] * across[None, :]
