"""Filters: Kalata steady state, covariance invariants, IMM on a turning target."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdefsim.testing.synthetic_tracks import turning_truth
from airdefsim.tracking import filters
from airdefsim.tracking.filters import ModelParams
from refcases import load_cases


def _cv_run(T: float, sigma_m: float, sigma_a: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Covariance recursion of the batched CV filter, one track, n cycles."""
    params = ModelParams(sigma_cv=sigma_a)
    x = np.zeros((1, 9))
    P = np.eye(9)[None] * 1e6
    R = np.eye(3)[None] * sigma_m**2
    K = np.zeros((9, 3))
    for _ in range(n):
        F, b, Q = filters.transition("cv", np.array([T]), x, params)
        xp, Pp = filters.predict(x, P, F, b, Q)
        S = Pp[0, :3, :3] + R[0]
        K = Pp[0, :, :3] @ np.linalg.inv(S)
        x, P, _ = filters.update(xp, Pp, np.zeros((1, 3)), R)
    return P[0], K


@pytest.mark.parametrize("case", load_cases("kalata"), ids=lambda c: c["id"])
def test_cv_steady_state_matches_kalata(case: dict) -> None:
    """Kalata (1984) alpha-beta filter: the DWNA Kalman filter reaches the closed-form
    gains and the updated position variance P11 = alpha sigma_m^2."""
    inp, exp = case["inputs"], case["expected"]
    T, sm, sa = inp["T_s"], inp["sigma_meas_m"], inp["sigma_acc_ms2"]
    assert sa * T * T / sm == pytest.approx(exp["tracking_index"], abs=1e-12)
    P, K = _cv_run(T, sm, sa, 300)
    tol = case["tol_abs"]
    assert K[0, 0] == pytest.approx(exp["alpha"], abs=tol)
    assert K[3, 0] * T == pytest.approx(exp["beta"], abs=tol)
    assert P[0, 0] == pytest.approx(exp["P11_m2"], abs=1e-3)
    assert np.sqrt(P[0, 0]) == pytest.approx(exp["pos_rmse_m"], abs=tol)
    # the three axes are independent and identical
    assert np.allclose(np.diag(P)[:3], P[0, 0])


def test_cv_empirical_rmse_matches_kalata() -> None:
    """Monte Carlo: truth driven by DWNA noise, the filtered position error's RMS over 3 axes
    × 3000 cycles is the Kalata pos RMSE (19.70 m) within 4 %."""
    (case,) = load_cases("kalata")
    inp, exp = case["inputs"], case["expected"]
    T, sm, sa = inp["T_s"], inp["sigma_meas_m"], inp["sigma_acc_ms2"]
    rng = np.random.default_rng(7)
    params = ModelParams(sigma_cv=sa)
    truth = np.zeros(6)
    x = np.zeros((1, 9))
    P = np.eye(9)[None] * 1e6
    R = np.eye(3)[None] * sm**2
    err = []
    for k in range(3200):
        a = rng.normal(0.0, sa, 3)
        truth[:3] += truth[3:] * T + 0.5 * a * T * T
        truth[3:] += a * T
        F, b, Q = filters.transition("cv", np.array([T]), x, params)
        xp, Pp = filters.predict(x, P, F, b, Q)
        z = truth[:3] + rng.normal(0.0, sm, 3)
        x, P, _ = filters.update(xp, Pp, z[None], R)
        if k >= 200:
            err.append(x[0, :3] - truth[:3])
    rmse = float(np.sqrt(np.mean(np.square(err))))
    assert rmse == pytest.approx(exp["pos_rmse_m"], rel=0.04)


