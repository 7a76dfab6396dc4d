"""What happened in a run: typed events, and the one place they become text.

Every part that writes or reads an event uses :class:`Event` and its :data:`EventKind`:
the simulation loop emits them, the recorder writes them (``events.parquet``), the
console's message log, the review, the report's timeline and the exports read them.
A kind that no one emits cannot be read, and a misspelt kind is a type error.

Kinds
-----
detected
    first plot of a true object (truth: recorder and scoring only)
track_confirmed
    a new confirmed track in the picture
iff_reply
    the answer to an interrogation (``identity``: ``"friendly"`` for a reply, ``""`` for none)
declared
    a track's identity was set (``identity``)
launch
    an interceptor left its launcher (``range_m``, ``t_flight_s``)
kill, miss
    an interceptor's closest approach to the object it homed on (``miss_m``; ``reason``
    for a miss: ``"fuze"`` — the warhead went off within its lethal radius and the target
    survived — or ``"miss"`` — outside it)
self_destruct
    an interceptor ended without an intercept (``reason``: no target left, lost track,
    out of energy, time of flight, ground)
leak
    a threat reached the end of its route
asset_hit
    a leaker's warhead reached a defended asset (``detail``: the asset's name)
friendly_engaged
    an interceptor was launched at a friendly aircraft (truth)
command
    a command was carried out (``detail``: what)
command_refused
    a command was refused (``reason``: why, one line)
engagement_cancelled
    an accepted engagement's rounds that had not launched were cancelled (``reason``:
    e.g. no fire-control track, the target left the envelope during the reaction time)
reloaded
    a launcher was reloaded from its unit's transloaders (``detail``: launcher and load)
roe_violation
    a command broke the rules of engagement (``reason``: which rule); counted for every
    seat, the doctrine's and a person's alike
end
    the run is over

Times are s since the scenario epoch; positions geodetic (deg, deg, m); ``-1`` / ``""``
/ NaN mean "not applicable".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal, get_args

EventKind = Literal[
    "detected",
    "track_confirmed",
    "iff_reply",
    "declared",
    "launch",
    "kill",
    "miss",
    "self_destruct",
    "leak",
    "asset_hit",
    "friendly_engaged",
    "command",
    "command_refused",
    "engagement_cancelled",
    "reloaded",
    "roe_violation",
    "end",
]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)

#: kinds that show ground truth (object names, true outcomes): never on a trainee's
#: live log, only in the recording, the report and the after-action review
TRUTH_KINDS: frozenset[str] = frozenset({"detected", "friendly_engaged"})

Audience = Literal["operator", "analyst"]


@dataclass(frozen=True, slots=True)
class Event:
    """One thing that happened at time ``t``.

    Attributes
    ----------
    t : float, s — when it happened (a fuze event keeps its own time inside the step)
    kind : EventKind
    unit : str — the fire unit concerned, ``""`` if none
    track_id : int — the track concerned (picture), -1 if none
    truth_id : int — the true object concerned (recorder and scoring only), -1 if none
    interceptor_id : int — -1 if none
    missile : str — missile type, ``""`` if none
    lat_deg, lon_deg : float, deg; alt_m : float, m above the WGS84 ellipsoid — where
        (NaN when not located)
    reason : str — why (refusal, miss or self-destruct cause, rule broken)
    identity : str — declared identity, or ``"friendly"`` for an IFF reply
    range_m : float, m — launch: distance from the launcher to the track
    t_flight_s : float, s — launch: predicted time of flight
    miss_m : float, m — kill, miss, self-destruct: closest approach
    detail : str — free text for a person (an asset's name, a command)
    """

    t: float
    kind: EventKind
    unit: str = ""
    track_id: int = -1
    truth_id: int = -1
    interceptor_id: int = -1
    missile: str = ""
    lat_deg: float = math.nan
    lon_deg: float = math.nan
    alt_m: float = math.nan
    reason: str = ""
    identity: str = ""
    range_m: float = math.nan
    t_flight_s: float = math.nan
    miss_m: float = math.nan
    detail: str = ""

    def __post_init__(self) -> None:
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"unknown event kind {self.kind!r}")

    def to_row(self) -> dict[str, Any]:
        """The event as a flat mapping of its fields (the recording's columns)."""
        return asdict(self)

    @staticmethod
    def from_row(row: Mapping[str, Any]) -> Event:
        """An event from a recorded row (unknown columns ignored, missing ones default;
        nulls read back as the field's "not applicable" value)."""
        kw: dict[str, Any] = {}
        for f in fields(Event):
            if f.name not in row:
                continue
            v = row[f.name]
            if v is None:
                continue
            if f.type == "float":
                v = float(v)
            elif f.type == "int":
                v = int(v)
            else:
                v = str(v)
            kw[f.name] = v
        return Event(**kw)


EVENT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Event))


