"""Cruise missiles hold their cruise height until a terminal dive or pop-up, follow the
terrain over a DEM, and SRBMs may weave at the end of their arc — checked against the
closed forms of the profiles (arc radii v²/a, dive geometry, weave bounds)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdefsim.geo.wgs84 import ecef_to_geodetic, geodetic_to_ecef
from airdefsim.physics.manoeuvre import (
    dive_profile,
    ground_distance,
    popup_profile,
    sample_profile,
    terrain_following_heights,
    weave_offset,
)
from airdefsim.scenario import validate_dict
from airdefsim.scenario.presets import get_presets
from airdefsim.sim.world import build_objects
from airdefsim.types import Asset
from airdefsim.units import G0

ASSET = {"name": "base", "lat": 39.95, "lon": 32.69}
R = np.radians


def _objects(red: list[dict], terrain=None, presets=None):
    raw = {
        "name": "t",
        "origin": {"lat": 39.9, "lon": 32.8},
        "duration": "30 min",
        "defended_assets": [ASSET],
        "blue": [{"preset": "s400_battalion", "at": {"lat": 39.9, "lon": 32.8}}],
        "red": red,
    }
    scn = validate_dict(raw)
    lat, lon = R(ASSET["lat"]), R(ASSET["lon"])
    assets = [Asset("base", lat, lon, 0.0, geodetic_to_ecef(lat, lon, 0.0), 1.0, 1000.0)]
    return build_objects(scn, presets or get_presets(), assets, terrain=terrain)


CM_ROUTE = [{"lat": 41.2, "lon": 32.1, "alt": "30 m"}, {"lat": 40.4, "lon": 32.5}, {"at": "base"}]


def _track(routes, obj: int, dt: float = 0.25):
    ts = np.arange(routes.start[obj], routes.end[obj], dt)
    pos = np.array([routes.position(float(t))[obj] for t in ts])
    lat, lon, h = ecef_to_geodetic(pos)
    aim = (R(ASSET["lat"]), R(ASSET["lon"]))
    to_go = np.array([ground_distance(a, b, *aim) for a, b in zip(lat, lon, strict=True)])
    return ts, pos, h, to_go


# ------------------------------------------------------------------ profiles (closed forms)


def test_dive_profile_lands_on_the_aim_with_a_push_over_of_radius_v2_over_a():
    v, a = 245.0, 2 * G0
    prof = dive_profile(30.0, 0.0, 2500.0, a, v)
    x, h, gam = prof.at(np.array([prof.total_length]))
    assert x[0] == pytest.approx(2500.0, abs=1e-6) and h[0] == pytest.approx(0.0, abs=1e-6)
    assert prof.curvature[0] == pytest.approx(-a / v**2)
    # the dive angle solves r sin γ + (H − r (1 − cos γ)) / tan γ = X
    r, g = v * v / a, -gam[0]
    assert r * np.sin(g) + (30.0 - r * (1 - np.cos(g))) / np.tan(g) == pytest.approx(2500.0)
    with pytest.raises(ValueError, match="needs more than"):
        dive_profile(3000.0, 0.0, 1000.0, a, v)
    with pytest.raises(ValueError, match="above the flight path"):
        dive_profile(30.0, 100.0, 2500.0, a, v)


@pytest.mark.parametrize(("pop", "climb_deg", "dist"), [(300.0, 30.0, 6e3), (1500.0, 20.0, 12e3)])
def test_popup_profile_reaches_its_apex_and_the_aim(pop, climb_deg, dist):
    v, a = 245.0, 2 * G0
    prof = popup_profile(30.0, 0.0, dist, pop, R(climb_deg), a, v)
    tau, x, h = sample_profile(prof, v)
    fine = prof.at(np.linspace(0.0, prof.total_length, 20001))
    assert fine[1].max() == pytest.approx(pop, abs=1e-3)  # apex = pop height above the aim
    assert fine[2].max() <= R(climb_deg) + 1e-12
    assert x[-1] == pytest.approx(dist, abs=1e-6) and h[-1] == pytest.approx(0.0, abs=1e-6)
    assert tau[-1] == pytest.approx(prof.total_length / v)
    # constant speed and curvature within a / v²: second differences of the sampled path
    d = np.diff(np.stack([x, h], 1)[:-1], axis=0) / np.diff(tau[:-1])[:, None]
    np.testing.assert_allclose(np.linalg.norm(d, axis=1), v, rtol=1e-3)
    acc = np.linalg.norm(np.diff(d, axis=0), axis=1) / 0.25
    assert acc.max() <= a * 1.01


# ------------------------------------------------------------------ cruise missile routes


def test_cruise_missile_holds_its_cruise_height_until_the_pop_up_and_hits_the_aim_point():
    o = _objects([{"preset": "cruise_missile", "route": CM_ROUTE}])
    term = get_presets().threats["cruise_missile"].terminal
    ts, _, h, to_go = _track(o.routes, 0)
    cruise = to_go > term.start + 1.0
    np.testing.assert_allclose(h[cruise], 30.0, atol=1.0)  # no glide to 0 on the last leg
    assert h[~cruise].max() == pytest.approx(term.pop_height, abs=1.0)
    aim = geodetic_to_ecef(R(ASSET["lat"]), R(ASSET["lon"]), 0.0)
    np.testing.assert_allclose(o.routes.end_pos[0], aim, atol=1.0)
    assert o.target_asset[0] == 0
    # position and velocity continuous where the table leg starts (the pull-up starts
    # there: 2 g over the 0.02 s between the two velocities), the pull-up within 2 g
    table = next(g for g in o.routes.legs if g.is_table)
    p0, v0, _ = o.routes.evaluate(table.t0 - 0.01)
    p1, v1, _ = o.routes.evaluate(table.t0 + 0.01)
    assert np.linalg.norm(p1 - p0) == pytest.approx(0.02 * 245.6, abs=0.01)
    assert np.linalg.norm(v1 - v0) < 2 * G0 * 0.02 + 0.05
    acc = [np.linalg.norm(o.routes.evaluate(float(t))[2][0]) for t in ts[~cruise]]
    assert max(acc) <= 2 * G0 * 1.02


def test_a_dive_preset_dives_from_cruise_height_within_its_start_distance():
    presets = get_presets()
    raw = {
        **presets.raw["threats"]["cruise_missile"],
        "terminal": {"kind": "dive", "start": "3 km"},
    }
    cm = type(presets.threats["cruise_missile"]).model_validate(raw)
    custom = type(presets)(
        units=presets.units,
        radars=presets.radars,
        missiles=presets.missiles,
        threats={**presets.threats, "cruise_missile": cm},
        raw=presets.raw,
    )
    o = _objects([{"preset": "cruise_missile", "route": CM_ROUTE}], presets=custom)
    _, _, h, to_go = _track(o.routes, 0)
    np.testing.assert_allclose(h[to_go > 3001.0], 30.0, atol=1.0)
    assert np.all(np.diff(h[to_go < 3000.0]) <= 1e-9)  # only down from there
    assert h[-1] < 1.0


def test_a_route_that_does_not_end_on_an_asset_keeps_its_waypoint_altitudes():
    o = _objects([{"preset": "cruise_missile", "route": [CM_ROUTE[0], {"lat": 40.3, "lon": 32.5}]}])
    _, _, h, _ = _track(o.routes, 0)
    np.testing.assert_allclose(h, 30.0, atol=1e-3)
    assert not any(g.is_table for g in o.routes.legs)


def _ridge(lat, lon):
    """A 600 m ridge (Gaussian, σ = 3 km) across the route at 40.8° N, flat elsewhere."""
    d = (np.asarray(lat) - R(40.8)) * 6.371e6
    return 600.0 * np.exp(-0.5 * (d / 3000.0) ** 2)


def test_terrain_following_holds_the_height_above_a_ridge():
    o = _objects([{"preset": "cruise_missile", "route": CM_ROUTE}], terrain=_ridge)
    spec = get_presets().threats["cruise_missile"]
    ts, pos, h, to_go = _track(o.routes, 0)
    lat, lon, _ = ecef_to_geodetic(pos)
    agl = h - _ridge(lat, lon)
    cruise = to_go > spec.terminal.start + 1.0
    assert agl[cruise].min() >= 30.0 - 1.0  # never below the clearance
    flat = cruise & (np.abs(lat - R(40.8)) * 6.371e6 > 20e3)
    np.testing.assert_allclose(agl[flat], 30.0, atol=1.0)  # exactly it on flat ground
    assert h[cruise].max() > 600.0  # it climbed over the ridge ...
    assert agl[cruise].max() < 30.0 + 150.0  # ... without ballooning over it
    # climb angle and vertical acceleration within the preset's limits
    vel = np.array([o.routes.evaluate(float(t))[1][0] for t in ts[cruise][2:-2]])
    acc = np.array([o.routes.evaluate(float(t))[2][0] for t in ts[cruise][2:-2]])
    up = pos[cruise][2:-2] / np.linalg.norm(pos[cruise][2:-2], axis=1, keepdims=True)
    climb = np.arcsin(np.sum(vel * up, 1) / np.linalg.norm(vel, axis=1))
    assert np.abs(climb).max() <= spec.terrain_following.max_climb_angle + 1e-3
    # vertical acceleration (the waypoint's heading change is a horizontal kink)
    assert np.abs(np.sum(acc * up, 1)).max() <= (spec.max_g - G0) * 1.05
    np.testing.assert_allclose(
        o.routes.end_pos[0], geodetic_to_ecef(*R([39.95, 32.69]), 0.0), atol=1.0
    )


def test_terrain_following_over_flat_ground_is_the_flat_earth_route():
    flat = _objects(
        [{"preset": "cruise_missile", "route": CM_ROUTE}], terrain=lambda la, lo: 0 * la
    )
    plain = _objects([{"preset": "cruise_missile", "route": CM_ROUTE}])
    assert flat.routes.end[0] == pytest.approx(plain.routes.end[0], abs=0.5)
    for t in np.linspace(0.0, plain.routes.end[0], 37):
        np.testing.assert_allclose(flat.routes.position(t), plain.routes.position(t), atol=2.0)


@settings(max_examples=30, deadline=None)
@given(
    bumps=st.lists(st.floats(-200.0, 800.0), min_size=3, max_size=40),
    clearance=st.floats(10.0, 300.0),
)
def test_terrain_following_envelope_invariants(bumps, clearance):
    ds, k, c = 60.0, np.tan(R(10.0)), 2 * G0 / 245.0**2
    terrain = np.interp(np.arange(400) * ds, np.linspace(0, 399 * ds, len(bumps)), bumps)
    floor = terrain + clearance
    h = terrain_following_heights(floor, ds, k, c)
    assert np.all(h >= floor - 1e-9)
    assert np.abs(np.diff(h)).max() <= k * ds * (1 + 1e-9)
    assert np.abs(np.diff(h, 2)).max() <= c * ds * ds * (1 + 1e-6) + 1e-9


# ------------------------------------------------------------------ SRBM terminal weave


def test_weave_offset_closed_form_bounds():
    T, a, period = 20.0, 10 * G0, 4.0
    tau = np.linspace(0.0, T, 200001)
    y = weave_offset(tau, T, a, period)
    dt = tau[1] - tau[0]
    assert y[0] == 0.0 and abs(y[-1]) < 1e-9
    # no lateral speed at the ends: y grows as a τ² at most
    eps = 1e-3
    ends = weave_offset(np.array([eps, T - eps]), T, a, period)
    assert np.all(np.abs(ends) <= a * eps * eps)
    d2 = np.gradient(np.gradient(y, dt), dt)
    assert np.abs(d2).max() <= a * 1.001
    assert np.abs(d2).max() >= 0.6 * a  # and it does use the g it is given
    assert weave_offset(np.array([-1.0, T + 1.0]), T, a, period).tolist() == [0.0, 0.0]


def test_manoeuvring_srbm_changes_its_arc_only_after_the_weave_starts():
    route = [{"lat": 37.10, "lon": 35.20, "alt": "0 m"}, {"at": "base"}]
    o = _objects(
        [{"preset": "srbm", "route": route}, {"preset": "srbm_manoeuvring", "route": route}]
    )
    w = get_presets().threats["srbm_manoeuvring"].terminal
    rs = o.routes
    assert rs.end[0] == pytest.approx(rs.end[1]) and rs.start[0] == rs.start[1]
    ts = np.arange(rs.start[0], rs.end[0], 0.25)
    p = np.array([rs.position(float(t)) for t in ts])  # (S, 2, 3)
    lat, lon, _ = ecef_to_geodetic(p[:, 0])
    to_go = np.array(
        [
            ground_distance(a, b, R(ASSET["lat"]), R(ASSET["lon"]))
            for a, b in zip(lat, lon, strict=True)
        ]
    )
    apart = np.linalg.norm(p[:, 1] - p[:, 0], axis=1)
    assert apart[to_go > w.start + 2500.0].max() < 1e-6  # identical before the weave
    assert apart[to_go < w.start].max() > 20.0  # weaving after
    np.testing.assert_allclose(rs.end_pos[1], rs.end_pos[0], atol=1e-6)  # same impact
    # lateral acceleration added by the weave within the preset's g
    late = ts[(to_go < w.start) & (ts < rs.end[0] - 1.0)]
    extra = [np.linalg.norm(np.diff(rs.evaluate(float(t))[2], axis=0)) for t in late]
    assert max(extra) <= w.g * 1.02
    assert max(extra) >= 0.5 * w.g


@pytest.mark.parametrize(("last_leg_m", "kind"), [(1500.0, "dive"), (300.0, "line")])
def test_a_last_leg_too_short_for_the_pop_up_falls_back_and_still_hits(last_leg_m, kind):
    # the last waypoint due north of the asset, last_leg_m away
    lat_w = ASSET["lat"] + np.degrees(last_leg_m / 6.371e6)
    route = [CM_ROUTE[0], {"lat": lat_w, "lon": ASSET["lon"], "alt": "30 m"}, {"at": "base"}]
    o = _objects([{"preset": "cruise_missile", "route": route}])
    _, _, h, _ = _track(o.routes, 0, dt=0.05)
    table = next(g for g in o.routes.legs if g.is_table)
    assert table.t1 - table.t0 == pytest.approx(last_leg_m / 245.8, rel=0.01)
    assert h.max() <= 30.0 + 1e-6  # no pop-up: it does not fit
    assert np.all(np.diff(h[h < 29.9]) <= 1e-9)
    aim = geodetic_to_ecef(R(ASSET["lat"]), R(ASSET["lon"]), 0.0)
    np.testing.assert_allclose(o.routes.end_pos[0], aim, atol=1.0)
    acc = [
        np.linalg.norm(o.routes.evaluate(float(t))[2][0])
        for t in np.linspace(table.t0 + 0.5, table.t1 - 0.5, 9)
    ]
    if kind == "dive":
        assert max(acc) <= 2 * G0 * 1.02
