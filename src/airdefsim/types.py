"""Data shared across parts: plots, the truth view a sensor sees, the air picture and
the C2 commands.

These are the seams between the parts (see ``docs/architecture.md``). Every array
follows the project convention: structure of arrays, entity axis first, SI units,
radians inside.

Frames
------
ECEF
    WGS84 earth-centred, earth-fixed, metres (float64).
ENU
    The *scenario's* local east-north-up tangent frame at ``Scenario.origin`` (ground
    level, h = 0), metres. The tracker works in this frame.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from airdefsim.geo.wgs84 import LocalFrame
from airdefsim.scenario.schema import Doctrine

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
B = NDArray[np.bool_]

Identity = Literal["unknown", "hostile", "friendly"]
WeaponsState = Literal["free", "tight", "hold"]


@dataclass(frozen=True)
class Plots:
    """Radar plots (detections and false alarms) of one or several dwells.

    Attributes
    ----------
    t : (K,) float, s since scenario epoch — time of each plot
    sensor : (K,) int — index of the radar in the world's radar list
    pos : (K, 3) float, m, scenario ENU — measured position
    R : (K, 3, 3) float, m² — measurement covariance of ``pos`` in ENU
    rae : (K, 3) float — measured range (m), azimuth (rad, from north, clockwise),
        elevation (rad) in the sensor's own ENU frame
    sigma_rae : (K, 3) float — one-sigma errors of ``rae`` (m, rad, rad)
    sensor_pos : (K, 3) float, m, scenario ENU — the radar's position
    snr_db : (K,) float, dB — signal-to-noise ratio of the detection
    truth_id : (K,) int — id of the true object, -1 for a false alarm.
        For the recorder and the scoring only: the tracker and the C2 seat never read it.
    """

    t: F64
    sensor: I64
    pos: F64
    R: F64
    rae: F64
    sigma_rae: F64
    sensor_pos: F64
    snr_db: F64
    truth_id: I64

    def __len__(self) -> int:
        return int(self.t.shape[0])

    @staticmethod
    def empty() -> Plots:
        z = np.zeros((0,))
        return Plots(
            t=z,
            sensor=np.zeros((0,), np.int64),
            pos=np.zeros((0, 3)),
            R=np.zeros((0, 3, 3)),
            rae=np.zeros((0, 3)),
            sigma_rae=np.zeros((0, 3)),
            sensor_pos=np.zeros((0, 3)),
            snr_db=z.copy(),
            truth_id=np.zeros((0,), np.int64),
        )

    @staticmethod
    def concat(parts: list[Plots]) -> Plots:
        parts = [p for p in parts if len(p)]
        if not parts:
            return Plots.empty()
        if len(parts) == 1:
            return parts[0]
        return Plots(
            **{
                name: np.concatenate([getattr(p, name) for p in parts])
                for name in Plots.__dataclass_fields__
            }
        )

    def sorted_by_time(self) -> Plots:
        order = np.argsort(self.t, kind="stable")
        return Plots(**{name: getattr(self, name)[order] for name in Plots.__dataclass_fields__})


@dataclass(frozen=True)
class TargetsView:
    """Ground truth of every air object at time ``t``, as a sensor or a fuze sees it.

    Attributes
    ----------
    t : float, s
    pos : (N, 3) float, m, ECEF
    vel : (N, 3) float, m/s, ECEF
    acc : (N, 3) float, m/s², ECEF (zero on straight legs; gravity on ballistic arcs)
    truth_id : (N,) int — stable object id
    alive : (N,) bool — flying (not yet killed, landed or out of the scenario)
    rcs_index : (N,) int — index into ``rcs_specs``
    rcs_specs : list of ``airdefsim.scenario.schema.RcsSpec`` — RCS models by aspect/band
    is_friendly : (N,) bool — friendly aircraft (answers IFF if its transponder works)
    iff_mode : (N,) int — 0 no transponder, 1 civil (mode 3/C), 5 military mode 5
    kind : (N,) object — preset name of each object (``"fighter"``, ``"airliner"``, …)
    """

    t: float
    pos: F64
    vel: F64
    acc: F64
    truth_id: I64
    alive: B
    rcs_index: I64
    rcs_specs: list
    is_friendly: B
    iff_mode: I64
    kind: NDArray[np.object_]

    def __len__(self) -> int:
        return int(self.pos.shape[0])


@dataclass(frozen=True)
class Jammer:
    """A stand-off noise jammer.

    pos : (3,) float, m, ECEF; erp_w : effective radiated power density-integrated, W;
    bandwidth_hz : Hz; band : radar band letter(s) it covers.
    """

    name: str
    pos: F64
    erp_w: float
    bandwidth_hz: float
    bands: tuple[str, ...]


@dataclass(frozen=True)
class TrackTable:
    """The tracker's output: one row per live track (tentative ones included).

    Attributes
    ----------
    track_id : (M,) int — stable id, never reused in a run
    x : (M, 6) float — state [e, n, u, ve, vn, vu] in scenario ENU, m and m/s
    P : (M, 6, 6) float — covariance of ``x``
    status : (M,) int — 0 tentative, 1 confirmed, 2 coasting (confirmed, missed last update)
    t_update : (M,) float, s — time of the last plot used
    n_updates : (M,) int — plots used so far
    t_update_sensor : (M, S) float, s — time of the last plot of sensor ``s`` used by
        each track (NaN: never; S grows with the sensor indices seen so far)
    """

    track_id: I64
    x: F64
    P: F64
    status: I64
    t_update: F64
    n_updates: I64
    t_update_sensor: F64 = field(default_factory=lambda: np.zeros((0, 0)))

    TENTATIVE = 0
    CONFIRMED = 1
    COASTING = 2

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    @staticmethod
    def empty() -> TrackTable:
        return TrackTable(
            track_id=np.zeros((0,), np.int64),
            x=np.zeros((0, 6)),
            P=np.zeros((0, 6, 6)),
            status=np.zeros((0,), np.int64),
            t_update=np.zeros((0,)),
            n_updates=np.zeros((0,), np.int64),
            t_update_sensor=np.zeros((0, 0)),
        )

    def select(self, keep: B) -> TrackTable:
        """The rows where ``keep`` (M,) is True."""
        return TrackTable(
            self.track_id[keep],
            self.x[keep],
            self.P[keep],
            self.status[keep],
            self.t_update[keep],
            self.n_updates[keep],
            self.t_update_sensor[keep] if self.t_update_sensor.shape[0] else self.t_update_sensor,
        )

    def last_update_by(self, sensors: list[int]) -> F64:
        """(M,) s: the last time any of ``sensors`` updated each track (NaN: never)."""
        cols = [s for s in sensors if s < self.t_update_sensor.shape[1]]
        if not cols or not len(self):
            return np.full(len(self), np.nan)
        sub = self.t_update_sensor[:, cols]
        last = np.max(np.where(np.isnan(sub), -np.inf, sub), axis=1)
        return np.where(np.isfinite(last), last, np.nan)


# ---------------------------------------------------------------- the air picture

#: kinds a track is classified as from its kinematics (one rule:
#: :func:`airdefsim.engagement.threat.classify`)
TrackKind = Literal["ballistic_missile", "cruise_missile", "aircraft", "drone"]
#: kill assessment of a track: never engaged (or re-engaged since), the look is under
#: way, the radar called a kill, or the target survived
KillStatus = Literal["none", "assessing", "killed", "survived"]


@dataclass(frozen=True)
class Asset:
    """A defended asset, placed.

    name : str; lat, lon : float, rad; alt : float, m above the ellipsoid;
    pos : (3,) float, m, ECEF; value : float > 0 (relative worth); radius : float, m —
    a warhead landing within ``radius`` (plus its own lethal radius) hits the asset
    """

    name: str
    lat: float
    lon: float
    alt: float
    pos: F64
    value: float
    radius: float


@dataclass(frozen=True)
class IdEvidence:
    """Identification evidence of M tracks (:mod:`airdefsim.engagement.identification`
    gathers it); arrays share the track axis.

    flight_plan : (M,) object — callsign of the matching filed plan, ``""`` none
    corridor : (M,) object — name of the corridor flown along with a civil profile, ``""``
    civil : (M,) bool — civil flight profile
    hostile : (M,) object — the hostile indicator seen (profile, origin, attack), ``""``
    """

    flight_plan: np.ndarray
    corridor: np.ndarray
    civil: np.ndarray
    hostile: np.ndarray

    @staticmethod
    def empty(m: int = 0) -> IdEvidence:
        return IdEvidence(
            np.full(m, "", dtype=object),
            np.full(m, "", dtype=object),
            np.zeros(m, bool),
            np.full(m, "", dtype=object),
        )

    @property
    def friendly(self) -> np.ndarray:
        """(M,) object: why the track is presumed friend (``""`` if not)."""
        out = np.full(self.flight_plan.shape[0], "", dtype=object)
        on_corridor = self.corridor != ""
        out[on_corridor] = np.array(
            [f"civil traffic on corridor {c}" for c in self.corridor[on_corridor]], dtype=object
        )
        has_plan = self.flight_plan != ""
        out[has_plan] = np.array(
            [f"flying filed flight plan {c}" for c in self.flight_plan[has_plan]], dtype=object
        )
        return out


@dataclass(frozen=True)
class RadarCoverage:
    """Where a fire unit's engagement (fire-control) radar can hold a track: its site,
    the scanned sector and the instrumented range. Whether it *detects* a given target
    there is the radar model's business (RCS, horizon, terrain, jamming); this is the
    geometry a fire-control officer checks before committing a round.

    site : LocalFrame — the antenna; heading : rad, boresight azimuth (clockwise from
    north); sector_width : rad (2π: all round); max_range : m; min_elevation,
    max_elevation : rad
    """

    name: str
    site: LocalFrame
    heading: float
    sector_width: float
    max_range: float
    min_elevation: float
    max_elevation: float

    def covers(self, pos: F64) -> B:
        """(K,) bool: ECEF points ``pos`` (K, 3) m inside the sector, range and elevation
        limits."""
        az, el, rng = self.site.aer(np.asarray(pos, float).reshape(-1, 3))
        off = np.abs(np.mod(az - self.heading + np.pi, 2.0 * np.pi) - np.pi)
        in_sector = off <= 0.5 * self.sector_width + 1e-12
        return (
            in_sector
            & (rng <= self.max_range)
            & (el >= self.min_elevation)
            & (el <= self.max_elevation)
        )


@dataclass
class LauncherState:
    """One launcher (TEL) as the fire-control sees it."""

    name: str
    unit: str
    pos: F64  # (3,) m, ECEF
    lat: float  # rad
    lon: float  # rad
    missiles: dict[str, int]  # missile type -> ready rounds
    busy_until: float = 0.0  # s; launcher can fire again after this (salvo interval)
    reload_until: float = 0.0  # s; reload in progress until this time
    capacity: dict[str, int] = field(default_factory=dict)  # full load, per type
    reload_time: float = 1800.0  # s, from empty to reloaded by a transloader
    reloading: bool = False

    def ready(self, t: float) -> bool:
        """Free to fire at time ``t`` (s): not in a salvo interval nor reloading."""
        return self.busy_until <= t and self.reload_until <= t


@dataclass
class UnitState:
    """A fire unit (battalion / battery): radars, launchers and channel usage.

    ``doctrine`` is the scenario's typed :class:`~airdefsim.scenario.schema.Doctrine`.
    """

    name: str
    preset: str
    pos: F64  # (3,) m, ECEF of the command post
    lat: float  # rad
    lon: float  # rad
    launchers: list[LauncherState]
    target_channels: int  # targets that can be engaged at once (engagement radar)
    missile_channels: int  # missiles that can be guided at once
    targets_engaged: int = 0
    missiles_guided: int = 0
    weapons: WeaponsState = "tight"
    doctrine: Doctrine = field(default_factory=lambda: Doctrine())
    fc_radars: list[RadarCoverage] = field(default_factory=list)
    reloads: dict[str, int] = field(default_factory=dict)  # rounds on the transloaders

    def fc_covers(self, pos: F64) -> B:
        """(K,) bool: ECEF points ``pos`` (K, 3) inside any of the unit's engagement
        radars' coverage (all False if it has none)."""
        p = np.asarray(pos, float).reshape(-1, 3)
        out = np.zeros(p.shape[0], bool)
        for r in self.fc_radars:
            out |= r.covers(p)
        return out

    def rounds(self, missile: str, t: float | None = None) -> int:
        """Rounds of ``missile`` on the unit's launchers; with ``t`` (s), only on the
        launchers free to fire at that time."""
        return sum(ln.missiles.get(missile, 0) for ln in self.launchers if t is None or ln.ready(t))

    def snapshot(self) -> UnitState:
        """An independent copy (what a policy sees; it cannot change the unit). The
        mutable parts are copied; positions, the doctrine and the radar coverages are
        shared read-only (hot path: one copy per unit per tick)."""
        return dataclasses.replace(
            self,
            launchers=[
                dataclasses.replace(ln, missiles=dict(ln.missiles), capacity=dict(ln.capacity))
                for ln in self.launchers
            ],
            fc_radars=list(self.fc_radars),
            reloads=dict(self.reloads),
        )


