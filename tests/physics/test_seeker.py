"""Seeker acquisition as a detection: radar-equation scaling, Swerling-1 Pd against an
independent implementation, stealthy targets, wrong-object locks in a dense group."""

from __future__ import annotations

import numpy as np
import pytest

from airdefsim.geo.wgs84 import LocalFrame
from airdefsim.physics import seeker
from airdefsim.physics.flyout import Interceptors
from airdefsim.scenario.presets import get_presets
from airdefsim.sensors.detection import pd_swerling
from airdefsim.signatures import rcs_dbsm, rcs_m2
from airdefsim.types import TargetsView


def test_acquisition_range_scales_with_the_fourth_root_of_rcs() -> None:
    # closed form: R_acq(sigma) = R_ref (sigma / sigma_ref)^(1/4), where the single-look
    # Pd equals the reference Pd
    ref_range, ref_rcs = 15e3, 1.0
    sigma = np.array([1e-3, 0.1, 1.0, 16.0, 100.0])
    r = seeker.acquisition_range(ref_range, sigma, ref_rcs)
    np.testing.assert_allclose(r, ref_range * sigma**0.25, rtol=1e-12)
    assert r[3] == pytest.approx(2.0 * ref_range)  # 16x the RCS, twice the range
    pd = seeker.pd_single_look(seeker.snr(r, sigma, ref_range, ref_rcs))
    np.testing.assert_allclose(pd, seeker.PD_REF, rtol=1e-12)
    # and the radar equation: SNR falls as R^-4
    s = seeker.snr(np.array([1e4, 2e4]), 1.0, ref_range, ref_rcs)
    assert s[0] / s[1] == pytest.approx(16.0)


def test_single_look_pd_is_swerling_1(tmp_path) -> None:
    # independent implementation: the sensors' general Swerling detector (n = 1)
    snr_db = np.array([-5.0, 0.0, 5.0, 10.0, 12.8, 15.0, 20.0])
    snr = 10 ** (snr_db / 10)
    ours = seeker.pd_single_look(snr, seeker.PFA)
    theirs = pd_swerling(snr, seeker.PFA, n=1, swerling=1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-12)


def _one(pos_m: float, rcs_index: int, specs: list, n_looks: float, rng, k: int = 1):
    """``k`` seekers at the origin looking north at one object ``pos_m`` north."""
    seeker_pos = np.zeros((k, 3))
    obj = np.array([[0.0, pos_m, 0.0]])
    vel = np.array([[0.0, -250.0, 0.0]])  # flying at the seekers: nose-on
    return seeker.acquire(
        seeker_pos,
        np.tile([0.0, 1.0, 0.0], (k, 1)),
        np.full(k, np.radians(5.0)),
        np.full(k, 15e3),
        np.full(k, 1.0),
        np.full(k, "X", dtype=object),
        np.full(k, n_looks),
        obj,
        vel,
        np.array([rcs_index]),
        specs,
        rng,
    )


def test_detection_frequency_matches_pd_at_the_reference_range() -> None:
    # 4000 single looks at the reference target at the reference range: Pd = 0.5; over
    # 5 looks the strongest return is kept: 1 - (1 - Pd)^5
    rng = np.random.default_rng(3)
    n = 4000
    one = _one(15e3, 0, [], 1.0, rng, k=n)
    assert abs(np.mean(one >= 0) - 0.5) < 4 * np.sqrt(0.25 / n)
    five = _one(15e3, 0, [], 5.0, rng, k=n)
    p5 = 1 - 0.5**5
    assert abs(np.mean(five >= 0) - p5) < 4 * np.sqrt(p5 * (1 - p5) / n)


def test_stealthy_target_not_acquired_at_the_reference_range() -> None:
    threats = get_presets().threats
    specs = [threats["stealth_fighter"].rcs, threats["fighter"].rcs]
    rng = np.random.default_rng(5)
    # X band, nose-on: -30 dBsm against a 0 dBsm fighter; 200 seekers x 10 looks each
    stealth = _one(15e3, 0, specs, 10.0, rng, k=200)
    fighter = _one(15e3, 1, specs, 10.0, rng, k=200)
    assert np.all(stealth < 0)  # per-look Pd ~ 1e-6
    assert np.mean(fighter >= 0) > 0.99
    # the stealth fighter is acquired only near R_ref (sigma/sigma_ref)^(1/4) ≈ 2.7 km
    sigma = float(rcs_m2(rcs_dbsm(specs[0], "X", np.zeros(1)))[0])
    r_acq = float(seeker.acquisition_range(15e3, sigma, 1.0))
    assert r_acq == pytest.approx(15e3 * 10 ** (-30 / 40), rel=1e-9)
    near = _one(0.8 * r_acq, 0, specs, 1.0, rng, k=400)
    assert np.mean(near >= 0) > 0.7


