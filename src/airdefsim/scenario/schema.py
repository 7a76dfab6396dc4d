"""The scenario schema and the preset specifications (Pydantic v2).

YAML keys carry friendly units (``"30 m"``, ``"Mach 0.8"``, ``"-30 dBsm"``); every
quantity is converted to SI once, here, by the validators. After validation every
length is in m, every duration in s, every angle in rad, every speed a
:class:`airdefsim.units.Speed`, every RCS in dBsm, every power in W.

Latitudes and longitudes stay in degrees in these models (as the user wrote them) and
become radians/ECEF when the world is built.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
    model_validator,
)

from airdefsim import units

Length = Annotated[float, BeforeValidator(units.length)]
Duration = Annotated[float, BeforeValidator(units.duration)]
Angle = Annotated[float, BeforeValidator(units.angle)]
Dbsm = Annotated[float, BeforeValidator(units.dbsm)]
Mass = Annotated[float, BeforeValidator(units.mass)]
Force = Annotated[float, BeforeValidator(units.force)]
Power = Annotated[float, BeforeValidator(units.power)]
Frequency = Annotated[float, BeforeValidator(units.frequency)]
Accel = Annotated[float, BeforeValidator(units.acceleration)]
Area = Annotated[float, BeforeValidator(units.area)]
SpeedQ = Annotated[units.Speed, BeforeValidator(units.speed)]
SpeedMps = Annotated[float, BeforeValidator(units.speed_mps)]
Jerk = Annotated[float, BeforeValidator(units.jerk)]
Decibel = Annotated[
    float, BeforeValidator(lambda v: units.decibels(v, ("dBW", "dBm", "dBi", "dB")))
]


class Strict(BaseModel):
    """Base: unknown keys are errors, values are validated on assignment too."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, frozen=False)


# ------------------------------------------------------------------ presets: radars


class Calibration(Strict):
    """A published detection range against a stated RCS (the radar equation scales
    from it): range at which Pd (single scan) reaches ``pd`` for a target of ``rcs``."""

    range: Length
    rcs: Area
    pd: float = Field(0.5, gt=0, lt=1)


class ScanSpec(Strict):
    """How the radar searches.

    ``rotating``: mechanically rotating 360° search, one look per target per
    ``period``. ``sector``: electronically scanned sector of ``sector_width`` centred on
    the unit's ``heading``, revisited every ``period``.
    """

    type: Literal["rotating", "sector"] = "rotating"
    period: Duration = 10.0
    sector_width: Angle = Field(default=6.283185307179586)


class Accuracy(Strict):
    """One-sigma measurement error floors (at high SNR)."""

    range: Length = 50.0
    azimuth: Angle = 0.002
    elevation: Angle = 0.003


class RadarSpec(Strict):
    """A radar preset (see ``presets/radars.yaml``)."""

    name: str
    role: Literal["acquisition", "engagement", "low_altitude"]
    band: str = "S"
    frequency: Frequency = 3e9
    calibration: Calibration
    instrumented_range: Length
    min_elevation: Angle = -0.0174533
    max_elevation: Angle = 1.3089969
    scan: ScanSpec = ScanSpec()
    pfa: float = Field(1e-6, gt=0, lt=1)
    pulses: int = Field(10, ge=1)
    accuracy: Accuracy = Accuracy()
    mast_height: Length = 10.0
    track_capacity: int = Field(100, ge=0)
    target_channels: int = Field(0, ge=0)
    missile_channels: int = Field(0, ge=0)
    swerling: int = Field(1, ge=0, le=4)
    bandwidth: Frequency = 1e6
    noise_figure: Decibel = 3.0
    # sensors (issue 3): beam shape, jamming, low-elevation loss, track dwells
    beamwidth_az: Angle = 0.0261799  # 1.5 deg, two-sided 3 dB width
    beamwidth_el: Angle = 0.0349066  # 2 deg
    antenna_gain: Decibel = 35.0  # dBi, main lobe (used for jammer noise only)
    sidelobe_level: Decibel = -30.0  # dB below the main lobe (jammer off the beam)
    clutter_loss: Decibel = 10.0  # dB, clutter/multipath loss at zero elevation
    track_interval: Duration = 1.0  # s, revisit of a cued track (engagement radars)
    track_dwell: Duration = 0.01  # s, radar time per track dwell
    max_track_fraction: float = Field(0.5, ge=0, le=1)  # share of time for track dwells
    sources: dict[str, str] = {}


# ------------------------------------------------------------------ presets: missiles


