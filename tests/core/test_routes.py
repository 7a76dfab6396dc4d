"""Closed-form routes: great-circle legs at constant altitude and speed."""

from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from airdefsim.geo import ecef_to_geodetic
from airdefsim.physics.routes import Leg, RouteSet, leg_duration

R = np.radians


def _route(speed=246.0, h=30.0):
    la0, lo0, la1, lo1 = R(41.9), R(31.0), R(39.95), R(32.69)
    d = leg_duration(la0, lo0, h, la1, lo1, h, speed)
    return RouteSet([Leg(0, 10.0, 10.0 + d, la0, lo0, h, la1, lo1, h)], 1), d


def test_sea_skimmer_keeps_its_altitude_over_a_long_leg():
    rs, d = _route()
    for t in np.linspace(10.0, 10.0 + d, 25):
        _, _, h = ecef_to_geodetic(rs.position(t))
        assert h[0] == pytest.approx(30.0, abs=1e-6)


def test_speed_is_constant_and_leg_length_matches_the_geodesic():
    rs, d = _route()
    speeds = [np.linalg.norm(rs.evaluate(t)[1][0]) for t in np.linspace(12.0, 8.0 + d, 30)]
    assert np.ptp(speeds) < 1e-3 * 246.0  # spherical great circle on the ellipsoid: < 0.1 %
    # ground distance along the route agrees with the WGS84 geodesic within 0.5 %
    _, _, dist = Geod(ellps="WGS84").inv(31.0, 41.9, 32.69, 39.95)
    assert np.mean(speeds) * d == pytest.approx(dist, rel=5e-3)


def test_all_objects_at_once_and_before_start_after_end():
    legs = []
    for k in range(5):
        legs.append(
            Leg(
                k,
                10.0 * k,
                10.0 * k + 100.0,
                R(40),
                R(32 + 0.1 * k),
                1000.0,
                R(41),
                R(32 + 0.1 * k),
                1000.0,
            )
        )
    rs = RouteSet(legs, 5)
    pos = rs.position(35.0)
    assert pos.shape == (5, 3)
    fl = rs.flying(35.0)
    assert fl.tolist() == [True, True, True, True, False]
    lat, _, _ = ecef_to_geodetic(pos)
    assert np.degrees(lat[4]) == pytest.approx(40.0, abs=1e-9)  # not started: at its start
    assert RouteSet([], 0).position(3.0).shape == (0, 3)
