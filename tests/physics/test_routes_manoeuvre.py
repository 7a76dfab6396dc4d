"""Evasive break turns spliced into closed-form routes, checked against the level-turn
closed forms (radius v²/(g√(n²−1)), rate g√(n²−1)/v), circle geometry and continuity."""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdefsim.geo.wgs84 import LocalFrame, ecef_to_geodetic, enu_rotation
from airdefsim.physics.manoeuvre import BreakTurn, plan_evasion, turn_radius, turn_rate
from airdefsim.physics.routes import Leg, RouteSet, leg_duration
from airdefsim.scenario.schema import EvasionSpec
from airdefsim.units import G0

R = np.radians
# a fighter's planned route: 8 km level, then a descent to 1 km on a second leg
WP = [(R(41.0), R(33.0), 8000.0), (R(40.0), R(32.7), 8000.0), (R(39.9), R(32.0), 1000.0)]


def _route(speed: float = 300.0, n_obj: int = 1, t_start: float = 0.0) -> RouteSet:
    legs = []
    for k in range(n_obj):
        t = t_start + 5.0 * k
        for (la0, lo0, h0), (la1, lo1, h1) in itertools.pairwise(WP):
            lo0k, lo1k = lo0 + R(0.05) * k, lo1 + R(0.05) * k
            d = leg_duration(la0, lo0k, h0, la1, lo1k, h1, speed)
            legs.append(Leg(k, t, t + d, la0, lo0k, h0, la1, lo1k, h1))
            t += d
    return RouteSet(legs, n_obj)


def _heading(rs: RouteSet, obj: int, t: float) -> tuple[float, float]:
    pos, vel = rs.state(obj, t)
    lat, lon, _ = ecef_to_geodetic(pos)
    e, n, _ = enu_rotation(float(lat), float(lon)) @ vel
    return float(np.arctan2(e, n)), float(np.hypot(e, n))


def _break(rs: RouteSet, t: float, n: float, change: float, hold: float = 10.0, n2: float = 3.0):
    psi, _ = _heading(rs, 0, t)
    turn = BreakTurn(
        t=t,
        load_factor=n,
        direction=1 if change >= 0 else -1,
        heading=float(np.mod(psi + change, 2 * np.pi)),
        hold=hold,
        resume_load_factor=n2,
    )
    rs.break_turn(0, turn)
    return turn


@pytest.mark.parametrize(("speed", "n"), [(300.0, 9.0), (250.0, 3.0), (450.0, 6.0)])
def test_turn_radius_rate_and_acceleration_are_the_level_turn_closed_forms(speed, n):
    rs = _route(speed)
    t_m = 100.0
    _, v_h = _heading(rs, 0, t_m)  # the route's own speed (~0.1 % off the nominal)
    _break(rs, t_m, n, np.radians(120.0))
    arc = next(g for g in rs.legs if g.is_arc)
    assert arc.speed == pytest.approx(v_h, rel=1e-9)
    speed = v_h
    a_h = G0 * np.sqrt(n * n - 1.0)
    r = speed * speed / a_h
    assert abs(arc.turn_rate) == pytest.approx(a_h / speed, rel=1e-9)
    assert turn_rate(speed, n) == pytest.approx(a_h / speed, rel=1e-12)
    assert turn_radius(speed, n) == pytest.approx(r, rel=1e-12)
    # the turn lasts angle / rate
    assert arc.t1 - arc.t0 == pytest.approx(np.radians(120.0) / (a_h / speed), rel=1e-6)
    # every point of the turn lies on a circle of radius r about the centre at r to the
    # right of the start (local tangent plane), at the start's altitude
    frame = LocalFrame(arc.lat0, arc.lon0, arc.h0)
    psi = arc.heading
    assert psi is not None
    centre = r * np.array([np.cos(psi), -np.sin(psi)])  # right of the heading
    ts = np.linspace(arc.t0, arc.t1, 40)
    enu = np.array([frame.to_enu(rs.position(float(t))[0]) for t in ts])
    rho = np.linalg.norm(enu[:, :2] - centre, axis=1)
    np.testing.assert_allclose(rho, r, atol=0.02 + 1e-5 * r)
    _, _, h = ecef_to_geodetic(np.array([rs.position(float(t))[0] for t in ts]))
    np.testing.assert_allclose(h, arc.h0, atol=0.01)
    # acceleration and speed reported by evaluate inside the turn (0.5 s from its ends)
    for t in np.linspace(arc.t0 + 0.5, arc.t1 - 0.5, 7):
        _, vel, acc = rs.evaluate(float(t))
        assert np.linalg.norm(acc[0]) == pytest.approx(a_h, rel=2e-3)
        assert np.linalg.norm(vel[0]) ** 2 / np.linalg.norm(acc[0]) == pytest.approx(r, rel=2e-3)
        assert abs(vel[0] @ acc[0]) < 1e-3 * np.linalg.norm(vel[0]) * a_h  # centripetal