@settings(max_examples=60, deadline=None)
@given(
    model=st.sampled_from(filters.MODEL_NAMES),
    dt=st.floats(0.0, 30.0),
    sig_m=st.floats(1.0, 5000.0),
    speed=st.floats(0.0, 3000.0),
    seed=st.integers(0, 2**31 - 1),
)
def test_covariances_stay_symmetric_positive_definite(
    model: str, dt: float, sig_m: float, speed: float, seed: int
) -> None:
    """Predict + Joseph update keeps P symmetric positive definite on the reported
    6-dim [pos, vel] block, for every model and any step."""
    rng = np.random.default_rng(seed)
    params = ModelParams()
    a = 4
    x = np.zeros((a, 9))
    x[:, 3:6] = rng.normal(size=(a, 3)) * speed / np.sqrt(3)
    L = rng.normal(size=(a, 9, 9))
    P = L @ np.swapaxes(L, 1, 2) * 100.0 + np.eye(9) * 1e-3
    Rm = rng.normal(size=(a, 3, 3))
    R = Rm @ np.swapaxes(Rm, 1, 2) * sig_m**2 / 3 + np.eye(3) * sig_m**2 * 1e-3
    for _ in range(5):
        F, b, Q = filters.transition(model, np.full(a, dt), x, params)
        x, P = filters.predict(x, P, F, b, Q)
        z = x[:, :3] + rng.normal(size=(a, 3)) * sig_m
        x, P, ll = filters.update(x, P, z, R)
        assert np.all(np.isfinite(ll))
        assert np.allclose(P, np.swapaxes(P, 1, 2))
        eig = np.linalg.eigvalsh(P[:, :6, :6])
        assert np.all(eig > 0.0)


def test_imm_mixing_preserves_the_mixture_moments() -> None:
    """Mix then combine with the predicted mode probabilities = combine the original
    mixture (the IMM interaction preserves the first two moments)."""
    rng = np.random.default_rng(1)
    a, r = 5, 3
    mu = rng.dirichlet(np.ones(r), size=a)
    xm = rng.normal(size=(a, r, 9))
    L = rng.normal(size=(a, r, 9, 9))
    Pm = L @ np.swapaxes(L, 2, 3)
    trans = filters.markov_matrix(r, 0.9)
    x0, P0, cbar = filters.imm_mix(mu, trans, xm, Pm)
    xa, Pa = filters.imm_combine(mu, xm, Pm)
    xb, Pb = filters.imm_combine(cbar, x0, P0)
    assert np.allclose(xa, xb) and np.allclose(Pa, Pb)
    assert np.allclose(cbar.sum(axis=1), 1.0)


def _run_filter(models: tuple[str, ...], truth: np.ndarray, T: float, sm: float) -> float:
    """RMS position error of a filter on ``truth`` (K, 3) sampled every T s."""
    rng = np.random.default_rng(11)
    r = len(models)
    params = ModelParams(turn_acc=50.0, sigma_cv=3.0)
    trans = filters.markov_matrix(r, 0.95)
    xm = np.zeros((1, r, 9))
    xm[0, :, :3] = truth[0]
    xm[0, :, 3:6] = (truth[1] - truth[0]) / T
    Pm = np.broadcast_to(np.eye(9) * 100.0**2, (1, r, 9, 9)).copy()
    mu = np.full((1, r), 1.0 / r)
    R = np.eye(3)[None] * sm**2
    err = []
    for k in range(1, truth.shape[0]):
        x0, P0, cbar = filters.imm_mix(mu, trans, xm, Pm)
        xp, Pp = filters.imm_predict(models, params, np.array([T]), x0, P0)
        z = truth[k] + rng.normal(0.0, sm, 3)
        xm, Pm, mu, _ = filters.imm_update(xp, Pp, cbar, z[None], R)
        x, _ = filters.imm_combine(mu, xm, Pm)
        if k > 10:
            err.append(x[0, :3] - truth[k])
    return float(np.sqrt(np.mean(np.sum(np.square(err), axis=1))))


