"""Geodesy and horizon against published cases and against pymap3d / pyproj."""

from __future__ import annotations

import numpy as np
import pymap3d as pm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Transformer

from airdefsim.geo import (
    LocalFrame,
    aer_to_enu,
    ecef_to_enu_vec,
    ecef_to_geodetic,
    effective_earth_radius,
    geodetic_to_ecef,
    horizon_range,
    max_los_range,
    wgs84,
)
from refcases import load_cases

RAD = np.radians


def _tol(case, key):
    t = case.get("tol_abs", case.get("tol_rel"))
    return t[key] if isinstance(t, dict) else t


def test_wgs84_constants():
    (case,) = load_cases("wgs84_constants")
    for key, ours in (("a", wgs84.A), ("inv_f", wgs84.INV_F), ("b", wgs84.B)):
        assert ours == pytest.approx(case["expected"][key], abs=case["tol_abs"])


@pytest.mark.parametrize("case", load_cases("ecef2geodetic"), ids=lambda c: c["id"])
def test_ecef_to_geodetic_published(case):
    i = case["inputs"]
    lat, lon, h = ecef_to_geodetic([i["x_m"], i["y_m"], i["z_m"]])
    e = case["expected"]
    assert np.degrees(lat) == pytest.approx(e["lat"], abs=_tol(case, "lat"))
    assert np.degrees(lon) == pytest.approx(e["lon"], abs=_tol(case, "lon"))
    assert h == pytest.approx(e["h_m"], abs=_tol(case, "h_m"))


@pytest.mark.parametrize("case", load_cases("geodetic2aer"), ids=lambda c: c["id"])
def test_geodetic_to_aer_published(case):
    i = case["inputs"]
    frame = LocalFrame(RAD(i["lat0"]), RAD(i["lon0"]), i["h0_m"])
    az, el, r = frame.aer(geodetic_to_ecef(RAD(i["lat"]), RAD(i["lon"]), i["h_m"]))
    e = case["expected"]
    assert np.degrees(az) == pytest.approx(e["az"], abs=_tol(case, "az"))
    assert np.degrees(el) == pytest.approx(e["el"], abs=_tol(case, "el"))
    assert r == pytest.approx(e["srange_m"], abs=_tol(case, "srange_m"))


@pytest.mark.parametrize("case", load_cases("ecef2enuv"), ids=lambda c: c["id"])
def test_ecef_to_enu_velocity_published(case):
    i = case["inputs"]
    v = ecef_to_enu_vec([i["u"], i["v"], i["w"]], RAD(i["lat0"]), RAD(i["lon0"]))
    e = case["expected"]
    np.testing.assert_allclose(v, [e["e"], e["n"], e["up"]], atol=case["tol_abs"])


@pytest.mark.parametrize("case", load_cases("aer2ecef"), ids=lambda c: c["id"])
def test_aer_to_ecef_published(case):
    i = case["inputs"]
    frame = LocalFrame(RAD(i["lat0"]), RAD(i["lon0"]), i["h0_m"])
    pos = frame.to_ecef(aer_to_enu(RAD(i["az"]), RAD(i["el"]), i["srange_m"]))
    e = case["expected"]
    np.testing.assert_allclose(pos, [e["x_m"], e["y_m"], e["z_m"]], atol=case["tol_abs"])


@pytest.mark.parametrize("case", load_cases("aer2geodetic"), ids=lambda c: c["id"])
def test_aer_to_geodetic_published(case):
    i = case["inputs"]
    frame = LocalFrame(RAD(i["lat0"]), RAD(i["lon0"]), i["h0_m"])
    lat, lon, h = ecef_to_geodetic(
        frame.to_ecef(aer_to_enu(RAD(i["az"]), RAD(i["el"]), i["srange_m"]))
    )
    e = case["expected"]
    assert np.degrees(lat) == pytest.approx(e["lat"], abs=_tol(case, "lat"))
    assert np.degrees(lon) == pytest.approx(e["lon"], abs=_tol(case, "lon"))
    assert h == pytest.approx(e["h_m"], abs=_tol(case, "h_m"))