class MotorSpec(Strict):
    """Solid rocket motor: boost then sustain phase (thrust, burn time); the sustain
    phase may start ``sustain_delay`` s after the boost ends (a second pulse)."""

    boost_thrust: Force
    boost_time: Duration
    sustain_thrust: Force = 0.0
    sustain_time: Duration = 0.0
    sustain_delay: Duration = 0.0


class MissileSpec(Strict):
    """An interceptor preset (see ``presets/missiles.yaml``).

    Envelope figures (``max_range``, ``max_altitude`` …) are the published or assumed
    *limits*; the achievable envelope against a given target comes from the flyout model.
    ``engage_on_remote``: an active-seeker missile may be launched and guided in
    mid-course on any track of the picture (another radar's data), not only on its own
    unit's engagement-radar track; its source belongs in ``sources``.

    Guidance (``airdefsim.physics.flyout``): ``active_radar`` and ``hit_to_kill`` carry an
    active seeker (mid-course on the unit's uplink, autonomous after lock);
    ``semi_active`` and ``track_via_missile`` receive the engagement radar's illumination
    (supported from launch to intercept); ``command`` has no seeker (guided on the
    radar's track to the end). Seeker: ``seeker_range`` is the range (m) at which a target
    of ``seeker_reference_rcs`` (m²) in band ``seeker_band`` is detected in one look with
    Pd 0.5; the seeker searches a cone of full width ``seeker_beamwidth`` (rad) around the
    expected target direction. ``reaction_control_g`` (m/s²): lateral acceleration from
    reaction jets or gas-dynamic control, available at any dynamic pressure.
    ``lost_track_timeout`` (s): how long a missile coasts on its last estimate without
    fire-control support before it self-destructs. ``max_flight_time`` (s): the longest
    flight (self-destruct on time), default ``max(120 s, 6 max_range / max_speed)``.
    """

    name: str
    max_range: Length
    min_range: Length = 3000.0
    max_altitude: Length
    min_altitude: Length = 10.0
    max_speed: SpeedQ
    launch_mass: Mass
    motor_burnout_mass: Mass
    motor: MotorSpec
    diameter: Length
    cd0: float = 0.3
    max_g: Accel
    guidance: Literal["active_radar", "semi_active", "track_via_missile", "hit_to_kill", "command"]
    nav_constant: float = 4.0
    seeker_range: Length = 20000.0
    seeker_reference_rcs: Area = 1.0
    seeker_band: str = "X"
    seeker_beamwidth: Angle = 0.17453292519943295
    reaction_control_g: Accel = 19.6133
    lost_track_timeout: Duration = 6.0
    max_flight_time: Duration | None = None
    lethal_radius: Length
    pk: float = Field(gt=0, le=1)
    vs_ballistic_range: Length | None = None
    max_target_speed: SpeedQ | None = None
    reaction_time: Duration = 5.0
    salvo_interval: Duration = 3.0
    engage_on_remote: bool = False
    sources: dict[str, str] = {}


# ------------------------------------------------------------------ presets: threats


class AspectRcs(Strict):
    """Monostatic RCS by aspect, dBsm: nose (0°), side (90°), tail (180°)."""

    nose: Dbsm
    side: Dbsm
    tail: Dbsm


class RcsSpec(Strict):
    """RCS model: per band (``"L"``, ``"S"``, ``"C"``, ``"X"`` …) an aspect table,
    interpolated over aspect angle; bands not listed use ``default``. Fluctuation as a
    Swerling case."""

    default: AspectRcs
    bands: dict[str, AspectRcs] = {}
    swerling: int = Field(1, ge=0, le=4)


class EvasionSpec(Strict):
    """How an aircraft evades a missile it is warned of (see ``physics.manoeuvre``).

    ``reaction`` s after the warning it breaks into a level turn at load factor ``g``
    (an acceleration, ``"9 g"``: n = g / g0; capped at the preset's ``max_g``) until it
    flies ``kind``: ``beam`` — perpendicular to the missile's line of sight (the smaller
    of the two turns: the missile ends on the near wing line, its closing speed and
    Doppler at their lowest) — or ``drag`` — straight away from the missile. It holds
    that heading ``hold`` s, then turns back at ``resume_g`` onto its planned route.
    The warning comes from its missile-approach warner when an interceptor homing on it
    is within ``warning_range`` (assumed: a few km to ~10 km for an airborne
    missile-approach warner, no public figure for any specific set).
    """

    kind: Literal["beam", "drag"] = "beam"
    g: Accel
    warning_range: Length = 8000.0
    reaction: Duration = 2.0
    hold: Duration = 10.0
    resume_g: Accel = 19.6133