def test_imm_beats_cv_on_a_turning_target() -> None:
    """A 250 m/s fighter pulls a 5 g (49 m/s²) turn for 60 s, seen every second with
    30 m noise: the IMM (CV + two coordinated turns) has a clearly smaller RMS error
    than the single CV filter."""
    times = np.arange(0.0, 160.0, 1.0)
    truth = turning_truth(times, 250.0, 49.0, (40.0, 100.0))
    rms_cv = _run_filter(("cv",), truth, 1.0, 30.0)
    rms_imm = _run_filter(("cv", "ct_left", "ct_right"), truth, 1.0, 30.0)
    assert rms_imm < 0.7 * rms_cv


def test_ballistic_model_predicts_free_fall_exactly() -> None:
    """x(t) = x0 + v0 t + g t²/2 for the ballistic model's mean."""
    x = np.zeros((1, 9))
    x[0, :3] = [1e3, 2e3, 50e3]
    x[0, 3:6] = [100.0, -200.0, 1500.0]
    F, b, _ = filters.transition("ballistic", np.array([12.0]), x, ModelParams())
    xp = F[0] @ x[0] + b[0]
    expect = x[0, :3] + x[0, 3:6] * 12.0 + 0.5 * np.array([0, 0, -filters.G0]) * 144.0
    assert np.allclose(xp[:3], expect)
    assert np.allclose(xp[8], -filters.G0)


def test_coordinated_turn_keeps_speed_and_turns_left() -> None:
    """The CT mean moves on a circle: speed unchanged, heading turned by ω T."""
    x = np.zeros((1, 9))
    x[0, 4] = 200.0  # north
    params = ModelParams(turn_acc=20.0)
    F, b, _ = filters.transition("ct_left", np.array([5.0]), x, params)
    xp = F[0] @ x[0] + b[0]
    w = 20.0 / 200.0
    assert np.hypot(xp[3], xp[4]) == pytest.approx(200.0)
    assert np.arctan2(xp[4], xp[3]) == pytest.approx(np.pi / 2 + w * 5.0)
    r = 200.0 / w
    assert xp[0] == pytest.approx(-r * (1 - np.cos(w * 5.0)))
    # centripetal acceleration of magnitude a_n, pointing to the circle's centre (-r, 0)
    assert np.hypot(xp[6], xp[7]) == pytest.approx(20.0)


def test_debiased_conversion_removes_the_polar_bias() -> None:
    """Large angle errors (0.15 rad az, 0.1 rad el) at 100 km: the plain conversion is
    biased toward the radar by r (1 - λ) (≈ 1.6 km horizontally, closed form); the
    unbiased conversion's mean error is within the Monte Carlo noise."""
    rng = np.random.default_rng(3)
    n = 200_000
    r, az, el = 100e3, 0.7, 0.2
    sig = np.array([30.0, 0.15, 0.1])
    truth = np.array([r * np.cos(el) * np.sin(az), r * np.cos(el) * np.cos(az), r * np.sin(el)])
    noisy = np.array([r, az, el]) + rng.normal(size=(n, 3)) * sig
    rr, aa, ee = noisy.T
    pos = np.column_stack(
        [rr * np.cos(ee) * np.sin(aa), rr * np.cos(ee) * np.cos(aa), rr * np.sin(ee)]
    )
    sensor = np.zeros((n, 3))
    lam_a, lam_e = np.exp(-0.5 * sig[1] ** 2), np.exp(-0.5 * sig[2] ** 2)
    bias = pos.mean(axis=0) - truth
    expect = truth * np.array([lam_a * lam_e - 1, lam_a * lam_e - 1, lam_e - 1])
    assert np.allclose(bias, expect, atol=120.0)  # MC std of the mean ≈ 33 m
    assert np.linalg.norm(expect[:2]) > 1500.0
    fixed = filters.debias_converted(pos, sensor, np.broadcast_to(sig, (n, 3)))
    assert np.all(np.abs(fixed.mean(axis=0) - truth) < 120.0)
    # no sigma: unchanged
    same = filters.debias_converted(pos[:5], sensor[:5], np.full((5, 3), np.nan))
    assert np.array_equal(same, pos[:5])
