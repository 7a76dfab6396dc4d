"""Guidance laws as pure functions, and the linear engagement model that verifies them.

Conventions: ``r_rel = target_pos - missile_pos`` and ``v_rel = target_vel -
missile_vel``, (K, 3) in any Cartesian frame (ECEF in the flyout), m and m/s. Commands
are accelerations (K, 3) in m/s², in the same frame.

Laws
----
True proportional navigation (PN), 3-D vector form (Zarchan, *Tactical and Strategic
Missile Guidance*, AIAA, ch. 2 "Fundamentals of tactical missile guidance"; Shneydor,
*Missile Guidance and Pursuit*, ch. 5)::

    Omega = r x v / |r|^2          (line-of-sight rate vector, rad/s)
    Vc    = -r . v / |r|           (closing speed)
    a_c   = N' Vc Omega x u_r      (perpendicular to the line of sight)

Augmented PN (APN) adds ``N'/2`` times the target acceleration perpendicular to the line
of sight (Zarchan, "Advanced guidance laws"). In the zero-effort-miss form both are
``a_c = N' ZEM_perp / t_go^2`` with ``ZEM = r + v t_go (+ a_T t_go^2 / 2)``.

Predicted-intercept-point (PIP) pursuit for mid-course: turn the velocity vector towards
the (lofted) PIP with a first-order time constant.

Linear engagement model (Zarchan ch. 2–3): relative displacement ``y`` perpendicular to
the nominal line of sight, ``y'' = n_T - n_L``; ``n_c = N' (y + y' t_go) / t_go^2`` (+
``N' n_T / 2`` for APN); zero lag ``n_L = n_c`` or a single lag ``n_L' = (n_c - n_L)/T``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]

_TINY = 1e-12


def _dot(a: F64, b: F64) -> F64:
    return np.einsum("...i,...i->...", a, b)


def cross(a: F64, b: F64) -> F64:
    """Row-wise cross product of (K, 3) arrays (faster than ``np.cross`` for small K)."""
    out = np.empty(np.broadcast_shapes(a.shape, b.shape))
    out[..., 0] = a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1]
    out[..., 1] = a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2]
    out[..., 2] = a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    return out


def closing_speed(r_rel: ArrayLike, v_rel: ArrayLike) -> F64:
    """Closing speed ``-r.v/|r|`` (K,), m/s (positive when closing)."""
    r = np.asarray(r_rel, dtype=float)
    v = np.asarray(v_rel, dtype=float)
    rn = np.linalg.norm(r, axis=-1)
    return -_dot(r, v) / np.maximum(rn, _TINY)


def time_to_go(r_rel: ArrayLike, v_rel: ArrayLike, min_closing: float = 1.0) -> F64:
    """Time to go ``|r| / Vc`` (K,), s; ``Vc`` floored at ``min_closing`` (m/s)."""
    r = np.asarray(r_rel, dtype=float)
    return np.linalg.norm(r, axis=-1) / np.maximum(closing_speed(r, v_rel), min_closing)


def time_of_closest_approach(r_rel: ArrayLike, v_rel: ArrayLike) -> F64:
    """Time (K,), s, of the closest approach of a straight-line relative motion:
    ``-r.v/|v|^2`` (negative if it is already past)."""
    r = np.asarray(r_rel, dtype=float)
    v = np.asarray(v_rel, dtype=float)
    return -_dot(r, v) / np.maximum(_dot(v, v), _TINY)


def zero_effort_miss(
    r_rel: ArrayLike, v_rel: ArrayLike, t_go: ArrayLike, a_target: ArrayLike | None = None
) -> F64:
    """Zero-effort miss vector (K, 3), m: where the target will be relative to the missile
    after ``t_go`` (K,) s if neither manoeuvres (or the target keeps ``a_target``)."""
    r = np.asarray(r_rel, dtype=float)
    v = np.asarray(v_rel, dtype=float)
    tg = np.asarray(t_go, dtype=float)[..., None]
    z = r + v * tg
    if a_target is not None:
        z = z + 0.5 * np.asarray(a_target, dtype=float) * tg * tg
    return z


def perpendicular(vec: ArrayLike, axis: ArrayLike) -> F64:
    """Component (K, 3) of ``vec`` perpendicular to ``axis`` (K, 3) (any length)."""
    v = np.asarray(vec, dtype=float)
    ax = np.asarray(axis, dtype=float)
    u = ax / np.maximum(np.linalg.norm(ax, axis=-1, keepdims=True), _TINY)
    return v - _dot(v, u)[..., None] * u


def pn_command(
    r_rel: ArrayLike,
    v_rel: ArrayLike,
    nav_constant: ArrayLike,
    a_target: ArrayLike | None = None,
) -> F64:
    """True proportional navigation, or augmented PN when ``a_target`` is given.

    Parameters
    ----------
    r_rel : (K, 3) float, m — target minus missile position
    v_rel : (K, 3) float, m/s — target minus missile velocity
    nav_constant : (K,) or scalar — effective navigation ratio N'
    a_target : (K, 3) float, m/s², optional — target acceleration (APN term N'/2 a_T⊥)

    Returns
    -------
    (K, 3) float, m/s² — commanded acceleration, perpendicular to the line of sight
    (``N' Vc Omega x u_r``; plus ``N'/2 a_T⊥`` for APN). Zero when closing speed <= 0.
    """
    r = np.asarray(r_rel, dtype=float)
    v = np.asarray(v_rel, dtype=float)
    n = np.asarray(nav_constant, dtype=float)[..., None]
    r2 = np.maximum(_dot(r, r), _TINY)[..., None]
    u = r / np.sqrt(r2)
    omega = cross(r, v) / r2
    vc = np.maximum(-_dot(r, v)[..., None] / np.sqrt(r2), 0.0)
    a = n * vc * cross(omega, u)
    if a_target is not None:
        a = a + 0.5 * n * perpendicular(a_target, r)
    return a


def zem_command(
    r_rel: ArrayLike,
    v_rel: ArrayLike,
    nav_constant: ArrayLike,
    t_go: ArrayLike,
    a_target: ArrayLike | None = None,
) -> F64:
    """PN in zero-effort-miss form ``N' ZEM_perp / t_go^2`` (APN with ``a_target``).

    Shapes as :func:`pn_command`; ``t_go`` (K,) s. ZEM is taken perpendicular to the
    line of sight. Identical to :func:`pn_command` when ``t_go = |r|/Vc``.
    """
    tg = np.maximum(np.asarray(t_go, dtype=float), 1e-6)
    z = perpendicular(zero_effort_miss(r_rel, v_rel, tg, a_target), r_rel)
    n = np.asarray(nav_constant, dtype=float)[..., None]
    return n * z / (tg * tg)[..., None]


def pursuit_command(vel: ArrayLike, to_aim: ArrayLike, time_constant: ArrayLike) -> F64:
    """Velocity pursuit of an aim point (mid-course towards the lofted PIP).

    Parameters
    ----------
    vel : (K, 3) float, m/s — missile velocity
    to_aim : (K, 3) float, m — aim point minus missile position
    time_constant : (K,) or scalar, s — heading error decays as exp(-t / time_constant)

    Returns
    -------
    (K, 3) float, m/s² — ``|v| / tau * (u_aim - u_v)_perp`` (perpendicular to ``vel``;
    proportional to the sine of the heading error, direction towards the aim).
    """
    v = np.asarray(vel, dtype=float)
    speed = np.linalg.norm(v, axis=-1, keepdims=True)
    ua = np.asarray(to_aim, dtype=float)
    ua = ua / np.maximum(np.linalg.norm(ua, axis=-1, keepdims=True), _TINY)
    err = perpendicular(ua, v)
    # beyond 90° of heading error keep the full-rate turn
    behind = _dot(ua, v) < 0
    err_n = np.linalg.norm(err, axis=-1, keepdims=True)
    err = np.where(behind[..., None], err / np.maximum(err_n, _TINY), err)
    tau = np.asarray(time_constant, dtype=float)[..., None]
    return speed / tau * err


# ------------------------------------------------------------ closed forms (Zarchan)


def pn_zero_lag_step(nav_constant: float, t_over_tf: float) -> float:
    """Zero-lag PN against a step target manoeuvre: ``n_c/n_T = N'/(N'-2) [1 - (1 -
    t/t_F)^(N'-2)]`` (Zarchan ch. 2)."""
    n = nav_constant
    return n / (n - 2.0) * (1.0 - (1.0 - t_over_tf) ** (n - 2.0))


def pn_zero_lag_heading_error(
    nav_constant: float, t_final: float, missile_speed: float, heading_error: float, t: float
) -> float:
    """Zero-lag PN against a heading error (rad): ``n_c = -N' V_M HE / t_F (1 -
    t/t_F)^(N'-2)`` (Zarchan ch. 2)."""
    n = nav_constant
    return -n * missile_speed * heading_error / t_final * (1.0 - t / t_final) ** (n - 2.0)


def apn_zero_lag_step(nav_constant: float, t_over_tf: float) -> float:
    """Zero-lag augmented PN against a step manoeuvre: ``n_c/n_T = N'/2 (1 -
    t/t_F)^(N'-2)`` (Zarchan, "Advanced guidance laws")."""
    n = nav_constant
    return 0.5 * n * (1.0 - t_over_tf) ** (n - 2.0)


# ------------------------------------------------------------ linear engagement model


@dataclass(frozen=True)
class LinearRun:
    """Result of :func:`linear_engagement`: time history and miss distance.

    t (S,) s; y (S,) m relative displacement; nc (S,) commanded acceleration (m/s², or
    the units of ``n_target``); miss: y at t_F.
    """

    t: F64
    y: F64
    nc: F64
    miss: float


def linear_engagement(
    nav_constant: float,
    t_final: float,
    n_target: float = 0.0,
    heading_error: float = 0.0,
    missile_speed: float = 1.0,
    lag: float = 0.0,
    augmented: bool = False,
    step: float | None = None,
) -> LinearRun:
    """Linearised planar PN homing loop (Zarchan ch. 2–3), integrated with RK4.

    States: ``y`` (relative displacement perpendicular to the initial line of sight),
    ``y'`` and, with a single-lag flight control system (``lag`` = T > 0), the achieved
    acceleration ``n_L``::

        y'' = n_T - n_L
        n_c = N' (y + y' t_go) / t_go^2  (+ N' n_T / 2 for APN)
        n_L = n_c (zero lag)   or   n_L' = (n_c - n_L) / T

    with ``y(0) = 0`` and ``y'(0) = -V_M HE`` (heading error ``HE`` in rad). The step
    shrinks as ``t_go`` falls (``min(step, t_go/40)``) so the singular end of the
    engagement is resolved; the miss is the zero-effort miss ``y + y' t_go`` at
    ``t_go = 1e-9 t_F``.

    Parameters
    ----------
    nav_constant : N'
    t_final : t_F, s
    n_target : target step manoeuvre, starting at t = 0 (any acceleration unit)
    heading_error : rad
    missile_speed : V_M (any speed unit consistent with the result)
    lag : T, s (0: zero lag)
    augmented : APN instead of PN
    step : base RK4 step, s (default ``min(t_F, T or t_F) / 400``)
    """
    n = float(nav_constant)
    apn = 0.5 * n * n_target if augmented else 0.0

    def command(t: float, s: F64) -> float:
        tgo = t_final - t
        return n * (s[0] + s[1] * tgo) / (tgo * tgo) + apn

    def deriv(t: float, s: F64) -> F64:
        nc = command(t, s)
        if lag > 0.0:
            return np.array([s[1], n_target - s[2], (nc - s[2]) / lag])
        return np.array([s[1], n_target - nc, 0.0])

    h0 = step if step is not None else min(t_final, lag if lag > 0 else t_final) / 400.0
    s = np.array([0.0, -missile_speed * heading_error, 0.0])
    t = 0.0
    ts, ys, ncs = [t], [s[0]], [command(t, s)]
    t_end = t_final * (1.0 - 1e-9)
    while t < t_end:
        h = min(h0, (t_final - t) / 40.0, t_end - t)
        k1 = deriv(t, s)
        k2 = deriv(t + h / 2, s + h / 2 * k1)
        k3 = deriv(t + h / 2, s + h / 2 * k2)
        k4 = deriv(t + h, s + h * k3)
        s = s + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
        t += h
        ts.append(t)
        ys.append(s[0])
        ncs.append(command(t, s))
    miss = float(s[0] + s[1] * (t_final - t))
    return LinearRun(np.array(ts), np.array(ys), np.array(ncs), miss)


def sample(run: LinearRun, t: float) -> tuple[float, float]:
    """(y, n_c) of a :class:`LinearRun` at time ``t`` (linear interpolation)."""
    return float(np.interp(t, run.t, run.y)), float(np.interp(t, run.t, run.nc))


def lag_miss_step_adjoint(nav_constant: int, x: float) -> float:
    """Closed-form single-lag miss per unit step manoeuvre, ``miss/(n_T T^2)``, for
    ``x = t_F/T`` and N' = 3, 4, 5 (inverse Laplace transform of
    ``(1/s^3)(sT/(1+sT))^N'``; see cases.json ``gui.single_lag``)."""
    e = math.exp(-x)
    forms = {
        3: e * x * x / 2,
        4: e * (x * x / 2 - x**3 / 6),
        5: e * (x * x / 2 - x**3 / 3 + x**4 / 24),
    }
    return forms[int(nav_constant)]
