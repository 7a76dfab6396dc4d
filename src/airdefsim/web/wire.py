"""What the console sends to the browser: every message and payload as a Pydantic model.

The live stream (``/ws/console/<id>``) sends :data:`ServerMsg` — :class:`Hello` once,
then :class:`Frame` at the frame rate, :class:`Status`, :class:`Finished` and
:class:`Error` — and the review (``/api/sessions/<id>/review``) sends a :class:`Review`.
Both describe the same things with the same models: the exercise's static
:class:`ExerciseLayout`, tracks as :class:`TrackColumns`, interceptors as
:class:`InterceptorColumns`, the :class:`Score`. What the browser sends back (orders,
clock controls) is :mod:`airdefsim.web.commands`.

Tables go column-wise (one list per field, equal lengths), which is both smaller on the
wire and what the scope draws from. Units: positions as degrees (lat, lon) and metres
above the WGS84 ellipsoid (alt); velocities east/north/up in m/s; ranges in m; times in
s since the scenario epoch; bearings and headings in degrees clockwise from true north.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from airdefsim.events import EventKind

ExerciseStatus = Literal["ready", "running", "finishing", "finished", "interrupted", "aborted"]
LogLevel = Literal["info", "warn", "error"]
OrderKind = Literal["engage", "cease_fire", "interrogate", "declare", "weapons"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------- the exercise's layout


class ZoneLayout(_Model):
    """An engagement zone drawn around a unit: the missile's published maximum range."""

    missile: str
    max_m: float


class UnitLayout(_Model):
    """A fire unit as the scope draws it: position, radar coverage, engagement zones.

    ``coverage_m`` is the reach of its longest-reaching radar (None when unknown),
    ``sector_deg`` that radar's scan sector (360 for all round) about ``heading_deg``.
    """

    name: str
    preset: str
    lat: float
    lon: float
    heading_deg: float
    coverage_m: float | None
    sector_deg: float
    zones: list[ZoneLayout]


class AssetLayout(_Model):
    name: str
    lat: float
    lon: float
    radius_m: float


class ExerciseLayout(_Model):
    """Static facts of an exercise: title, map centre (``origin``), the first unit's
    position (``site``, the centre of the scope), duration (s), units, assets and the
    missile types the trainee may choose."""

    title: str
    origin: tuple[float, float]
    site: tuple[float, float]
    duration: float
    units: list[UnitLayout]
    assets: list[AssetLayout]
    missiles: list[str]


# ---------------------------------------------------------------- tables


class TrackColumns(_Model):
    """Tracks of the picture: id, declared identity, position, horizontal velocity."""

    id: list[int]
    identity: list[str]
    lat: list[float]
    lon: list[float]
    alt: list[float]
    ve: list[float]
    vn: list[float]


class PictureColumns(TrackColumns):
    """The live track table: :class:`TrackColumns` plus what the operator reads.

    ``iff``: None not interrogated, True a reply, False no reply; ``kind``: the one
    kinematic classifier's answer (``AirPicture.kind``); ``rank``: threat rank (1 most
    threatening, 0 not ranked); ``tta``: s to the nearest defended asset (None: opening);
    ``range``/``bearing`` from the first unit; ``engaged``: interceptors are on the way.
    """

    vu: list[float]
    speed: list[float]
    heading: list[float]
    rank: list[int]
    tta: list[float | None]
    kind: list[str]
    range: list[float]
    bearing: list[float]
    iff: list[bool | None]
    engaged: list[bool]


class RecordedTracks(TrackColumns):
    """Tracks of the recording, every record time (``t``, s) one after the other."""

    t: list[float]


class InterceptorColumns(_Model):
    """Own interceptors in flight and the track each was fired at."""

    id: list[int]
    lat: list[float]
    lon: list[float]
    alt: list[float]
    track_id: list[int]


class RecordedInterceptors(InterceptorColumns):
    t: list[float]


class PlotColumns(_Model):
    """Radar plots of the last seconds, with their age (s) at the frame's time."""

    lat: list[float]
    lon: list[float]
    age: list[float]


class TruthColumns(_Model):
    """Ground truth of the recording (the review only, never the live stream)."""

    t: list[float]
    id: list[int]
    name: list[str]
    hostile: list[bool]
    lat: list[float]
    lon: list[float]
    alt: list[float]
    alive: list[bool]


# ---------------------------------------------------------------- panels and lines


class LauncherPanel(_Model):
    name: str
    missiles: dict[str, int]
    ready: bool


