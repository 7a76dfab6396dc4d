"""Ballistic arcs: vacuum closed forms (drag off), landing on the aim point (drag on)."""

from __future__ import annotations

import numpy as np
import pytest

from airdefsim.geo.wgs84 import MEAN_RADIUS, ecef_to_geodetic
from airdefsim.physics.ballistic import MU, ballistic_arc, burnout_state, central_angle

LAT0, LON0 = np.radians(40.0), np.radians(30.0)


def _impact(range_m: float, bearing_deg: float = 70.0) -> tuple[float, float]:
    """Destination on the sphere at ``range_m`` along ``bearing_deg`` (spherical trig)."""
    d = range_m / MEAN_RADIUS
    b = np.radians(bearing_deg)
    lat = np.arcsin(np.sin(LAT0) * np.cos(d) + np.cos(LAT0) * np.sin(d) * np.cos(b))
    lon = LON0 + np.arctan2(
        np.sin(b) * np.sin(d) * np.cos(LAT0), np.cos(d) - np.sin(LAT0) * np.sin(lat)
    )
    return float(lat), float(lon)


@pytest.mark.parametrize("apogee", [None, 50e3, 150e3])
def test_vacuum_arc_matches_keplerian_range_and_apogee(apogee: float | None) -> None:
    lat1, lon1 = _impact(450e3)
    t, pos, vel = ballistic_arc(LAT0, LON0, lat1, lon1, apogee=apogee, drag=False)
    lat, lon, h = ecef_to_geodetic(pos)
    psi = central_angle(LAT0, LON0, lat1, lon1)
    state = burnout_state(psi, apogee)
    # lands on the impact point (range) at the Keplerian time of flight
    assert float(h[-1]) == pytest.approx(0.0, abs=1.0)
    landed = central_angle(LAT0, LON0, float(lat[-1]), float(lon[-1])) * MEAN_RADIUS
    assert landed == pytest.approx(450e3, abs=10.0)
    assert t[-1] == pytest.approx(state.time_of_flight, rel=1e-5)
    # apogee: the requested one, and the Keplerian value r_a = a (1 + e)
    if apogee is not None:
        assert h.max() == pytest.approx(apogee, rel=1e-3)
    q = state.speed**2 * MEAN_RADIUS / MU
    a = MEAN_RADIUS / (2 - q)
    e = np.sqrt(1 + q * (q - 2) * np.cos(state.flight_path_angle) ** 2)
    assert h.max() == pytest.approx(a * (1 + e) - MEAN_RADIUS, rel=1e-3)
    # energy is conserved without drag: impact speed = burnout speed
    assert np.linalg.norm(vel[-1]) == pytest.approx(np.linalg.norm(vel[0]), rel=1e-5)
    assert np.all(np.diff(t) > 0) and pos.shape == (t.size, 3) and vel.shape == (t.size, 3)


def test_minimum_energy_speed_closed_form() -> None:
    # BMW: minimum-energy burnout Q = 2 sin(psi/2) / (1 + sin(psi/2)), phi = (pi - psi)/4
    psi = 1000e3 / MEAN_RADIUS
    s = burnout_state(psi)
    q = s.speed**2 * MEAN_RADIUS / MU
    assert q == pytest.approx(2 * np.sin(psi / 2) / (1 + np.sin(psi / 2)), rel=1e-9)
    assert s.flight_path_angle == pytest.approx((np.pi - psi) / 4, rel=1e-12)


def test_short_arc_flat_earth_limit() -> None:
    # 20 km: R = v² sin(2 gamma) / g within 1 %
    psi = 20e3 / MEAN_RADIUS
    s = burnout_state(psi, 3000.0)
    g = MU / MEAN_RADIUS**2
    flat = s.speed**2 * np.sin(2 * s.flight_path_angle) / g
    assert flat == pytest.approx(20e3, rel=0.01)
    assert s.apogee == pytest.approx(
        (s.speed * np.sin(s.flight_path_angle)) ** 2 / (2 * g), rel=0.01
    )


def test_reentry_drag_still_lands_on_target_and_slows() -> None:
    lat1, lon1 = _impact(450e3)
    t_v, _, vel_v = ballistic_arc(LAT0, LON0, lat1, lon1, apogee=50e3, drag=False)
    t, pos, vel = ballistic_arc(LAT0, LON0, lat1, lon1, apogee=50e3, drag=True)
    lat, lon, h = ecef_to_geodetic(pos)
    landed = central_angle(LAT0, LON0, float(lat[-1]), float(lon[-1])) * MEAN_RADIUS
    assert landed == pytest.approx(450e3, abs=50.0)
    assert h.max() == pytest.approx(50e3, rel=0.03)
    assert np.linalg.norm(vel[-1]) < 0.8 * np.linalg.norm(vel_v[-1])
    assert t[-1] > t_v[-1]
    # the flatter (quasi-ballistic) arc is faster than the minimum-energy one
    t_me, _, _ = ballistic_arc(LAT0, LON0, lat1, lon1, drag=True)
    assert t[-1] < t_me[-1]


def test_bad_input() -> None:
    with pytest.raises(ValueError):
        ballistic_arc(LAT0, LON0, LAT0, LON0)
    with pytest.raises(ValueError):
        burnout_state(0.05, -10.0)


def test_route_acceleration_of_a_sampled_arc_is_the_physical_one() -> None:
    # the simulation interpolates the samples linearly and differentiates them twice
    # (RouteSet, 0.25 s stencil): the acceleration it hands to the interceptors must be
    # gravity + drag (the derivative of the arc's own ODE velocities), at and between
    # samples, not 4 g at whole seconds and 0 in between
    from airdefsim.physics.routes import Leg, RouteSet

    lat1, lon1 = _impact(450e3)
    t, pos, vel = ballistic_arc(LAT0, LON0, lat1, lon1, apogee=50e3)
    routes = RouteSet([Leg(0, 10.0, 10.0 + float(t[-1]), table_t=t + 10.0, table_pos=pos)], 1)
    acc_ref = np.gradient(vel, t, axis=0)
    for tq in (40.0, 100.0, 100.4, 180.0, 200.6, float(t[-1]) - 20.3):
        _, v_sim, a_sim = routes.evaluate(tq + 10.0)
        a_ref = np.array([np.interp(tq, t, acc_ref[:, k]) for k in range(3)])
        v_ref = np.array([np.interp(tq, t, vel[:, k]) for k in range(3)])
        assert np.linalg.norm(a_sim[0] - a_ref) < 0.3, (tq, a_sim[0], a_ref)
        # (the samples sit on the ellipsoid, the ODE on the sphere: a few m/s apart)
        assert np.linalg.norm(v_sim[0] - v_ref) < 10.0
        assert 8.0 < np.linalg.norm(a_sim[0]) < 60.0  # ~1 g in vacuum, more in re-entry drag
