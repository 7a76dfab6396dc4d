"""Threat evaluation: time to asset against closed forms, ranking rules."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdefsim.engagement import threat

from .engagement_fakes import FRAME, asset

ASSET = asset(radius=1000.0)


def _ecef(pos_enu: list[list[float]], vel_enu: list[list[float]]) -> tuple[np.ndarray, np.ndarray]:
    return FRAME.to_ecef(np.array(pos_enu, float)), FRAME.vec_to_ecef(np.array(vel_enu, float))


def test_time_to_asset_head_on_closed_form() -> None:
    # straight at the asset from 50 km at 250 m/s: enters the 1 km sphere at (50e3-1e3)/250
    pos, vel = _ecef([[0, 50e3, 0]], [[0, -250, 0]])
    _, tta = threat.evaluate(pos, vel, ["hostile"], [ASSET], tolerance=0.0)
    np.testing.assert_allclose(tta, [(50e3 - 1e3) / 250.0], rtol=1e-9)


def test_time_to_asset_offset_pass_closed_form() -> None:
    # passes 600 m abeam: entry at (x - sqrt(R² - b²)) / v
    pos, vel = _ecef([[600, 30e3, 0]], [[0, -300, 0]])
    _, tta = threat.evaluate(pos, vel, ["hostile"], [ASSET], tolerance=0.0)
    np.testing.assert_allclose(tta, [(30e3 - np.sqrt(1000.0**2 - 600.0**2)) / 300.0], rtol=1e-9)


def test_miss_and_opening_give_inf_inside_gives_zero() -> None:
    pos, vel = _ecef(
        [[1500, 30e3, 0], [0, 20e3, 0], [100, 200, 50]],
        [[0, -300, 0], [0, 300, 0], [0, 0, 0]],
    )
    _, tta = threat.evaluate(pos, vel, ["hostile"] * 3, [ASSET], tolerance=0.0)
    assert np.isinf(tta[0]) and np.isinf(tta[1])
    assert tta[2] == 0.0


def test_inbound_fast_threat_ranks_above_outbound() -> None:
    pos, vel = _ecef([[0, 40e3, 0], [0, 30e3, 0]], [[0, 300, 0], [0, -600, 0]])
    rank, tta = threat.evaluate(pos, vel, ["hostile", "hostile"], [ASSET])
    assert list(rank) == [2, 1]
    assert np.isinf(tta[0]) and np.isfinite(tta[1])


def test_friendly_unranked_and_hostile_above_unknown() -> None:
    pos, vel = _ecef([[0, 40e3, 0]] * 3, [[0, -250, 0]] * 3)
    rank, _ = threat.evaluate(pos, vel, ["unknown", "friendly", "hostile"], [ASSET])
    assert list(rank) == [2, 0, 1]


def test_asset_value_orders_equal_times() -> None:
    cheap = asset(0.0, -100e3, value=1.0, radius=1000.0)
    pos, vel = _ecef([[0, 40e3, 0], [0, -60e3, 0]], [[0, -250, 0], [0, -250, 0]])
    rank, tta = threat.evaluate(pos, vel, ["hostile"] * 2, [ASSET, cheap], tolerance=0.0)
    np.testing.assert_allclose(tta, [39e3 / 250] * 2, rtol=1e-9)
    assert list(rank) == [1, 2]


def test_shapes_zero_and_one_track() -> None:
    r0, t0 = threat.evaluate(np.zeros((0, 3)), np.zeros((0, 3)), [], [ASSET])
    assert r0.shape == (0,) and t0.shape == (0,)
    pos, vel = _ecef([[0, 40e3, 0]], [[0, -250, 0]])
    r1, t1 = threat.evaluate(pos, vel, ["hostile"], [])
    assert list(r1) == [1] and np.isinf(t1[0])


def test_classify() -> None:
    pos, vel = _ecef(
        [[0, 50e3, 30], [0, 50e3, 8000], [0, 50e3, 40e3], [0, 50e3, 300]],
        [[0, -250, 0], [0, -250, 0], [0, -900, -1500], [0, -40, 0]],
    )
    assert list(threat.classify(pos, vel)) == [
        "cruise_missile",
        "aircraft",
        "ballistic_missile",
        "drone",
    ]


@settings(max_examples=60, deadline=None)
@given(
    d=st.floats(5e3, 200e3),
    v=st.floats(20.0, 3000.0),
    off=st.floats(0.0, 999.0),
)
def test_entry_time_matches_closed_form(d: float, v: float, off: float) -> None:
    pos, vel = _ecef([[off, d, 0]], [[0, -v, 0]])
    _, tta = threat.evaluate(pos, vel, ["hostile"], [ASSET], ["aircraft"], tolerance=0.0)
    expected = (d - np.sqrt(1000.0**2 - off**2)) / v
    np.testing.assert_allclose(tta, [expected], rtol=1e-6, atol=1e-6)


def test_heading_tolerance() -> None:
    # a 1.5° heading error at 50 km passes 1.3 km from the asset: outside its 1 km sphere,
    # inside the sphere grown by 2 % of the distance (1 km + 1 km)
    ang = np.radians(1.5)
    pos, vel = _ecef([[0, 50e3, 0]], [[250 * np.sin(ang), -250 * np.cos(ang), 0]])
    _, t0 = threat.evaluate(pos, vel, ["hostile"], [ASSET], tolerance=0.0)
    _, t1 = threat.evaluate(pos, vel, ["hostile"], [ASSET])
    assert np.isinf(t0[0]) and np.isfinite(t1[0])
    assert t1[0] == pytest.approx(50e3 / 250, rel=0.05)


def test_ballistic_track_falls_under_gravity() -> None:
    g = threat.G0
    # straight down from 30 km at 500 m/s: h - R = v0 t + g t²/2
    h, v0, R = 30e3, 500.0, 1000.0
    pos, vel = _ecef([[0, 0, h]], [[0, 0, -v0]])
    _, tta = threat.evaluate(pos, vel, ["hostile"], [ASSET], ["ballistic_missile"], 0.0)
    expected = (-v0 + np.sqrt(v0**2 + 2 * g * (h - R))) / g
    assert tta[0] == pytest.approx(expected, abs=0.05)
    _, straight = threat.evaluate(pos, vel, ["hostile"], [ASSET], ["aircraft"], 0.0)
    assert straight[0] == pytest.approx((h - R) / v0, rel=1e-9)


def test_ballistic_arc_reaches_the_asset() -> None:
    # flat-earth arc from 100 km out at 40 km altitude landing on the asset after T s;
    # the straight line (level flight at 40 km) never comes near it
    g, D, h, V = threat.G0, 100e3, 40e3, 2000.0
    T = D / V
    vz = (g * T**2 / 2 - h) / T
    pos, vel = _ecef([[0, -D, h]], [[0, V, vz]])
    _, arc = threat.evaluate(pos, vel, ["hostile"], [ASSET], ["ballistic_missile"])
    _, line = threat.evaluate(pos, vel, ["hostile"], [ASSET], ["aircraft"])
    assert np.isinf(line[0])
    assert arc[0] == pytest.approx(T, abs=3.0)
