"""Interceptor flyout: every interceptor in flight as structure of arrays.

Model (3-DOF point mass over the round, rotating earth, ECEF, float64):

* **Forces.** Thrust along the velocity (boost then sustain phase, constant thrust per
  phase), mass falling linearly in each phase with a common specific impulse chosen so
  the propellant (``launch_mass - motor_burnout_mass``) is spent exactly at burnout;
  drag ``q S C_D(M)`` with ``C_D = cd0 * shape(M)`` (a generic transonic rise and
  supersonic decay, :data:`CD_MACH`, :data:`CD_SHAPE`) and the ISA atmosphere; induced
  drag ``K q S C_N^2`` of the normal force that turns the missile; gravity ``-mu r/|r|^3``
  plus the centrifugal and Coriolis terms of the rotating frame.
* **Manoeuvre limit.** The lateral acceleration is capped at ``min(max_g, max(C_N,max q S
  / m + sin(15°) T / m, A_RCS))``: aerodynamic lift, plus a thrust-vector share while the
  motor burns, with a small reaction-control floor (:data:`A_RCS`, 2 g) so a missile
  coasting in thin air can still steer slowly. The g-limit falls with dynamic pressure
  at altitude.
* **Autopilot.** The achieved lateral acceleration follows the command through a first
  order lag (time constant by guidance type, :data:`LAG`).
* **Guidance.** Mid-course: velocity pursuit of the *lofted predicted intercept point*
  computed from the tracker's estimate (uplinked with :meth:`Interceptors.update_estimates`;
  a bad track makes a bad shot). Against a ballistic target (estimate faster than
  :data:`BALLISTIC_SPEED`) the estimate is propagated in free fall, there is no loft, and
  after the boost the mid-course law is augmented PN on the estimate with gravity as the
  target's acceleration: a PIP pursuit depends on the missile's speed-to-go guess, whose
  error times a 2 km/s target speed left km-class heading errors at seeker lock (the
  seeker then asked for 45 g against a 15 g limit at 20 km). Terminal (seeker lock when
  the true target is inside ``seeker_range``): proportional navigation on the seeker's
  measurement of the true target (angular + glint error, first-order Gauss-Markov:
  :data:`SEEKER_NOISE`, :data:`GLINT`, :data:`NOISE_TAU`), augmented PN with the
  measured target acceleration for hit-to-kill and with gravity against a ballistic
  target, the missile's own gravity compensated. Laws are in
  :mod:`airdefsim.physics.guidance`.
* **Fuze.** Inside every step the relative motion is taken as a straight line and the
  closest approach solved analytically; a kill is drawn from ``pk`` when the miss is
  within ``lethal_radius`` (for a fragmentation warhead against a re-entry vehicle,
  within ``RV_LETHAL_SCALE`` × ``lethal_radius``: see :data:`RV_VULNERABLE_AREA_RATIO`).
* **Self-destruct.** Time of flight exhausted (``max(120 s, 6 max_range / max_speed)``),
  below the ellipsoid, or motor burnt out and no longer closing (or too slow to steer).

Integration: Heun (RK2) with a step per missile, ``clip(0.05 t_go, 2 ms, 0.5 s)`` (finer
while the motor burns), so every missile carries its own clock inside
:meth:`Interceptors.advance`; all missiles are integrated at once.

Aerodynamic constants (:data:`CN_MAX`, :data:`K_INDUCED`, the C_D shape, lags, seeker
errors) are generic textbook-class values, *assumed* (no public figures for these
missiles); see ``docs/physics.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airdefsim.geo.wgs84 import ecef_to_geodetic
from airdefsim.physics import guidance
from airdefsim.physics.atmosphere import isa
from airdefsim.scenario.schema import MissileSpec
from airdefsim.types import TargetsView
from airdefsim.units import G0

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

MU = 3.986004418e14  # m³/s², WGS84 GM
OMEGA_E = 7.292115e-5  # rad/s, WGS84 earth rotation rate

# Drag-coefficient shape over Mach (multiplies cd0): flat subsonic, transonic rise,
# supersonic decay. Assumed generic missile body (cf. Fleeman, *Tactical Missile Design*,
# ch. 2, zero-lift drag vs Mach).
CD_MACH = np.array([0.0, 0.8, 1.0, 1.2, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0, 30.0])
CD_SHAPE = np.array([1.0, 1.0, 1.7, 1.75, 1.6, 1.4, 1.15, 1.0, 0.85, 0.75, 0.7])
CN_MAX = 10.0  # maximum normal-force coefficient on the body cross-section (assumed)
K_INDUCED = 0.05  # induced-drag factor, C_Di = K C_N² (assumed, ~1/C_N_alpha)
TVC_SIN = np.sin(np.radians(15.0))  # thrust-vector deflection usable while burning
A_RCS = 2.0 * G0  # m/s², lateral-acceleration floor from reaction (gas-dynamic) control (assumed)
LAG = {"active_radar": 0.25, "semi_active": 0.3, "track_via_missile": 0.3, "hit_to_kill": 0.1}
SEEKER_NOISE = {  # one-sigma angular noise of the seeker line of sight, rad (assumed)
    "active_radar": 1.0e-3,
    "semi_active": 2.0e-3,
    "track_via_missile": 1.5e-3,
    "hit_to_kill": 0.3e-3,
}
GLINT = {  # one-sigma range-independent seeker error (target glint), m (assumed)
    "active_radar": 1.0,
    "semi_active": 1.5,
    "track_via_missile": 1.5,
    "hit_to_kill": 0.2,
}
NOISE_TAU = 0.1  # s, correlation time of the seeker error (first-order Gauss-Markov)
GUIDANCE_TYPES = ("active_radar", "semi_active", "track_via_missile", "hit_to_kill")
LOFT = 0.5  # mid-course aim point: PIP + LOFT * horizontal distance to go, upwards ...
LOFT_FADE = (3.0, 0.5)  # ... faded out linearly from 3 to 0.5 seeker ranges to go,
DESCENT_SLOPE = 2.5  # ... or earlier: from DESCENT_SLOPE x the height above the PIP
MIDCOURSE_TAU = 2.0  # s, heading time constant of PIP pursuit
LAUNCH_SPEED = 30.0  # m/s leaving the canister / rail
MIN_LAUNCH_ELEVATION = np.radians(20.0)
DT_MAX = 0.5  # s
DT_BURN = 0.2  # s, maximum step while the motor burns
DT_MIN = 0.002  # s
DT_FRAC = 0.05  # step as a fraction of time to go
CA_RADIUS = 3000.0  # m: a closest approach inside this ends the flight (fuze or miss)
MIN_SPEED = 150.0  # m/s: below this, after burnout, the missile cannot steer
ARM_TIME = 1.0  # s: no ground / energy checks before this time of flight
BALLISTIC_SPEED = 1000.0  # m/s: an estimate faster than this is a ballistic (free-falling)
# target, the speed rule of airdefsim.engagement.threat.guess_kind
# Blast-fragmentation warhead against a re-entry vehicle: the fragment density falls as
# 1/r², so the radius within which a target of vulnerable area A_v collects a lethal hit
# scales as sqrt(A_v). A warhead kill of an RV needs a hit on its warhead section
# (~0.05-0.1 m² presented to fast fragments) where an aircraft offers ~1-2 m² of
# vulnerable area (assumed, class values; cf. Ball, *The Fundamentals of Aircraft Combat
# Survivability*, ch. 5, and the 1991 Patriot-vs-Scud experience of damaged but not
# destroyed warheads): area ratio 0.05, radius factor sqrt(0.05) ≈ 0.22 (assumed).
# Hit-to-kill rounds (body-to-body impact) keep their lethal radius.
RV_VULNERABLE_AREA_RATIO = 0.05
RV_LETHAL_SCALE = float(np.sqrt(RV_VULNERABLE_AREA_RATIO))

PHASES = np.array(["boost", "midcourse", "terminal", "dead"], dtype=object)
BOOST, MIDCOURSE, TERMINAL, DEAD = 0, 1, 2, 3


@dataclass(frozen=True)
class FuzeEvent:
    """The end of an interceptor's flight.

    Attributes
    ----------
    interceptor_id : int
    t : float, s — time of the closest approach (or of the self-destruct)
    target_truth_id : int — its target's truth id (-1 for a false track)
    miss_distance : float, m — closest approach to the true target; at a self-destruct,
        the distance to the true target, or to the aim point (the uplinked estimate)
        when there is no live target (always finite)
    killed : bool — the warhead (or the hit) killed the target
    pos : (3,) float, m, ECEF — interceptor position at the event
    reason : ``"fuze"`` (closest approach within the lethal radius), ``"miss"``
        (closest approach outside it), or a self-destruct: ``"timeout"``, ``"ground"``,
        ``"energy"`` (burnt out and no longer closing or too slow), ``"no_target"``
        (false track or dead target: passed the aim point)
    speed : float, m/s — interceptor speed at the event
    """

    interceptor_id: int
    t: float
    target_truth_id: int
    miss_distance: float
    killed: bool
    pos: F64
    reason: str = "fuze"
    speed: float = 0.0


def cd_shape(mach: ArrayLike) -> F64:
    """Drag-coefficient multiplier (dimensionless) at Mach number ``mach`` (...)."""
    return np.interp(np.asarray(mach, dtype=float), CD_MACH, CD_SHAPE)


def gravity_ecef(pos: F64, vel: F64) -> F64:
    """Apparent acceleration in the ECEF frame (K, 3), m/s²: point-mass gravity plus
    centrifugal ``-w x (w x r)`` and Coriolis ``-2 w x v`` (w = earth rate about z).

    Written out component-wise (hot path: ``np.cross`` costs ~10x more here)."""
    r2 = np.einsum("ki,ki->k", pos, pos)
    k = (-MU / (r2 * np.sqrt(r2)))[:, None]
    acc = k * pos
    w2 = OMEGA_E * OMEGA_E
    acc[:, 0] += w2 * pos[:, 0] + 2.0 * OMEGA_E * vel[:, 1]
    acc[:, 1] += w2 * pos[:, 1] - 2.0 * OMEGA_E * vel[:, 0]
    return acc


@dataclass
class _Params:
    """Per-missile constants copied from the spec at launch (SoA, one row each)."""

    boost_thrust: F64
    boost_time: F64
    sustain_thrust: F64
    sustain_time: F64
    launch_mass: F64
    mdot_boost: F64
    mdot_sustain: F64
    area: F64
    cd0: F64
    max_g: F64
    nav: F64
    seeker_range: F64
    lethal_radius: F64
    pk: F64
    lag: F64
    noise: F64
    glint: F64
    apn: NDArray[np.bool_]
    active: NDArray[np.bool_]
    tof_max: F64
    v_nominal: F64


_PARAM_FIELDS = tuple(_Params.__dataclass_fields__)


def _spec_row(spec: MissileSpec) -> dict[str, float]:
    m = spec.motor
    prop = max(spec.launch_mass - spec.motor_burnout_mass, 0.0)
    impulse = m.boost_thrust * m.boost_time + m.sustain_thrust * m.sustain_time
    k = prop / impulse if impulse > 0 else 0.0  # kg per N s = 1 / (Isp g0)
    v_nom = spec.max_speed.at(15000.0)
    return {
        "boost_thrust": m.boost_thrust,
        "boost_time": m.boost_time,
        "sustain_thrust": m.sustain_thrust,
        "sustain_time": m.sustain_time,
        "launch_mass": spec.launch_mass,
        "mdot_boost": k * m.boost_thrust,
        "mdot_sustain": k * m.sustain_thrust,
        "area": np.pi * spec.diameter**2 / 4.0,
        "cd0": spec.cd0,
        "max_g": spec.max_g,
        "nav": spec.nav_constant,
        "seeker_range": spec.seeker_range,
        "lethal_radius": spec.lethal_radius,
        "pk": spec.pk,
        "lag": LAG[spec.guidance],
        "noise": SEEKER_NOISE[spec.guidance],
        "glint": GLINT[spec.guidance],
        "apn": spec.guidance == "hit_to_kill",
        "active": spec.guidance == "active_radar",
        "tof_max": max(120.0, 6.0 * spec.max_range / max(v_nom, 1.0)),
        "v_nominal": v_nom,
    }


def _up(pos: F64) -> F64:
    return pos / np.linalg.norm(pos, axis=-1, keepdims=True)


@dataclass
class _TargetLookup:
    """Truth rows of each missile's target, extrapolated to the missile's own time."""

    has: NDArray[np.bool_]
    pos0: F64
    vel0: F64
    acc: F64
    t0: float

    def at(self, t: F64) -> tuple[F64, F64]:
        dt = (t - self.t0)[:, None]
        return self.pos0 + self.vel0 * dt + 0.5 * self.acc * dt * dt, self.vel0 + self.acc * dt


@dataclass
class Interceptors:
    """All interceptors of a run (in flight and ended), structure of arrays.

    Row ``i`` is interceptor id ``i`` (ids are never reused). The simulation launches
    with :meth:`launch`, uplinks the tracker's estimates with :meth:`update_estimates`
    and integrates with :meth:`advance`, which returns the :class:`FuzeEvent` of every
    flight that ended in the interval.

    Frames and units: ECEF, m, m/s, s since the scenario epoch.
    """

    capacity: int = 64
    n: int = 0
    specs: list[MissileSpec] = field(default_factory=list)

    def __post_init__(self) -> None:
        c = max(int(self.capacity), 1)
        self.pos = np.zeros((c, 3))
        self.vel = np.zeros((c, 3))
        self.a_lat = np.zeros((c, 3))
        self.clock = np.zeros(c)
        self.t_launch = np.zeros(c)
        self.est_pos = np.zeros((c, 3))
        self.est_vel = np.zeros((c, 3))
        self.est_t = np.zeros(c)
        self.phase = np.full(c, DEAD, np.int64)
        self.track_id = np.full(c, -1, np.int64)
        self.target_id = np.full(c, -1, np.int64)
        self.missile = np.empty(c, dtype=object)
        self.unit = np.empty(c, dtype=object)
        self.locked = np.zeros(c, bool)
        self.seeker_err = np.zeros((c, 3))  # Gauss-Markov seeker error state, unit variance
        floats = {k: np.zeros(c) for k in _PARAM_FIELDS if k not in ("apn", "active")}
        self.p = _Params(**floats, apn=np.zeros(c, bool), active=np.zeros(c, bool))  # type: ignore[arg-type]
        self.t_last = 0.0
        self.n_steps = 0  # missile integration steps taken (for benchmarks)
        self.n_iterations = 0  # vectorised iterations (each steps every unfinished missile)

    # ----------------------------------------------------------------- bookkeeping

    def _grow(self) -> None:
        c = self.pos.shape[0]
        new = 2 * c

        def ext(a: np.ndarray, fill: object = 0) -> np.ndarray:
            out = np.empty((new, *a.shape[1:]), dtype=a.dtype)
            out[:c] = a
            out[c:] = fill
            return out

        for name in ("pos", "vel", "a_lat", "est_pos", "est_vel", "seeker_err"):
            setattr(self, name, ext(getattr(self, name)))
        for name in ("clock", "t_launch", "est_t"):
            setattr(self, name, ext(getattr(self, name)))
        self.phase = ext(self.phase, DEAD)
        self.track_id = ext(self.track_id, -1)
        self.target_id = ext(self.target_id, -1)
        self.missile = ext(self.missile, None)
        self.unit = ext(self.unit, None)
        self.locked = ext(self.locked, False)
        for name in _PARAM_FIELDS:
            setattr(self.p, name, ext(getattr(self.p, name)))

    def __len__(self) -> int:
        return int(self.n)

    def alive_ids(self) -> I64:
        """Ids (K,) of the interceptors still in flight."""
        return np.flatnonzero(self.phase[: self.n] != DEAD).astype(np.int64)

    def guided_count(self, unit: str) -> int:
        """Interceptors of ``unit`` in flight that still need a missile channel (all but
        active-radar missiles after their seeker locked on: fire and forget)."""
        n = self.n
        alive = (self.phase[:n] != DEAD) & (self.unit[:n] == unit)
        free = self.p.active[:n] & self.locked[:n]
        return int(np.count_nonzero(alive & ~free))

    def destroy(self, ids: ArrayLike) -> None:
        """End the flight of ``ids`` (cease fire: command self-destruct), silently."""
        idx = np.asarray(ids, dtype=np.int64).reshape(-1)
        idx = idx[(idx >= 0) & (idx < self.n)]
        self.phase[idx] = DEAD

    def snapshot(self) -> dict[str, np.ndarray]:
        """State of the interceptors in flight, for the recorder.

        Returns ``id`` (K,) int, ``missile`` (K,) str, ``unit`` (K,) str, ``track_id``
        (K,) int, ``target_id`` (K,) int (truth id, -1 false track), ``pos`` (K, 3) m
        ECEF, ``vel`` (K, 3) m/s ECEF, ``phase`` (K,) str (boost | midcourse |
        terminal), ``t`` (K,) s (each missile's own clock, = the end of the last
        :meth:`advance`), ``t_launch`` (K,) s.
        """
        ids = self.alive_ids()
        return {
            "id": ids,
            "missile": self.missile[ids].astype(object),
            "unit": self.unit[ids].astype(object),
            "track_id": self.track_id[ids].copy(),
            "target_id": self.target_id[ids].copy(),
            "pos": self.pos[ids].copy(),
            "vel": self.vel[ids].copy(),
            "phase": PHASES[self.phase[ids]],
            "t": self.clock[ids].copy(),
            "t_launch": self.t_launch[ids].copy(),
        }

    # ----------------------------------------------------------------- launch / uplink

    def launch(
        self,
        t: float,
        spec: MissileSpec,
        launcher_pos: ArrayLike,
        aim_pos: ArrayLike,
        aim_vel: ArrayLike,
        track_id: int,
        target_truth_id: int,
        unit: str,
    ) -> int:
        """Launch one interceptor at time ``t`` (s).

        Parameters
        ----------
        spec : the missile preset
        launcher_pos : (3,) float, m, ECEF
        aim_pos, aim_vel : (3,) float, m and m/s, ECEF — the track's estimate at ``t``
        track_id : the engaged track
        target_truth_id : the true object behind the track (for the fuze), -1 for a
            false track (the interceptor flies to the aim point and self-destructs)
        unit : firing unit name

        Returns
        -------
        int — the interceptor id
        """
        if self.n >= self.pos.shape[0]:
            self._grow()
        i = self.n
        self.n += 1
        lp = np.asarray(launcher_pos, dtype=float).reshape(3)
        ap = np.asarray(aim_pos, dtype=float).reshape(3)
        av = np.asarray(aim_vel, dtype=float).reshape(3)
        row = _spec_row(spec)
        for name, value in row.items():
            getattr(self.p, name)[i] = value
        up = _up(lp[None])[0]
        start = lp + 5.0 * up
        # initial direction: towards the lofted predicted intercept point, not too low
        a0 = np.zeros((1, 3))
        if float(av @ av) > BALLISTIC_SPEED**2:
            a0 = gravity_ecef(ap[None], av[None])
        pip, loft = _lofted_pip(
            start[None],
            np.zeros((1, 3)),
            ap[None],
            av[None],
            row["v_nominal"],
            row["seeker_range"],
            a0,
        )
        aim = (pip + loft)[0]
        d = aim - start
        d_up = float(d @ up)
        horiz = d - d_up * up
        hn = float(np.linalg.norm(horiz))
        el = max(np.arctan2(d_up, hn), MIN_LAUNCH_ELEVATION)
        hdir = horiz / hn if hn > 1e-6 else _any_perpendicular(up)
        u0 = np.cos(el) * hdir + np.sin(el) * up
        self.pos[i] = start
        self.vel[i] = LAUNCH_SPEED * u0
        self.a_lat[i] = 0.0
        self.clock[i] = t
        self.t_launch[i] = t
        self.est_pos[i] = ap
        self.est_vel[i] = av
        self.est_t[i] = t
        self.phase[i] = BOOST
        self.track_id[i] = int(track_id)
        self.target_id[i] = int(target_truth_id)
        self.missile[i] = spec.name
        self.unit[i] = unit
        self.locked[i] = False
        self.seeker_err[i] = 0.0
        self.specs.append(spec)
        return i

    def update_estimates(
        self, ids: ArrayLike, est_pos: ArrayLike, est_vel: ArrayLike, t: float | None = None
    ) -> None:
        """Mid-course uplink: the tracker's estimate of each interceptor's target.

        ids (K,) int; est_pos (K, 3) m ECEF; est_vel (K, 3) m/s ECEF; ``t`` the time of
        the estimate (default: the end of the last :meth:`advance`). Dead ids are ignored.
        """
        idx = np.asarray(ids, dtype=np.int64).reshape(-1)
        if idx.size == 0:
            return
        ep = np.asarray(est_pos, dtype=float).reshape(-1, 3)
        ev = np.asarray(est_vel, dtype=float).reshape(-1, 3)
        ok = (idx >= 0) & (idx < self.n)
        idx, ep, ev = idx[ok], ep[ok], ev[ok]
        ok = self.phase[idx] != DEAD
        idx, ep, ev = idx[ok], ep[ok], ev[ok]
        self.est_pos[idx] = ep
        self.est_vel[idx] = ev
        self.est_t[idx] = self.t_last if t is None else float(t)

    # ----------------------------------------------------------------- dynamics

    def _estimate(self, idx: I64, t: F64) -> tuple[F64, F64, F64]:
        """The uplinked estimate of each missile's target propagated to ``t`` (K,) s.

        Returns position (K, 3) m, velocity (K, 3) m/s and the assumed target
        acceleration (K, 3) m/s², ECEF. A target faster than :data:`BALLISTIC_SPEED`
        is taken as ballistic and propagated in free fall (point-mass gravity with the
        centrifugal and Coriolis terms; re-entry drag, up to ~4 g at 10 km for
        β = 20 t/m², is left to the next uplink and the seeker); any other target flies
        straight at constant velocity. The tracker's estimate of a ballistic target
        carries no acceleration: mid-course guidance on it alone would aim ``g t² / 2``
        (≈ 4 km for t = 30 s) above the target.
        """
        ep = self.est_pos[idx]
        ev = self.est_vel[idx]
        dte = (t - self.est_t[idx])[:, None]
        ballistic = np.einsum("ki,ki->k", ev, ev) > BALLISTIC_SPEED**2
        a = np.zeros_like(ep)
        if ballistic.any():
            a[ballistic] = gravity_ecef(ep[ballistic], ev[ballistic])
        return ep + ev * dte + 0.5 * a * dte * dte, ev + a * dte, a

    def _thrust_mass(self, idx: I64, tof: F64) -> tuple[F64, F64]:
        p = self.p
        tb, ts = p.boost_time[idx], p.sustain_time[idx]
        in_boost = tof < tb
        in_sus = (~in_boost) & (tof < tb + ts)
        thrust = np.where(
            in_boost, p.boost_thrust[idx], np.where(in_sus, p.sustain_thrust[idx], 0.0)
        )
        burnt_b = np.minimum(tof, tb)
        burnt_s = np.clip(tof - tb, 0.0, ts)
        mass = p.launch_mass[idx] - p.mdot_boost[idx] * burnt_b - p.mdot_sustain[idx] * burnt_s
        return thrust, mass

    def _accel(
        self, idx: I64, pos: F64, vel: F64, tof: F64, a_lat: F64, alt: F64
    ) -> tuple[F64, F64]:
        """Total acceleration (K, 3) and dynamic pressure (K,) at one state."""
        p = self.p
        thrust, mass = self._thrust_mass(idx, tof)
        speed = np.linalg.norm(vel, axis=1)
        u = vel / np.maximum(speed, 1e-6)[:, None]
        _, _, rho, a_snd = isa(np.maximum(alt, -1000.0))
        q = 0.5 * rho * speed * speed
        qs = q * p.area[idx]
        cd = p.cd0[idx] * cd_shape(speed / a_snd)
        lat = guidance.perpendicular(a_lat, vel)
        lat_n = np.linalg.norm(lat, axis=1)
        cn = np.minimum(mass * lat_n / np.maximum(qs, 1e-9), CN_MAX)
        drag = qs * (cd + K_INDUCED * cn * cn)
        axial = (thrust - drag) / mass
        acc = axial[:, None] * u + lat + gravity_ecef(pos, vel)
        return acc, q

    def advance(
        self, t0: float, t1: float, targets: TargetsView, rng: np.random.Generator
    ) -> list[FuzeEvent]:
        """Fly every interceptor in flight from its clock (normally ``t0``) to ``t1``.

        Parameters
        ----------
        t0, t1 : float, s — the interval
        targets : truth of every air object at ``targets.t`` (positions inside the
            interval are ``pos + vel dt + acc dt²/2``)
        rng : generator for seeker noise and kill draws

        Returns
        -------
        list of :class:`FuzeEvent`, in time order — every flight that ended in the
        interval (closest approach or self-destruct).
        """
        events: list[FuzeEvent] = []
        ids = self.alive_ids()
        self.t_last = float(t1)
        if ids.size == 0:
            return events
        look = self._lookup(ids, targets)
        # one iteration advances every unfinished missile by its own step
        active = self.clock[ids] < t1 - 1e-9
        while np.any(active):
            sel = np.flatnonzero(active)
            self._step(ids[sel], _sub(look, sel), t1, targets.t, rng, events)
            active = (self.clock[ids] < t1 - 1e-9) & (self.phase[ids] != DEAD)
        events.sort(key=lambda e: (e.t, e.interceptor_id))
        return events

    def _lookup(self, ids: I64, targets: TargetsView) -> _TargetLookup:
        k = ids.size
        has = np.zeros(k, bool)
        pos0 = np.zeros((k, 3))
        vel0 = np.zeros((k, 3))
        acc = np.zeros((k, 3))
        tid = self.target_id[ids]
        if len(targets):
            order = np.argsort(targets.truth_id, kind="stable")
            sid = targets.truth_id[order]
            j = np.clip(np.searchsorted(sid, tid), 0, sid.size - 1)
            hit = (sid[j] == tid) & (tid >= 0)
            rows = order[j]
            hit &= targets.alive[rows]
            has = hit
            pos0[hit] = targets.pos[rows[hit]]
            vel0[hit] = targets.vel[rows[hit]]
            acc[hit] = targets.acc[rows[hit]]
        return _TargetLookup(has, pos0, vel0, acc, float(targets.t))

    def _step(
        self,
        idx: I64,
        look: _TargetLookup,
        t_end: float,
        t_targets: float,
        rng: np.random.Generator,
        events: list[FuzeEvent],
    ) -> None:
        p = self.p
        self.n_steps += int(idx.size)
        self.n_iterations += 1
        t = self.clock[idx]
        pos = self.pos[idx]
        vel = self.vel[idx]
        tof = t - self.t_launch[idx]
        _, _, alt = ecef_to_geodetic(pos)
        speed = np.linalg.norm(vel, axis=1)

        # the estimate, propagated to each missile's clock (under gravity if ballistic)
        est, est_v, a_est = self._estimate(idx, t)
        tru, tru_v = look.at(t)
        r_true = np.linalg.norm(tru - pos, axis=1)
        newly = look.has & ~self.locked[idx] & (r_true <= p.seeker_range[idx])
        self.locked[idx[newly]] = True
        locked = self.locked[idx] & look.has

        # guidance
        thrust, mass = self._thrust_mass(idx, tof)
        burning = thrust > 0
        # step size: coarse far out, fine in the endgame, finer while burning
        gp = np.where(locked[:, None], tru, est)
        gv = np.where(locked[:, None], tru_v, est_v)
        tgo = guidance.time_to_go(gp - pos, gv - vel, min_closing=50.0)
        dt = np.clip(DT_FRAC * tgo, DT_MIN, DT_MAX)
        dt = np.where(burning, np.minimum(dt, DT_BURN), dt)
        dt = np.where(tof < 2.0, np.minimum(dt, 0.05), dt)
        tb = p.boost_time[idx]
        cross = (tof < tb) & (tof + dt > tb)
        dt = np.where(cross, np.maximum(tb - tof, 1e-4), dt)
        dt = np.minimum(dt, t_end - t)
        dt = np.maximum(dt, 1e-9)

        cmd = np.zeros_like(pos)
        mid = ~locked
        if np.any(mid):
            pip, loft = _lofted_pip(
                pos[mid],
                vel[mid],
                est[mid],
                est_v[mid],
                p.v_nominal[idx[mid]],
                p.seeker_range[idx[mid]],
                a_est[mid],
            )
            cmd_mid = guidance.pursuit_command(vel[mid], pip + loft - pos[mid], MIDCOURSE_TAU)
            # a ballistic target, after the boost: augmented PN on the uplinked estimate
            # (the target's free fall as its acceleration), while it closes
            r_v = est[mid] - pos[mid]
            v_v = est_v[mid] - vel[mid]
            use_pn = (
                (tof[mid] >= p.boost_time[idx[mid]])
                & np.any(a_est[mid] != 0.0, axis=1)
                & (guidance.closing_speed(r_v, v_v) > 0.0)
            )
            if np.any(use_pn):
                cmd_mid[use_pn] = guidance.pn_command(
                    r_v[use_pn], v_v[use_pn], p.nav[idx[mid][use_pn]], a_est[mid][use_pn]
                )
            cmd[mid] = cmd_mid
        if np.any(locked):
            r = tru[locked] - pos[locked]
            v = tru_v[locked] - vel[locked]
            rn = np.linalg.norm(r, axis=1)
            li = idx[locked]
            # seeker error: angular (grows with range) + glint, correlated over NOISE_TAU
            decay = np.exp(-dt[locked] / NOISE_TAU)[:, None]
            err = self.seeker_err[li] * decay + np.sqrt(1.0 - decay**2) * rng.standard_normal(
                r.shape
            )
            self.seeker_err[li] = err
            sig = p.noise[li] * rn + p.glint[li]
            r_meas = r + sig[:, None] * guidance.perpendicular(err, r)
            # target acceleration: measured by a hit-to-kill seeker; otherwise gravity for
            # a ballistic target (its known free fall), none for an aircraft
            a_t = np.where(p.apn[idx[locked]][:, None], look.acc[locked], a_est[locked])
            cmd[locked] = guidance.pn_command(r_meas, v, p.nav[idx[locked]], a_t)
        g = gravity_ecef(pos, vel)
        cmd = guidance.perpendicular(cmd - g, vel)
        # g-limit: aerodynamic (falls with dynamic pressure) + thrust vectoring while burning
        _, _, rho, _ = isa(np.maximum(alt, -1000.0))
        qs = 0.5 * rho * speed * speed * p.area[idx]
        a_max = np.minimum(
            p.max_g[idx], np.maximum(CN_MAX * qs / mass + TVC_SIN * thrust / mass, A_RCS)
        )
        cn = np.linalg.norm(cmd, axis=1)
        cmd *= np.minimum(1.0, a_max / np.maximum(cn, 1e-9))[:, None]

        # autopilot lag, then Heun
        a_lat = self.a_lat[idx]
        a_lat = a_lat + (cmd - a_lat) * (1.0 - np.exp(-dt / p.lag[idx]))[:, None]
        acc0, _ = self._accel(idx, pos, vel, tof, a_lat, alt)
        pos_p = pos + vel * dt[:, None]
        vel_p = vel + acc0 * dt[:, None]
        # predictor altitude to first order (error ~ (v dt)^2 / 2R, well below 1 m)
        up = pos / np.linalg.norm(pos, axis=1, keepdims=True)
        alt_p = alt + np.einsum("ki,ki->k", vel, up) * dt
        acc1, _ = self._accel(idx, pos_p, vel_p, tof + dt, a_lat, alt_p)
        vel1 = vel + 0.5 * (acc0 + acc1) * dt[:, None]
        pos1 = pos + 0.5 * (vel + vel1) * dt[:, None]
        t1 = t + dt

        self.pos[idx] = pos1
        self.vel[idx] = vel1
        self.a_lat[idx] = a_lat
        self.clock[idx] = t1
        tof1 = tof + dt
        thr1, _ = self._thrust_mass(idx, tof1)
        self.phase[idx] = np.where(locked, TERMINAL, np.where(thr1 > 0, BOOST, MIDCOURSE))

        # closest approach inside the step (straight-line relative motion)
        tru1, tru_v1 = look.at(t1)
        est1, est_v1, _ = self._estimate(idx, t1)
        ref0 = np.where(look.has[:, None], tru, est)
        ref1 = np.where(look.has[:, None], tru1, est1)
        r0 = pos - ref0
        r1 = pos1 - ref1
        vrel = (r1 - r0) / dt[:, None]
        tau = guidance.time_of_closest_approach(r0, vrel)
        in_step = (tau >= 0.0) & (tau <= dt)
        tau_c = np.clip(tau, 0.0, dt)
        d_ca = np.linalg.norm(r0 + vrel * tau_c[:, None], axis=1)
        ended = in_step & (d_ca < CA_RADIUS)
        alt1 = alt + np.einsum("ki,ki->k", pos1 - pos, up)
        speed1 = np.linalg.norm(vel1, axis=1)
        closing1 = guidance.closing_speed(
            ref1 - pos1, np.where(look.has[:, None], tru_v1, est_v1) - vel1
        )
        armed = tof1 > ARM_TIME
        burnt = thr1 <= 0
        timeout = ~ended & (tof1 > p.tof_max[idx])
        ground = ~ended & ~timeout & armed & (alt1 < 0.0)
        energy = (
            ~ended & ~timeout & ~ground & armed & burnt & ((closing1 <= 0.0) | (speed1 < MIN_SPEED))
        )
        for k in np.flatnonzero(ended | timeout | ground | energy):
            i = int(idx[k])
            has = bool(look.has[k])
            if ended[k]:
                frac = tau_c[k] / dt[k]
                t_ev = float(t[k] + tau_c[k])
                p_ev = pos[k] + (pos1[k] - pos[k]) * frac
                miss = float(d_ca[k])
                if has:
                    radius = p.lethal_radius[i]
                    if not p.apn[i] and tru_v[k] @ tru_v[k] > BALLISTIC_SPEED**2:
                        radius *= RV_LETHAL_SCALE  # fragments against a re-entry vehicle
                    hit = miss <= radius
                    killed = bool(hit and rng.random() < p.pk[i])
                    reason = "fuze" if hit else "miss"
                else:
                    killed, reason = False, "no_target"
            else:
                t_ev, p_ev = float(t1[k]), pos1[k].copy()
                miss = float(np.linalg.norm(r1[k]))  # to the target, or to the aim point
                killed = False
                if timeout[k]:
                    reason = "timeout"
                elif ground[k]:
                    reason = "ground"
                else:
                    reason = "energy" if has else "no_target"
            self.phase[i] = DEAD
            events.append(
                FuzeEvent(
                    interceptor_id=i,
                    t=t_ev,
                    target_truth_id=int(self.target_id[i]),
                    miss_distance=miss,
                    killed=killed,
                    pos=np.asarray(p_ev, dtype=float),
                    reason=reason,
                    speed=float(speed1[k]),
                )
            )


def _sub(look: _TargetLookup, sel: I64) -> _TargetLookup:
    return _TargetLookup(look.has[sel], look.pos0[sel], look.vel0[sel], look.acc[sel], look.t0)


def _any_perpendicular(u: F64) -> F64:
    a = np.array([1.0, 0.0, 0.0]) if abs(u[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    v = a - (a @ u) * u
    return v / np.linalg.norm(v)


def _lofted_pip(
    pos: F64,
    vel: F64,
    tgt: F64,
    tgt_vel: F64,
    v_nominal: ArrayLike,
    seeker_range: ArrayLike,
    tgt_acc: F64 | None = None,
) -> tuple[F64, F64]:
    """Mid-course aim point: ``(pip, loft)``, each (K, 3), m ECEF; the aim is their sum.

    ``pip`` is the predicted intercept point of a target at ``tgt`` with ``tgt_vel``;
    ``loft`` raises it by ``LOFT`` times the horizontal distance to go; the loft fades
    out linearly from ``LOFT_FADE[0]`` seeker ranges to go (or from ``DESCENT_SLOPE``
    times the missile's height above the PIP, if further) to ``LOFT_FADE[1]`` seeker
    ranges, so the missile comes down to the target's altitude on a ~22° path before its
    end game, while it still has the dynamic pressure to turn. No loft against a
    ballistic target (faster than :data:`BALLISTIC_SPEED`): it comes down to the
    missile, and a lofted virtual target would leave the missile above its dive.

    The missile's mean speed to go is ``v = max(|vel|, v_nominal)``; the intercept time
    solves ``|p_T(t) - pos| = v t`` on the target path ``p_T(t) = tgt + tgt_vel t +
    tgt_acc t² / 2`` (``tgt_acc`` (K, 3) m/s²: gravity for a ballistic target, else
    zero; a straight line through a steep dive would put the PIP beyond the impact point
    and send a boosting missile the wrong way). Three fixed-point iterations ``t = |p_T(t)
    - pos| / v`` for the other targets (a contraction of ratio ``|tgt_vel| / v`` < 1);
    against a ballistic target, often faster than the missile, where that diverges,
    four Newton steps from ``t = 0`` on ``f(t) = |p_T(t) - pos| - v t``, whose slope
    (range rate - v) stays below ``-v`` while the target closes.
    """
    acc = np.zeros_like(tgt) if tgt_acc is None else tgt_acc
    v = np.maximum(np.linalg.norm(vel, axis=1), np.asarray(v_nominal, dtype=float))
    v = np.maximum(v, 1.0)
    tgo = np.linalg.norm(tgt - pos, axis=1) / v
    for _ in range(3):
        pip = tgt + tgt_vel * tgo[:, None] + 0.5 * acc * (tgo * tgo)[:, None]
        tgo = np.linalg.norm(pip - pos, axis=1) / v
    fast = np.any(acc != 0.0, axis=1)
    if np.any(fast):
        p0, v0, a0, vm = tgt[fast] - pos[fast], tgt_vel[fast], acc[fast], v[fast]
        tn = np.zeros(p0.shape[0])
        for _ in range(4):
            d = p0 + v0 * tn[:, None] + 0.5 * a0 * (tn * tn)[:, None]
            rn = np.maximum(np.linalg.norm(d, axis=1), 1e-9)
            slope = np.einsum("ki,ki->k", d, v0 + a0 * tn[:, None]) / rn - vm
            tn = np.maximum(tn - (rn - vm * tn) / np.minimum(slope, -0.1 * vm), 0.0)
        tgo[fast] = tn
    pip = tgt + tgt_vel * tgo[:, None] + 0.5 * acc * (tgo * tgo)[:, None]
    up = _up(pip)
    d = pip - pos
    horiz = np.linalg.norm(d - np.einsum("ki,ki->k", d, up)[:, None] * up, axis=1)
    sr = np.asarray(seeker_range, dtype=float)
    dz = np.maximum(-np.einsum("ki,ki->k", d, up), 0.0)  # height above the PIP
    start = np.maximum(LOFT_FADE[0] * sr, DESCENT_SLOPE * dz)
    end = LOFT_FADE[1] * sr
    fade = np.clip((horiz - end) / np.maximum(start - end, 1.0), 0.0, 1.0)
    fade[np.einsum("ki,ki->k", tgt_vel, tgt_vel) > BALLISTIC_SPEED**2] = 0.0
    return pip, (LOFT * horiz * fade)[:, None] * up