@dataclass
class Engagement:
    """Interceptors in flight against one track."""

    track_id: int
    unit: str
    missile: str
    interceptor_ids: list[int]
    t_launch: float


@dataclass
class AirPicture:
    """What the C2 seat sees at time ``t``: the tracker's picture, never ground truth,
    and the state of its own fire units. A policy decides from this and its own memory.

    Track arrays share the first axis (M tracks, confirmed and coasting only).

    Attributes
    ----------
    t : float, s
    track_id : (M,) int
    pos : (M, 3) float, m, ECEF — estimated position
    vel : (M, 3) float, m/s, ECEF — estimated velocity
    pos_enu : (M, 3) float, m, scenario ENU
    vel_enu : (M, 3) float, m/s, scenario ENU
    pos_sigma : (M,) float, m — RMS of the position standard deviations
    status : (M,) int — ``TrackTable.CONFIRMED`` or ``TrackTable.COASTING``
    t_update : (M,) float, s — time of the last plot used by the track
    n_updates : (M,) int — plots used so far
    kind : (M,) object — :data:`TrackKind` from the kinematics (one classifier for
        the doctrine, the console and the report)
    quality_ok : (M,) bool — the track passes the quality gate for an engagement
        (:mod:`airdefsim.engagement.quality`)
    quality : (M,) object — why it fails the gate, ``""`` where it passes
    identity : (M,) object — "unknown" | "hostile" | "friendly"
    evidence : IdEvidence — identification evidence of each track (flight plan, corridor,
        civil or hostile profile, origin, attack; :mod:`airdefsim.engagement.identification`)
    iff_reply : (M,) bool — an interrogation got a reply
    iff_interrogated : (M,) bool — the track has been interrogated at least once
    n_interrogations : (M,) int — interrogations sent to the track
    threat_score : (M,) float — threat value (:func:`airdefsim.engagement.threat.score`;
        larger is more threatening, 0 for friendly)
    threat_rank : (M,) int — 1 is the most threatening; 0 for friendly / not ranked
    time_to_asset : (M,) float, s — time to closest approach to the nearest defended
        asset (inf when opening)
    salvos : (M,) int — live salvos (interceptors in flight or ordered) at the track
    salvos_since_look : (M,) int — salvos since its last kill assessment started
    kill_status : (M,) object — :data:`KillStatus` of the track at ``t``
    kill_ended_at : (M,) float, s — when the last interceptor at it ended (NaN: never)
    cancelled_at : (M,) float, s — when an engagement of it was last cancelled before
        launch, e.g. no fire-control track (NaN: never)
    units : list of UnitState — copies: inventory, launchers, channels, weapons, doctrine
    engagements : list of Engagement — live salvos
    assets : list of Asset
    """

    t: float
    track_id: I64
    pos: F64
    vel: F64
    pos_enu: F64
    vel_enu: F64
    pos_sigma: F64
    status: I64
    t_update: F64
    n_updates: I64
    kind: NDArray[np.object_]
    quality_ok: B
    quality: NDArray[np.object_]
    identity: NDArray[np.object_]
    evidence: IdEvidence
    iff_reply: B
    iff_interrogated: B
    n_interrogations: I64
    threat_score: F64
    threat_rank: I64
    time_to_asset: F64
    salvos: I64
    salvos_since_look: I64
    kill_status: NDArray[np.object_]
    kill_ended_at: F64
    cancelled_at: F64
    units: list[UnitState]
    engagements: list[Engagement]
    assets: list[Asset]

    def __len__(self) -> int:
        return int(self.track_id.shape[0])

    def index_of(self, track_id: int) -> int | None:
        hits = np.flatnonzero(self.track_id == track_id)
        return int(hits[0]) if hits.size else None

    def unit(self, name: str) -> UnitState | None:
        """The fire unit called ``name``, None if there is none."""
        return next((u for u in self.units if u.name == name), None)


# ---------------------------------------------------------------- C2 commands


@dataclass(frozen=True)
class Engage:
    """Fire ``salvo`` missiles of ``missile`` at ``track_id`` (``unit`` None: best unit)."""

    track_id: int
    missile: str | None = None
    salvo: int = 1
    unit: str | None = None


@dataclass(frozen=True)
class CeaseFire:
    """Stop guiding the interceptors in flight against ``track_id`` (they self-destruct)."""

    track_id: int


@dataclass(frozen=True)
class Interrogate:
    """Send an IFF interrogation to ``track_id``."""

    track_id: int


@dataclass(frozen=True)
class Declare:
    """Set the identity of ``track_id`` to ``identity`` (``reason``: the evidence, for
    the record)."""

    track_id: int
    identity: Identity
    reason: str = ""


@dataclass(frozen=True)
class SetWeapons:
    """Weapons control state for ``unit`` (None: every unit)."""

    state: WeaponsState
    unit: str | None = None


Command = Engage | CeaseFire | Interrogate | Declare | SetWeapons