class DiveTerminal(Strict):
    """Terminal dive: level at the cruise height until ``start`` (ground distance to the
    aim point), then a push-over at ``g`` (normal acceleration; default the preset's
    ``max_g`` less 1 g) into a straight dive onto the aim point."""

    kind: Literal["dive"]
    start: Length
    g: Accel | None = None


class PopupTerminal(Strict):
    """Terminal pop-up: at ``start`` (ground distance to the aim point) a pull-up at
    ``g`` into a climb of at most ``climb_angle``, a push-over levelling at
    ``pop_height`` above the aim point, and a straight dive onto it."""

    kind: Literal["popup"]
    start: Length
    pop_height: Length
    climb_angle: Angle = 0.5235987755982988
    g: Accel | None = None


class WeaveTerminal(Strict):
    """Terminal lateral weave of a ballistic missile: from ``start`` (ground distance to
    the impact point) a sinusoidal cross-range weave of about ``period`` s whose lateral
    acceleration never exceeds ``g``; it ends on the impact point."""

    kind: Literal["weave"]
    start: Length
    g: Accel
    period: Duration = 4.0


TerminalSpec = Annotated[DiveTerminal | PopupTerminal | WeaveTerminal, Field(discriminator="kind")]


class TerrainFollowing(Strict):
    """Terrain following over a scenario DEM: route altitudes become heights above the
    terrain, flown with climb and dive angles within ``max_climb_angle`` and a vertical
    acceleration within ``g`` (default the preset's ``max_g`` less 1 g)."""

    max_climb_angle: Angle = 0.17453292519943295
    g: Accel | None = None


class ThreatSpec(Strict):
    """An air object preset: a threat or a friendly aircraft.

    Optional behaviour: ``evasion`` (an aircraft's break turn when warned of a missile),
    ``terminal`` (a cruise missile's dive or pop-up, a ballistic missile's weave, near
    the aim point of a route that ends on a defended asset) and ``terrain_following``
    (over the scenario's DEM).
    """

    name: str
    kind: Literal["aircraft", "cruise_missile", "ballistic_missile", "drone", "airliner"]
    cruise_speed: SpeedQ
    max_speed: SpeedQ | None = None
    cruise_altitude: Length
    rcs: RcsSpec
    max_g: Accel = 19.6133
    iff: Literal["none", "mode3c", "mode5"] = "none"
    hostile: bool = True
    warhead_radius: Length = 50.0
    apogee: Length | None = None
    range: Length | None = None
    evasion: EvasionSpec | None = None
    terminal: TerminalSpec | None = None
    terrain_following: TerrainFollowing | None = None
    sources: dict[str, str] = {}

    @model_validator(mode="after")
    def _manoeuvres_fit(self) -> ThreatSpec:
        if self.evasion is not None and self.evasion.g > self.max_g + 1e-9:
            raise ValueError("evasion.g exceeds max_g")
        if self.terminal is not None:
            weave = self.terminal.kind == "weave"
            if weave != (self.kind == "ballistic_missile"):
                raise ValueError(
                    "terminal: 'weave' is for ballistic missiles, 'dive'/'popup' for the others"
                )
        return self


# ------------------------------------------------------------------ presets: units


class RadarSite(Strict):
    """A radar of a unit, with its offset from the command post (east, north, m)."""

    radar: str
    offset: tuple[Length, Length] = (0.0, 0.0)


class LauncherGroup(Strict):
    """``count`` launchers of one type, each loaded with ``load`` (missile -> rounds)."""

    type: str
    count: int = Field(ge=1)
    load: dict[str, int]
    reload_time: Duration = 1800.0
    spread: Length = 2000.0


class UnitSpec(Strict):
    """A fire unit preset: command post, radars, launchers and its fire channels."""

    name: str
    system: str
    command_post: str
    radars: list[RadarSite]
    launchers: list[LauncherGroup]
    target_channels: int
    missile_channels: int
    sources: dict[str, str] = {}


# ------------------------------------------------------------------ scenario


class LatLon(Strict):
    lat: float = Field(ge=-90, le=90, description="deg")
    lon: float = Field(ge=-180, le=180, description="deg")


