"""Frame geometry against pymap3d (a second library); plots and interceptors columns."""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest
from pyproj import Geod

from airdefsim.geo.wgs84 import LocalFrame, geodetic_to_ecef
from airdefsim.web import frames


def test_range_bearing_matches_pymap3d() -> None:
    lat = np.array([40.5, 39.0, 39.9])
    lon = np.array([33.3, 32.0, 32.9])
    alt = np.array([8000.0, 300.0, 11000.0])
    rng, brg = frames.range_bearing(lat, lon, alt, LocalFrame.from_degrees(39.90, 32.80))
    for i in range(3):
        az, _el, sr = pymap3d.geodetic2aer(lat[i], lon[i], alt[i], 39.90, 32.80, 0.0)
        assert rng[i] == pytest.approx(sr, rel=1e-9)
        assert brg[i] == pytest.approx(az, abs=1e-7)


def test_enu_velocity_matches_pymap3d() -> None:
    lat, lon = 40.0, 33.0
    pos = geodetic_to_ecef(math.radians(lat), math.radians(lon), 9000.0).reshape(1, 3)
    vel = np.array([[120.0, -80.0, 200.0]])
    e, n, u = pymap3d.ecef2enuv(*vel[0], lat, lon)
    v = frames.enu_velocity(pos, vel)[0]
    assert v == pytest.approx([e, n, u], abs=1e-6)


def test_dead_reckoning_one_second_at_mach5() -> None:
    # Due north at 1700 m/s for 1 s from 40N: the latitude step is v dt / (a + h) rad
    # (the local radius differs from a by < 0.7 %, so agreement to 1 % in distance).
    lat, lon, alt = frames.dead_reckon(
        np.array([40.0]), np.array([33.0]), np.array([10000.0]), np.array([[0.0, 1700.0, 0.0]]), 1.0
    )
    d = Geod(ellps="WGS84").inv(33.0, 40.0, lon[0], lat[0])[2] * (1 + 10000.0 / 6.371e6)
    assert d == pytest.approx(1700.0, rel=0.01)
    assert lon[0] == pytest.approx(33.0)
    assert alt[0] == 10000.0


def test_dead_reckon_zero_dt_and_empty() -> None:
    a = np.array([1.0])
    assert frames.dead_reckon(a, a, a, np.zeros((1, 3)), 0.0)[0] is a
    z = np.zeros(0)
    out = frames.dead_reckon(z, z, z, np.zeros((0, 3)), 1.0)
    assert len(out[0]) == 0


def test_plot_ages_and_interceptor_filter() -> None:
    plots = np.array([[10.0, 40.0, 33.0], [12.5, 40.1, 33.2]])
    cols = frames.plot_columns(plots, 20.0)
    assert cols.age == [10.0, 7.5] and cols.lat == [40.0, 40.1] and cols.lon == [33.0, 33.2]
    latest = {
        "id": np.array([3, 4]),
        "lat_deg": np.array([40.0, 41.0]),
        "lon_deg": np.array([33.0, 34.0]),
        "alt_m": np.array([1000.4, 2000.0]),
        "track_id": np.array([41, 42]),
    }
    got = frames.interceptor_columns(latest, {4, 9})
    assert got.id == [4] and got.track_id == [42] and got.alt == [2000.0]
    assert frames.interceptor_columns(latest, set()).id == []
    assert frames.interceptor_columns(None, {4}).id == []
