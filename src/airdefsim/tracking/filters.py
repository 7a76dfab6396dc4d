"""Batched Kalman and IMM filtering: motion models, prediction, update, mixing.

Every function works on a batch of ``A`` tracks at once (structure of arrays); nothing
here holds a Python object per track.

State
-----
Inside the filters a track's state has nine components in the scenario ENU frame::

    x = [e, n, u, ve, vn, vu, ae, an, au]      (m, m/s, m/s²)

The tracker reports the first six. Models that do not carry an acceleration (constant
velocity, ballistic) set the acceleration to what they assume (zero, gravity), so the
IMM can mix every mode in one common space (the usual "augment with the model's own
acceleration" choice, Bar-Shalom, Li & Kirubarajan, *Estimation with Applications to
Tracking and Navigation*, 2001, §11.6).

Models (``transition``)
-----------------------
``cv``
    constant velocity, discrete white-noise acceleration (DWNA, ibid. §6.3.2):
    per axis ``F = [[1, T, 0], [0, 1, 0], [0, 0, 0]]``,
    ``Q = q² [[T⁴/4, T³/2, 0], [T³/2, T², 0], [0, 0, 0]]`` with ``q`` in m/s².
``ca``
    constant acceleration, discrete Wiener-process acceleration (DWPA, ibid. §6.3.3):
    ``F = [[1, T, T²/2], [0, 1, T], [0, 0, 1]]``, ``Q = q² g gᵀ``, ``g = [T²/2, T, 1]``
    with ``q`` in m/s³.
``ct_left`` / ``ct_right``
    horizontal coordinated turn at a known normal acceleration ``a_n`` (m/s²), turn rate
    ``ω = ±a_n / v_h`` evaluated from the (mixed) state's horizontal speed ``v_h``; the
    vertical axis is constant velocity; the acceleration components are set to the
    centripetal acceleration ``ω × v`` after the step (ibid. §11.7.1, known-rate CT).
``ballistic``
    constant velocity under gravity ``g = (0, 0, -9.80665)`` m/s² in the scenario ENU
    frame (flat-earth, no drag: a model for the midcourse of a ballistic threat near the
    scenario origin), DWNA process noise.

Measurement
-----------
Converted position measurements: ``z = H x + w``, ``H = [I₃ 0 0]``, ``w ~ N(0, R)`` with
``R`` the plot's ENU covariance (``airdefsim.types.Plots.R``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airdefsim.types import F64

#: standard gravity, m/s² (CGPM 1901)
G0 = 9.80665
#: state dimension inside the filters
NX = 9
MODEL_NAMES = ("cv", "ca", "ct_left", "ct_right", "ballistic")
_LOG_2PI = float(np.log(2.0 * np.pi))


@dataclass(frozen=True)
class ModelParams:
    """Process-noise and shape parameters of the motion models (SI).

    Attributes
    ----------
    sigma_cv : float, m/s² — DWNA acceleration standard deviation of ``cv``.
    sigma_ca : float, m/s³ — DWPA jerk standard deviation of ``ca``.
    sigma_ct : float, m/s² — DWNA acceleration standard deviation of the turn models.
    turn_acc : float, m/s² — normal acceleration of the coordinated-turn models.
    sigma_ballistic : float, m/s² — DWNA acceleration standard deviation of ``ballistic``.
    min_turn_speed : float, m/s — below this horizontal speed the turn rate is computed
        with this speed (avoids huge rates for hovering or just-initiated tracks).
    continuous_noise : bool — white-noise acceleration models use the continuous-time
        (CWNA) covariance with ``σ²`` as spectral density instead of the discrete DWNA.
    """

    sigma_cv: float = 3.0
    sigma_ca: float = 10.0
    sigma_ct: float = 5.0
    turn_acc: float = 50.0
    sigma_ballistic: float = 5.0
    min_turn_speed: float = 100.0
    continuous_noise: bool = False


def _axis_kron(block: F64) -> F64:
    """Expand per-axis ``(A, 3, 3)`` blocks over [pos, vel, acc] to ``(A, 9, 9)``.

    ``out[a, 3*i + k, 3*j + l] = block[a, i, j] * δ_kl`` (same model on e, n and u).
    """
    a = block.shape[0]
    out = np.zeros((a, 3, 3, 3, 3))
    for k in range(3):
        out[:, :, k, :, k] = block
    return out.reshape(a, NX, NX)


def _dwna_block(dt: F64, sigma: float, continuous: bool = False) -> F64:
    """Per-axis white-noise-acceleration process noise ``(A, 3, 3)`` for steps ``dt (A,)`` s
    (``|dt|`` used).

    Discrete (DWNA): ``σ² [[T⁴/4, T³/2], [T³/2, T²]]``, σ in m/s². Continuous (CWNA,
    Bar-Shalom et al. §6.2.2): ``q̃ [[T³/3, T²/2], [T²/2, T]]`` with ``q̃ = σ²`` read as a
    power spectral density in m²/s³ (Stone Soup's ``ConstantVelocity(noise_diff_coeff)``).
    """
    q = sigma * sigma
    dt = np.abs(dt)
    b = np.zeros((dt.shape[0], 3, 3))
    if continuous:
        b[:, 0, 0] = dt**3 / 3.0 * q
        b[:, 0, 1] = b[:, 1, 0] = dt**2 / 2.0 * q
        b[:, 1, 1] = dt * q
        return b
    b[:, 0, 0] = dt**4 / 4.0 * q
    b[:, 0, 1] = b[:, 1, 0] = dt**3 / 2.0 * q
    b[:, 1, 1] = dt**2 * q
    return b


def transition(model: str, dt: F64, x: F64, params: ModelParams) -> tuple[F64, F64, F64]:
    """Linear(ised) transition ``x' = F x + b``, noise ``Q`` of one motion model.

    Parameters
    ----------
    model : str — one of ``MODEL_NAMES``.
    dt : (A,) float, s — time step of each track; negative steps retrodict (the
        process noise is that of ``|dt|``).
    x : (A, 9) float — state the model starts from (used by the turn models for ω).
    params : ModelParams

    Returns
    -------
    F : (A, 9, 9) float
    b : (A, 9) float — deterministic input (gravity of the ballistic model, else zero)
    Q : (A, 9, 9) float — process noise covariance
    """
    dt = np.asarray(dt, dtype=float)
    a = dt.shape[0]
    b = np.zeros((a, NX))
    blk = np.zeros((a, 3, 3))
    blk[:, 0, 0] = blk[:, 1, 1] = 1.0
    blk[:, 0, 1] = dt
    if model == "cv":
        return (
            _axis_kron(blk),
            b,
            _axis_kron(_dwna_block(dt, params.sigma_cv, params.continuous_noise)),
        )
    if model == "ballistic":
        half = 0.5 * dt * dt
        b[:, 2] = -G0 * half
        b[:, 5] = -G0 * dt
        b[:, 8] = -G0
        return (
            _axis_kron(blk),
            b,
            _axis_kron(_dwna_block(dt, params.sigma_ballistic, params.continuous_noise)),
        )
    if model == "ca":
        blk[:, 2, 2] = 1.0
        blk[:, 0, 2] = 0.5 * dt * dt
        blk[:, 1, 2] = dt
        g = np.stack([0.5 * dt * dt, np.abs(dt), np.ones_like(dt)], axis=1)
        q = params.sigma_ca**2 * g[:, :, None] * g[:, None, :]
        return _axis_kron(blk), b, _axis_kron(q)
    if model in ("ct_left", "ct_right"):
        sign = 1.0 if model == "ct_left" else -1.0
        vh = np.maximum(np.hypot(x[:, 3], x[:, 4]), params.min_turn_speed)
        w = sign * params.turn_acc / vh
        wt = w * dt
        s, c = np.sin(wt), np.cos(wt)
        small = np.abs(wt) < 1e-6
        w_safe = np.where(small, 1.0, w)
        s_w = np.where(small, dt, s / w_safe)  # sin(ωT)/ω
        c_w = np.where(small, 0.5 * w * dt * dt, (1.0 - c) / w_safe)  # (1-cos ωT)/ω
        F = _axis_kron(blk)
        F[:, 6:9, 6:9] = 0.0
        # horizontal turn (e = 0, n = 1; ve = 3, vn = 4), counter-clockwise for ω > 0
        F[:, 0, 3], F[:, 0, 4] = s_w, -c_w
        F[:, 1, 3], F[:, 1, 4] = c_w, s_w
        F[:, 3, 3], F[:, 3, 4] = c, -s
        F[:, 4, 3], F[:, 4, 4] = s, c
        # acceleration after the step: centripetal ω × v'
        F[:, 6, :] = -w[:, None] * F[:, 4, :]
        F[:, 7, :] = w[:, None] * F[:, 3, :]
        return F, b, _axis_kron(_dwna_block(dt, params.sigma_ct, params.continuous_noise))
    raise ValueError(f"unknown motion model {model!r}; choose from {', '.join(MODEL_NAMES)}")


def predict(x: F64, P: F64, F: F64, b: F64, Q: F64) -> tuple[F64, F64]:
    """Kalman prediction ``x' = F x + b``, ``P' = F P Fᵀ + Q`` (batched).

    Shapes: ``x (A, n)``, ``P (A, n, n)``, ``F (A, n, n)``, ``b (A, n)``, ``Q (A, n, n)``.
    """
    xp = np.einsum("aij,aj->ai", F, x) + b
    Pp = F @ P @ np.swapaxes(F, 1, 2) + Q
    return xp, 0.5 * (Pp + np.swapaxes(Pp, 1, 2))


def innovation(x: F64, P: F64, z: F64, R: F64) -> tuple[F64, F64]:
    """Innovation ``ν = z - H x`` (A, 3) and its covariance ``S = H P Hᵀ + R`` (A, 3, 3)."""
    return z - x[:, :3], P[:, :3, :3] + R


def inv3(S: F64) -> tuple[F64, F64]:
    """Inverse and determinant of a stack of 3×3 matrices ``S (A, 3, 3)`` by cofactors.

    Hot path: closed form, no LAPACK call per matrix. Returns ``(S⁻¹ (A, 3, 3), det (A,))``.
    """
    a, b, c = S[:, 0, 0], S[:, 0, 1], S[:, 0, 2]
    d, e, f = S[:, 1, 0], S[:, 1, 1], S[:, 1, 2]
    g, h, i = S[:, 2, 0], S[:, 2, 1], S[:, 2, 2]
    co = np.empty_like(S)
    co[:, 0, 0] = e * i - f * h
    co[:, 0, 1] = c * h - b * i
    co[:, 0, 2] = b * f - c * e
    co[:, 1, 0] = f * g - d * i
    co[:, 1, 1] = a * i - c * g
    co[:, 1, 2] = c * d - a * f
    co[:, 2, 0] = d * h - e * g
    co[:, 2, 1] = b * g - a * h
    co[:, 2, 2] = a * e - b * d
    det = a * co[:, 0, 0] + b * co[:, 1, 0] + c * co[:, 2, 0]
    return co / det[:, None, None], det


def mahalanobis2(nu: F64, S: F64) -> F64:
    """Squared Mahalanobis distance ``νᵀ S⁻¹ ν`` for ``nu (A, 3)``, ``S (A, 3, 3)``."""
    Si, _ = inv3(S)
    return np.einsum("ai,aij,aj->a", nu, Si, nu)


def log_gauss(nu: F64, S: F64) -> F64:
    """Log density of ``N(ν; 0, S)`` for ``nu (A, 3)``, ``S (A, 3, 3)`` -> (A,)."""
    Si, det = inv3(S)
    d2 = np.einsum("ai,aij,aj->a", nu, Si, nu)
    return -0.5 * (d2 + np.log(det) + 3 * _LOG_2PI)


def update(x: F64, P: F64, z: F64, R: F64) -> tuple[F64, F64, F64]:
    """Kalman update with a position measurement (batched).

    ``S = H P Hᵀ + R``, ``K = P Hᵀ S⁻¹``, ``x⁺ = x + K ν``, ``P⁺ = P - K H P``,
    symmetrised (the optimal-gain form; with the exact gain it equals the Joseph form).

    Parameters
    ----------
    x : (A, n) float; P : (A, n, n) float — predicted state and covariance
    z : (A, 3) float, m, ENU; R : (A, 3, 3) float, m² — measurement and its covariance

    Returns
    -------
    x : (A, n); P : (A, n, n); loglik : (A,) — ``log N(ν; 0, S)``
    """
    nu, S = innovation(x, P, z, R)
    Si, det = inv3(S)
    PHt = P[:, :, :3]
    K = PHt @ Si
    xu = x + (K @ nu[:, :, None])[:, :, 0]
    Pu = P - K @ np.swapaxes(PHt, 1, 2)
    d2 = np.einsum("ai,aij,aj->a", nu, Si, nu)
    ll = -0.5 * (d2 + np.log(det) + 3 * _LOG_2PI)
    return xu, 0.5 * (Pu + np.swapaxes(Pu, 1, 2)), ll


def imm_mix(mu: F64, trans: F64, xm: F64, Pm: F64) -> tuple[F64, F64, F64]:
    """IMM interaction (mixing) step (Blom & Bar-Shalom 1988; Bar-Shalom et al. §11.6.6).

    Parameters
    ----------
    mu : (A, r) float — mode probabilities
    trans : (r, r) float — Markov matrix, ``trans[i, j] = P(mode j next | mode i now)``
    xm : (A, r, n) float; Pm : (A, r, n, n) float — mode-conditioned estimates

    Returns
    -------
    x0 : (A, r, n); P0 : (A, r, n, n) — mixed initial conditions of each mode
    cbar : (A, r) — predicted mode probabilities ``c_j = Σ_i π_ij μ_i``
    """
    cbar = mu @ trans
    a, r, n = xm.shape
    if r == 1:
        return xm.copy(), Pm.copy(), cbar
    w = mu[:, :, None] * trans[None, :, :] / np.maximum(cbar[:, None, :], 1e-300)
    wt = np.swapaxes(w, 1, 2)  # (A, j, i)
    x0 = wt @ xm
    # hot path: batched matmul instead of einsum over (A, i, j, n, n)
    D = xm[:, None, :, :] - x0[:, :, None, :]  # (A, j, i, n)
    P0 = (wt @ Pm.reshape(a, r, n * n)).reshape(a, r, n, n)
    P0 += np.swapaxes(D * wt[..., None], 2, 3) @ D
    return x0, P0, cbar


def imm_combine(mu: F64, xm: F64, Pm: F64) -> tuple[F64, F64]:
    """Moment-matched Gaussian of a mode mixture.

    ``x̄ = Σ μ_j x_j``, ``P̄ = Σ μ_j (P_j + (x_j - x̄)(x_j - x̄)ᵀ)``;
    shapes ``mu (A, r)``, ``xm (A, r, n)``, ``Pm (A, r, n, n)`` -> ``(A, n)``, ``(A, n, n)``.
    """
    a, r, n = xm.shape
    if r == 1:
        return xm[:, 0].copy(), Pm[:, 0].copy()
    x = (mu[:, None, :] @ xm)[:, 0]
    D = xm - x[:, None, :]
    P = (mu[:, None, :] @ Pm.reshape(a, r, n * n)).reshape(a, n, n)
    P += np.swapaxes(D * mu[:, :, None], 1, 2) @ D
    return x, 0.5 * (P + np.swapaxes(P, 1, 2))


def imm_predict(
    models: tuple[str, ...], params: ModelParams, dt: F64, x0: F64, P0: F64
) -> tuple[F64, F64]:
    """Predict every mode from its mixed initial condition over ``dt (A,)`` s.

    ``x0 (A, r, 9)``, ``P0 (A, r, 9, 9)`` -> predicted ``(A, r, 9)``, ``(A, r, 9, 9)``.
    """
    xs = np.empty_like(x0)
    Ps = np.empty_like(P0)
    for j, name in enumerate(models):
        F, b, Q = transition(name, dt, x0[:, j], params)
        xs[:, j], Ps[:, j] = predict(x0[:, j], P0[:, j], F, b, Q)
    return xs, Ps


def imm_update(xp: F64, Pp: F64, cbar: F64, z: F64, R: F64) -> tuple[F64, F64, F64, F64]:
    """Update every mode with one measurement and the mode probabilities.

    Parameters
    ----------
    xp : (A, r, 9); Pp : (A, r, 9, 9) — predicted mode estimates
    cbar : (A, r) — predicted mode probabilities
    z : (A, 3) m; R : (A, 3, 3) m²

    Returns
    -------
    xm, Pm — updated mode estimates; mu : (A, r) — posterior mode probabilities;
    loglik : (A,) — log likelihood of the measurement under the mixture.
    """
    a, r, n = xp.shape
    zr = np.repeat(z, r, axis=0)
    Rr = np.repeat(R, r, axis=0)
    xu, Pu, ll = update(xp.reshape(a * r, n), Pp.reshape(a * r, n, n), zr, Rr)
    ll = ll.reshape(a, r)
    logw = ll + np.log(np.maximum(cbar, 1e-300))
    top = logw.max(axis=1, keepdims=True)
    w = np.exp(logw - top)
    tot = w.sum(axis=1, keepdims=True)
    mu = w / tot
    return xu.reshape(a, r, n), Pu.reshape(a, r, n, n), mu, (top + np.log(tot))[:, 0]


def debias_converted(pos: F64, sensor_pos: F64, sigma_rae: F64) -> F64:
    """Multiplicatively unbiased converted position measurements.

    Converting a noisy polar measurement ``(r, az, el)`` to Cartesian biases it toward the
    sensor: ``E[cos(az + w)] = λ_a cos az`` with ``λ = exp(-σ²/2)`` for Gaussian angle
    errors. The unbiased conversion (Mo, Song, Zhou, Sun & Bar-Shalom, IEEE T-AES 34(3)
    1998; Duan, Han & Li 2004) divides the horizontal components by ``λ_a λ_e`` and the
    vertical one by ``λ_e``. The sensor's own ENU axes are taken parallel to the scenario's
    (a tilt of a few degrees changes the correction by a negligible fraction).

    Parameters
    ----------
    pos : (K, 3) float, m, scenario ENU — converted measurement
    sensor_pos : (K, 3) float, m, scenario ENU — radar position
    sigma_rae : (K, 3) float — range (m), azimuth (rad), elevation (rad) one-sigma errors;
        rows with a non-finite sigma are returned unchanged

    Returns
    -------
    (K, 3) float, m, scenario ENU
    """
    la = np.exp(-0.5 * np.square(sigma_rae[:, 1]))
    le = np.exp(-0.5 * np.square(sigma_rae[:, 2]))
    scale = np.stack([1.0 / (la * le), 1.0 / (la * le), 1.0 / le], axis=1)
    scale = np.where(np.isfinite(scale), scale, 1.0)
    return sensor_pos + (pos - sensor_pos) * scale


def markov_matrix(r: int, p_stay: float) -> F64:
    """``(r, r)`` Markov matrix with ``p_stay`` on the diagonal, the rest spread evenly."""
    if r == 1:
        return np.ones((1, 1))
    m = np.full((r, r), (1.0 - p_stay) / (r - 1))
    np.fill_diagonal(m, p_stay)
    return m
