"""Fire control: the checks of an engagement order, channels, inventory, release."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdefsim.engagement.fire_control import FireControl, LaunchOrder, launch_readiness
from airdefsim.types import Engage, RadarCoverage

from .engagement_fakes import SPECS, make_picture, make_unit

IDS = itertools.count(1000)
RNG = np.random.default_rng(0)


def _launch_all(fc: FireControl, orders: list[LaunchOrder] | str) -> list[int]:
    assert not isinstance(orders, str), orders
    ids = []
    for o in orders:
        iid = next(IDS)
        fc.register_launch(o, iid)
        ids.append(iid)
    return ids


def _one_track(
    t: float = 0.0, north: float = 20e3, identity: str = "hostile", units: list | None = None
):
    return make_picture(t, [[0, north, 3000]], [[0, -250, 0]], [identity], units or [])


@pytest.mark.usefixtures("fake_envelope")
class TestChecks:
    def test_engages_hostile_with_cheapest_adequate_missile(self) -> None:
        u = make_unit()
        fc = FireControl([u], SPECS, RNG)
        for north, expected in ((20e3, "SHORT"), (100e3, "MEDIUM"), (300e3, "LONG")):
            orders = fc.execute(Engage(1, salvo=1), _one_track(0.0, north, units=[u]))
            assert not isinstance(orders, str), orders
            assert [o.missile for o in orders] == [expected]
            o = orders[0]
            assert o.unit == "U1" and o.track_id == 1
            # the target closes at 250 m/s during the reaction time before the launch
            react = SPECS[expected].reaction_time
            assert o.t_launch == o.t_order + react
            north_at_launch = north - 250.0 * react
            assert o.t_flight == pytest.approx(np.hypot(north_at_launch, 3000) / 1000.0, rel=1e-6)

    def test_weapons_hold_fires_nothing(self) -> None:
        u = make_unit(weapons="hold")
        fc = FireControl([u], SPECS, RNG)
        r = fc.execute(Engage(1), _one_track(units=[u]))
        assert isinstance(r, str) and "hold" in r
        assert u.missiles_guided == 0 and fc.engagements() == []

    def test_weapons_tight_needs_hostile(self) -> None:
        u = make_unit(weapons="tight")
        fc = FireControl([u], SPECS, RNG)
        r = fc.execute(Engage(1), _one_track(identity="unknown", units=[u]))
        assert isinstance(r, str) and "tight" in r
        assert not isinstance(fc.execute(Engage(1), _one_track(units=[u])), str)

    def test_weapons_free_engages_unknown(self) -> None:
        u = make_unit(weapons="free")
        fc = FireControl([u], SPECS, RNG)
        assert not isinstance(fc.execute(Engage(1), _one_track(identity="unknown", units=[u])), str)

    def test_unknown_track_unit_missile(self) -> None:
        u = make_unit()
        fc = FireControl([u], SPECS, RNG)
        pic = _one_track(units=[u])
        assert "not in the picture" in str(fc.execute(Engage(99), pic))
        assert "unknown unit" in str(fc.execute(Engage(1, unit="nope"), pic))
        assert "unknown missile" in str(fc.execute(Engage(1, missile="X"), pic))

    def test_outside_envelope_refused(self) -> None:
        u = make_unit(loads=({"SHORT": 4},))
        fc = FireControl([u], SPECS, RNG)
        r = fc.execute(Engage(1, missile="SHORT"), _one_track(north=60e3, units=[u]))
        assert isinstance(r, str) and "outside the SHORT envelope" in r
        u2 = make_unit(loads=({"LONG": 4},))
        fc2 = FireControl([u2], SPECS, RNG)
        r = fc2.execute(Engage(1), _one_track(north=500.0, units=[u2]))  # 3 km < 5 km min
        assert isinstance(r, str) and "outside the LONG envelope" in r

    def test_max_engage_range_from_doctrine(self) -> None:
        u = make_unit(loads=({"LONG": 4},), max_engage_range=50e3)
        fc = FireControl([u], SPECS, RNG)
        assert isinstance(fc.execute(Engage(1), _one_track(north=80e3, units=[u])), str)
        assert not isinstance(fc.execute(Engage(1), _one_track(north=30e3, units=[u])), str)

    def test_reserve_respected(self) -> None:
        u = make_unit(loads=({"SHORT": 2}, {"SHORT": 2}), reserve=2)
        fc = FireControl([u], SPECS, RNG)
        pic = make_picture(
            0.0, [[0, 20e3, 3000], [0, 25e3, 3000]], [[0, -250, 0]] * 2, ["hostile"] * 2, [u]
        )
        _launch_all(fc, fc.execute(Engage(1, salvo=2), pic))
        r = fc.execute(
            Engage(2, salvo=1), make_picture(10.0, pic.pos_enu, pic.vel_enu, ["hostile"] * 2, [u])
        )
        assert isinstance(r, str) and "reserve 2" in r
        assert u.rounds("SHORT") == 2

    def test_launcher_busy_for_salvo_interval(self) -> None:
        u = make_unit(loads=({"SHORT": 4},))
        fc = FireControl([u], SPECS, RNG)
        pic = make_picture(
            0.0, [[0, 20e3, 3000], [0, 25e3, 3000]], [[0, -250, 0]] * 2, ["hostile"] * 2, [u]
        )
        orders = fc.execute(Engage(1, salvo=2), pic)
        _launch_all(fc, orders)
        # two rounds from one launcher rippled 3 s apart after the 5 s reaction time:
        # launches at 5 and 8 s, busy until 11 s
        assert [o.t_launch for o in orders] == [5.0, 8.0]  # type: ignore[union-attr]
        assert u.launchers[0].busy_until == pytest.approx(11.0)
        later = make_picture(10.0, pic.pos_enu, pic.vel_enu, ["hostile"] * 2, [u])
        r = fc.execute(Engage(2, salvo=1), later)
        assert isinstance(r, str) and "busy" in r
        ok = make_picture(11.0, pic.pos_enu, pic.vel_enu, ["hostile"] * 2, [u])
        assert not isinstance(fc.execute(Engage(2, salvo=1), ok), str)

    def test_salvo_from_one_launcher_else_spread(self) -> None:
        u = make_unit(loads=({"SHORT": 4}, {"SHORT": 4}))
        fc = FireControl([u], SPECS, RNG)
        orders = fc.execute(Engage(1, salvo=2), _one_track(units=[u]))
        assert not isinstance(orders, str)
        assert [o.launcher_index for o in orders] == [0, 0]
        assert [lc.missiles["SHORT"] for lc in u.launchers] == [2, 4]
        u2 = make_unit(loads=({"SHORT": 1}, {"SHORT": 1}, {"SHORT": 1}))
        fc2 = FireControl([u2], SPECS, RNG)
        orders = fc2.execute(Engage(1, salvo=3), _one_track(units=[u2]))
        assert not isinstance(orders, str)
        assert sorted(o.launcher_index for o in orders) == [0, 1, 2]
        assert all(lc.missiles["SHORT"] == 0 for lc in u2.launchers)


@pytest.mark.usefixtures("fake_envelope")
@settings(max_examples=30, deadline=None)
@given(
    weapons=st.sampled_from(["free", "tight", "hold"]),
    salvo=st.integers(1, 4),
    unit=st.sampled_from([None, "U1"]),
    missile=st.sampled_from([None, "SHORT", "MEDIUM", "LONG"]),
)
def test_friendly_never_engaged(
    weapons: str, salvo: int, unit: str | None, missile: str | None
) -> None:
    u = make_unit(weapons=weapons)
    fc = FireControl([u], SPECS, RNG)
    r = fc.execute(
        Engage(1, missile=missile, salvo=salvo, unit=unit),
        _one_track(identity="friendly", units=[u]),
    )
    assert isinstance(r, str) and "friendly" in r
    assert u.missiles_guided == 0 and sum(u.rounds(m) for m in SPECS) == 12


@pytest.mark.usefixtures("fake_envelope")
def test_channels_never_exceeded_under_saturation() -> None:
    rng = np.random.default_rng(1)
    u = make_unit(
        loads=[{"SHORT": 8}] * 12 + [{"MEDIUM": 8}] * 12,
        target_channels=5,
        missile_channels=9,
    )
    fc = FireControl([u], SPECS, RNG)
    n = 60
    pos = np.column_stack(
        [rng.uniform(-30e3, 30e3, n), rng.uniform(5e3, 120e3, n), np.full(n, 2000.0)]
    )
    vel = np.tile([0.0, -250.0, 0.0], (n, 1))
    in_flight: list[tuple[float, int]] = []
    refused = set()
    for step in range(40):
        t = float(step)
        pic = make_picture(t, pos, vel, ["hostile"] * n, [u])
        ended = [i for t_end, i in in_flight if t_end <= t]
        fc.release(ended)
        in_flight = [(te, i) for te, i in in_flight if te > t]
        for k in rng.permutation(n)[:15]:
            r = fc.execute(Engage(int(k) + 1, salvo=int(rng.integers(1, 4))), pic)
            if isinstance(r, str):
                refused.add(r.split(" (")[0])
            else:
                for iid in _launch_all(fc, r):
                    in_flight.append((t + float(rng.uniform(3, 12)), iid))
            assert u.missiles_guided <= u.missile_channels
            assert u.targets_engaged <= u.target_channels
            live = fc.engagements()
            assert sum(len(e.interceptor_ids) for e in live) == u.missiles_guided
            assert len({e.track_id for e in live}) == u.targets_engaged
    assert any("target channel" in r for r in refused)
    assert any("missile channel" in r for r in refused)
    fc.release([i for _, i in in_flight])
    assert u.missiles_guided == 0 and u.targets_engaged == 0 and fc.engagements() == []


@pytest.mark.usefixtures("fake_envelope")
def test_release_starts_kill_assessment() -> None:
    u = make_unit()
    fc = FireControl([u], SPECS, RNG, assess_delay=4.0)
    ids = _launch_all(fc, fc.execute(Engage(1, salvo=2), _one_track(units=[u])))
    assert fc.kill.status(1, 1.0) == "none"
    fc.release(ids[:1], t=10.0)
    assert fc.salvos_on(1) == 1 and fc.kill.status(1, 10.0) == "none"
    fc.release(ids[1:], t=12.0)
    assert fc.salvos_on(1) == 0
    assert fc.kill.status(1, 15.9) == "assessing"
    assert fc.kill.status(1, 16.0) == "survived"


@pytest.mark.usefixtures("fake_envelope")
def test_rounds_are_due_after_the_reaction_time_and_cancel_returns_them() -> None:
    u = make_unit(loads=({"SHORT": 4},), missile_channels=4)
    fc = FireControl([u], SPECS, RNG)
    orders = fc.execute(Engage(1, salvo=3), _one_track(units=[u]))
    assert not isinstance(orders, str) and len(orders) == 3
    react, ripple = SPECS["SHORT"].reaction_time, SPECS["SHORT"].salvo_interval
    assert fc.due(react - 0.1) == []
    assert fc.due(react) == orders[:1]
    assert fc.due(react + 2 * ripple) == orders
    fc.register_launch(orders[0], 7)  # only the first one flew
    assert u.missiles_guided == 3 and fc.due(react + 2 * ripple) == orders[1:]
    assert fc.cancel(orders[1]) == 2  # the rest of the salvo
    assert not fc.is_pending(orders[2]) and fc.due(100.0) == []
    assert u.missiles_guided == 1 and u.launchers[0].missiles["SHORT"] == 3
    fc.release([7])
    assert fc.engagements() == [] and u.targets_engaged == 0


@pytest.mark.parametrize(
    ("guidance", "remote", "fc_age", "any_age", "overdue", "expected"),
    [
        ("track_via_missile", False, 1.0, 1.0, 0.0, "launch"),
        ("track_via_missile", False, np.inf, 1.0, 2.0, "wait"),
        ("track_via_missile", False, np.inf, 1.0, 11.0, "cancel"),
        ("track_via_missile", True, np.inf, 1.0, 0.0, "wait"),  # remote data is no TVM track
        ("active_radar", False, np.inf, 1.0, 0.0, "wait"),
        ("active_radar", True, np.inf, 1.0, 0.0, "launch"),
        ("hit_to_kill", True, np.inf, np.inf, 11.0, "cancel"),
    ],
)
def test_launch_readiness_by_guidance_type(
    guidance: str, remote: bool, fc_age: float, any_age: float, overdue: float, expected: str
) -> None:
    spec = SPECS["SHORT"].model_copy(update={"guidance": guidance, "engage_on_remote": remote})
    state, why = launch_readiness(spec, fc_age, any_age, overdue)
    assert state == expected
    assert (why == "") == (expected == "launch")


def test_outside_the_engagement_radar_sector_is_refused() -> None:
    u = make_unit(loads=({"SHORT": 4},))
    north_sector = RadarCoverage(
        "MFR", u.fc_radars[0].site, heading=0.0, sector_width=np.radians(120.0),
        max_range=1e6, min_elevation=-0.1, max_elevation=1.5,
    )  # fmt: skip
    u.fc_radars = [north_sector]
    fc = FireControl([u], SPECS, RNG)
    behind = make_picture(0.0, [[0, -20e3, 3000]], [[0, 250, 0]], ["hostile"], [u])
    r = fc.execute(Engage(1), behind)
    assert isinstance(r, str) and "outside the coverage of the engagement radar (MFR)" in r
    ahead = make_picture(0.0, [[0, 20e3, 3000]], [[0, -250, 0]], ["hostile"], [u])
    assert not isinstance(fc.execute(Engage(1), ahead), str)


def test_non_positive_time_of_flight_is_no_intercept(monkeypatch: pytest.MonkeyPatch) -> None:
    import airdefsim.engagement.envelope as envelope

    def bad(spec, launcher_pos, target_pos, target_vel, ballistic=None):  # type: ignore[no-untyped-def]
        n = np.asarray(target_pos).reshape(-1, 3).shape[0]
        return np.ones(n, bool), np.full(n, -3.5), np.asarray(target_pos).reshape(-1, 3)

    monkeypatch.setattr(envelope, "predicted_intercept", bad)
    u = make_unit(loads=({"SHORT": 4},))
    r = FireControl([u], SPECS, RNG).execute(Engage(1), _one_track(units=[u]))
    assert isinstance(r, str) and "outside" in r


def test_real_envelope_refuses_target_beyond_range() -> None:
    """With the flyout-based envelope: a 9M96E2 never engages a target 300 km away."""
    from airdefsim.scenario.presets import get_presets

    specs = {"9M96E2": get_presets().missiles["9M96E2"]}
    u = make_unit(loads=({"9M96E2": 4},))
    fc = FireControl([u], specs, RNG)
    r = fc.execute(Engage(1), _one_track(north=300e3, units=[u]))
    assert isinstance(r, str) and "outside the 9M96E2 envelope" in r
    assert u.launchers[0].missiles["9M96E2"] == 4


def test_an_empty_launcher_is_reloaded_from_the_transloaders() -> None:
    u = make_unit(loads=({"SHORT": 2},))
    u.launchers[0].capacity = {"SHORT": 2}
    u.launchers[0].reload_time = 600.0
    u.reloads = {"SHORT": 3}
    fc = FireControl([u], SPECS, RNG)
    orders = fc.execute(Engage(1, salvo=2), _one_track(units=[u]))
    assert not isinstance(orders, str)
    assert fc.advance(1.0) == [] and not u.launchers[0].reloading  # rounds still due
    _launch_all(fc, orders)
    assert fc.advance(20.0) == [] and u.launchers[0].reloading
    assert u.launchers[0].reload_until == 620.0 and u.rounds("SHORT") == 0
    assert fc.advance(619.0) == []
    assert fc.advance(620.0) == [("U1", 0)]
    assert u.launchers[0].missiles["SHORT"] == 2 and u.reloads["SHORT"] == 1


def test_cease_fire_cancels_the_rounds_not_launched_yet() -> None:
    u = make_unit(loads=({"SHORT": 4},), missile_channels=4)
    fc = FireControl([u], SPECS, RNG)
    orders = fc.execute(Engage(1, salvo=3), _one_track(units=[u]))
    assert not isinstance(orders, str)
    fc.register_launch(orders[0], 11)  # one in flight, two still due
    assert fc.cease_fire(1, t=6.0) == (11,)
    assert fc.due(100.0) == [] and fc.engagements() == []
    assert u.launchers[0].missiles["SHORT"] == 3 and u.missiles_guided == 0