class Waypoint(Strict):
    """A route point: a position (``lat``/``lon``, ``alt`` above the WGS84 ellipsoid) or
    ``at`` the name of a defended asset (the threat's aim point). ``alt`` omitted: the
    preset's cruise altitude (0 for an aim point)."""

    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    alt: Length | None = None
    at: str | None = None
    speed: SpeedQ | None = None

    @model_validator(mode="after")
    def _one_of(self) -> Waypoint:
        if self.at is None and (self.lat is None or self.lon is None):
            raise ValueError("a waypoint needs lat and lon, or 'at: <asset name>'")
        if self.at is not None and (self.lat is not None or self.lon is not None):
            raise ValueError("a waypoint takes either lat/lon or 'at', not both")
        return self


class DefendedAsset(Strict):
    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    alt: Length = 0.0
    value: float = Field(1.0, gt=0)
    radius: Length = 1000.0


class Doctrine(Strict):
    """Fire doctrine of a unit.

    mode: ``auto`` (the doctrine engine decides) or ``manual`` (a trainee decides).
    policy: ``shoot-look-shoot`` (one salvo, assess, re-engage), ``shoot-shoot-look``
    (two salvos before assessing). salvo: missiles per salvo, per threat kind.
    weapons: ``free`` (engage anything not friendly), ``tight`` (only tracks identified
    hostile), ``hold`` (no engagement). reserve: rounds kept back per missile type.
    """

    mode: Literal["auto", "manual"] = "auto"
    policy: Literal["shoot-look-shoot", "shoot-shoot-look"] = "shoot-look-shoot"
    salvo: int | dict[str, int] = 2
    weapons: Literal["free", "tight", "hold"] = "tight"
    reserve: int = Field(0, ge=0)
    auto_identify: bool = True
    max_engage_range: Length | None = None


class BlueUnit(Strict):
    """A placed fire unit. ``missiles`` overrides the rounds per launcher of each type;
    ``reloads`` are the rounds kept on the unit's transloaders: a launcher that has fired
    all its rounds is reloaded ``reload_time`` (its launcher group's) later, from this
    stock, up to its load."""

    preset: str
    name: str | None = None
    at: LatLon
    heading: Angle = 0.0
    doctrine: Doctrine = Doctrine()
    missiles: dict[str, int] | None = None
    reloads: dict[str, Annotated[int, Field(ge=0)]] = {}


class RedGroup(Strict):
    """A group of identical threats. ``count`` threats leave ``spacing`` apart from
    ``start``; each follows ``route`` (great-circle legs at the waypoints' altitudes,
    a ballistic arc from the first to the last point for ballistic missiles)."""

    preset: str
    name: str | None = None
    count: int = Field(1, ge=1, le=10000)
    spacing: Duration = 0.0
    start: Duration = 0.0
    route: list[Waypoint] = Field(min_length=2)
    speed: SpeedQ | None = None
    lateral_spread: Length = 0.0


class FriendlyGroup(RedGroup):
    """Friendly aircraft. ``iff`` overrides the preset's transponder (``none``: a dead or
    switched-off transponder). ``flight_plan``: ``filed`` — the route is known to the air
    defence as a filed flight plan (civil traffic, friendly sorties), ``none`` — it is
    not."""

    iff: Literal["none", "mode3c", "mode5"] | None = None
    flight_plan: Literal["filed", "none"] = "filed"


class AirCorridor(Strict):
    """A published air corridor (airway): a centreline through ``route`` points, a
    ``width`` (full width) and an altitude band. Civil traffic flying along it is
    presumed friendly by the identification rules."""

    name: str
    route: list[LatLon] = Field(min_length=2)
    width: Length = 20000.0
    min_alt: Length = 3000.0
    max_alt: Length = 14000.0


class HostileArea(Strict):
    """An area (polygon of at least three points, deg) from which any track that first
    appears there is taken as coming from hostile territory (point-of-origin evidence)."""

    name: str
    polygon: list[LatLon] = Field(min_length=3)


class JammerSpec(Strict):
    """A stand-off noise jammer at a fixed point."""

    name: str
    at: LatLon
    alt: Length = 10000.0
    erp: Decibel = Field(30.0, description="effective radiated power, dBW")
    bandwidth: Frequency = 100e6
    bands: list[str] = ["L", "S", "C", "X"]


# ------------------------------------------------------------------ tracker settings

