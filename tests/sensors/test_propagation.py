"""Radar horizon (cases.json), atmospheric and low-elevation losses."""

from __future__ import annotations

import numpy as np
import pytest

from airdefsim.geo.horizon import effective_earth_radius, horizon_range, max_los_range
from airdefsim.sensors import propagation
from refcases import load_cases

FT = 0.3048


def _check(case, got):
    if "tol_rel" in case:
        assert got == pytest.approx(case["expected"], rel=case["tol_rel"])
    else:
        assert got == pytest.approx(case["expected"], abs=case["tol_abs"])


@pytest.mark.parametrize("case", load_cases("horizon_coef"), ids=lambda c: c["id"])
def test_horizon_coefficient(case):
    i = case["inputs"]
    re = i["k"] * i["earth_radius_m"]
    _check(case, float(horizon_range(1.0, re)) / 1000.0)
    # the sensors' effective radius is the same 4/3 earth
    assert propagation.EFF_RADIUS == pytest.approx(re)


@pytest.mark.parametrize("case", load_cases("horizon_nmi"), ids=lambda c: c["id"])
def test_horizon_two_heights_nmi(case):
    i = case["inputs"]
    d = float(max_los_range(i["h1_ft"] * FT, i["h2_ft"] * FT, propagation.EFF_RADIUS)) / 1852.0
    _check(case, d)


@pytest.mark.parametrize("case", load_cases("effearth"), ids=lambda c: c["id"])
def test_effective_radius(case):
    i = case["inputs"]
    _check(case, effective_earth_radius(i["earth_radius_m"], i["refractivity_gradient"]))


@pytest.mark.parametrize("case", load_cases("horizonrange"), ids=lambda c: c["id"])
def test_horizonrange(case):
    i = case["inputs"]
    _check(case, float(horizon_range(i["h_m"], i["eff_radius_m"])))


def test_ground_range_on_sphere():
    a = np.array([6371000.0, 0, 0])
    b = np.array([[0.0, 6371000.0 + 5000, 0], [6371000.0, 0, 0]])
    assert np.allclose(propagation.ground_range(a, b), [np.pi / 2 * 6371000.0, 0.0])


def test_atmospheric_loss_closed_form():
    # horizontal path at sea level: 2 γ0 R
    got = propagation.atmospheric_loss_db("X", np.array([100e3]), 0.0, 0.0)
    assert got[0] == pytest.approx(2 * 0.011 * 100)
    # slant path 0 -> H: mean of exp(-h/H) over a linear profile = (1 - e^-1)
    h = propagation.SCALE_HEIGHT
    got = propagation.atmospheric_loss_db("S", np.array([100e3]), 0.0, h)
    assert got[0] == pytest.approx(2 * 0.006 * 100 * (1 - np.exp(-1)))
    # longer is lossier, higher bands are lossier
    assert (
        propagation.atmospheric_loss_db("X", np.array([1e5]), 0, 0)[0]
        > propagation.atmospheric_loss_db("L", np.array([1e5]), 0, 0)[0]
    )


def test_low_elevation_loss_envelope():
    bw = np.radians(2.0)
    el = np.array([-0.01, 0.0, bw / 2, bw, 0.2])
    got = propagation.low_elevation_loss_db(el, bw, 10.0)
    assert np.allclose(got, [10.0, 10.0, 2.5, 0.0, 0.0])