lat_st = st.floats(-89.9, 89.9)
lon_st = st.floats(-180.0, 180.0)
h_st = st.floats(-500.0, 1.0e6)


@settings(max_examples=200, deadline=None)
@given(lat_st, lon_st, h_st)
def test_geodetic_ecef_matches_pymap3d_and_round_trips(lat, lon, h):
    ours = geodetic_to_ecef(RAD(lat), RAD(lon), h)
    theirs = pm.geodetic2ecef(lat, lon, h)
    np.testing.assert_allclose(ours, theirs, atol=1e-6)
    la, lo, hh = ecef_to_geodetic(ours)
    assert np.degrees(la) == pytest.approx(lat, abs=1e-9)
    assert hh == pytest.approx(h, abs=1e-5)
    if abs(lat) < 89.0:
        assert np.degrees(np.angle(np.exp(1j * (lo - RAD(lon))))) == pytest.approx(0.0, abs=1e-9)


def test_vectorised_matches_pyproj():
    rng = np.random.default_rng(1)
    lat = rng.uniform(-80, 80, 500)
    lon = rng.uniform(-180, 180, 500)
    h = rng.uniform(0, 40000, 500)
    tr = Transformer.from_crs("EPSG:4979", "EPSG:4978", always_xy=True)
    x, y, z = tr.transform(lon, lat, h)
    np.testing.assert_allclose(
        geodetic_to_ecef(RAD(lat), RAD(lon), h), np.column_stack([x, y, z]), atol=1e-5
    )
    la, _lo, hh = ecef_to_geodetic(np.column_stack([x, y, z]))
    np.testing.assert_allclose(np.degrees(la), lat, atol=1e-10)
    np.testing.assert_allclose(hh, h, atol=1e-5)


def test_enu_aer_matches_pymap3d():
    rng = np.random.default_rng(2)
    lat0, lon0, h0 = 39.9, 32.8, 900.0
    frame = LocalFrame(RAD(lat0), RAD(lon0), h0)
    lat = lat0 + rng.uniform(-3, 3, 50)
    lon = lon0 + rng.uniform(-3, 3, 50)
    h = rng.uniform(0, 20000, 50)
    az, el, r = frame.aer(geodetic_to_ecef(RAD(lat), RAD(lon), h))
    az2, el2, r2 = pm.geodetic2aer(lat, lon, h, lat0, lon0, h0)
    np.testing.assert_allclose(np.degrees(az), az2, atol=1e-8)
    np.testing.assert_allclose(np.degrees(el), el2, atol=1e-8)
    np.testing.assert_allclose(r, r2, atol=1e-5)
    assert frame.to_enu(np.zeros((0, 3))).shape == (0, 3)


def test_horizon_published_cases():
    (coef,) = load_cases("horizon_coef")
    re = coef["inputs"]["k"] * coef["inputs"]["earth_radius_m"]
    assert horizon_range(1.0, re) / 1000 == pytest.approx(coef["expected"], abs=coef["tol_abs"])
    (nmi,) = load_cases("horizon_nmi")
    i = nmi["inputs"]
    d = max_los_range(i["h1_ft"] * 0.3048, i["h2_ft"] * 0.3048, 4 / 3 * 6371000.0) / 1852.0
    assert d == pytest.approx(nmi["expected"], rel=nmi["tol_rel"])
    (eff,) = load_cases("effearth")
    i = eff["inputs"]
    assert effective_earth_radius(i["earth_radius_m"], i["refractivity_gradient"]) == pytest.approx(
        eff["expected"], abs=eff["tol_abs"]
    )
    (hr,) = load_cases("horizonrange")
    assert horizon_range(hr["inputs"]["h_m"], hr["inputs"]["eff_radius_m"]) == pytest.approx(
        hr["expected"], abs=hr["tol_abs"]
    )
