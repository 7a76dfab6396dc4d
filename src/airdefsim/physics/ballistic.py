"""Ballistic-missile arcs over the round earth, sampled for interpolation.

The free flight is a point mass under inverse-square gravity (GM of WGS84, non-rotating
sphere of the mean radius), in the plane of the great circle from the launch point to
the impact point. The boost is not modelled: the arc starts at the burnout state *at the
launch point* (altitude 0) and drag is applied on the descending branch only (re-entry:
the real ascent is a powered climb out of the atmosphere, which this model replaces by
the burnout velocity), with ``D/m = rho v^2 / (2 beta)`` and the ISA density.

Initial conditions come from the Keplerian closed forms (Bate, Mueller & White,
*Fundamentals of Astrodynamics*, §6.2 "the free-flight range equation")::

    Q = r v^2 / mu
    sin(2 phi + Psi/2) = (2 - Q)/Q sin(Psi/2)        (flight-path-angle equation)
    a = r / (2 - Q),  e^2 = 1 + Q (Q - 2) cos^2 phi,  r_apogee = a (1 + e)

with ``Psi`` the free-flight range angle and ``phi`` the flight-path angle at burnout.
With no apogee given, the minimum-energy trajectory ``phi = (pi - Psi)/4``. With a
lower apogee than that (a "quasi-ballistic", depressed trajectory such as the Iskander
class is said to fly [gn24][rtfr-isk]) ``phi`` is solved for the requested apogee. With
drag on, the burnout speed is then corrected by secant iterations until the integrated
arc lands on the impact point.

The sampled positions are placed on the WGS84 ellipsoid: the point at central angle
``theta`` along the great circle gets the model's altitude ``r - R`` above the
ellipsoid, so the arc starts and ends at h = 0 like the routes it joins.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from airdefsim.geo.wgs84 import MEAN_RADIUS, geodetic_to_ecef
from airdefsim.physics.atmosphere import density

F64 = NDArray[np.float64]

MU = 3.986004418e14  # m³/s², WGS84 GM
DEFAULT_BETA = 20000.0  # kg/m², ballistic coefficient m/(C_D A) of a re-entry body (assumed)

# ln(density) every 500 m from 0 to 150 km (ISA), for a fast scalar lookup in the ODE
_H_TAB = np.arange(0.0, 150_000.0 + 1.0, 500.0)
_LNRHO_TAB = np.log(density(_H_TAB)).tolist()
_H_STEP = 500.0


def _density_fast(h: float) -> float:
    """ISA density (kg/m³) at altitude ``h`` (m) by log-linear table lookup (scalar)."""
    if h <= 0.0:
        return float(np.exp(_LNRHO_TAB[0]))
    k = int(h / _H_STEP)
    if k >= len(_LNRHO_TAB) - 1:
        return 0.0
    f = h / _H_STEP - k
    return math.exp(_LNRHO_TAB[k] + f * (_LNRHO_TAB[k + 1] - _LNRHO_TAB[k]))


@dataclass(frozen=True)
class BurnoutState:
    """Burnout conditions of a Keplerian arc: speed (m/s), flight-path angle (rad),
    range angle (rad), apogee altitude (m) and time of flight (s) in vacuum."""

    speed: float
    flight_path_angle: float
    range_angle: float
    apogee: float
    time_of_flight: float


def central_angle(lat0: float, lon0: float, lat1: float, lon1: float) -> float:
    """Great-circle central angle (rad) between two points (lat/lon rad, spherical)."""
    u0 = _unit(lat0, lon0)
    u1 = _unit(lat1, lon1)
    return float(np.arctan2(np.linalg.norm(np.cross(u0, u1)), u0 @ u1))


def _unit(lat: float, lon: float) -> F64:
    return np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _apogee_radius(q: float, phi: float, r0: float) -> float:
    a = r0 / (2.0 - q)
    e = np.sqrt(max(1.0 + q * (q - 2.0) * np.cos(phi) ** 2, 0.0))
    return float(a * (1.0 + e))


def _q_for(phi: float, psi: float) -> float:
    s = np.sin(psi / 2.0)
    return float(2.0 * s / (np.sin(2.0 * phi + psi / 2.0) + s))


def _vacuum_tof(q: float, phi: float, r0: float, psi: float) -> float:
    """Time of flight (s) of the symmetric Keplerian arc (BMW §6.2, via Kepler's equation)."""
    a = r0 / (2.0 - q)
    e = np.sqrt(1.0 + q * (q - 2.0) * np.cos(phi) ** 2)
    # true anomaly of burnout: the arc is symmetric about apogee (true anomaly pi)
    nu = np.pi - psi / 2.0
    ecc_anom = 2.0 * np.arctan(np.sqrt((1 - e) / (1 + e)) * np.tan(nu / 2.0))
    mean_anom = ecc_anom - e * np.sin(ecc_anom)
    n = np.sqrt(MU / a**3)
    return float(2.0 * (np.pi - mean_anom) / n)


def burnout_state(
    range_angle: float, apogee: float | None = None, r0: float = MEAN_RADIUS
) -> BurnoutState:
    """Vacuum burnout state for a free-flight range angle (rad) and apogee altitude (m).

    ``apogee`` None: the minimum-energy trajectory. Raises ``ValueError`` for an apogee
    that is not positive or a range angle outside (0, pi).
    """
    psi = float(range_angle)
    if not 0.0 < psi < np.pi:
        raise ValueError(f"range angle must be in (0, pi) rad, got {psi}")
    if apogee is None:
        phi = (np.pi - psi) / 4.0
    else:
        if apogee <= 0.0:
            raise ValueError(f"apogee must be positive, got {apogee} m")
        target = r0 + float(apogee)
        hi = np.pi / 2.0 - psi / 4.0 - 1e-9
        phi = brentq(lambda p: _apogee_radius(_q_for(p, psi), p, r0) - target, 1e-9, hi, xtol=1e-13)
    q = _q_for(phi, psi)
    speed = np.sqrt(q * MU / r0)
    return BurnoutState(
        speed=float(speed),
        flight_path_angle=float(phi),
        range_angle=psi,
        apogee=_apogee_radius(q, phi, r0) - r0,
        time_of_flight=_vacuum_tof(q, phi, r0, psi),
    )


def _fly(speed: float, phi: float, beta: float | None, r0: float, t_max: float):
    """Integrate the planar arc from (r0, 0) with the given burnout state."""

    def rhs(_t: float, s: F64) -> F64:
        x, y, vx, vy = float(s[0]), float(s[1]), float(s[2]), float(s[3])
        r = math.hypot(x, y)
        k = -MU / r**3
        ax, ay = k * x, k * y
        if beta is not None and (x * vx + y * vy) < 0.0:  # descending: re-entry drag
            f = _density_fast(r - r0) * math.hypot(vx, vy) / (2.0 * beta)
            ax -= f * vx
            ay -= f * vy
        return np.array([vx, vy, ax, ay])

    def ground(_t: float, s: F64) -> float:
        return float(np.hypot(s[0], s[1]) - r0)

    ground.terminal = True  # type: ignore[attr-defined]
    ground.direction = -1  # type: ignore[attr-defined]
    # x along the launch vertical, y along the downrange horizontal
    s0 = np.array([r0, 0.0, speed * np.sin(phi), speed * np.cos(phi)])
    sol = solve_ivp(
        rhs,
        (0.0, t_max),
        s0,
        method="DOP853",
        rtol=1e-9,
        atol=1e-6,
        events=ground,
        dense_output=True,
        first_step=0.1,
    )
    t_end = float(sol.t_events[0][0]) if len(sol.t_events[0]) else float(sol.t[-1])
    return sol, t_end


@lru_cache(maxsize=256)
def _speed_with_drag(psi: float, phi: float, beta: float, v_vacuum: float, t_max: float) -> float:
    """Burnout speed (m/s) that lands the dragged arc at range angle ``psi`` (secant)."""

    def err(v: float) -> float:
        s, te = _fly(v, phi, beta, MEAN_RADIUS, t_max)
        x, y = s.sol(te)[:2]
        return float(np.arctan2(y, x)) - psi

    v0, v1 = v_vacuum, v_vacuum * 1.02
    f0 = err(v0)
    for _ in range(30):
        if abs(f0) < 1e-9:
            return v0
        f1 = err(v1)
        if abs(f1) < 1e-9 or f1 == f0:
            return v1
        v0, v1, f0 = v1, v1 - f1 * (v1 - v0) / (f1 - f0), f1
    return v1


def ballistic_arc(
    launch_lat: float,
    launch_lon: float,
    impact_lat: float,
    impact_lon: float,
    apogee: float | None = None,
    *,
    drag: bool = True,
    beta: float = DEFAULT_BETA,
    sample_dt: float = 0.25,
) -> tuple[F64, F64, F64]:
    """A ballistic arc from the launch point to the impact point.

    Parameters
    ----------
    launch_lat, launch_lon, impact_lat, impact_lon : float, rad (geodetic)
    apogee : float, m, optional — apogee altitude; None for the minimum-energy arc; a
        value below the minimum-energy apogee gives a flatter, depressed
        (quasi-ballistic) arc
    drag : re-entry drag on the descending branch (the burnout speed is corrected so the
        arc still lands on the impact point)
    beta : ballistic coefficient m/(C_D A), kg/m²
    sample_dt : output sampling step, s (the last sample is the impact). The default
        0.25 s equals the central-difference step of the route tables
        (:mod:`airdefsim.physics.routes`): the simulation interpolates these samples
        linearly and differentiates them twice, which gives the true acceleration
        (gravity plus drag) only when the stencil spans whole samples; a 1 s sampling
        made it 4 g at the samples and 0 in between, and the chord between samples is
        within ``g dt² / 8`` ≈ 8 cm of the arc

    Returns
    -------
    t : (S,) float, s from burnout (t[0] = 0)
    pos : (S, 3) float, m, ECEF
    vel : (S, 3) float, m/s, ECEF (inertial-plane velocity rotated into ECEF; the
        earth's rotation is neglected)
    """
    psi = central_angle(launch_lat, launch_lon, impact_lat, impact_lon)
    if psi < 1e-5:
        raise ValueError("launch and impact points coincide")
    r0 = MEAN_RADIUS
    state = burnout_state(psi, apogee, r0)
    speed, phi = state.speed, state.flight_path_angle
    t_max = 3.0 * state.time_of_flight + 60.0
    b = beta if drag else None
    sol, t_end = _fly(speed, phi, b, r0, t_max)
    if drag:
        speed = _speed_with_drag(round(psi, 9), phi, float(beta), speed, t_max)
        sol, t_end = _fly(speed, phi, b, r0, t_max)
    n = max(int(np.ceil(t_end / sample_dt)), 1)
    t = np.append(np.arange(n) * sample_dt, t_end)
    t = t[np.concatenate([np.diff(t) > 1e-9, [True]])]
    x, y, vx, vy = sol.sol(t)
    theta = np.arctan2(y, x)
    r = np.hypot(x, y)
    h = r - r0
    h[0] = max(h[0], 0.0)
    h[-1] = max(h[-1], 0.0)
    # frame of the great-circle plane: u0 (launch vertical), w (downrange), both unit
    u0 = _unit(launch_lat, launch_lon)
    u1 = _unit(impact_lat, impact_lon)
    w = u1 - (u1 @ u0) * u0
    w /= np.linalg.norm(w)
    dirs = np.cos(theta)[:, None] * u0 + np.sin(theta)[:, None] * w
    lat = np.arcsin(np.clip(dirs[:, 2], -1.0, 1.0))
    lon = np.arctan2(dirs[:, 1], dirs[:, 0])
    pos = geodetic_to_ecef(lat, lon, h)
    # velocity: radial and along-track components of the planar solution
    v_r = (x * vx + y * vy) / r
    v_t = (x * vy - y * vx) / r
    along = -np.sin(theta)[:, None] * u0 + np.cos(theta)[:, None] * w
    vel = v_r[:, None] * dirs + v_t[:, None] * along
    return t, pos, vel