#: The tracker's motion models (``airdefsim.tracking.filters.MODEL_NAMES``).
MotionModel = Literal["cv", "ca", "ct_left", "ct_right", "ballistic"]
#: What a settings file may name: a motion model, or ``ct`` for both turn models.
MotionModelName = Literal["cv", "ca", "ct", "ct_left", "ct_right", "ballistic"]
MOTION_MODELS: tuple[MotionModel, ...] = get_args(MotionModel)
_MODEL_ALIASES: dict[str, tuple[MotionModel, ...]] = {"ct": ("ct_left", "ct_right")}


def expand_models(names: Iterable[MotionModelName]) -> tuple[MotionModel, ...]:
    """Motion model names with ``ct`` replaced by ``ct_left, ct_right`` (order kept)."""
    out: list[MotionModel] = []
    for n in names:
        out.extend(_MODEL_ALIASES.get(n) or (n,))  # type: ignore[arg-type]
    return tuple(out)


def _one_or_many(v: object) -> object:
    return [v] if isinstance(v, str) else v


class Settings(Strict):
    """Base of the settings blocks: unknown keys are errors, numbers are strict (a
    ``true`` or ``"0.5"`` is not a number) and finite, and a built block is immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class TrackerSettings(Settings):
    """Tracker options: the scenario's ``tracker:`` block and ``airdefsim track --config``.

    Every field is read by :class:`airdefsim.tracking.Tracker`; ``{}`` gives these
    defaults. Quantities accept text with units (``"25 s"``, ``"5 km/s"``, ``"2 g"``);
    bare numbers are SI. Upper bounds are far beyond any air target and only keep the
    arithmetic finite (squares of sigmas, exponentials of scores).

    Attributes
    ----------
    association : "gnn" | "jpda" — global nearest neighbour or joint probabilistic data
        association of the confirmed and coasting tracks.
    debias : bool — unbiased conversion of the plots' positions from their polar errors
        (plots without ``sigma_rae`` are used as given).
    process_noise : "discrete" | "continuous" — white-noise acceleration covariance of
        the cv / ct / ballistic models (DWNA, or CWNA with σ² as spectral density).
    models : motion models, ``ct`` = both turns (stored expanded). One model gives a
        plain Kalman filter, several an IMM; no model twice.
    p_stay : float in (0, 1) — IMM probability of staying in a mode for one update.
    sigma_cv, sigma_ct, sigma_ballistic : m/s² — white-noise acceleration standard
        deviation of ``cv``, of the turn models and of ``ballistic``.
    sigma_ca : m/s³ — white-noise jerk standard deviation of ``ca``.
    turn_acc : m/s² — normal acceleration of the coordinated-turn models.
    gate_prob : float in (0, 1) — probability mass of the chi-square gate (3 dof).
    group_window : s — plots of one sensor within one window form one batch.
    look_gap : s — plots of one sensor closer in time than this are one look (a track
        takes at most one plot per look).
    max_passes : int ≥ 1 — looks of one sensor at one track handled within one batch.
    init_speed_sigma : m/s — prior velocity spread of a new track (per axis).
    init_acc_sigma : m/s² — prior acceleration spread of a new track (per axis).
    confirm_hits : int ≥ 1 — updates needed to confirm a tentative track (M of M-of-N).
    confirm_score : float — and the track's log-likelihood ratio score (Blackman &
        Popoli 1999, §6.2: each plot adds ``ln(Pd N(ν; 0, S) / λ)``) must reach this.
    tentative_timeout : s — a tentative track with no update for this long is dropped
        (the N of M-of-N expressed as time, since radars revisit asynchronously).
    coast_factor : ≥ 1 — a confirmed track coasts when its last update is older than
        ``coast_factor`` × its typical revisit interval, and ``coast_min``.
    coast_min : s
    delete_factor : ≥ 1 — a confirmed track is deleted when its last update is older
        than ``delete_factor`` × its revisit interval, and ``delete_min``.
    delete_min : s
    max_pos_sigma : m — delete a track whose position sigma (RMS over axes) predicted to
        now exceeds this.
    max_speed : m/s — a tentative track faster than this is dropped (a speed, not a
        Mach number: it holds at every altitude).
    pd : float in (0, 1] — detection probability (likelihood ratios, JPDA).
    clutter_density : 1/m³ — false-alarm density (likelihood ratios, JPDA).
    """

    association: Literal["gnn", "jpda"] = "gnn"
    debias: StrictBool = True
    process_noise: Literal["discrete", "continuous"] = "discrete"
    models: Annotated[
        tuple[MotionModelName, ...], BeforeValidator(_one_or_many), Field(min_length=1)
    ] = ("cv", "ct_left", "ct_right", "ca", "ballistic")
    p_stay: float = Field(0.95, gt=0, lt=1, strict=True)
    sigma_cv: Accel = Field(3.0, gt=0, le=1000)
    sigma_ca: Jerk = Field(10.0, gt=0, le=10000)
    sigma_ct: Accel = Field(5.0, gt=0, le=1000)
    turn_acc: Accel = Field(20.0, gt=0, le=1000)
    sigma_ballistic: Accel = Field(5.0, gt=0, le=1000)
    gate_prob: float = Field(0.9997, gt=0, lt=1, strict=True)
    group_window: Duration = Field(1.0, ge=1e-3, le=3600)
    look_gap: Duration = Field(0.2, ge=0, le=3600)
    max_passes: int = Field(4, ge=1, le=100, strict=True)
    init_speed_sigma: SpeedMps = Field(400.0, gt=0, le=20000)
    init_acc_sigma: Accel = Field(20.0, gt=0, le=1000)
    confirm_hits: int = Field(3, ge=1, le=1000, strict=True)
    confirm_score: float = Field(15.0, ge=-1e6, le=1e6, strict=True)
    tentative_timeout: Duration = Field(25.0, gt=0, le=86400)
    coast_factor: float = Field(1.5, ge=1, le=1000, strict=True)
    coast_min: Duration = Field(2.5, ge=0, le=86400)
    delete_factor: float = Field(4.0, ge=1, le=1000, strict=True)
    delete_min: Duration = Field(20.0, ge=0, le=86400)
    max_pos_sigma: Length = Field(3000.0, gt=0, le=1e7)
    max_speed: SpeedMps = Field(5000.0, gt=0, le=20000)
    pd: float = Field(0.9, ge=0.01, le=1, strict=True)
    clutter_density: float = Field(1e-13, ge=1e-30, le=1e-3, strict=True)

    @field_validator("models", mode="after")
    @classmethod
    def _expand(cls, v: tuple[MotionModelName, ...]) -> tuple[MotionModelName, ...]:
        out = expand_models(v)
        twice = sorted({m for m in out if out.count(m) > 1})
        if twice:
            raise ValueError(
                f"motion model {', '.join(twice)} listed twice (ct = ct_left, ct_right)"
            )
        return out

    @property
    def motion_models(self) -> tuple[MotionModel, ...]:
        """``models`` typed as the tracker's model names (``ct`` already expanded)."""
        return expand_models(self.models)


