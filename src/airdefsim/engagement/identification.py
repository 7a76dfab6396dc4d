"""Identification evidence: what a crew weighs before calling a track hostile or friend.

An identification officer does not call a track hostile because it failed to answer IFF:
transponders fail, and an airliner with a dead transponder is still an airliner. The
evidence, per track, each tick (the air picture carries it; the doctrine and a trainee
read the same):

- **IFF**: a valid reply is a friend (kept in the adjudicator, not here);
- **flight plan**: the track is where a filed flight plan says an aircraft is now —
  within :data:`PLAN_GATE` of the planned position, velocity within
  :data:`PLAN_SPEED_GATE`;
- **air corridor**: inside a published corridor (distance to its centreline within
  half its width, altitude within its band) with a heading along it (within
  :data:`CORRIDOR_HEADING`) and a civil profile;
- **civil profile**: 100–320 m/s, above 3 km, climbing or descending gently (below
  :data:`CIVIL_MAX_CLIMB`) — what jet airliners do en route;
- **hostile profile**: a ballistic trajectory, a cruise-missile profile (fast and very
  low), or faster than any civil traffic (:data:`FAST`);
- **point of origin**: first seen inside a declared hostile area;
- **attack**: on a path into a defended asset within :data:`ATTACK_HORIZON`.

:func:`assess` turns evidence into a recommendation: *friend* on a flight-plan match or
civil traffic on a corridor; *hostile* only when the track has not answered
``n_required`` interrogations, shows no friendly evidence, and shows at least one hostile
indicator (profile, origin or attack); otherwise it stays *unknown*. Under weapons tight
an unknown track is never engaged, so a silent airliner on its corridor is left alone.

These rules and thresholds are a training simulator's, assumed and stated here; they
follow the usual ingredients of air-defence identification criteria (IFF, procedural
airspace control, flight plans, point of origin, behaviour), not any nation's ID matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from airdefsim.types import F64, IdEvidence

PLAN_GATE = 15000.0  # m
PLAN_SPEED_GATE = 120.0  # m/s
CORRIDOR_HEADING = np.radians(35.0)
CIVIL_SPEED = (100.0, 320.0)  # m/s
CIVIL_MIN_ALT = 3000.0  # m
CIVIL_MAX_CLIMB = 40.0  # m/s
FAST = 350.0  # m/s, faster than any civil traffic
ATTACK_HORIZON = 900.0  # s


@dataclass(frozen=True)
class Corridor:
    """A corridor in the scenario's ENU frame: centreline vertices (V, 2) m, half width
    m, altitude band m."""

    name: str
    centreline: F64
    half_width: float
    min_alt: float
    max_alt: float


@dataclass(frozen=True)
class Area:
    """A hostile area: polygon vertices (V, 2) m in the scenario's ENU frame."""

    name: str
    polygon: F64


@dataclass(frozen=True)
class FlightPlans:
    """Filed flight plans at one time: callsign (P,), planned position (P, 3) m and
    velocity (P, 3) m/s in the scenario's ENU frame (only the flights under way)."""

    callsign: np.ndarray
    pos: F64
    vel: F64

    @staticmethod
    def none() -> FlightPlans:
        return FlightPlans(np.zeros(0, dtype=object), np.zeros((0, 3)), np.zeros((0, 3)))


def _segment_distance(p: F64, a: F64, b: F64) -> tuple[F64, F64]:
    """Distance (M, S) from points p (M, 2) to segments a→b (S, 2), and the segments'
    directions (S, 2) (unit vectors)."""
    ab = b - a
    length2 = np.maximum(np.einsum("si,si->s", ab, ab), 1e-9)
    ap = p[:, None, :] - a[None, :, :]
    u = np.clip(np.einsum("msi,si->ms", ap, ab) / length2, 0.0, 1.0)
    closest = a[None] + u[..., None] * ab[None]
    d = np.linalg.norm(p[:, None, :] - closest, axis=2)
    return d, ab / np.sqrt(length2)[:, None]


