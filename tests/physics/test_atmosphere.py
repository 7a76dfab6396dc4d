"""US76 / ISA against the published rows of cases.json and closed-form invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from airdefsim.physics.atmosphere import (
    geometric_altitude,
    geopotential_altitude,
    isa,
    isa_geometric,
    isa_geopotential,
    speed_of_sound,
)
from refcases import load_cases

CASES = load_cases()
ATM = [c for c in CASES if c["check"] in ("isa_geopotential", "isa_geometric")]


@pytest.mark.parametrize("case", ATM, ids=[c["id"] for c in ATM])
def test_published_rows(case: dict) -> None:
    if case["check"] == "isa_geopotential":
        out = isa_geopotential(case["inputs"]["H_geopotential_m"])
    else:
        out = isa_geometric(case["inputs"]["z_geometric_m"])
    for key, value in zip(("T_K", "p_Pa", "rho_kgm3", "a_ms"), out, strict=True):
        assert float(value) == pytest.approx(case["expected"][key], rel=case["tol_rel"][key])


def test_cases_present() -> None:
    assert len(ATM) >= 3


def test_sea_level_and_density_convention() -> None:
    T, p, rho, a = isa(0.0)
    assert float(T) == pytest.approx(288.15)
    assert float(p) == pytest.approx(101325.0)
    assert float(rho) == pytest.approx(1.225, rel=1e-4)
    assert float(a) == pytest.approx(340.294, rel=1e-5)
    # cases.json "disagreements": rho(20 km geopotential) vs rho(20 km geometric)
    assert float(isa_geopotential(20000.0)[2]) == pytest.approx(0.0880349, rel=2e-5)
    assert float(isa(20000.0)[2]) == pytest.approx(0.0889097, rel=2e-4)


def test_us76_upper_rows() -> None:
    # US76 Table I (geometric): 50 km T 270.65 K, p 79.779 Pa; 86 km T 186.87 K, p 0.37338 Pa
    T, p, _, _ = isa(50000.0)
    assert float(T) == pytest.approx(270.65, abs=0.05)
    assert float(p) == pytest.approx(79.779, rel=2e-3)
    T, p, _, _ = isa(86000.0)
    assert float(T) == pytest.approx(186.87, abs=0.02)
    assert float(p) == pytest.approx(0.37338, rel=3e-3)


def test_vectorised_shapes() -> None:
    h = np.linspace(-500.0, 120e3, 37).reshape(37)
    for arr in isa(h):
        assert arr.shape == (37,)
        assert np.all(np.isfinite(arr)) and np.all(arr > 0)
    assert isa(np.zeros((0,)))[0].shape == (0,)
    assert speed_of_sound(np.zeros((2, 3))).shape == (2, 3)


@given(st.floats(0.0, 120e3))
def test_altitude_conversion_roundtrip_and_monotone(z: float) -> None:
    assert float(geometric_altitude(geopotential_altitude(z))) == pytest.approx(z, abs=1e-6)
    p1, p2 = isa(z)[1], isa(z + 10.0)[1]
    assert p2 < p1
