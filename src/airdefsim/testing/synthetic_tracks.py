"""Synthetic truth and plots for tracker tests, benchmarks and demos.

Pure functions with an explicit ``numpy.random.Generator``; the truth is closed form
(straight legs, constant turns), the plots are truth + Gaussian noise with a detection
probability, plus uniform false alarms.
"""

from __future__ import annotations

import numpy as np

from airdefsim.types import F64, Plots


def straight_truth(
    n: int,
    times: F64,
    rng: np.random.Generator,
    half_width: float = 100e3,
    speed: tuple[float, float] = (150.0, 300.0),
    alt: tuple[float, float] = (1e3, 10e3),
) -> tuple[F64, F64]:
    """``n`` targets flying straight and level at constant speed.

    Parameters
    ----------
    n : int; times : (T,) float, s
    rng : Generator
    half_width : float, m — start positions uniform in a square of this half width
    speed : (lo, hi) m/s; alt : (lo, hi) m

    Returns
    -------
    pos : (T, n, 3) float, m ENU; vel : (T, n, 3) float, m/s ENU
    """
    p0 = np.column_stack(
        [rng.uniform(-half_width, half_width, (n, 2)), rng.uniform(alt[0], alt[1], n)]
    )
    heading = rng.uniform(0.0, 2.0 * np.pi, n)
    v = rng.uniform(speed[0], speed[1], n)
    v0 = np.column_stack([v * np.sin(heading), v * np.cos(heading), np.zeros(n)])
    dt = times - times[0]
    pos = p0[None] + dt[:, None, None] * v0[None]
    return pos, np.broadcast_to(v0, pos.shape).copy()


def turning_truth(times: F64, speed: float, turn_acc: float, t_turn: tuple[float, float]) -> F64:
    """One target: straight north, a constant-rate left turn, then straight again.

    Parameters
    ----------
    times : (T,) float, s; speed : m/s; turn_acc : m/s², normal acceleration;
    t_turn : (start, end) s of the turn.

    Returns
    -------
    pos : (T, 3) float, m ENU (altitude 5 km)
    """
    w = turn_acc / speed
    out = np.zeros((times.size, 3))
    out[:, 2] = 5e3
    t0, t1 = t_turn
    for i, t in enumerate(times):
        # heading angle from east, counter-clockwise; starts pointing north
        if t <= t0:
            out[i, :2] = [0.0, speed * t]
            continue
        a = min(t, t1) - t0
        r = speed / w
        p = np.array([-r * (1 - np.cos(w * a)), speed * t0 + r * np.sin(w * a)])
        if t > t1:
            th = np.pi / 2 + w * (t1 - t0)
            p = p + speed * (t - t1) * np.array([np.cos(th), np.sin(th)])
        out[i, :2] = p
    return out


def plots_from_truth(
    t: float,
    truth_pos: F64,
    sigma: float,
    pd: float,
    n_false: int,
    rng: np.random.Generator,
    sensor: int = 0,
    half_width: float = 100e3,
    alt: tuple[float, float] = (0.0, 15e3),
    truth_id: np.ndarray | None = None,
) -> Plots:
    """Plots of one look at time ``t``: detections (prob. ``pd``) and false alarms.

    Parameters
    ----------
    t : float, s; truth_pos : (N, 3) float, m ENU
    sigma : float, m — one-sigma noise per axis; R = sigma² I
    pd : float; n_false : int — false alarms, uniform over the square and altitude band
    rng : Generator; sensor : int; truth_id : (N,) int or None (0..N-1)

    Returns
    -------
    Plots (detections first, then false alarms with ``truth_id`` -1)
    """
    n = truth_pos.shape[0]
    ids = np.arange(n) if truth_id is None else np.asarray(truth_id)
    det = rng.random(n) < pd
    z = truth_pos[det] + rng.normal(0.0, sigma, (int(np.count_nonzero(det)), 3))
    fa = np.column_stack(
        [rng.uniform(-half_width, half_width, (n_false, 2)), rng.uniform(alt[0], alt[1], n_false)]
    )
    pos = np.vstack([z, fa])
    k = pos.shape[0]
    return Plots(
        t=np.full(k, float(t)),
        sensor=np.full(k, sensor, np.int64),
        pos=pos,
        R=np.broadcast_to(np.eye(3) * sigma**2, (k, 3, 3)).copy(),
        rae=np.zeros((k, 3)),
        sigma_rae=np.zeros((k, 3)),
        sensor_pos=np.zeros((k, 3)),
        snr_db=np.zeros(k),
        truth_id=np.concatenate([ids[det], np.full(n_false, -1)]).astype(np.int64),
    )