def test_acceleration_is_free_of_the_turn_outside_it():
    rs = _route()
    _break(rs, 100.0, 9.0, np.radians(-90.0), hold=15.0)
    turns = [(g.t0, g.t1) for g in rs.legs if g.is_arc and g.turn_rate != 0.0]
    assert len(turns) == 2  # the break and the turn back
    quiet = [50.0, 99.7, turns[0][1] + 0.3, turns[0][1] + 7.0, turns[1][1] + 0.3, 300.0]
    for t in quiet:
        acc = rs.evaluate(t)[2][0]
        assert np.linalg.norm(acc) < 0.002 * G0, t  # only the earth's curvature, v²/R


def test_position_and_velocity_are_continuous_at_every_splice():
    rs = _route()
    before = rs.position(50.0)
    _break(rs, 100.0, 9.0, np.radians(100.0))
    eps = 1e-4
    for g in rs.legs[1:]:
        t = g.t0
        if g is rs.legs[-1]:
            continue  # the planned waypoint where the route itself turns and descends
        p = [rs.position(t + k * eps)[0] for k in (-2, -1, 1, 2)]
        v_in = (p[1] - p[0]) / eps
        v_out = (p[3] - p[2]) / eps
        assert np.linalg.norm(p[2] - p[1]) < 2 * eps * 310.0
        assert np.linalg.norm(v_out - v_in) < 0.05, t  # 9 g × 3 eps = 0.026 m/s
    np.testing.assert_allclose(rs.position(50.0), before, atol=1e-6)


def test_the_turn_ends_on_the_heading_and_the_route_rejoins_the_waypoint():
    rs = _route()
    end_before, end_pos_before = float(rs.end[0]), rs.end_pos.copy()
    turn = _break(rs, 100.0, 9.0, np.radians(-135.0), hold=20.0)
    arcs = [g for g in rs.legs if g.is_arc]
    # the heading is the turn start's local-frame heading; 1 km on, meridians converge
    psi_end, _ = _heading(rs, 0, arcs[0].t1 + 1.0)  # on the hold leg
    assert abs(np.sin(psi_end - turn.heading)) < 5e-4 and np.cos(psi_end - turn.heading) > 0
    # back through the planned waypoint (end of the leg it was flying), then as planned
    la, lo, h = WP[1]
    rejoin = next(g for g in rs.legs if not g.is_arc and g.t0 > 100.0)
    assert (rejoin.lat1, rejoin.lon1, rejoin.h1) == (la, lo, h)
    np.testing.assert_allclose(rs.end_pos, end_pos_before, atol=1e-6)
    assert rs.end[0] > end_before + 20.0  # the manoeuvre cost time
    # the last planned leg is the same leg, only later
    assert (rs.legs[-1].lat0, rs.legs[-1].lon0, rs.legs[-1].h1) == (la, lo, WP[2][2])


def test_positions_before_the_splice_never_change():
    rs = _route(n_obj=3)
    ts = np.linspace(0.0, 150.0, 31)
    before = np.array([rs.position(float(t)) for t in ts])
    psi, _ = _heading(rs, 1, 150.0)
    rs.break_turn(1, BreakTurn(150.0, 7.0, -1, float(psi - 1.0), 5.0, 2.0))
    after = np.array([rs.position(float(t)) for t in ts])
    np.testing.assert_allclose(after, before, atol=1e-6)


def test_vectorised_evaluation_equals_one_object_at_a_time():
    rs = _route(n_obj=6)
    for k, change in enumerate([0.5, -2.0, 3.0, -0.2, 1.2, -3.1]):
        psi, _ = _heading(rs, k, 120.0 + k)
        rs.break_turn(
            k, BreakTurn(120.0 + k, 2.0 + k, 1 if change > 0 else -1, psi + change, k, 2.5)
        )
    for t in [0.0, 125.0, 131.3, 160.0, 1000.0]:
        pos, vel, acc = rs.evaluate(t)
        for k in range(6):
            one = RouteSet([replace(g, obj=0) for g in rs.legs if g.obj == k], 1)
            p1, v1, a1 = one.evaluate(t)
            np.testing.assert_allclose(pos[k], p1[0], atol=1e-6)
            np.testing.assert_allclose(vel[k], v1[0], atol=1e-6)
            np.testing.assert_allclose(acc[k], a1[0], atol=1e-5)