def test_strongest_return_in_the_beam_wins() -> None:
    # a small target and a large one side by side in the beam: the seeker usually locks
    # the large one; a third, larger object outside the beam is never locked
    threats = get_presets().threats
    specs = [threats["cruise_missile"].rcs, threats["fighter"].rcs]
    k = 500
    obj = np.array([[0.0, 12e3, 0.0], [300.0, 12.2e3, 0.0], [5000.0, 12e3, 0.0]])
    vel = np.tile([0.0, -250.0, 0.0], (3, 1))
    got = seeker.acquire(
        np.zeros((k, 3)),
        np.tile([0.0, 1.0, 0.0], (k, 1)),
        np.full(k, np.radians(5.0)),
        np.full(k, 15e3),
        np.full(k, 1.0),
        np.full(k, "X", dtype=object),
        np.full(k, 1.0),
        obj,
        vel,
        np.array([0, 1, 1]),
        specs,
        np.random.default_rng(9),
    )
    assert not np.any(got == 2)
    seen = got[got >= 0]
    assert seen.size > 0.6 * k
    # the fighter (0 dBsm nose) over the -10 dBsm missile: the exponential (Swerling 1)
    # draws make the smaller echo win with probability ~ S_small / (S_small + S_large)
    assert np.mean(seen == 1) > 0.85
    assert np.any(seen == 0)


def _view(t, pos, vel, ids, rcs_index, specs) -> TargetsView:
    n = pos.shape[0]
    return TargetsView(
        t=t,
        pos=pos,
        vel=vel,
        acc=np.zeros((n, 3)),
        truth_id=ids,
        alive=np.ones(n, bool),
        rcs_index=rcs_index,
        rcs_specs=specs,
        is_friendly=np.zeros(n, bool),
        iff_mode=np.zeros(n, np.int64),
        kind=np.full(n, "t", dtype=object),
    )


def _fly(spec, targets_enu, vel_enu, ids, rcs_index, specs, aim: int, seed: int, dt=0.25):
    """One interceptor launched at object ``aim`` of a group flying straight; returns the
    fuze events and the range to its acquired object at the moment of lock."""
    frame = LocalFrame.from_degrees(45.0, 10.0, 0.0)
    p0 = frame.to_ecef(np.asarray(targets_enu, float))
    v0 = frame.vec_to_ecef(np.asarray(vel_enu, float))
    flights = Interceptors()
    flights.launch(0.0, spec, frame.origin, p0[aim], v0[aim], 1, int(ids[aim]), "u")
    rng = np.random.default_rng(seed)
    t, events, lock_range = 0.0, [], None
    while flights.alive_ids().size and t < 300.0:
        view = _view(t, p0 + v0 * t, v0, ids, rcs_index, specs)
        events += flights.advance(t, t + dt, view, rng)
        t += dt
        flights.update_estimates([0], (p0 + v0 * t)[aim][None], v0[aim][None])
        acq = int(flights.acquired[0])
        if lock_range is None and acq >= 0 and flights.alive_ids().size:
            j = int(np.flatnonzero(ids == acq)[0])
            lock_range = float(np.linalg.norm(flights.pos[0] - (p0 + v0 * t)[j]))
    return events, lock_range


def test_stealth_fighter_is_acquired_late_by_a_tvm_round() -> None:
    # 48N6E3 (TVM receiver, X band, 20 km against 1 m2): a fighter nose-on (0 dBsm) is
    # acquired near 20 km, a stealth fighter (-30 dBsm in X) only inside ~4-5 km
    p = get_presets()
    spec = p.missiles["48N6E3"]
    specs = [p.threats["fighter"].rcs, p.threats["stealth_fighter"].rcs]
    ids = np.array([3])
    ranges = {}
    for k, name in enumerate(("fighter", "stealth")):
        _, r = _fly(spec, [[0.0, 70e3, 9e3]], [[0.0, -280.0, 0.0]], ids, np.array([k]), specs, 0, 1)
        ranges[name] = r
    assert ranges["fighter"] is not None and ranges["stealth"] is not None
    assert ranges["fighter"] > 0.8 * spec.seeker_range
    assert ranges["stealth"] < 0.35 * spec.seeker_range


def test_seeker_may_lock_the_wrong_object_in_a_dense_group() -> None:
    # 9M96E2 launched at a cruise missile (-10 dBsm nose) with a fighter (0 dBsm nose,
    # +10 dBsm side) 400 m beside it: the seeker locks the strongest return, the fuze event
    # names what it hit and keeps the intended target as a label
    p = get_presets()
    spec = p.missiles["9M96E2"]
    specs = [p.threats["cruise_missile"].rcs, p.threats["fighter"].rcs]
    ids = np.array([10, 11])
    pos = [[0.0, 40e3, 3000.0], [400.0, 40.2e3, 3000.0]]
    vel = [[0.0, -250.0, 0.0], [0.0, -250.0, 0.0]]
    hit_ids = []
    for seed in range(3):
        events, _ = _fly(spec, pos, vel, ids, np.array([0, 1]), specs, aim=0, seed=seed)
        (ev,) = events
        assert ev.intended_truth_id == 10
        assert ev.locked
        hit_ids.append(ev.target_truth_id)
    assert 11 in hit_ids  # the fighter's stronger echo captured the seeker