class UnitPanel(_Model):
    """A unit's state for the units panel: weapons state, channels, ready rounds."""

    name: str
    preset: str
    weapons: str
    target_channels: int
    targets_engaged: int
    missile_channels: int
    missiles_guided: int
    inventory: dict[str, int]
    launchers: list[LauncherPanel]


class LogLine(_Model):
    """One line of the console's message log (``t``: simulated time, s)."""

    t: float
    text: str
    level: LogLevel = "info"


class ScorePart(_Model):
    """One part of the score; ``key`` is the :data:`airdefsim.summary.METRICS` key it
    is computed from, ``value`` what the trainee is shown of it."""

    key: str
    label: str
    points: float
    max: float
    value: str


class Score(_Model):
    """The exercise score (0-100) and its parts (see :mod:`airdefsim.web.scoring`)."""

    total: float
    parts: list[ScorePart]
    reaction_s: float | None = None
    ipk: float | None = None
    roe_violations: int = 0


class DoctrineResult(_Model):
    """What the automatic doctrine scored on the same scenario and seed, or why not."""

    score: Score | None = None
    summary: dict[str, Any] | None = None
    error: str | None = None


class Decision(_Model):
    """One order of the trainee: when (simulated s), what, at which track, and what the
    track was at that moment (its identity; IFF None not asked, True reply, False none)."""

    t: float
    kind: OrderKind
    track: int | None = None
    identity: str | None = None
    iff: bool | None = None
    text: str


class DecisionLog(_Model):
    """Every order of one exercise (``decisions.json`` beside the recording)."""

    session_id: int
    decisions: list[Decision]


class Moment(_Model):
    """A key moment on the review's timeline."""

    t: float
    kind: EventKind
    track: int | None = None
    text: str


# ---------------------------------------------------------------- the live stream


class Hello(_Model):
    """First message to a console: the layout, what the trainee may do, the log so far
    and, when the exercise is already over, its result."""

    type: Literal["hello"] = "hello"
    session_id: int
    layout: ExerciseLayout
    allow_pause: bool
    rates: list[int]
    status: ExerciseStatus
    messages: list[LogLine]
    result: Score | None = None


class Frame(_Model):
    """The picture at display time ``t`` (tracks dead-reckoned from the last step).

    ``units`` only when they changed; ``messages``: log lines new since the last frame.
    """

    type: Literal["frame"] = "frame"
    t: float
    rate: float
    paused: bool
    status: ExerciseStatus
    tracks: PictureColumns
    plots: PlotColumns
    interceptors: InterceptorColumns
    units: list[UnitPanel] | None = None
    messages: list[LogLine] | None = None


class Status(_Model):
    """The exercise changed state outside a frame (the simulation failed)."""

    type: Literal["status"] = "status"
    status: ExerciseStatus
    messages: list[LogLine] = []


class Finished(_Model):
    """The exercise is over and its result committed (``result`` None unless scored)."""

    type: Literal["finished"] = "finished"
    session_id: int
    status: ExerciseStatus
    result: Score | None = None


class Error(_Model):
    """An order was not accepted (one line for this console only)."""

    type: Literal["error"] = "error"
    message: str


ServerMsg = Annotated[Hello | Frame | Status | Finished | Error, Field(discriminator="type")]


# ---------------------------------------------------------------- results and the review


class SessionResult(_Model):
    """``/api/sessions/<id>``: the state and result of one exercise session."""

    id: int
    status: str
    score: float | None
    score_parts: Score | None
    doctrine: DoctrineResult | None
    summary: dict[str, Any] | None
    sim_seconds: float


class Review(_Model):
    """``/api/sessions/<id>/review``: the recording of a finished exercise, the orders
    and the key moments, the score and the doctrine's (read from the Parquet
    recording; the truth is shown here, after the exercise)."""

    type: Literal["review"] = "review"
    session_id: int
    status: str
    layout: ExerciseLayout
    tracks: RecordedTracks
    interceptors: RecordedInterceptors
    truth: TruthColumns
    moments: list[Moment]
    decisions: list[Decision]
    score: Score | None
    doctrine: DoctrineResult | None


M = TypeVar("M", bound=BaseModel)


def stored(model: type[M], raw: Any) -> M | None:
    """A JSON column of the database read as ``model``; None when it is empty or was
    written in an older shape."""
    if raw is None:
        return None
    try:
        return model.model_validate(raw)
    except ValidationError:
        return None
