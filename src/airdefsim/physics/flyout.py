"""Interceptor flyout: every interceptor in flight as structure of arrays.

Model (3-DOF point mass over the round, rotating earth, ECEF, float64):

* **Forces.** Thrust along the velocity (boost then sustain phase, constant thrust per
  phase), mass falling linearly in each phase with a common specific impulse chosen so
  the propellant (``launch_mass - motor_burnout_mass``) is spent exactly at burnout;
  drag ``q S C_D(M)`` with ``C_D = cd0 * shape(M)`` (a generic transonic rise and
  supersonic decay, :data:`CD_MACH`, :data:`CD_SHAPE`) and the ISA atmosphere; induced
  drag ``K q S C_N^2`` of the normal force that turns the missile; gravity ``-mu r/|r|^3``
  plus the centrifugal and Coriolis terms of the rotating frame. The motors and ``cd0``
  of the presets are fitted to the published speed and range by
  ``bench/calibrate_missiles.py`` (see ``docs/physics.md``).
* **Manoeuvre limit.** The lateral acceleration is capped at ``min(max_g, C_N,max q S / m
  + sin(15°) T / m + a_rc)``: aerodynamic lift, a thrust-vector share while the motor
  burns, and reaction (gas-dynamic) control that works at any dynamic pressure —
  ``reaction_control_g`` in the end game (seeker locked), :data:`A_RCS_MIDCOURSE`
  before. The aerodynamic part falls with dynamic pressure at altitude.
* **Autopilot.** The achieved lateral acceleration follows the command through a first
  order lag (time constant by guidance type, :data:`LAG`).
* **Mid-course guidance** (on the uplinked estimate of the target, :meth:`Interceptors.
  update_estimates`, coasted between uplinks; a bad track makes a bad shot). Far out the
  missile steers its velocity (pursuit, :data:`MIDCOURSE_TAU`) along the *low ballistic
  arc* through the predicted intercept point (PIP) at its current speed (at least the
  nominal burnout speed while the motor burns), without holding itself up against
  gravity: it flies a zero-lift, energy-keeping arc through the thin upper air and
  re-aims as drag slows it (when the point is out of ballistic reach, the maximum-range
  angle ``45° + elevation/2``). Within :data:`HANDOVER_TGO` of the estimate, after the
  boost, it flies proportional navigation on the estimate (gravity compensated). Against
  a ballistic target (estimate faster than :data:`BALLISTIC_SPEED`) the estimate is
  propagated in free fall and the mid-course is augmented PN with gravity as the target's
  acceleration from burnout on.
* **Seeker** (:mod:`airdefsim.physics.seeker`). Acquisition is a detection: within
  :data:`SEEKER_ON` seeker ranges of the expected target the seeker searches a cone
  around the estimate's direction; the detection probability comes from the SNR of each
  object's RCS (aspect, band) and the seeker's calibration; it locks on the strongest
  return above threshold — which may be another object than the intended target. The
  missile never homes on the object it was launched at (``target_truth_id`` is only
  the label of the intended target for the recording) but on what its seeker acquired.
  Terminal guidance: PN on the seeker's measurement of the acquired object (angular +
  glint error, first-order Gauss-Markov: :data:`SEEKER_NOISE`, :data:`GLINT`,
  :data:`NOISE_TAU`), augmented PN with the measured target acceleration for
  hit-to-kill and with gravity against a ballistic target, own gravity compensated. A
  ``command`` missile has no seeker and stays on PN on the estimate.
* **Fire-control support** (:meth:`Interceptors.set_support`). Command, track-via-missile
  and semi-active missiles need the engagement radar's track (and illumination) from
  launch to intercept; active-radar and hit-to-kill missiles need the uplink until their
  seeker locks. Without support a missile coasts on its last estimate (a semi-active or
  TVM seeker also loses the target it can no longer see lit) and self-destructs after
  ``lost_track_timeout`` with reason ``"lost_track"``.
* **Fuze and kill** (:mod:`airdefsim.physics.lethality`). Inside every step the relative
  motion to the reference object — the acquired one, else the intended target — is a
  straight line and the closest approach is solved analytically; the kill is drawn from
  the damage function of the miss distance (Carleton for blast-fragmentation warheads,
  body contact for hit-to-kill; for a fragmentation warhead against a re-entry vehicle
  the lethal radius is scaled by :data:`RV_LETHAL_SCALE`).
* **Self-destruct.** Time of flight exhausted (``max_flight_time``, default ``max(120 s,
  6 max_range / max_speed)``),
  below the ellipsoid, lost fire-control support, or motor burnt out for good and no
  longer closing on an object it has passed (or too slow to steer).

Integration: Heun (RK2) with a step per missile, ``clip(0.05 t_go, 2 ms, 0.5 s)`` (finer
while the motor burns), so every missile carries its own clock inside
:meth:`Interceptors.advance`; all missiles are integrated at once.

Aerodynamic constants (:data:`CN_MAX`, :data:`K_INDUCED`, the C_D shape, lags, seeker
errors) are generic textbook-class values, *assumed* (no public figures for these
missiles); see ``docs/physics.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airdefsim.geo.wgs84 import ecef_to_geodetic
from airdefsim.physics import guidance, lethality, seeker
from airdefsim.physics.atmosphere import isa
from airdefsim.scenario.schema import MissileSpec
from airdefsim.types import TargetsView
from airdefsim.units import G0

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

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
A_RCS_MIDCOURSE = 0.2 * G0  # m/s², lateral acceleration from reaction control outside the
# end game (assumed: slow steering in thin air, well below 1 g: no missile hovers on its
# jets; the preset's reaction_control_g, a
# short-lived end-game capability, applies once the seeker has locked)
GUIDANCE_TYPES = ("active_radar", "semi_active", "track_via_missile", "hit_to_kill", "command")
ACTIVE_SEEKER = ("active_radar", "hit_to_kill")  # own transmitter: autonomous after lock
ILLUMINATED = ("semi_active", "track_via_missile")  # see the target only while it is lit
LAG = {
    "active_radar": 0.25,
    "semi_active": 0.3,
    "track_via_missile": 0.3,
    "hit_to_kill": 0.1,
    "command": 0.3,
}
SEEKER_NOISE = {  # one-sigma angular noise of the seeker line of sight, rad (assumed)
    "active_radar": 1.0e-3,
    "semi_active": 2.0e-3,
    "track_via_missile": 1.5e-3,
    "hit_to_kill": 0.3e-3,
    "command": 0.0,  # no seeker
}
GLINT = {  # one-sigma range-independent seeker error (target glint), m (assumed)
    "active_radar": 1.0,
    "semi_active": 1.5,
    "track_via_missile": 1.5,
    "hit_to_kill": 0.2,
    "command": 0.0,
}
NOISE_TAU = 0.1  # s, correlation time of the seeker error (first-order Gauss-Markov)
SEEKER_ON = 2.0  # the seeker searches once the expected target is within this many
# seeker ranges (assumed)
LOFT_ANGLE = np.radians(60.0)  # flight-path angle a far shot climbs at while boosting
# (assumed; weighted by the distance to go, see _arc_direction)
HANDOVER_TGO = 10.0  # s to go: ballistic-arc pursuit -> PN on the estimate, or homing
# on the seeker once locked (assumed)
MIDCOURSE_TAU = 2.0  # s, heading time constant of the arc pursuit
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
# target, the speed rule of airdefsim.engagement.threat.classify
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

FuzeReason = str
"""``"fuze"``, ``"miss"``, ``"timeout"``, ``"ground"``, ``"energy"``, ``"no_target"``,
``"lost_track"`` (see :class:`FuzeEvent`)."""


@dataclass(frozen=True)
class FuzeEvent:
    """The end of an interceptor's flight.

    Attributes
    ----------
    interceptor_id : int
    t : float, s — time of the closest approach (or of the self-destruct)
    target_truth_id : int — truth id of the object the flight ended against: the object
        its seeker had acquired (which may not be the intended one), else the intended
        target (-1 for a false track). A kill is a kill of this object.
    miss_distance : float, m — closest approach to that object; at a self-destruct, the
        distance to it, or to the aim point (the uplinked estimate) when there is no
        live object (always finite)
    killed : bool — the warhead (or the hit) killed the object
    pos : (3,) float, m, ECEF — interceptor position at the event
    reason : ``"fuze"`` (the warhead went off: closest approach within the proximity
        fuze's range, or body contact for hit-to-kill; the kill is drawn from the damage
        function), ``"miss"`` (closest approach outside it), or a self-destruct:
        ``"timeout"``, ``"ground"``, ``"energy"`` (burnt out and no longer closing or too
        slow), ``"no_target"`` (false track or dead target: passed the aim point),
        ``"lost_track"`` (no fire-control support for ``lost_track_timeout``)
    speed : float, m/s — interceptor speed at the event
    intended_truth_id : int — the label given at launch (the engaged track's truth)
    locked : bool — the seeker held a lock at the end of the flight
    """

    interceptor_id: int
    t: float
    target_truth_id: int
    miss_distance: float
    killed: bool
    pos: F64
    reason: FuzeReason = "fuze"
    speed: float = 0.0
    intended_truth_id: int = -1
    locked: bool = False


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
    sustain_delay: F64
    launch_mass: F64
    mdot_boost: F64
    mdot_sustain: F64
    area: F64
    cd0: F64
    max_g: F64
    reaction_g: F64
    nav: F64
    seeker_range: F64
    seeker_ref_rcs: F64
    half_beam: F64
    lethal_radius: F64
    pk: F64
    lag: F64
    noise: F64
    glint: F64
    tof_max: F64
    v_nominal: F64
    lost_timeout: F64
    apn: B
    active: B
    illuminated: B
    has_seeker: B
    always_support: B


_BOOL_FIELDS = ("apn", "active", "illuminated", "has_seeker", "always_support")
_PARAM_FIELDS = tuple(_Params.__dataclass_fields__)


def max_time_of_flight(spec: MissileSpec) -> float:
    """s, when the self-destruct timer ends a flight: the preset's ``max_flight_time``,
    else ``max(120 s, 6 max_range / max_speed)`` (max speed at 15 km)."""
    if spec.max_flight_time is not None:
        return float(spec.max_flight_time)
    return max(120.0, 6.0 * spec.max_range / max(spec.max_speed.at(15000.0), 1.0))


def _spec_row(spec: MissileSpec) -> dict[str, float | bool]:
    m = spec.motor
    prop = max(spec.launch_mass - spec.motor_burnout_mass, 0.0)
    impulse = m.boost_thrust * m.boost_time + m.sustain_thrust * m.sustain_time
    k = prop / impulse if impulse > 0 else 0.0  # kg per N s = 1 / (Isp g0)
    v_nom = spec.max_speed.at(15000.0)
    g = spec.guidance
    return {
        "boost_thrust": m.boost_thrust,
        "boost_time": m.boost_time,
        "sustain_thrust": m.sustain_thrust,
        "sustain_time": m.sustain_time,
        "sustain_delay": m.sustain_delay,
        "launch_mass": spec.launch_mass,
        "mdot_boost": k * m.boost_thrust,
        "mdot_sustain": k * m.sustain_thrust,
        "area": np.pi * spec.diameter**2 / 4.0,
        "cd0": spec.cd0,
        "max_g": spec.max_g,
        "reaction_g": spec.reaction_control_g,
        "nav": spec.nav_constant,
        "seeker_range": spec.seeker_range if g != "command" else 0.0,
        "seeker_ref_rcs": spec.seeker_reference_rcs,
        "half_beam": 0.5 * spec.seeker_beamwidth,
        "lethal_radius": spec.lethal_radius,
        "pk": spec.pk,
        "lag": LAG[g],
        "noise": SEEKER_NOISE[g],
        "glint": GLINT[g],
        "tof_max": max_time_of_flight(spec),
        "v_nominal": v_nom,
        "lost_timeout": spec.lost_track_timeout,
        "apn": g == "hit_to_kill",
        "active": g in ACTIVE_SEEKER,
        "illuminated": g in ILLUMINATED,
        "has_seeker": g != "command",
        "always_support": g not in ACTIVE_SEEKER,
    }


def _up(pos: F64) -> F64:
    return pos / np.linalg.norm(pos, axis=-1, keepdims=True)


@dataclass
class _Objects:
    """The air objects of one :meth:`Interceptors.advance`, looked up by truth id and
    extrapolated to any missile's own clock (``pos + vel dt + acc dt²/2``)."""

    view: TargetsView
    order: I64
    sorted_ids: I64

    @classmethod
    def of(cls, view: TargetsView) -> _Objects:
        order = np.argsort(view.truth_id, kind="stable").astype(np.int64)
        return cls(view, order, np.asarray(view.truth_id, dtype=np.int64)[order])

    def rows(self, truth_id: I64) -> tuple[I64, B]:
        """Rows (K,) of ``truth_id`` (K,) and whether each is a live object."""
        tid = np.asarray(truth_id, dtype=np.int64)
        if self.sorted_ids.size == 0:
            return np.zeros(tid.size, np.int64), np.zeros(tid.size, bool)
        j = np.clip(np.searchsorted(self.sorted_ids, tid), 0, self.sorted_ids.size - 1)
        rows = self.order[j]
        ok = (self.sorted_ids[j] == tid) & (tid >= 0)
        ok &= np.asarray(self.view.alive, dtype=bool)[rows]
        return rows, ok

    def at(self, rows: I64, t: F64) -> tuple[F64, F64]:
        """Positions and velocities (K, 3) of ``rows`` at times ``t`` (K,)."""
        v = self.view
        if len(v) == 0:
            z = np.zeros((np.size(rows), 3))
            return z, z.copy()
        dt = (np.asarray(t, dtype=float) - v.t)[:, None]
        acc = v.acc[rows]
        return v.pos[rows] + v.vel[rows] * dt + 0.5 * acc * dt * dt, v.vel[rows] + acc * dt


@dataclass
class Interceptors:
    """All interceptors of a run (in flight and ended), structure of arrays.

    Row ``i`` is interceptor id ``i`` (ids are never reused). The simulation launches
    with :meth:`launch`, uplinks the tracker's estimates with :meth:`update_estimates`,
    tells each step which missiles have fire-control support with :meth:`set_support`
    and integrates with :meth:`advance`, which returns the :class:`FuzeEvent` of every
    flight that ended in the interval.

    Frames and units: ECEF, m, m/s, s since the scenario epoch.

    ``seeker_candidates``: ``"any"`` (the simulation) — a seeker sees every air object
    in its beam and locks on the strongest return; ``"intended"`` — it sees only the
    intended target (the engagement tables' kinematic flyouts at many stationary points
    at once, which must not lock on each other).
    """

    capacity: int = 64
    n: int = 0
    specs: list[MissileSpec] = field(default_factory=list)
    seeker_candidates: Literal["any", "intended"] = "any"

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
        self.target_id = np.full(c, -1, np.int64)  # the intended target (a label)
        self.acquired = np.full(c, -1, np.int64)  # truth id the seeker is locked on
        self.missile = np.empty(c, dtype=object)
        self.unit = np.empty(c, dtype=object)
        self.band = np.empty(c, dtype=object)
        self.supported = np.ones(c, bool)
        self.t_unsupported = np.full(c, np.nan)  # when support was last lost
        self.t_lock_lost = np.full(c, -np.inf)  # when the seeker last lost its lock
        self.lost_since = np.full(c, np.nan)  # unsupported while needing support, since
        self.seeker_err = np.zeros((c, 3))  # Gauss-Markov seeker error state, unit variance
        floats = {k: np.zeros(c) for k in _PARAM_FIELDS if k not in _BOOL_FIELDS}
        bools = {k: np.zeros(c, bool) for k in _BOOL_FIELDS}
        self.p = _Params(**floats, **bools)  # type: ignore[arg-type]
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
        for name, fill in (
            ("phase", DEAD),
            ("track_id", -1),
            ("target_id", -1),
            ("acquired", -1),
            ("missile", None),
            ("unit", None),
            ("band", None),
            ("supported", True),
            ("t_unsupported", np.nan),
            ("t_lock_lost", -np.inf),
            ("lost_since", np.nan),
        ):
            setattr(self, name, ext(getattr(self, name), fill))
        for name in _PARAM_FIELDS:
            setattr(self.p, name, ext(getattr(self.p, name)))

    def __len__(self) -> int:
        return int(self.n)

    def alive_ids(self) -> I64:
        """Ids (K,) of the interceptors still in flight."""
        return np.flatnonzero(self.phase[: self.n] != DEAD).astype(np.int64)

    def guided_count(self, unit: str) -> int:
        """Interceptors of ``unit`` in flight that still need a missile channel (all but
        active-seeker missiles after their seeker locked on: fire and forget)."""
        n = self.n
        alive = (self.phase[:n] != DEAD) & (self.unit[:n] == unit)
        free = self.p.active[:n] & (self.acquired[:n] >= 0)
        return int(np.count_nonzero(alive & ~free))

    def needs_support(self, ids: ArrayLike) -> B:
        """Whether each missile ``ids`` (K,) needs the unit's fire-control track now:
        command, track-via-missile and semi-active always; active-seeker missiles until
        their seeker locks."""
        idx = np.asarray(ids, dtype=np.int64).reshape(-1)
        return np.asarray(self.p.always_support[idx] | (self.acquired[idx] < 0), dtype=bool)

    def destroy(self, ids: ArrayLike) -> None:
        """End the flight of ``ids`` (cease fire: command self-destruct), silently."""
        idx = np.asarray(ids, dtype=np.int64).reshape(-1)
        idx = idx[(idx >= 0) & (idx < self.n)]
        self.phase[idx] = DEAD

    def snapshot(self) -> dict[str, np.ndarray]:
        """State of the interceptors in flight, for the recorder.

        Returns ``id`` (K,) int, ``missile`` (K,) str, ``unit`` (K,) str, ``track_id``
        (K,) int, ``target_id`` (K,) int (the intended target's truth id, -1 false
        track), ``acquired_id`` (K,) int (truth id the seeker is locked on, -1 none),
        ``supported`` (K,) bool (fire-control support, :meth:`set_support`), ``pos``
        (K, 3) m ECEF, ``vel`` (K, 3) m/s ECEF, ``phase`` (K,) str (boost | midcourse |
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
            "acquired_id": self.acquired[ids].copy(),
            "supported": self.supported[ids].copy(),
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
        target_truth_id : the true object behind the track, -1 for a false track. A
            label for the recording and the fuze bookkeeping only: the missile is guided
            by the estimate and homes on what its seeker acquires.
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
        # initial direction: along the low ballistic arc at the nominal speed through the
        # predicted intercept point, not too low
        a0 = np.zeros((1, 3))
        if float(av @ av) > BALLISTIC_SPEED**2:
            a0 = gravity_ecef(ap[None], av[None])
        v_nom = float(row["v_nominal"])
        pip = _aim_point(start[None], np.zeros((1, 3)), ap[None], av[None], v_nom, a0)
        u_arc = _arc_direction(start[None], pip, np.array([v_nom]), np.array([True]))[0][0]
        d_up = float(u_arc @ up)
        horiz = u_arc - d_up * up
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
        self.acquired[i] = -1
        self.missile[i] = spec.name
        self.unit[i] = unit
        self.band[i] = spec.seeker_band
        self.supported[i] = True
        self.t_unsupported[i] = np.nan
        self.t_lock_lost[i] = -np.inf
        self.lost_since[i] = np.nan
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

    def set_support(self, ids: ArrayLike, has_track: ArrayLike, t: float | None = None) -> None:
        """Fire-control support of each missile, from now on (the engine calls it each step).

        ids (K,) int; has_track (K,) bool — the unit's engagement radar holds a
        fire-control track of this missile's target (and illuminates it, for the
        semi-active and track-via-missile rounds); ``t`` s, when the state applies
        (default: the end of the last :meth:`advance`). A missile that needs support
        (:meth:`needs_support`) and lacks it coasts on its last estimate and
        self-destructs ``lost_track_timeout`` after the loss (reason ``"lost_track"``)
        unless support returns first. Missiles are supported from launch until told
        otherwise. Dead or unknown ids are ignored.
        """
        idx = np.asarray(ids, dtype=np.int64).reshape(-1)
        has = np.broadcast_to(np.asarray(has_track, dtype=bool).reshape(-1), idx.shape)
        ok = (idx >= 0) & (idx < self.n)
        idx, has = idx[ok], has[ok]
        ok = self.phase[idx] != DEAD
        idx, has = idx[ok], has[ok]
        when = self.t_last if t is None else float(t)
        lost = idx[~has & self.supported[idx]]
        self.t_unsupported[lost] = when
        self.supported[idx] = has

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
        tb, ts, td = p.boost_time[idx], p.sustain_time[idx], p.sustain_delay[idx]
        in_boost = tof < tb
        in_sus = (tof >= tb + td) & (tof < tb + td + ts)
        thrust = np.where(
            in_boost, p.boost_thrust[idx], np.where(in_sus, p.sustain_thrust[idx], 0.0)
        )
        burnt_b = np.minimum(tof, tb)
        burnt_s = np.clip(tof - tb - td, 0.0, ts)
        mass = p.launch_mass[idx] - p.mdot_boost[idx] * burnt_b - p.mdot_sustain[idx] * burnt_s
        return thrust, mass

    def _accel(
        self,
        idx: I64,
        pos: F64,
        vel: F64,
        tof: F64,
        a_lat: F64,
        alt: F64,
        air: tuple[F64, F64] | None = None,
    ) -> tuple[F64, F64]:
        """Total acceleration (K, 3) and dynamic pressure (K,) at one state (``air``:
        density and speed of sound at ``alt`` if already known)."""
        p = self.p
        thrust, mass = self._thrust_mass(idx, tof)
        speed = np.linalg.norm(vel, axis=1)
        u = vel / np.maximum(speed, 1e-6)[:, None]
        if air is None:
            _, _, rho, a_snd = isa(np.maximum(alt, -1000.0))
        else:
            rho, a_snd = air
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
            interval are ``pos + vel dt + acc dt²/2``); what the seekers can see and the
            fuzes can meet (``rcs_index``/``rcs_specs`` give each object's RCS)
        rng : generator for the seeker draws, seeker noise and kill draws

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
        objs = _Objects.of(targets)
        # one iteration advances every unfinished missile by its own step
        active = self.clock[ids] < t1 - 1e-9
        while np.any(active):
            self._step(ids[np.flatnonzero(active)], objs, t1, rng, events)
            active = (self.clock[ids] < t1 - 1e-9) & (self.phase[ids] != DEAD)
        events.sort(key=lambda e: (e.t, e.interceptor_id))
        return events

    def _search(
        self,
        idx: I64,
        t: F64,
        pos: F64,
        vel: F64,
        est: F64,
        dt: F64,
        objs: _Objects,
        rng: np.random.Generator,
    ) -> I64:
        """Seeker search of missiles ``idx`` over the interval ``dt``: the truth id each
        acquires (-1: none). See :func:`airdefsim.physics.seeker.acquire`."""
        v = objs.view
        out = np.full(idx.size, -1, np.int64)
        p = self.p

        def look(cand_pos: F64, cand_vel: F64, cand_rcs: I64) -> I64:
            return seeker.acquire(
                pos,
                est - pos,
                p.half_beam[idx],
                p.seeker_range[idx],
                p.seeker_ref_rcs[idx],
                self.band[idx],
                np.maximum(seeker.LOOK_RATE * dt, 1.0),
                cand_pos,
                cand_vel,
                cand_rcs,
                list(v.rcs_specs),
                rng,
            )

        if self.seeker_candidates == "intended":
            rows, ok = objs.rows(self.target_id[idx])
            pos_i, vel_i = objs.at(rows, t)
            if len(v):
                index_i = np.asarray(v.rcs_index, dtype=np.int64)[rows][:, None]
            else:
                index_i = np.zeros((idx.size, 1), np.int64)
            got = look(pos_i[:, None, :], vel_i[:, None, :], index_i)
            return np.where((got >= 0) & ok, self.target_id[idx], -1)
        alive = np.flatnonzero(np.asarray(v.alive, dtype=bool))
        if alive.size == 0:
            return out
        dto = (t - v.t)[:, None, None]
        acc = v.acc[alive][None]
        obj_pos = v.pos[alive][None] + v.vel[alive][None] * dto + 0.5 * acc * dto * dto
        obj_vel = v.vel[alive][None] + acc * dto
        found = look(obj_pos, obj_vel, np.asarray(v.rcs_index, dtype=np.int64)[alive])
        hit = found >= 0
        out[hit] = np.asarray(v.truth_id, dtype=np.int64)[alive[found[hit]]]
        return out

    def _step(
        self,
        idx: I64,
        objs: _Objects,
        t_end: float,
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
        _, _, rho, a_snd = isa(np.maximum(alt, -1000.0))

        # the estimate, propagated to each missile's clock (under gravity if ballistic)
        est, est_v, a_est = self._estimate(idx, t)
        supported = self.supported[idx]
        # the seeker's lock: kept while the object lives (and, semi-active/TVM, is lit)
        acq_rows, locked = objs.rows(self.acquired[idx])
        locked &= supported | ~p.illuminated[idx]
        dropped = (self.acquired[idx] >= 0) & ~locked
        if dropped.any():
            self.acquired[idx[dropped]] = -1
            self.t_lock_lost[idx[dropped]] = t[dropped]
        tru, tru_v = objs.at(acq_rows, t)

        thrust, mass = self._thrust_mass(idx, tof)
        burning = thrust > 0
        # step size: coarse far out, fine in the endgame, finer while burning
        gp = np.where(locked[:, None], tru, est)
        gv = np.where(locked[:, None], tru_v, est_v)
        tgo = guidance.time_to_go(gp - pos, gv - vel, min_closing=50.0)
        dt = np.clip(DT_FRAC * tgo, DT_MIN, DT_MAX)
        dt = np.where(burning, np.minimum(dt, DT_BURN), dt)
        dt = np.where(tof < 2.0, np.minimum(dt, 0.05), dt)
        # steps end exactly where the thrust changes (burnout, second-pulse ignition)
        tb = p.boost_time[idx]
        ign = tb + p.sustain_delay[idx]
        for edge in (tb, ign, ign + p.sustain_time[idx]):
            cross = (tof < edge) & (tof + dt > edge)
            dt = np.where(cross, np.maximum(edge - tof, 1e-4), dt)
        dt = np.minimum(dt, t_end - t)
        dt = np.maximum(dt, 1e-9)

        # seeker search: the expected target near enough, the seeker able to see
        r_est = np.linalg.norm(est - pos, axis=1)
        search = (
            ~locked
            & p.has_seeker[idx]
            & (supported | ~p.illuminated[idx])
            & (r_est <= SEEKER_ON * p.seeker_range[idx])
        )
        if search.any():
            s = np.flatnonzero(search)
            got = self._search(idx[s], t[s], pos[s], vel[s], est[s], dt[s], objs, rng)
            new = s[got >= 0]
            if new.size:
                self.acquired[idx[new]] = got[got >= 0]
                self.seeker_err[idx[new]] = 0.0
                acq_rows, locked = objs.rows(self.acquired[idx])
                locked &= supported | ~p.illuminated[idx]
                tru, tru_v = objs.at(acq_rows, t)

        cmd = np.zeros_like(pos)
        comp = np.ones(idx.size, bool)  # gravity compensated (all but the arc pursuit)
        # what the guidance flies on: the seeker's track of the acquired object, else the
        # uplinked (or coasted) estimate; homing (PN on the seeker) within HANDOVER_TGO of
        # the acquired object while closing — a missile that locked on at launch first
        # climbs on its mid-course law
        g_pos = np.where(locked[:, None], tru, est)
        g_vel = np.where(locked[:, None], tru_v, est_v)
        closing_t = guidance.closing_speed(tru - pos, tru_v - vel)
        homing = (
            locked
            & (closing_t > 0.0)
            & (np.linalg.norm(tru - pos, axis=1) <= HANDOVER_TGO * np.maximum(closing_t, 1.0))
        )
        mid = ~homing
        if np.any(mid):
            m = np.flatnonzero(mid)
            r_v = g_pos[m] - pos[m]
            v_v = g_vel[m] - vel[m]
            after_boost = tof[m] >= p.boost_time[idx[m]]
            ballistic = np.any(a_est[m] != 0.0, axis=1)
            closing = guidance.closing_speed(r_v, v_v) > 0.0
            near = guidance.time_to_go(r_v, v_v, min_closing=50.0) <= HANDOVER_TGO
            use_pn = after_boost & closing & (ballistic | near)
            arc = ~use_pn
            if np.any(arc):
                a = m[arc]
                v_arc = np.where(burning[a], np.maximum(speed[a], p.v_nominal[idx[a]]), speed[a])
                pip = _aim_point(pos[a], vel[a], g_pos[a], g_vel[a], p.v_nominal[idx[a]], a_est[a])
                cd_a = p.cd0[idx[a]] * cd_shape(speed[a] / a_snd[a])
                drag_len = 2.0 * mass[a] / np.maximum(rho[a] * cd_a * p.area[idx[a]], 1e-12)
                u, reach = _arc_direction(pos[a], pip, np.maximum(v_arc, 1.0), burning[a], drag_len)
                # out of ballistic reach after burnout: coast on the current (zero-lift)
                # path while climbing, glide level towards the aim once descending
                short = ~reach & ~burning[a]
                climbing = np.einsum("ki,ki->k", vel[a], _up(pos[a])) > 0.0
                u[short & climbing] = vel[a][short & climbing]
                glide = short & ~climbing
                u[glide] = _glide_direction(pos[a][glide], pip[glide])
                cmd[a] = guidance.pursuit_command(vel[a], u, MIDCOURSE_TAU)
                comp[a] = glide
            if np.any(use_pn):
                k = m[use_pn]
                cmd[k] = guidance.pn_command(r_v[use_pn], v_v[use_pn], p.nav[idx[k]], a_est[k])
        if np.any(homing):
            r = tru[homing] - pos[homing]
            v = tru_v[homing] - vel[homing]
            rn = np.linalg.norm(r, axis=1)
            li = idx[homing]
            # seeker error: angular (grows with range) + glint, correlated over NOISE_TAU
            decay = np.exp(-dt[homing] / NOISE_TAU)[:, None]
            err = self.seeker_err[li] * decay + np.sqrt(1.0 - decay**2) * rng.standard_normal(
                r.shape
            )
            self.seeker_err[li] = err
            sig = p.noise[li] * rn + p.glint[li]
            r_meas = r + sig[:, None] * guidance.perpendicular(err, r)
            # target acceleration: measured by a hit-to-kill seeker; otherwise gravity for
            # a ballistic target (its known free fall), none for an aircraft
            acc_true = objs.view.acc[acq_rows[homing]]
            a_t = np.where(p.apn[li][:, None], acc_true, a_est[homing])
            cmd[homing] = guidance.pn_command(r_meas, v, p.nav[li], a_t)
        g = gravity_ecef(pos, vel)
        cmd = guidance.perpendicular(cmd - np.where(comp[:, None], g, 0.0), vel)
        # g-limit: aerodynamic (falls with dynamic pressure) + thrust vectoring while
        # burning + reaction control
        qs = 0.5 * rho * speed * speed * p.area[idx]
        a_max = np.minimum(
            p.max_g[idx],
            CN_MAX * qs / mass
            + TVC_SIN * thrust / mass
            + np.where(locked, p.reaction_g[idx], A_RCS_MIDCOURSE),
        )
        cn = np.linalg.norm(cmd, axis=1)
        cmd *= np.minimum(1.0, a_max / np.maximum(cn, 1e-9))[:, None]

        # autopilot lag, then Heun
        a_lat = self.a_lat[idx]
        a_lat = a_lat + (cmd - a_lat) * (1.0 - np.exp(-dt / p.lag[idx]))[:, None]
        acc0, _ = self._accel(idx, pos, vel, tof, a_lat, alt, (rho, a_snd))
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
        self.phase[idx] = np.where(homing, TERMINAL, np.where(thr1 > 0, BOOST, MIDCOURSE))

        # the object the flight is measured against: the acquired one, else the intended
        # target (a proximity fuze would act on it), else the aim point
        lab_rows, lab_ok = objs.rows(self.target_id[idx])
        ref_rows = np.where(locked, acq_rows, lab_rows)
        has = locked | lab_ok
        ref_id = np.where(locked, self.acquired[idx], self.target_id[idx])
        obj0, obj_v0 = objs.at(ref_rows, t)
        obj1, obj_v1 = objs.at(ref_rows, t1)
        est1, est_v1, _ = self._estimate(idx, t1)
        ref0 = np.where(has[:, None], obj0, est)
        ref1 = np.where(has[:, None], obj1, est1)
        # closest approach inside the step (straight-line relative motion)
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
            ref1 - pos1, np.where(has[:, None], obj_v1, est_v1) - vel1
        )
        armed = tof1 > ARM_TIME
        # burnt out for good (not between two pulses)
        burnt = tof1 >= p.boost_time[idx] + p.sustain_delay[idx] + p.sustain_time[idx]
        # passed the object: behind the missile in the horizontal plane (a lofted missile
        # climbing away from a low target is still on its way)
        rel_h = (ref1 - pos1) - np.einsum("ki,ki->k", ref1 - pos1, up)[:, None] * up
        vel_h = vel1 - np.einsum("ki,ki->k", vel1, up)[:, None] * up
        passed = np.einsum("ki,ki->k", rel_h, vel_h) <= 0.0
        # fire-control support: lost for longer than the timeout while needed
        needs = p.always_support[idx] | ~locked
        unsup = ~supported & needs
        since = np.where(
            np.isnan(self.lost_since[idx]),
            np.maximum(self.t_unsupported[idx], self.t_lock_lost[idx]),
            self.lost_since[idx],
        )
        self.lost_since[idx] = np.where(unsup, since, np.nan)
        lost = unsup & (t1 - since >= p.lost_timeout[idx])
        timeout = ~ended & (tof1 > p.tof_max[idx])
        ground = ~ended & ~timeout & armed & (alt1 < 0.0)
        lost_track = ~ended & ~timeout & ~ground & lost
        energy = (
            ~ended
            & ~timeout
            & ~ground
            & ~lost_track
            & armed
            & burnt
            & (((closing1 <= 0.0) & passed) | (speed1 < MIN_SPEED))
        )
        for k in np.flatnonzero(ended | timeout | ground | lost_track | energy):
            i = int(idx[k])
            if ended[k]:
                frac = tau_c[k] / dt[k]
                t_ev = float(t[k] + tau_c[k])
                p_ev = pos[k] + (pos1[k] - pos[k]) * frac
                miss = float(d_ca[k])
                if has[k]:
                    radius = float(p.lethal_radius[i])
                    if not p.apn[i] and obj_v0[k] @ obj_v0[k] > BALLISTIC_SPEED**2:
                        radius *= RV_LETHAL_SCALE  # fragments against a re-entry vehicle
                    fired = bool(lethality.fuzed(miss, radius, p.apn[i]))
                    pk = float(lethality.kill_probability(miss, radius, p.pk[i], p.apn[i]))
                    killed = fired and bool(rng.random() < pk)
                    reason = "fuze" if fired else "miss"
                else:
                    killed, reason = False, "no_target"
            else:
                t_ev, p_ev = float(t1[k]), pos1[k].copy()
                miss = float(np.linalg.norm(r1[k]))  # to the object, or to the aim point
                killed = False
                if timeout[k]:
                    reason = "timeout"
                elif ground[k]:
                    reason = "ground"
                elif lost_track[k]:
                    reason = "lost_track"
                else:
                    reason = "energy" if has[k] else "no_target"
            self.phase[i] = DEAD
            events.append(
                FuzeEvent(
                    interceptor_id=i,
                    t=t_ev,
                    target_truth_id=int(ref_id[k]),
                    miss_distance=miss,
                    killed=killed,
                    pos=np.asarray(p_ev, dtype=float),
                    reason=reason,
                    speed=float(speed1[k]),
                    intended_truth_id=int(self.target_id[i]),
                    locked=bool(locked[k]),
                )
            )


def _any_perpendicular(u: F64) -> F64:
    a = np.array([1.0, 0.0, 0.0]) if abs(u[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    v = a - (a @ u) * u
    return v / np.linalg.norm(v)


def _arc_direction(
    pos: F64,
    aim: F64,
    speed: ArrayLike,
    boost: ArrayLike | None = None,
    drag_length: ArrayLike | None = None,
) -> tuple[F64, B]:
    """Unit velocity direction (K, 3) of the (lofted) low ballistic arc from ``pos``
    through ``aim`` (K, 3), m ECEF, at ``speed`` (K,) m/s; and whether the aim is within
    ballistic reach (K,).

    Flat earth in the missile's local level frame, uniform gravity ``g = mu/|pos|²``,
    no drag: the flight-path angle ``θ`` solves ``Δz = d tan θ - g d² / (2 v² cos² θ)``
    for horizontal distance ``d`` and height ``Δz`` of the aim point (the earth's
    curvature enters through ``Δz``), the low root ``tan θ = (v² - sqrt(v⁴ - g (g d² +
    2 Δz v²))) / (g d)``. Out of reach (negative discriminant): the maximum-range angle
    ``θ = 45° + atan2(Δz, d) / 2``. Re-evaluated every step, so drag and the round earth
    are corrected as the missile flies.

    Loft: the path is raised towards :data:`LOFT_ANGLE` by the weight ``w = max(w_g,
    w_d)``: ``w_g = clip(g d / v², 0, 1)`` while the motor burns (``boost`` (K,) bool;
    the aim point's distance as a fraction of the vacuum reach ``v²/g``) and ``w_d =
    clip(d / L - 1, 0, 1)`` with the drag length ``L = 2 m / (ρ C_D S)`` (``drag_length``
    (K,) m: the distance over which drag alone would shed 63 % of the speed at the
    current altitude). A far shot climbs out of the dense air, where a Mach 5-6 missile
    sheds speed fastest; a short shot, or one already high, stays on the low arc.
    """
    up = _up(pos)
    dvec = aim - pos
    dz = np.einsum("ki,ki->k", dvec, up)
    h = dvec - dz[:, None] * up
    d = np.linalg.norm(h, axis=1)
    g = MU / np.einsum("ki,ki->k", pos, pos)
    v2 = np.asarray(speed, dtype=float) ** 2
    disc = v2 * v2 - g * (g * d * d + 2.0 * dz * v2)
    dd = np.maximum(d, 1e-9)
    theta = np.where(
        disc >= 0.0,
        np.arctan((v2 - np.sqrt(np.maximum(disc, 0.0))) / (g * dd)),
        0.25 * np.pi + 0.5 * np.arctan2(dz, dd),
    )
    w = np.zeros_like(d)
    if boost is not None:
        w_g = np.clip(g * d / np.maximum(v2, 1.0), 0.0, 1.0)
        w = np.where(np.asarray(boost, dtype=bool), w_g, 0.0)
    if drag_length is not None:
        w_d = np.clip(d / np.maximum(np.asarray(drag_length, dtype=float), 1.0), 0.0, 1.0)
        w = np.maximum(w, w_d)
    theta = theta + w * np.maximum(LOFT_ANGLE - theta, 0.0)
    uh = h / dd[:, None]
    u = np.cos(theta)[:, None] * uh + np.sin(theta)[:, None] * up
    straight = dvec / np.maximum(np.linalg.norm(dvec, axis=1), 1e-9)[:, None]
    reach = (disc >= 0.0) | (d <= 1.0)
    return np.where((d > 1.0)[:, None], u, straight), reach


def _glide_direction(pos: F64, aim: F64) -> F64:
    """Unit direction (K, 3): level (local horizontal) towards ``aim`` (K, 3), m ECEF."""
    up = _up(pos)
    dvec = aim - pos
    h = dvec - np.einsum("ki,ki->k", dvec, up)[:, None] * up
    return h / np.maximum(np.linalg.norm(h, axis=1), 1e-9)[:, None]


def _aim_point(
    pos: F64,
    vel: F64,
    tgt: F64,
    tgt_vel: F64,
    v_nominal: ArrayLike,
    tgt_acc: F64 | None = None,
) -> F64:
    """Predicted intercept point (K, 3), m ECEF, of a target at ``tgt`` with ``tgt_vel``.

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
    return tgt + tgt_vel * tgo[:, None] + 0.5 * acc * (tgo * tgo)[:, None]
