"""Interceptor flyout: intercepts, false tracks, bad tracks, bookkeeping, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from airdefsim.physics.flyout import Interceptors, cd_shape, gravity_ecef
from airdefsim.physics.guidance import perpendicular


def test_sea_skimmer_intercepted_by_9m96e2(missiles, engage, make_view) -> None:
    spec = missiles["9M96E2"]
    for seed in range(3):
        events, flights, frame = engage(spec, (0.0, 30000.0, 30.0), (0.0, -250.0, 0.0), seed)
        assert len(events) == 1
        ev = events[0]
        assert ev.reason == "fuze", ev
        assert ev.miss_distance <= spec.lethal_radius
        assert ev.target_truth_id == 7
        # the intercept happens near the target's track at sea-skimming height
        enu = frame.to_enu(ev.pos)
        assert abs(enu[2] - 30.0) < 20.0
        assert 0 < enu[1] < 30000.0
        assert flights.alive_ids().size == 0


def test_kill_draw_follows_pk(missiles, make_view) -> None:
    # 200 interceptors at one target, all fuzed within the lethal radius: kills ~ pk
    spec = missiles["PAC-3_MSE"]
    launcher = np.array([4517590.878, 0.0, 4487348.409])  # ~45 N 0 E
    up = launcher / np.linalg.norm(launcher)
    east = np.array([0.0, 1.0, 0.0])
    target = launcher + 8000.0 * up + 15000.0 * east
    flights = Interceptors()
    for k in range(200):
        flights.launch(0.0, spec, launcher, target, np.zeros(3), k, 9, "u")
    view = make_view(0.0, target[None], np.zeros((1, 3)), np.array([9]))
    events = flights.advance(0.0, 120.0, view, np.random.default_rng(11))
    assert len(events) == 200
    assert all(e.reason == "fuze" and e.miss_distance <= spec.lethal_radius for e in events)
    frac = np.mean([e.killed for e in events])
    assert 0.9 - 4 * 0.0212 < frac < 0.9 + 4 * 0.0212  # binomial(200, 0.9), 4 sigma


def test_hit_to_kill_needs_tiny_miss(missiles, engage, make_view) -> None:
    spec = missiles["PAC-3_MSE"]
    events, _, _ = engage(spec, (0.0, 25000.0, 12000.0), (0.0, -600.0, -300.0), seed=1)
    (ev,) = events
    assert ev.reason == "fuze"
    assert ev.miss_distance <= spec.lethal_radius <= 1.0


def test_false_track_self_destructs(missiles, engage, make_view) -> None:
    events, flights, _ = engage(
        missiles["9M96E2"], (0.0, 20000.0, 5000.0), (0.0, -200.0, 0.0), truth_id=-1
    )
    (ev,) = events
    assert ev.reason == "no_target" and not ev.killed
    assert ev.target_truth_id == -1
    assert flights.alive_ids().size == 0


def test_bad_track_makes_a_bad_shot(missiles, engage, make_view) -> None:
    # the estimate is 30 km off the true target and never corrected: the seeker (10 km)
    # never sees the target, the interceptor cannot hit it
    spec = missiles["PAC-2_GEM-T"]
    events, _, _ = engage(
        spec, (0.0, 60000.0, 8000.0), (0.0, -250.0, 0.0), est_offset_enu=(30000.0, 0.0, 0.0)
    )
    (ev,) = events
    assert not ev.killed
    assert ev.miss_distance > 1000.0
    # the same shot with a good track is a fuzed pass
    good, _, _ = engage(spec, (0.0, 60000.0, 8000.0), (0.0, -250.0, 0.0))
    assert good[0].reason == "fuze"


def test_deterministic_given_seed(missiles, engage, make_view) -> None:
    a, _, _ = engage(missiles["48N6E3"], (20000.0, 60000.0, 10000.0), (0.0, -300.0, 0.0), 5)
    b, _, _ = engage(missiles["48N6E3"], (20000.0, 60000.0, 10000.0), (0.0, -300.0, 0.0), 5)
    assert [(e.t, e.miss_distance, e.killed) for e in a] == [
        (e.t, e.miss_distance, e.killed) for e in b
    ]


def test_bookkeeping_snapshot_destroy_guided(missiles, engage, make_view) -> None:
    flights = Interceptors(capacity=1)
    assert flights.snapshot()["pos"].shape == (0, 3)
    launcher = np.array([4517590.878, 0.0, 4487348.409])  # ~45 N 0 E
    up = launcher / np.linalg.norm(launcher)
    aim = launcher + 10000.0 * up + np.array([0.0, 30000.0, 0.0])
    ids = [
        flights.launch(0.0, missiles[name], launcher, aim, np.zeros(3), k, -1, unit)
        for k, (name, unit) in enumerate(
            [("9M96E2", "a"), ("48N6E3", "a"), ("PAC-3_MSE", "b"), ("40N6E", "a")]
        )
    ]
    assert ids == [0, 1, 2, 3]
    assert flights.guided_count("a") == 3 and flights.guided_count("b") == 1
    view = make_view(0.0, np.zeros((0, 3)), np.zeros((0, 3)), np.zeros(0, np.int64))
    flights.advance(0.0, 3.0, view, np.random.default_rng(0))
    snap = flights.snapshot()
    assert list(snap["id"]) == ids
    assert snap["pos"].shape == (4, 3) and snap["vel"].shape == (4, 3)
    assert set(snap["phase"]) <= {"boost", "midcourse", "terminal"}
    assert np.allclose(snap["t"], 3.0)
    assert list(snap["missile"]) == ["9M96E2", "48N6E3", "PAC-3_MSE", "40N6E"]
    # climbing and fast after 3 s of boost
    assert np.all(np.linalg.norm(snap["vel"], axis=1) > 200.0)
    assert np.all((snap["pos"] - launcher) @ up > 100.0)
    flights.destroy([1, 99])
    assert list(flights.alive_ids()) == [0, 2, 3]
    assert flights.guided_count("a") == 2


def test_model_pieces() -> None:
    # drag shape: transonic rise, supersonic decay
    assert cd_shape(0.5) == 1.0 and cd_shape(1.2) > 1.5 and cd_shape(5.0) < 1.0
    # at the equator: mu/a^2 - Omega^2 a (point mass + centrifugal), inwards
    a, mu, om = 6378137.0, 3.986004418e14, 7.292115e-5
    pos = np.array([[a, 0.0, 0.0]])
    g = gravity_ecef(pos, np.zeros((1, 3)))
    np.testing.assert_allclose(g[0], [-(mu / a**2 - om**2 * a), 0.0, 0.0], rtol=1e-12)
    # Coriolis -2 Omega x v on an eastward 1 km/s: 2 Omega v outwards (Eotvos effect)
    gv = gravity_ecef(pos, np.array([[0.0, 1000.0, 0.0]]))
    assert gv[0, 0] - g[0, 0] == pytest.approx(2 * om * 1000.0, rel=1e-9)
    assert np.allclose(
        perpendicular(np.array([[1.0, 1.0, 0.0]]), np.array([[1.0, 0.0, 0.0]])), [[0, 1, 0]]
    )


def test_active_seeker_frees_the_channel_after_lock(missiles, make_view) -> None:
    spec = missiles["9M96E2"]  # active radar, seeker 15 km
    launcher = np.array([4517590.878, 0.0, 4487348.409])
    up = launcher / np.linalg.norm(launcher)
    target = launcher + 5000.0 * up + np.array([0.0, 40000.0, 0.0])
    vel = np.array([0.0, -250.0, 0.0])
    flights = Interceptors()
    flights.launch(0.0, spec, launcher, target, vel, 1, 4, "bn")
    rng = np.random.default_rng(2)
    counts, t = [], 0.0
    while flights.alive_ids().size:
        view = make_view(t, (target + vel * t)[None], vel[None], np.array([4]))
        flights.advance(t, t + 1.0, view, rng)
        t += 1.0
        if flights.alive_ids().size:
            counts.append(flights.guided_count("bn"))
            snap = flights.snapshot()
            assert (snap["acquired_id"][0] == 4) == (counts[-1] == 0)
            if snap["phase"][0] == "terminal":
                assert counts[-1] == 0
    assert counts[0] == 1 and counts[-1] == 0


def test_pac3_hits_a_descending_ballistic_target(missiles, engage) -> None:
    # re-entry-like target: 1.17 km/s, diving at 31 degrees, 40 km out at 25 km
    spec = missiles["PAC-3_MSE"]
    for seed in range(2):
        events, _, frame = engage(spec, (0.0, 40000.0, 25000.0), (0.0, -1000.0, -600.0), seed)
        (ev,) = events
        assert ev.reason == "fuze" and ev.miss_distance <= spec.lethal_radius
        assert 5000.0 < frame.to_enu(ev.pos)[2] < 20000.0


def test_seeker_noise_gives_metre_class_misses(missiles, engage) -> None:
    # glint and angular noise: misses are not zero, but well inside a blast warhead's radius
    spec = missiles["48N6E3"]
    misses = [
        engage(spec, (20000.0, 80000.0, 10000.0), (0.0, -600.0, 0.0), seed)[0][0].miss_distance
        for seed in range(4)
    ]
    assert 0.05 < float(np.median(misses)) < 0.5 * spec.lethal_radius