def test_no_objects_and_one_object():
    empty = RouteSet([], 0)
    pos, vel, acc = empty.evaluate(10.0)
    assert pos.shape == vel.shape == acc.shape == (0, 3)
    rs = _route()
    _break(rs, 100.0, 9.0, 1.0)
    assert rs.evaluate(110.0)[0].shape == (1, 3)


def test_break_turn_refuses_what_cannot_turn():
    rs = _route()
    with pytest.raises(ValueError, match="not flying"):
        rs.break_turn(0, BreakTurn(1e6, 9.0, 1, 0.0, 0.0, 2.0))
    with pytest.raises(ValueError, match="load factor"):
        rs.break_turn(0, BreakTurn(10.0, 1.0, 1, 0.0, 0.0, 2.0))
    table = RouteSet(
        [
            Leg(
                0,
                0.0,
                10.0,
                table_t=np.array([0.0, 10.0]),
                table_pos=np.array([[7e6, 0, 0], [7e6, 1e3, 0]]),
            )
        ],
        1,
    )
    with pytest.raises(ValueError, match="table leg"):
        table.break_turn(0, BreakTurn(5.0, 9.0, 1, 0.0, 0.0, 2.0))


@settings(max_examples=25, deadline=None)
@given(
    n=st.floats(1.5, 9.0),
    speed=st.floats(120.0, 600.0),
    change=st.floats(-3.1, 3.1).filter(lambda c: abs(c) > 0.01),
    hold=st.floats(0.0, 30.0),
    frac=st.floats(0.05, 0.9),
)
def test_a_manoeuvre_keeps_speed_and_altitude_and_still_ends_at_the_route_end(
    n, speed, change, hold, frac
):
    rs = _route(speed)
    end_pos = rs.end_pos.copy()
    t_m = frac * float(rs.t1[0])  # on the first, level, leg
    _break(rs, t_m, n, change, hold)
    man = [g for g in rs.legs if g.evasive]
    ts = np.linspace(man[0].t0, man[-1].t1, 50)
    _, _, h = ecef_to_geodetic(np.array([rs.position(float(t))[0] for t in ts]))
    np.testing.assert_allclose(h, man[0].h0, atol=0.05)  # level route: level turns
    # speed through the turns: constant up to the central difference's (ωδ)²/6
    w = turn_rate(speed, n)
    sp = [np.linalg.norm(rs.evaluate(float(t))[1][0]) for t in ts]
    assert np.ptp(sp) <= speed * ((w * 0.25) ** 2 / 6 + 2e-3)
    np.testing.assert_allclose(rs.end_pos, end_pos, atol=1e-6)


# ------------------------------------------------------------------ evasion planning


def _threat(heading_deg: float, missile_bearing_deg: float, rng_m: float = 20e3):
    frame = LocalFrame.from_degrees(40.0, 33.0, 8000.0)
    hd, mb = np.radians(heading_deg), np.radians(missile_bearing_deg)
    pos = frame.origin
    vel = frame.vec_to_ecef(280.0 * np.array([np.sin(hd), np.cos(hd), 0.0]))
    mis = frame.to_ecef(rng_m * np.array([np.sin(mb), np.cos(mb), -0.2]))
    return pos, vel, mis


SPEC_BEAM = EvasionSpec(kind="beam", g=9 * G0, reaction=2.0, hold=10.0, resume_g=3 * G0)
SPEC_DRAG = EvasionSpec(kind="drag", g=9 * G0, reaction=1.5, hold=10.0, resume_g=3 * G0)


@pytest.mark.parametrize(
    ("heading", "missile", "direction", "new_heading"),
    [
        (0.0, 30.0, -1, 300.0),  # missile ahead right: turn left 60°, missile on the right wing
        (0.0, -30.0, 1, 60.0),
        (90.0, 240.0, 1, 150.0),  # missile behind right (rel 150°): right 60°
        (10.0, 190.0, 1, 100.0),  # dead astern: 90° either way; right by convention
    ],
)
def test_beam_turns_the_line_of_sight_onto_the_wing_by_the_smaller_turn(
    heading, missile, direction, new_heading
):
    pos, vel, mis = _threat(heading, missile)
    turn = plan_evasion(50.0, pos, vel, mis, SPEC_BEAM, max_g=9 * G0)
    assert turn.t == 52.0
    assert turn.load_factor == pytest.approx(9.0)
    assert turn.resume_load_factor == pytest.approx(3.0)
    assert np.degrees(turn.heading) == pytest.approx(new_heading, abs=1e-6)
    assert turn.direction == direction