def track_name(track_id: int) -> str:
    """How a track is named to a person: ``T<id>``."""
    return f"T{track_id}" if track_id >= 0 else ""


def describe(
    ev: Event, audience: Audience = "operator", names: Mapping[int, str] | None = None
) -> str | None:
    """One line of text for a person, or None if this audience does not see the event.

    The one renderer of events: the console's live log, the review's timeline and the
    report use it. An ``"operator"`` (the trainee in the C2 seat) sees only what the
    picture shows: tracks by number, never truth (``TRUTH_KINDS`` give None). An
    ``"analyst"`` also sees true objects, by name from ``names`` (truth id -> name).
    """
    if audience == "operator" and ev.kind in TRUTH_KINDS:
        return None
    trk = track_name(ev.track_id)
    obj = ""
    if audience == "analyst" and ev.truth_id >= 0:
        obj = names.get(ev.truth_id, f"object {ev.truth_id}") if names else f"object {ev.truth_id}"
    who = f"{trk} ({obj})" if trk and obj else (trk or obj or "a threat")
    miss = ""
    if math.isfinite(ev.miss_m):
        miss = f"{ev.miss_m:.1f} m" if ev.miss_m < 10 else f"{ev.miss_m:.0f} m"
    k = ev.kind
    if k == "detected":
        text = f"First detection of {obj or 'an object'}"
    elif k == "track_confirmed":
        text = f"New track {who}"
    elif k == "iff_reply":
        text = f"IFF {trk}: {'reply — friend' if ev.identity == 'friendly' else 'no reply'}"
    elif k == "declared":
        text = f"{who} declared {ev.identity}" + (f" ({ev.reason})" if ev.reason else "")
    elif k == "launch":
        rng = f" at {ev.range_m / 1000:.0f} km" if math.isfinite(ev.range_m) else ""
        text = f"{ev.unit} launched {ev.missile} at {who}{rng}"
    elif k == "kill":
        text = f"Kill on {who}" + (f" (miss distance {miss})" if miss else "")
    elif k == "miss" and ev.reason == "fuze":
        # the warhead went off within its lethal radius and the target flew on
        text = f"{who} survived an intercept" + (f" at {miss}" if miss else "")
    elif k == "miss":
        text = f"Miss on {who}" + (f" (miss distance {miss})" if miss else "")
    elif k == "self_destruct":
        text = f"Interceptor on {who} self-destructed ({ev.reason or 'no target'})"
    elif k == "leak":
        text = f"Leaker: {who} reached its target"
    elif k == "asset_hit":
        text = f"ASSET HIT: {ev.detail}" + (f" by {obj}" if obj else "")
    elif k == "friendly_engaged":
        text = f"FRIENDLY {obj or who} ENGAGED" + (f" (track {trk})" if trk else "")
    elif k == "command":
        text = f"Order carried out: {ev.detail}"
    elif k == "command_refused":
        text = f"Order refused{' (' + trk + ')' if trk else ''}: {ev.reason}"
    elif k == "engagement_cancelled":
        text = f"Engagement of {who} cancelled: {ev.reason}"
    elif k == "reloaded":
        text = f"{ev.unit}: launcher reloaded ({ev.detail})"
    elif k == "roe_violation":
        text = f"Rules of engagement broken{' on ' + trk if trk else ''}: {ev.reason}"
    else:  # "end"
        text = "Exercise ended"
    return " ".join(text.split())
