"""Guidance laws against Zarchan's closed forms (cases.json) and 3-D kinematics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from airdefsim.physics import guidance as g
from refcases import load_cases

CASES = load_cases()


def _cases(check: str) -> list[dict]:
    found = [c for c in CASES if c["check"] == check]
    assert found, check
    return found


@pytest.mark.parametrize("case", _cases("pn_zero_lag"), ids=lambda c: c["id"])
def test_pn_step_manoeuvre_linear_sim(case: dict) -> None:
    i = case["inputs"]
    run = g.linear_engagement(i["Np"], i["tF_s"], n_target=i["nT"])
    _, nc = g.sample(run, i["t_over_tF"] * i["tF_s"])
    assert nc / i["nT"] == pytest.approx(case["expected"], abs=case["tol_abs"])
    assert g.pn_zero_lag_step(i["Np"], i["t_over_tF"]) == pytest.approx(case["expected"], abs=1e-9)
    # zero lag: zero miss, and n_c -> N'/(N'-2) n_T at intercept
    assert abs(run.miss) < 1e-6
    late = g.sample(run, 0.999 * i["tF_s"])[1]
    assert late == pytest.approx(i["Np"] / (i["Np"] - 2.0), rel=2e-3)


@pytest.mark.parametrize("case", _cases("pn_zero_lag_he"), ids=lambda c: c["id"])
def test_pn_heading_error_linear_sim(case: dict) -> None:
    i = case["inputs"]
    he = math.radians(i["HE_deg"])
    run = g.linear_engagement(i["Np"], i["tF_s"], heading_error=he, missile_speed=i["VM"])
    _, nc = g.sample(run, i["t_over_tF"] * i["tF_s"])
    assert nc == pytest.approx(case["expected"], abs=case["tol_abs"])
    closed = g.pn_zero_lag_heading_error(
        i["Np"], i["tF_s"], i["VM"], he, i["t_over_tF"] * i["tF_s"]
    )
    assert closed == pytest.approx(case["expected"], abs=1e-9)
    assert abs(run.miss) < 1e-6


@pytest.mark.parametrize("case", _cases("apn_zero_lag"), ids=lambda c: c["id"])
def test_apn_step_manoeuvre(case: dict) -> None:
    i = case["inputs"]
    run = g.linear_engagement(i["Np"], i["tF_s"], n_target=i["nT"], augmented=True)
    _, nc = g.sample(run, i["t_over_tF"] * i["tF_s"])
    assert nc / i["nT"] == pytest.approx(case["expected"], abs=case["tol_abs"])
    mid = g.sample(run, 0.5 * i["tF_s"])[1]
    assert mid == pytest.approx(g.apn_zero_lag_step(i["Np"], 0.5), abs=1e-5)


@pytest.mark.parametrize("case", _cases("lag_miss_step"), ids=lambda c: c["id"])
def test_single_lag_step_miss(case: dict) -> None:
    i = case["inputs"]
    run = g.linear_engagement(i["Np"], float(i["tF_over_T"]), n_target=1.0, lag=1.0)
    assert run.miss == pytest.approx(case["expected"], abs=case["tol_abs"])
    assert g.lag_miss_step_adjoint(i["Np"], i["tF_over_T"]) == pytest.approx(
        case["expected"], abs=case["tol_abs"]
    )


@pytest.mark.parametrize("case", _cases("lag_miss_he"), ids=lambda c: c["id"])
def test_single_lag_heading_error_miss(case: dict) -> None:
    i = case["inputs"]
    run = g.linear_engagement(
        i["Np"], float(i["tF_over_T"]), heading_error=1.0, missile_speed=1.0, lag=1.0
    )
    assert run.miss == pytest.approx(case["expected"], abs=case["tol_abs"])


def _kinematic_pn(
    nav: float, a_target: np.ndarray, augmented: bool, dt: float = 1e-3
) -> tuple[float, float]:
    """3-D point-mass missile with ideal PN vs a target; returns (miss m, final |a_c|/|a_T|)."""
    m_p, m_v = np.array([0.0, 0.0, 0.0]), np.array([1000.0, 0.0, 0.0])
    t_p, t_v = np.array([10000.0, 3000.0, 1000.0]), np.array([-300.0, 0.0, 0.0])
    best = np.inf
    a_c = np.zeros(3)
    for _ in range(200000):
        r, v = t_p - m_p, t_v - m_v
        d = float(np.linalg.norm(r))
        best = min(best, d)
        if r @ v > 0:
            break
        at = a_target if augmented else None
        a_c = g.pn_command(r[None], v[None], nav, None if at is None else at[None])[0]
        # integrate both exactly over dt for constant accelerations
        m_p = m_p + m_v * dt + 0.5 * a_c * dt * dt
        m_v = m_v + a_c * dt
        t_p = t_p + t_v * dt + 0.5 * a_target * dt * dt
        t_v = t_v + a_target * dt
        tau = g.time_of_closest_approach((t_p - m_p)[None], (t_v - m_v)[None])[0]
        if 0 <= tau <= dt:
            best = min(best, float(np.linalg.norm(t_p - m_p + (t_v - m_v) * tau)))
    na = float(np.linalg.norm(a_target))
    return best, float(np.linalg.norm(a_c)) / na if na else float(np.linalg.norm(a_c))


def test_ideal_pn_non_manoeuvring_target_near_zero_miss() -> None:
    miss, _ = _kinematic_pn(4.0, np.zeros(3), augmented=False)
    assert miss < 0.5


def test_pn_against_constant_manoeuvre_command_ratio() -> None:
    # N'/(N'-2) times the target acceleration, approached near intercept (Zarchan ch. 2)
    a_t = np.array([0.0, 0.0, 30.0])
    miss, ratio = _kinematic_pn(4.0, a_t, augmented=False)
    assert miss < 1.0
    assert ratio == pytest.approx(2.0, rel=0.15)
    miss_apn, _ = _kinematic_pn(4.0, a_t, augmented=True)
    assert miss_apn < 1.0


def test_pn_and_zem_forms_agree() -> None:
    rng = np.random.default_rng(3)
    r = rng.normal(size=(50, 3)) * 5000
    v = -r / 10 + rng.normal(size=(50, 3)) * 100
    tgo = np.linalg.norm(r, axis=1) / g.closing_speed(r, v)
    a1 = g.pn_command(r, v, 4.0)
    a2 = g.zem_command(r, v, 4.0, tgo)
    np.testing.assert_allclose(a1, a2, rtol=1e-9, atol=1e-9)
    # perpendicular to the line of sight
    np.testing.assert_allclose(np.einsum("ki,ki->k", a1, r), 0.0, atol=1e-6)


def test_pursuit_turns_towards_aim_and_shapes() -> None:
    v = np.array([[300.0, 0.0, 0.0]])
    a = g.pursuit_command(v, np.array([[1000.0, 1000.0, 0.0]]), 2.0)
    assert a.shape == (1, 3)
    assert a[0, 1] > 0 and abs(a[0, 0]) < 1e-9
    assert g.pn_command(np.zeros((0, 3)), np.zeros((0, 3)), 4.0).shape == (0, 3)
