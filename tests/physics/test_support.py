"""Fire-control support by guidance type: coast on the last estimate, then self-destruct
with reason "lost_track"; active seekers fly on alone after lock."""

from __future__ import annotations

import numpy as np
import pytest

from airdefsim.geo.wgs84 import LocalFrame
from airdefsim.physics.flyout import FuzeEvent, Interceptors

from .conftest import truth_view

FRAME = LocalFrame.from_degrees(45.0, 10.0, 0.0)


def _run(spec, target_enu, vel_enu, support, t_max=300.0, dt=0.5, seed=0):
    """Fly one interceptor at a straight target; ``support(t) -> bool`` is the fire
    control's track of it at time t (uplinks only while supported). Returns (events,
    flights, per-step snapshots)."""
    p0 = FRAME.to_ecef(np.asarray(target_enu, float))
    v0 = FRAME.vec_to_ecef(np.asarray(vel_enu, float))
    flights = Interceptors()
    flights.launch(0.0, spec, FRAME.origin, p0, v0, 1, 7, "u")
    rng = np.random.default_rng(seed)
    t, events, snaps = 0.0, [], []
    while flights.alive_ids().size and t < t_max:
        view = truth_view(t, (p0 + v0 * t)[None], v0[None], np.array([7]))
        events += flights.advance(t, t + dt, view, rng)
        t += dt
        has = bool(support(t))
        flights.set_support([0], [has], t)
        if has:
            flights.update_estimates([0], (p0 + v0 * t)[None], v0[None], t)
        snaps.append((t, flights.snapshot()))
    return events, flights, snaps


def test_tvm_round_without_track_coasts_then_self_destructs(missiles) -> None:
    spec = missiles["48N6E3"]  # track-via-missile: support from launch to intercept
    t_loss = 10.0
    events, flights, snaps = _run(spec, (0.0, 90e3, 8e3), (0.0, -250.0, 0.0), lambda t: t < t_loss)
    (ev,) = events
    assert ev.reason == "lost_track" and not ev.killed
    assert ev.t == pytest.approx(t_loss + spec.lost_track_timeout, abs=0.6)
    # while coasting it kept flying on its last estimate (no new uplink after t_loss)
    assert flights.est_t[0] == pytest.approx(t_loss - 0.5)  # the last uplink
    coasting = [s for t, s in snaps if t_loss < t < ev.t and len(s["id"])]
    assert coasting and not any(s["supported"][0] for s in coasting)


def test_support_restored_in_time_keeps_the_shot(missiles) -> None:
    spec = missiles["48N6E3"]
    gap = (10.0, 10.0 + 0.6 * spec.lost_track_timeout)
    events, _, _ = _run(
        spec, (0.0, 90e3, 8e3), (0.0, -250.0, 0.0), lambda t: not (gap[0] <= t < gap[1])
    )
    (ev,) = events
    assert ev.reason == "fuze"


def test_tvm_loses_its_lock_when_the_illumination_stops(missiles) -> None:
    # a locked TVM round sees the target only while the engagement radar lights it
    spec = missiles["48N6E3"]
    _, _, snaps = _run(spec, (0.0, 30e3, 8e3), (0.0, -250.0, 0.0), lambda t: True)
    t_lock = next(t for t, s in snaps if len(s["id"]) and s["acquired_id"][0] >= 0)
    cut = t_lock + 0.5
    events, _, snaps = _run(spec, (0.0, 30e3, 8e3), (0.0, -250.0, 0.0), lambda t: t < cut)
    after = [s for t, s in snaps if t > cut + 0.6 and len(s["id"])]
    assert after and all(s["acquired_id"][0] == -1 for s in after)
    (ev,) = events
    assert ev.reason in ("lost_track", "miss") and not ev.killed


def test_active_round_flies_on_after_lock(missiles) -> None:
    # 9M96E2, active seeker: the uplink stops once its seeker has locked -> it homes alone
    spec = missiles["9M96E2"]
    events, flights, snaps = _run(spec, (0.0, 25e3, 5e3), (0.0, -250.0, 0.0), lambda t: True)
    t_lock = next(t for t, s in snaps if len(s["id"]) and s["acquired_id"][0] >= 0)
    assert not flights.needs_support([0]).any() or events  # fire and forget after lock
    events, _, _ = _run(spec, (0.0, 25e3, 5e3), (0.0, -250.0, 0.0), lambda t: t <= t_lock)
    (ev,) = events
    assert ev.reason == "fuze" and ev.locked


def test_active_round_without_midcourse_uplink_self_destructs(missiles) -> None:
    # the same round losing the uplink far out, before its seeker can see the target
    spec = missiles["9M96E2"]
    events, _, _ = _run(spec, (0.0, 100e3, 8e3), (0.0, -250.0, 0.0), lambda t: t < 5.0)
    (ev,) = events
    assert ev.reason == "lost_track"
    assert ev.t == pytest.approx(5.0 + spec.lost_track_timeout, abs=0.6)


def test_needs_support_by_guidance_type(missiles) -> None:
    flights = Interceptors()
    launcher = FRAME.origin
    aim = FRAME.to_ecef(np.array([0.0, 50e3, 5e3]))
    kinds = {}
    for name, guidance in [
        ("48N6E3", "track_via_missile"),
        ("9M96E2", "active_radar"),
        ("PAC-3_MSE", "hit_to_kill"),
        ("PAC-2_GEM-T", "semi_active"),
        ("PAC-2_GEM-T", "command"),
    ]:
        spec = missiles[name].model_copy(update={"guidance": guidance})
        kinds[guidance] = flights.launch(0.0, spec, launcher, aim, np.zeros(3), 1, -1, "u")
    ids = np.array(list(kinds.values()))
    assert flights.needs_support(ids).all()  # nothing locked yet: all need the radar
    flights.acquired[ids] = 5  # pretend every seeker locked
    need = dict(zip(kinds, flights.needs_support(ids), strict=True))
    assert need == {
        "track_via_missile": True,
        "active_radar": False,
        "hit_to_kill": False,
        "semi_active": True,
        "command": True,
    }
    # unknown or dead ids are ignored by set_support
    flights.set_support([99, -1], [False, False])
    assert flights.supported[ids].all()


def test_command_round_never_locks(missiles, engage) -> None:
    spec = missiles["PAC-2_GEM-T"].model_copy(update={"guidance": "command"})
    events, _, _ = engage(spec, (0.0, 40e3, 6e3), (0.0, -250.0, 0.0))
    (ev,) = events
    assert isinstance(ev, FuzeEvent) and not ev.locked
    assert ev.miss_distance < 100.0  # guided on the (here perfect) radar track to the end