# ------------------------------------------------------------------ export settings


class AsterixSettings(Settings):
    """ASTERIX CAT062 output of a run: the scenario's ``asterix:`` block.

    Read by ``airdefsim run --asterix-udp HOST:PORT`` (the live UDP sink) and, for
    ``airdefsim export --format asterix``, from the recording's scenario unless
    ``--sac`` / ``--sic`` are given. EUROCONTROL ASTERIX Part 9 (CAT062) edition 1.18.

    Attributes
    ----------
    sac, sic : int, 0 … 255 — data source identifier (I062/010): System Area Code and
        System Identification Code.
    service_id : int, 0 … 255 — service identification (I062/015).
    max_datagram : int, octets — largest UDP datagram of whole data blocks (a larger
        single block gets a datagram of its own); 65 507 is the largest UDP payload over
        IPv4, the default 1400 stays below a 1500-octet Ethernet MTU.
    """

    sac: int = Field(0, ge=0, le=255, strict=True)
    sic: int = Field(1, ge=0, le=255, strict=True)
    service_id: int = Field(1, ge=0, le=255, strict=True)
    max_datagram: int = Field(1400, ge=1, le=65507, strict=True)


# ------------------------------------------------------------------ scenario


class Scenario(Strict):
    """A complete scenario, validated and in SI units."""

    name: str
    description: str = ""
    origin: LatLon
    duration: Duration = Field(gt=0)
    seed: int = Field(0, ge=0)
    epoch: str = "2026-01-01T00:00:00Z"
    decision_interval: Duration = Field(1.0, gt=0)
    record_interval: Duration = Field(1.0, gt=0)
    defended_assets: list[DefendedAsset] = []
    blue: list[BlueUnit] = Field(min_length=1)
    red: list[RedGroup] = []
    friendly_air: list[FriendlyGroup] = []
    air_corridors: list[AirCorridor] = []
    hostile_areas: list[HostileArea] = []
    jammers: list[JammerSpec] = []
    tracker: TrackerSettings = TrackerSettings()
    dem: str | None = None
    asterix: AsterixSettings = AsterixSettings()