def test_drag_turns_away_until_the_missile_is_astern_and_g_is_capped():
    pos, vel, mis = _threat(0.0, 30.0)
    turn = plan_evasion(0.0, pos, vel, mis, SPEC_DRAG, max_g=5 * G0)
    assert turn.direction == -1 and np.degrees(turn.heading) == pytest.approx(210.0, abs=1e-6)
    assert turn.load_factor == pytest.approx(5.0) and turn.t == 1.5


@settings(max_examples=50, deadline=None)
@given(heading=st.floats(0.0, 359.9), missile=st.floats(0.0, 359.9))
def test_beam_heading_is_perpendicular_to_the_line_of_sight(heading, missile):
    pos, vel, mis = _threat(heading, missile)
    turn = plan_evasion(0.0, pos, vel, mis, SPEC_BEAM, max_g=9 * G0)
    los = np.radians(missile)
    assert np.cos(turn.heading - los) == pytest.approx(0.0, abs=1e-6)
    change = np.mod(turn.direction * (turn.heading - np.radians(heading)), 2 * np.pi)
    assert change <= np.pi / 2 + 1e-9  # never more than a quarter turn
    drag = plan_evasion(0.0, pos, vel, mis, SPEC_DRAG, max_g=9 * G0)
    assert np.cos(drag.heading - los) == pytest.approx(-1.0, abs=1e-9)


def test_a_planned_evasion_flown_on_a_route_beams_the_missile():
    rs = _route()
    pos, vel = rs.state(0, 100.0)
    lat, lon, _ = ecef_to_geodetic(pos)
    frame = LocalFrame(float(lat), float(lon), 8000.0)
    mis = frame.to_ecef(np.array([15e3, 15e3, -3000.0]))  # ahead right, 21 km
    turn = plan_evasion(100.0, pos, vel, mis, SPEC_BEAM, max_g=9 * G0)
    rs.break_turn(0, turn)
    hold = next(g for g in rs.legs if g.is_arc and g.turn_rate == 0.0)
    p, v = rs.state(0, hold.t0 + 0.5)
    los = mis - p
    horiz = los - (los @ (p / np.linalg.norm(p))) * p / np.linalg.norm(p)
    # beaming: the line of sight (which moved by the turn's ~1 km) is near the wing line
    assert abs(v @ horiz) / (np.linalg.norm(v) * np.linalg.norm(horiz)) < 0.1


def test_a_waypoint_close_behind_the_turn_is_reached_the_long_way_round():
    rs = _route()
    t_w = float(rs.t1[0])  # arrival at the first waypoint
    # 9 g break 90° right 3 s before it, then a wide 1.5 g turn back (r ≈ 8 km): the
    # waypoint, ~1 km behind, is reached by a turn of more than 180°
    psi, _ = _heading(rs, 0, t_w - 3.0)
    rs.break_turn(0, BreakTurn(t_w - 3.0, 9.0, 1, psi + np.pi / 2, 0.0, 1.5))
    back = [g for g in rs.legs if g.evasive][-1]
    assert abs(back.turn_rate) == pytest.approx(turn_rate(back.speed, 1.5))
    assert abs(back.turn_rate) * (back.t1 - back.t0) > np.pi
    rejoin = rs.legs[rs.legs.index(back) + 1]
    assert (rejoin.lat1, rejoin.lon1, rejoin.h1) == WP[1]
    for g in rs.legs[1:-1]:
        p = [rs.position(g.t0 + k * 1e-4)[0] for k in (-2, -1, 1, 2)]
        assert np.linalg.norm((p[3] - p[2]) - (p[1] - p[0])) / 1e-4 < 0.05


@pytest.mark.parametrize("side", [1e-7, -1e-7, -5e-4, 0.0])
def test_a_heading_already_reached_and_a_waypoint_dead_ahead_need_no_loop(side):
    rs = _route()
    psi, _ = _heading(rs, 0, 100.0)
    # a hold-only manoeuvre on the planned heading (± rounding): straight on to the waypoint
    rs.break_turn(0, BreakTurn(100.0, 9.0, 1, psi + side, 10.0, 3.0))
    turns = [g for g in rs.legs if g.is_arc and g.turn_rate != 0.0]
    assert all(abs(g.turn_rate) * (g.t1 - g.t0) < 1e-3 for g in turns)