def _inside(p: F64, poly: F64) -> np.ndarray:
    """(M,) bool: points p (M, 2) inside the polygon (V, 2) (even-odd ray casting)."""
    x, y = p[:, 0], p[:, 1]
    inside = np.zeros(p.shape[0], bool)
    n = poly.shape[0]
    for i in range(n):
        x0, y0 = poly[i]
        x1, y1 = poly[(i + 1) % n]
        crosses = (y0 > y) != (y1 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            xc = x0 + (y - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (x < xc)
    return inside


def gather(
    pos: F64,
    vel: F64,
    alt: F64,
    kind: np.ndarray,
    time_to_asset: F64,
    first_pos: F64,
    corridors: list[Corridor],
    areas: list[Area],
    plans: FlightPlans,
) -> IdEvidence:
    """Evidence for M tracks.

    Parameters
    ----------
    pos, vel : (M, 3) float, m and m/s, scenario ENU — track estimates
    alt : (M,) float, m above the ellipsoid
    kind : (M,) object — the kinematic classification (``AirPicture.kind``)
    time_to_asset : (M,) float, s (inf: threatens no asset)
    first_pos : (M, 3) float, m, ENU — where each track was first seen
    corridors, areas : the airspace; plans : filed flight plans under way now
    """
    m = pos.shape[0]
    ev = IdEvidence.empty(m)
    if m == 0:
        return ev
    speed = np.linalg.norm(vel, axis=1)
    civil = (
        (speed >= CIVIL_SPEED[0])
        & (speed <= CIVIL_SPEED[1])
        & (alt >= CIVIL_MIN_ALT)
        & (np.abs(vel[:, 2]) <= CIVIL_MAX_CLIMB)
    )
    plan = np.full(m, "", dtype=object)
    if len(plans.callsign):
        d = np.linalg.norm(pos[:, None, :] - plans.pos[None], axis=2)
        dv = np.linalg.norm(vel[:, None, :] - plans.vel[None], axis=2)
        ok = (d <= PLAN_GATE) & (dv <= PLAN_SPEED_GATE)
        best = np.argmin(np.where(ok, d, np.inf), axis=1)
        has = ok.any(axis=1)
        plan[has] = plans.callsign[best[has]]
    corridor = np.full(m, "", dtype=object)
    heading = vel[:, :2] / np.maximum(np.linalg.norm(vel[:, :2], axis=1), 1e-6)[:, None]
    for c in corridors:
        d, direction = _segment_distance(pos[:, :2], c.centreline[:-1], c.centreline[1:])
        seg = np.argmin(d, axis=1)
        cos = np.abs(np.einsum("mi,mi->m", heading, direction[seg]))
        along = (
            (d[np.arange(m), seg] <= c.half_width)
            & (alt >= c.min_alt)
            & (alt <= c.max_alt)
            & (cos >= np.cos(CORRIDOR_HEADING))
            & civil
        )
        corridor[along & (corridor == "")] = c.name
    hostile = np.full(m, "", dtype=object)
    hostile[np.isfinite(time_to_asset) & (time_to_asset <= ATTACK_HORIZON)] = (
        "on a path into a defended asset"
    )
    for a in areas:
        hostile[_inside(first_pos[:, :2], a.polygon)] = f"came from hostile area {a.name}"
    hostile[speed > FAST] = "faster than any civil traffic"
    hostile[kind == "cruise_missile"] = "cruise-missile profile (fast, very low)"
    hostile[kind == "ballistic_missile"] = "ballistic trajectory"
    return IdEvidence(plan, corridor, civil, hostile)


def assess(
    evidence: IdEvidence, iff_reply: np.ndarray, n_interrogations: np.ndarray, n_required: int
) -> tuple[np.ndarray, np.ndarray]:
    """Recommended identity of each track and why.

    Returns
    -------
    identity : (M,) object — ``"friendly"``, ``"hostile"`` or ``"unknown"``
    reason : (M,) object — the evidence behind it (``""`` for unknown)
    """
    m = evidence.flight_plan.shape[0]
    ident = np.full(m, "unknown", dtype=object)
    reason = np.full(m, "", dtype=object)
    silent = ~np.asarray(iff_reply, bool) & (np.asarray(n_interrogations) >= n_required)
    friend = evidence.friendly
    hostile = silent & (friend == "") & (evidence.hostile != "")
    ident[hostile] = "hostile"
    reason[hostile] = np.array(
        [f"no IFF reply to {n_required} interrogations; {h}" for h in evidence.hostile[hostile]],
        dtype=object,
    )
    presumed = friend != ""
    ident[presumed] = "friendly"
    reason[presumed] = friend[presumed]
    replied = np.asarray(iff_reply, bool)
    ident[replied] = "friendly"
    reason[replied] = "IFF reply"
    return ident, reason
