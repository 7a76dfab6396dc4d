"""End game of the interceptors: a diving SRBM re-entry and a straight fighter.

The ballistic target is the ``srbm`` preset's arc (450 km, 50 km apogee, re-entry drag)
from :func:`airdefsim.physics.ballistic.ballistic_arc`; the mid-course uplink is a
tracker-like estimate: the truth plus 120 m (1 sigma, per axis) of position noise and a
velocity that lags the 1 g fall by 1 s plus 25 m/s of noise, refreshed every second —
the errors measured on the simulator's SRBM tracks older than 30 s in
``scenarios/ballistic_salvo.yaml`` (rms 80-155 m, 19-25 m/s, mean vertical velocity
error +10 m/s). Each interceptor is launched, like the fire
control does, at the first whole second when
:func:`airdefsim.engagement.envelope.predicted_intercept` (``ballistic=True``) finds an
intercept on that estimate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from airdefsim.engagement.envelope import predicted_intercept
from airdefsim.geo.wgs84 import ecef_to_geodetic, geodetic_to_ecef
from airdefsim.physics import flyout, lethality
from airdefsim.physics.ballistic import ballistic_arc
from airdefsim.physics.flyout import RV_LETHAL_SCALE, FuzeEvent, Interceptors
from airdefsim.types import TargetsView

SRBM_FROM = (37.10, 35.20)  # deg, launch point (as scenarios/ballistic_salvo.yaml)
SRBM_TO = (39.95, 32.69)  # deg, aim point (the airbase)
SRBM_APOGEE = 50e3  # m, the srbm preset
POS_SIGMA = 120.0  # m, tracker position error per axis (measured, see above)
VEL_SIGMA = 25.0  # m/s
VEL_LAG = 1.0  # s, velocity lag of the tracker behind the falling target
N_TRIALS = 10


def _ecef(lat_deg: float, lon_deg: float, h: float = 0.0) -> np.ndarray:
    return geodetic_to_ecef(np.radians(lat_deg), np.radians(lon_deg), h)


@dataclass
class Arc:
    """Truth of one ballistic target: samples interpolated linearly in time."""

    t: np.ndarray
    pos: np.ndarray
    vel: np.ndarray
    acc: np.ndarray

    def at(self, t: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        f = [
            np.array([np.interp(t, self.t, a[:, k]) for k in range(3)])
            for a in (self.pos, self.vel, self.acc)
        ]
        return f[0], f[1], f[2]

    def view(self, t: float) -> TargetsView:
        p, v, a = self.at(t)
        alive = bool(self.t[0] <= t < self.t[-1])
        return TargetsView(
            t=t,
            pos=p[None],
            vel=v[None],
            acc=a[None],
            truth_id=np.array([3], np.int64),
            alive=np.array([alive]),
            rcs_index=np.zeros(1, np.int64),
            rcs_specs=[],
            is_friendly=np.zeros(1, bool),
            iff_mode=np.zeros(1, np.int64),
            kind=np.array(["srbm"], dtype=object),
        )


@pytest.fixture(scope="module")
def srbm() -> Arc:
    la0, lo0 = np.radians(SRBM_FROM)
    la1, lo1 = np.radians(SRBM_TO)
    t, pos, vel = ballistic_arc(la0, lo0, la1, lo1, apogee=SRBM_APOGEE)
    return Arc(t, pos, vel, np.gradient(vel, t, axis=0))


def _estimate(arc: Arc, t: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    p, v, a = arc.at(t)
    return p + rng.normal(0.0, POS_SIGMA, 3), v - a * VEL_LAG + rng.normal(0.0, VEL_SIGMA, 3)


def engage_srbm(spec, launcher: np.ndarray, arc: Arc, seed: int) -> tuple[FuzeEvent, float]:
    """Fire one ``spec`` at the arc from ``launcher``; (fuze event, launch time)."""
    rng = np.random.default_rng(seed)
    trk = np.random.default_rng(seed + 10_000)
    t = float(np.ceil(arc.t[0]))
    while True:
        p, v = _estimate(arc, t, trk)
        ok, _, _ = predicted_intercept(spec, launcher, p[None], v[None], np.array([True]))
        if ok[0]:
            break
        t += 1.0
        assert t < arc.t[-1], f"{spec.name} never found an intercept"
    t_launch = t
    flights = Interceptors()
    i = flights.launch(t, spec, launcher, p, v, 1, 3, "u")
    events: list[FuzeEvent] = []
    while flights.alive_ids().size and t < t_launch + 300.0:
        events += flights.advance(t, t + 1.0, arc.view(t), rng)
        t += 1.0
        p, v = _estimate(arc, t, trk)
        flights.update_estimates([i], p[None], v[None])
    assert len(events) == 1
    return events[0], t_launch


# (missile, launcher (lat, lon) deg): an S-400 launcher 11 km from the airbase (as in the
# scenario) and a Patriot launcher beside it
CASES = [("48N6E3", (39.90, 32.80)), ("PAC-3_MSE", (39.97, 32.62))]


@pytest.mark.parametrize(("name", "site"), CASES)
def test_srbm_end_game_reaches_the_lethal_radius(missiles, srbm, name, site) -> None:
    spec = missiles[name]
    launcher = _ecef(*site)
    results = [engage_srbm(spec, launcher, srbm, seed) for seed in range(N_TRIALS)]
    misses = np.array([ev.miss_distance for ev, _ in results])
    # inside the ballistic envelope: the intercept point is within vs_ballistic_range
    for ev, _ in results:
        lat, lon, h = ecef_to_geodetic(ev.pos)
        # launched when the predicted intercept point is inside the altitude band (with a
        # margin below its top against a falling target): the intercept is inside it
        assert spec.min_altitude <= h <= spec.max_altitude
        ground = np.linalg.norm(geodetic_to_ecef(lat, lon, 0.0) - launcher)
        assert ground <= 1.05 * spec.vs_ballistic_range
    # most trials end within the lethal radius (against an RV, for a fragmentation warhead)
    radius = spec.lethal_radius * (1.0 if spec.guidance == "hit_to_kill" else RV_LETHAL_SCALE)
    assert np.mean(misses <= radius) >= 0.6, misses
    # the seeker noise acts: no centimetre-perfect end games
    assert np.median(misses) > 0.1, misses
    # kills follow the damage function of the misses (binomial, 3 sigma)
    kills = np.array([ev.killed for ev, _ in results])
    pk = lethality.kill_probability(misses, radius, spec.pk, spec.guidance == "hit_to_kill")
    assert np.all(kills <= (pk > 0))
    sigma = np.sqrt(np.sum(pk * (1 - pk)))
    assert abs(kills.sum() - pk.sum()) <= 3 * sigma + 1e-9, (kills, misses)
    assert 0.3 <= pk.mean(), (pk, misses)


def test_srbm_blast_fragmentation_lethality_against_an_rv(missiles, srbm) -> None:
    # against an RV the fragmentation warhead's lethal radius (and its fuze range) shrink
    # by RV_LETHAL_SCALE: a pass inside the aircraft fuze range but outside the RV's
    # does not detonate
    spec = missiles["48N6E3"]
    radius = spec.lethal_radius * RV_LETHAL_SCALE
    results = [engage_srbm(spec, _ecef(39.90, 32.80), srbm, seed) for seed in range(4)]
    for ev, _ in results:
        if ev.miss_distance > lethality.FUZE_RANGE_FACTOR * radius:
            assert ev.reason == "miss" and not ev.killed
        else:
            assert ev.reason == "fuze"
    assert RV_LETHAL_SCALE == pytest.approx(np.sqrt(flyout.RV_VULNERABLE_AREA_RATIO))
    # a 10 m pass kills an aircraft often, an RV rarely
    p_air = lethality.kill_probability(10.0, spec.lethal_radius, spec.pk, False)
    p_rv = lethality.kill_probability(10.0, radius, spec.pk, False)
    assert p_air > 0.6 and p_rv < 0.02


def test_fighter_miss_is_of_the_order_of_the_seeker_noise(missiles, engage, monkeypatch):
    spec = missiles["48N6E3"]
    geometry = ((10000.0, 50000.0, 8000.0), (0.0, -280.0, 0.0))

    def misses() -> np.ndarray:
        return np.array([engage(spec, *geometry, seed=s)[0][0].miss_distance for s in range(6)])

    noisy = misses()
    # track-via-missile: 1.5 mrad x range + 1.5 m glint, through a 0.3 s autopilot lag:
    # metre-class misses, not the centimetres of a perfect seeker
    assert 0.5 < np.median(noisy) < 6.0, noisy
    monkeypatch.setitem(flyout.SEEKER_NOISE, spec.guidance, 0.0)
    monkeypatch.setitem(flyout.GLINT, spec.guidance, 0.0)
    clean = misses()
    assert np.median(clean) < 0.2 * np.median(noisy), (clean, noisy)


def _dive(speed: float, dive_deg: float, start_alt: float = 40e3):
    """ENU start position and velocity of a free-falling target that lands on the origin
    (flat earth, g = 9.8 m/s²)."""
    d = np.radians(dive_deg)
    vz, vh = speed * np.sin(d), speed * np.cos(d)
    t_impact = (-vz + np.sqrt(vz * vz + 2 * 9.8 * start_alt)) / 9.8
    return np.array([0.0, vh * t_impact, start_alt]), np.array([0.0, -vh, -vz])


@pytest.mark.parametrize(
    ("name", "speed", "dive", "bound"),
    [("48N6E3", 3000.0, 40.0, 10.0), ("PAC-3_MSE", 2800.0, 50.0, 1.0)],
)
def test_steep_dive_onto_the_launcher(missiles, name, speed, dive, bound) -> None:
    # a target faster than the missile, diving on the launcher: the boost-phase aim point
    # must lie on the falling path, not on the straight line beyond the impact point
    from airdefsim.geo.wgs84 import LocalFrame

    spec = missiles[name]
    frame = LocalFrame.from_degrees(45.0, 10.0, 0.0)
    p0, v0 = _dive(speed, dive)
    g = np.array([0.0, 0.0, -9.8])

    def state(t: float):
        enu = p0 + v0 * t + 0.5 * g * t * t
        return frame.to_ecef(enu), frame.vec_to_ecef(v0 + g * t), frame.vec_to_ecef(g)

    t = 0.0
    while True:
        p, v, _ = state(t)
        if predicted_intercept(spec, frame.origin, p[None], v[None], np.array([True]))[0][0]:
            break
        t += 1.0
        assert t < 60.0
    flights = Interceptors()
    flights.launch(t, spec, frame.origin, p, v, 1, 7, "u")
    rng = np.random.default_rng(4)
    events: list[FuzeEvent] = []
    while flights.alive_ids().size and t < 200.0:
        p, v, a = state(t)
        view = TargetsView(
            t, p[None], v[None], a[None], np.array([7]), np.ones(1, bool),
            np.zeros(1, np.int64), [], np.zeros(1, bool), np.zeros(1, np.int64),
            np.array(["srbm"], dtype=object),
        )  # fmt: skip
        events += flights.advance(t, t + 1.0, view, rng)
        t += 1.0
        p, v, _ = state(t)
        flights.update_estimates([0], p[None], v[None])
    (ev,) = events
    assert ev.miss_distance < bound, ev
    assert frame.to_enu(ev.pos)[2] > 5000.0  # well above the launcher


def test_aim_point_of_a_target_faster_than_the_missile() -> None:
    # |p_T(t) - pos| = v t on the falling path, where the fixed point t = |p_T(t) - pos|/v
    # diverges (target 2.6 km/s, missile 1.5 km/s)
    pos = np.array([[6.4e6, 0.0, 0.0]])
    tgt = pos + np.array([[30e3, 20e3, 0.0]])
    tv = np.array([[-1500.0, -2100.0, 0.0]])
    acc = np.array([[-9.8, 0.0, 0.0]])
    pip = flyout._aim_point(pos, np.zeros((1, 3)), tgt, tv, 1500.0, acc)
    # the PIP is on the path at some t, reached by the missile in that same t
    rel = pip[0] - tgt[0]
    t = float(np.linalg.norm(rel[1:]) / 2100.0)
    np.testing.assert_allclose(rel, tv[0] * t + 0.5 * acc[0] * t * t, atol=1e-6 * 3e4)
    assert np.linalg.norm(pip[0] - pos[0]) == pytest.approx(1500.0 * t, rel=1e-6)


def _turning(p0, v0, n_g: float, t_start: float, t: float):
    """ENU truth of a target flying straight, then from ``t_start`` a level turn at
    ``n_g`` g (closed form: a circle at constant speed); (pos, vel, acc)."""
    g = 9.80665
    if t <= t_start or n_g == 0:
        return p0 + v0 * t, v0.copy(), np.zeros(3)
    speed = float(np.linalg.norm(v0[:2]))
    w = n_g * g / speed
    tau = t - t_start
    u = v0 / np.linalg.norm(v0)
    left = np.array([-u[1], u[0], 0.0])
    pos = p0 + v0 * t_start + speed / w * (np.sin(w * tau) * u + (1 - np.cos(w * tau)) * left)
    vel = speed * (np.cos(w * tau) * u + np.sin(w * tau) * left)
    acc = speed * w * (-np.sin(w * tau) * u + np.cos(w * tau) * left)
    return pos, vel, acc


def _engage_evader(spec, target_enu, vel_enu, n_g, t_start, seed=0, dt=0.1) -> FuzeEvent:
    """One interceptor at a target that turns at ``n_g`` g from ``t_start``; the true
    acceleration reaches the flyout through TargetsView.acc, the uplink is the truth."""
    from airdefsim.geo.wgs84 import LocalFrame

    frame = LocalFrame.from_degrees(45.0, 10.0, 0.0)
    p0, v0 = np.asarray(target_enu, float), np.asarray(vel_enu, float)
    flights = Interceptors()
    flights.launch(0.0, spec, frame.origin, frame.to_ecef(p0), frame.vec_to_ecef(v0), 1, 7, "u")
    rng = np.random.default_rng(seed)
    t, events = 0.0, []
    while flights.alive_ids().size and t < 300.0:
        p, v, a = _turning(p0, v0, n_g, t_start, t)
        view = TargetsView(
            t, frame.to_ecef(p)[None], frame.vec_to_ecef(v)[None], frame.vec_to_ecef(a)[None],
            np.array([7]), np.ones(1, bool), np.zeros(1, np.int64), [], np.zeros(1, bool),
            np.zeros(1, np.int64), np.array(["fighter"], dtype=object),
        )  # fmt: skip
        events += flights.advance(t, t + dt, view, rng)
        t += dt
        p, v, _ = _turning(p0, v0, n_g, t_start, t)
        flights.update_estimates([0], frame.to_ecef(p)[None], frame.vec_to_ecef(v)[None])
    (ev,) = events
    return ev


def test_a_9g_evading_target_makes_a_physical_miss(missiles) -> None:
    # PAC-2 GEM-T against a target at 18 km: flying straight it is a fuzed pass within the
    # lethal radius; turning at 9 g from the launch on, PN asks for ~N'/(N'-2) x 9 g = 18 g
    # where the thin air gives the burnt-out round less (C_N,max q S / m): the missile
    # saturates and passes far outside its fuze range - a miss by physics, not a dice roll
    spec = missiles["PAC-2_GEM-T"]
    geometry = ((0.0, 50e3, 18e3), (0.0, -300.0, 0.0))
    straight = _engage_evader(spec, *geometry, n_g=0.0, t_start=0.0)
    evading = _engage_evader(spec, *geometry, n_g=9.0, t_start=0.0)
    assert straight.reason == "fuze" and straight.miss_distance < spec.lethal_radius
    assert evading.miss_distance > lethality.FUZE_RANGE_FACTOR * spec.lethal_radius
    assert evading.reason == "miss" and not evading.killed
    # a late break (3 s to go) against a 48N6E3 at 25 km: a miss outside the lethal radius
    spec = missiles["48N6E3"]
    geometry = ((0.0, 60e3, 25e3), (0.0, -300.0, 0.0))
    straight = _engage_evader(spec, *geometry, n_g=0.0, t_start=0.0)
    t_break = straight.t - 3.0
    late = _engage_evader(spec, *geometry, n_g=9.0, t_start=t_break)
    assert straight.miss_distance < 0.25 * spec.lethal_radius
    assert late.miss_distance > spec.lethal_radius
    assert lethality.kill_probability(late.miss_distance, spec.lethal_radius, spec.pk, False) < (
        0.5 * spec.pk
    )
