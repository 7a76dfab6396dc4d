"""Doctrine engine: identification, weapons states, SLS/SSL, reserve, channels, choice."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from airdefsim.engagement.adjudicate import Adjudicator, Ruling
from airdefsim.engagement.doctrine import DoctrinePolicy, salvo_size, same_object
from airdefsim.types import Command, Declare, Engage, Interrogate, UnitState

from .engagement_fakes import SPECS, asset, make_picture, make_unit

ASSET = asset()


@dataclass
class Harness:
    """A minimal C2 loop with the real adjudicator: the doctrine decides, every command
    is judged by :class:`Adjudicator` (as in the simulation), interceptors end after
    ``flight`` s, IFF answers from ``answers`` (True for a friendly). Tracks hover:
    geometry only matters; they are updated every tick."""

    units: list[UnitState]
    pos: np.ndarray  # (M, 3) ENU, m, fixed
    vel: np.ndarray
    answers: list[bool]
    flight: float = 5.0
    identity: list[str] = field(default_factory=list)
    sigma: np.ndarray | None = None
    t: float = 0.0

    def __post_init__(self) -> None:
        m = self.pos.shape[0]
        self.adj = Adjudicator(self.units, SPECS, rng=np.random.default_rng(1), assess_delay=3.0)
        self.fc = self.adj.fire_control
        for k, ident in enumerate(self.identity or ["unknown"] * m):
            if ident != "unknown":
                self.adj.identity[k + 1] = ident  # type: ignore[assignment]
        self.policy = DoctrinePolicy(SPECS)
        self.in_flight: list[tuple[float, int]] = []
        self.ids = itertools.count(1)
        self.log: list[tuple[float, Command, Ruling]] = []
        self.alive = np.ones(m, bool)

    @property
    def identities(self) -> list[str]:
        return [self.adj.identity.get(k + 1, "unknown") for k in range(len(self.alive))]

    def picture(self):
        keep = np.flatnonzero(self.alive)
        ids = keep + 1
        sig = self.sigma if self.sigma is not None else np.full(len(self.alive), 50.0)
        c2 = self.adj.track_state(ids, self.t)
        return make_picture(
            self.t,
            self.pos[keep],
            self.vel[keep],
            list(c2.identity),
            self.units,
            track_id=ids,
            iff_reply=list(c2.iff_reply),
            iff_interrogated=list(c2.n_interrogations > 0),
            sigma=sig[keep],
            assets=[ASSET],
            c2=c2,
        )

    def step(self, dt: float = 1.0) -> list[Command]:
        self.fc.advance(self.t)
        pic = self.picture()
        cmds = self.policy.decide(pic)
        for c in cmds:
            r = self.adj.rule(c, pic)
            self.log.append((self.t, c, r))
            if r.interrogate >= 0:
                self.adj.note_iff(r.interrogate, self.answers[r.interrogate - 1])
            for o in r.launches:
                iid = next(self.ids)
                self.fc.register_launch(o, iid)
                self.in_flight.append((self.t + self.flight, iid))
            if r.destroy:
                self.in_flight = [(te, i) for te, i in self.in_flight if i not in r.destroy]
            for u in self.units:
                assert u.missiles_guided <= u.missile_channels
                assert u.targets_engaged <= u.target_channels
        self.t += dt
        ended = [i for te, i in self.in_flight if te <= self.t]
        self.in_flight = [(te, i) for te, i in self.in_flight if te > self.t]
        if ended:
            self.fc.release(ended, t=self.t)
        return cmds

    def engages(self) -> list[tuple[float, Engage]]:
        return [(t, c) for t, c, r in self.log if isinstance(c, Engage) and r.accepted]


def _inbound(n: int, north0: float = 20e3, spacing: float = 3e3) -> tuple[np.ndarray, np.ndarray]:
    pos = np.column_stack([np.arange(n) * spacing, np.full(n, north0), np.full(n, 2000.0)])
    vel = np.tile([0.0, -250.0, 0.0], (n, 1))
    return pos, vel


@pytest.mark.usefixtures("fake_envelope")
class TestIdentification:
    def test_interrogate_then_declare(self) -> None:
        pos, vel = _inbound(2)
        h = Harness([make_unit(weapons="hold")], pos, vel, answers=[False, True])
        for _ in range(10):
            h.step()
        asks = [t for t, c, _ in h.log if isinstance(c, Interrogate) and c.track_id == 1]
        assert asks[:3] == [0.0, 2.0, 4.0]
        decl = [(t, c.identity) for t, c, _ in h.log if isinstance(c, Declare)]
        assert (1.0, "friendly") in decl  # track 2 replied at t=0, declared next tick
        assert (5.0, "hostile") in decl  # track 1: 3rd unanswered interrogation at t=4
        assert h.identities == ["hostile", "friendly"]


@pytest.mark.usefixtures("fake_envelope")
def test_weapons_hold_fires_nothing() -> None:
    pos, vel = _inbound(5)
    h = Harness(
        [make_unit(weapons="hold")], pos, vel, answers=[False] * 5, identity=["hostile"] * 5
    )
    for _ in range(20):
        h.step()
    assert h.engages() == [] and not any(isinstance(c, Engage) for _, c, _ in h.log)


@pytest.mark.usefixtures("fake_envelope")
@settings(max_examples=12, deadline=None)
@given(weapons=st.sampled_from(["free", "tight", "hold"]), seed=st.integers(0, 1000))
def test_friendly_never_engaged_by_doctrine(weapons: str, seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 8
    pos, vel = _inbound(n)
    friendly = rng.random(n) < 0.5
    ident = ["friendly" if f else str(rng.choice(["hostile", "unknown"])) for f in friendly]
    h = Harness([make_unit(weapons=weapons)], pos, vel, answers=list(friendly), identity=ident)
    for _ in range(15):
        h.step()
    engaged = {c.track_id for _, c in h.engages()}
    assert not engaged & {k + 1 for k in np.flatnonzero(friendly)}
    if weapons == "hold":
        assert not engaged


@pytest.mark.usefixtures("fake_envelope")
def test_shoot_look_shoot_waits_for_assessment() -> None:
    pos, vel = _inbound(1)
    h = Harness(
        [make_unit(weapons="tight")], pos, vel, answers=[False], identity=["hostile"], flight=5.0
    )
    for _ in range(30):
        h.step()
    times = [t for t, _ in h.engages()]
    assert times[0] == 0.0
    # salvo at 0, interceptors end at 5, look 3 s -> assessment at 8; never before
    assert all(b - a >= 5.0 + 3.0 for a, b in itertools.pairwise(times))
    assert len(times) >= 2  # the survivor (the fake never dies) is re-engaged


@pytest.mark.usefixtures("fake_envelope")
def test_shoot_shoot_look_fires_two_salvos_then_looks() -> None:
    pos, vel = _inbound(1)
    u = make_unit(
        weapons="tight", policy="shoot-shoot-look", loads=({"SHORT": 8}, {"SHORT": 8}, {"SHORT": 8})
    )
    h = Harness([u], pos, vel, answers=[False], identity=["hostile"], flight=10.0)
    for _ in range(25):
        h.step()
    times = [t for t, _ in h.engages()]
    assert times[:2] == [0.0, 1.0]  # second salvo before the first lands
    assert times[2] >= 11.0 + 3.0  # then the look: last interceptor ends at 11, +3 s


@pytest.mark.usefixtures("fake_envelope")
def test_reserve_respected_over_a_raid() -> None:
    pos, vel = _inbound(10)
    u = make_unit(weapons="tight", loads=({"SHORT": 4}, {"SHORT": 4}), reserve=3)
    h = Harness([u], pos, vel, answers=[False] * 10, identity=["hostile"] * 10)
    for _ in range(40):
        h.step()
    assert u.rounds("SHORT") == 3
    assert sum(c.salvo for _, c in h.engages()) == 5


@pytest.mark.usefixtures("fake_envelope")
def test_saturation_respects_channels_and_uses_wta() -> None:
    n = 40
    rng = np.random.default_rng(4)
    pos = np.column_stack(
        [rng.uniform(-30e3, 30e3, n), rng.uniform(10e3, 35e3, n), np.full(n, 2000.0)]
    )
    vel = np.tile([0.0, -250.0, 0.0], (n, 1))
    u = make_unit(
        weapons="tight", loads=[{"SHORT": 4}] * 20, target_channels=6, missile_channels=10
    )
    h = Harness([u], pos, vel, answers=[False] * n, identity=["hostile"] * n, flight=8.0)
    for _ in range(30):
        h.step()  # channel limits asserted after every command
    assert len(h.engages()) > 6
    assert h.policy.last_assignment is not None
    refused = [r.reason for _, c, r in h.log if isinstance(c, Engage) and not r.accepted]
    assert not [r for r in refused if "channel" in r]  # the plan already respects them


@pytest.mark.usefixtures("fake_envelope")
def test_salvo_by_kind_and_missile_by_range() -> None:
    # a cruise missile (250 m/s at 50 m) close in, an aircraft far out
    pos = np.array([[0.0, 20e3, 50.0], [5e3, 120e3, 8000.0]])
    vel = np.array([[0.0, -250.0, 0.0], [0.0, -250.0, 0.0]])
    u = make_unit(weapons="tight", salvo={"cruise_missile": 3, "default": 1})
    h = Harness([u], pos, vel, answers=[False, False], identity=["hostile", "hostile"])
    h.step()
    got = {c.track_id: (c.missile, c.salvo) for _, c in h.engages()}
    assert got == {1: ("SHORT", 3), 2: ("MEDIUM", 1)}


@pytest.mark.usefixtures("fake_envelope")
def test_duplicate_tracks_engaged_once() -> None:
    pos = np.array([[0.0, 20e3, 2000.0], [60.0, 20e3 + 40.0, 2000.0], [8e3, 20e3, 2000.0]])
    vel = np.tile([0.0, -250.0, 0.0], (3, 1))
    u = make_unit(weapons="tight", loads=({"SHORT": 4},) * 3)
    h = Harness([u], pos, vel, answers=[False] * 3, identity=["hostile"] * 3)
    h.step()
    h.step()
    engaged = sorted(c.track_id for _, c in h.engages())
    assert engaged == [1, 3]


def test_same_object_gate() -> None:
    pos = np.array([[0.0, 0, 0], [250.0, 0, 0], [400.0, 0, 0], [0.0, 0, 0]])
    vel = np.array([[0.0, 200, 0], [0.0, 200, 0], [0.0, 200, 0], [0.0, -200, 0]])
    s = same_object(pos, vel, np.full(4, 10.0))
    assert s[0, 1] and s[1, 0] and not s[0, 2] and not s[0, 3] and not s[0, 0]


def test_salvo_size() -> None:
    assert salvo_size(3, "drone") == 3
    assert salvo_size({"drone": 1, "default": 2}, "drone") == 1
    assert salvo_size({"drone": 1, "default": 4}, "aircraft") == 4
    assert salvo_size({"drone": 1}, "aircraft") == 2
    assert salvo_size(None, "aircraft") == 2


@pytest.mark.usefixtures("fake_envelope")
def test_manual_units_left_to_the_trainee() -> None:
    pos, vel = _inbound(3)
    h = Harness(
        [make_unit(weapons="free", mode="manual")],
        pos,
        vel,
        answers=[False] * 3,
        identity=["hostile"] * 3,
    )
    assert h.step() == []


@pytest.mark.usefixtures("fake_envelope")
def test_two_units_each_under_its_own_weapons_state() -> None:
    pos, vel = _inbound(4)
    hold = make_unit("HOLD", weapons="hold")
    free = make_unit("FREE", weapons="free", at=(2e3, 0.0))
    h = Harness([hold, free], pos, vel, answers=[False] * 4, identity=["hostile"] * 4)
    for _ in range(5):
        h.step()
    units = {c.unit for _, c in h.engages()}
    assert units == {"FREE"}
    assert hold.missiles_guided == 0 and sum(fc_rounds(h, hold)) == 12


def fc_rounds(h: Harness, u: UnitState) -> list[int]:
    return [u.rounds(m) for m in ("SHORT", "MEDIUM", "LONG")]


@pytest.mark.usefixtures("fake_envelope")
def test_no_defended_asset_still_engages_hostiles() -> None:
    pos, vel = _inbound(2)
    h = Harness(
        [make_unit(weapons="tight")], pos, vel, answers=[False] * 2, identity=["hostile", "unknown"]
    )
    pic = h.picture()
    pic.assets.clear()
    cmds = h.policy.decide(pic)
    assert {c.track_id for c in cmds if isinstance(c, Engage)} == {1}


@pytest.mark.usefixtures("fake_envelope")
def test_target_outside_every_envelope_never_engaged() -> None:
    # 500 km out: beyond LONG's 400 km; 670 m away: inside the minimum range of MEDIUM
    # (3 km) and LONG (5 km), the only types the unit carries
    pos = np.array([[0.0, 500e3, 8000.0], [0.0, 600.0, 300.0]])
    vel = np.zeros((2, 3))
    u = make_unit(weapons="free", loads=({"MEDIUM": 4}, {"LONG": 4}))
    h = Harness([u], pos, vel, answers=[False] * 2, identity=["hostile"] * 2)
    for _ in range(10):
        h.step()
    assert h.engages() == []
    assert not [c for _, c, _ in h.log if isinstance(c, Engage)]
