"""Engagement envelopes and predicted intercept points, from the flyout model itself.

Once per missile spec (cached, and shipped for the presets) the flyout model
(:class:`airdefsim.physics.flyout.Interceptors`) flies interceptors at *stationary*
points: ground range (great-circle distance from the launcher, m) × altitude above the
ellipsoid (m). A point counts as *reached* with a usable end game when the closest
approach is within :data:`REACH_MISS` (or the lethal radius), the speed at least
:data:`V_END_MIN` and the manoeuvre capability at the burnt-out mass (aerodynamic +
reaction control) at least :data:`G_END_MIN`. At each table altitude the **reach** — the
furthest ground range reached — is *solved*: a coarse pass brackets it, then bisection on
flyouts (:data:`N_BISECT` steps) closes in; the table's columns are fractions of that
reach, so the feasible region ends exactly at the solved reach, not at a grid node.
The reach is solved up to :data:`RANGE_CAP` × ``max_range`` (the preset's published
figure limits every intercept anyway).

:func:`predicted_intercept` then solves, for every target flying on, the earliest time
``t`` at which the missile's time of flight to the target's position ``p(t)`` equals ``t``
(interpolation of the table, sampled in ``t`` then refined by bisection), and applies the
published/assumed limits of the spec: minimum and maximum range, minimum and maximum
altitude, maximum target speed and, for ballistic targets, ``vs_ballistic_range``; and
optionally the range to which the unit's fire-control radar can support the missile. A
missile must also be faster at the intercept than the target's velocity component across
the line of sight (× 1.2), and at least 0.3 × the target's speed (measured limit of the
flyout's end game).

:func:`envelope` evaluates that over a range × altitude grid for a head-on or crossing
target, and solves the maximum launch range at each altitude by bisection on
:func:`predicted_intercept` (the grid only brackets it), which is what ``airdefsim
envelope`` prints and draws.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airdefsim.geo.wgs84 import MEAN_RADIUS, LocalFrame, ecef_to_geodetic, geodetic_to_ecef
from airdefsim.physics.atmosphere import isa
from airdefsim.physics.flyout import CN_MAX, Interceptors
from airdefsim.scenario.schema import MissileSpec
from airdefsim.types import TargetsView
from airdefsim.units import G0

F64 = NDArray[np.float64]
B = NDArray[np.bool_]

ALTITUDES = np.array(
    [
        10.0,
        300.0,
        1000.0,
        3000.0,
        6000.0,
        10000.0,
        15000.0,
        20000.0,
        25000.0,
        30000.0,
        35000.0,
        40000.0,
    ]
)  # m, table altitude grid
N_COARSE = 12  # coarse ground ranges per altitude that bracket the reach
N_BISECT = 10  # bisection steps on each altitude's reach (to cap / 11 / 1024)
N_FRAC = 24  # table columns: fractions of each altitude's solved reach
RANGE_CAP = 1.1  # the reach is solved up to RANGE_CAP x max_range (the preset's limit)
R0 = 500.0  # m, shortest ground range of the table
V_END_MIN = 400.0  # m/s, minimum speed at intercept for a usable end game (assumed)
G_END_MIN = 5.0 * G0  # m/s², minimum manoeuvre capability at intercept (assumed)
REACH_MISS = 30.0  # m, a stationary point counts as reached within this miss
CROSS_MARGIN = 1.2  # missile must be this much faster than the target's crossing speed
SPEED_RATIO_MIN = 0.3  # missile speed at intercept / target speed, at least (measured on
# the flyout: PAC-3 MSE still hits a 2.1-2.6 km/s target diving 35-45° at a speed ratio of
# 0.33; with a PN mid-course on the falling target, the end game no longer saturates at 0.55)
BALLISTIC_ALTITUDE_MARGIN = 0.03  # a falling target's PIP must lie 3 % below max_altitude:
# against it the missile flies PN from burnout, faster than the table's lofted shot, and
# meets it ~1 % higher than predicted on average (measured on the srbm arc with tracker-like
# uplinks, bench/flyout.py --srbm; see test_endgame)
N_TIME_SAMPLES = 160
N_REFINE = 8  # bisection steps on the intercept time between two samples (then secant)
N_LAUNCH_BISECT = 30  # bisection steps on the maximum launch range (to ~1 m)
TABLE_SITE = (np.radians(45.0), 0.0)  # launcher site of the reference flyouts (rad)
TABLE_SEED = 20260101


@dataclass(frozen=True)
class FlyoutTable:
    """Flyouts of one missile at stationary points.

    altitude : (A,) m; reach : (A,) m — solved furthest ground range reached with a
    usable end game at each altitude (0: none; at most ``cap``); cap : m, the range up to
    which the reach was solved; frac : (R,) — column fractions, ground range
    ``R0 + frac (reach - R0)``; t_flight : (A, R) s (nan where not reached);
    speed : (A, R) m/s at the closest approach (nan where not reached);
    reached : (A, R) bool.
    """

    missile: str
    altitude: F64
    reach: F64
    cap: float
    frac: F64
    t_flight: F64
    speed: F64
    reached: B

    @property
    def ground_range(self) -> F64:
        """Ground range (A, R) m of every table cell."""
        return R0 + self.frac[None, :] * np.maximum(self.reach[:, None] - R0, 0.0)

    @property
    def max_ground_range(self) -> float:
        """Largest ground range (m) reached at any altitude (the solved reach)."""
        return float(self.reach.max()) if self.reached.any() else 0.0

    @property
    def max_altitude(self) -> float:
        """Highest table altitude (m) reached at any range."""
        rows = self.reached.any(axis=1)
        return float(self.altitude[rows].max()) if rows.any() else 0.0

    def lookup(self, values: F64, altitude: F64, ground_range: F64) -> F64:
        """Interpolate ``values`` (A, R) (``t_flight`` or ``speed``) at ``altitude`` (...)
        and ``ground_range`` (...), m: linear in altitude and in the fraction of the
        reach, which is itself interpolated linearly in altitude; nan beyond the reach
        or where a cell that carries weight was not reached."""
        h = np.asarray(altitude, dtype=float)
        gr = np.asarray(ground_range, dtype=float)
        reach_h = np.interp(h, self.altitude, self.reach)
        f = (gr - R0) / np.maximum(reach_h - R0, 1.0)
        f = np.where(gr < R0, 0.0, f)
        f = np.where(reach_h <= R0, np.nan, f)
        return _bilinear(self.altitude, self.frac, values, np.stack([h, f], axis=-1))


_CACHE: dict[str, FlyoutTable] = {}

# Tables of the preset missiles ship precomputed (computing the five takes ~1 min); a
# table is used only if its key - a hash of MODEL_VERSION and the full spec - matches, so
# a changed preset or a user-overridden spec is recomputed. Bump MODEL_VERSION and run
# ``python -m airdefsim.engagement.envelope`` after changing the flyout model.
MODEL_VERSION = "flyout-5"
SHIPPED_TABLES = ("airdefsim.physics", "data/flyout_tables.json")


def ground_range(launcher_pos: ArrayLike, pos: ArrayLike) -> F64:
    """Ground range (...,) m between ``launcher_pos`` (3,) and ``pos`` (..., 3), ECEF m:
    the great-circle distance on the mean sphere between their geodetic latitudes and
    longitudes (the routes' convention)."""
    la0, lo0, _ = ecef_to_geodetic(np.asarray(launcher_pos, dtype=float))
    la1, lo1, _ = ecef_to_geodetic(np.asarray(pos, dtype=float))
    return _arc(la0, lo0, la1, lo1)


def _points(site_lat: float, site_lon: float, ranges: F64, alts: F64) -> F64:
    """(A, R, 3) ECEF of points due north of the site at ground range × altitude."""
    lat = site_lat + ranges / MEAN_RADIUS
    la, al = np.meshgrid(lat, alts)
    return geodetic_to_ecef(la, np.full_like(la, site_lon), al)


def _stationary_view(pos: F64) -> TargetsView:
    n = pos.shape[0]
    return TargetsView(
        t=0.0,
        pos=pos,
        vel=np.zeros((n, 3)),
        acc=np.zeros((n, 3)),
        truth_id=np.arange(n, dtype=np.int64),
        alive=np.ones(n, bool),
        rcs_index=np.zeros(n, np.int64),
        rcs_specs=[],
        is_friendly=np.zeros(n, bool),
        iff_mode=np.zeros(n, np.int64),
        kind=np.full(n, "point", dtype=object),
    )


def fly_to_points(
    spec: MissileSpec, launcher_pos: ArrayLike, points: ArrayLike, seed: int = TABLE_SEED
) -> dict[str, F64]:
    """Fly one interceptor at each stationary point, all at once (each seeker sees only
    its own point: ``Interceptors(seeker_candidates="intended")``).

    Parameters
    ----------
    spec : missile preset
    launcher_pos : (3,) m ECEF
    points : (N, 3) m ECEF
    seed : seed of the seeker-noise stream (deterministic)

    Returns
    -------
    dict with ``t_flight`` (N,) s, ``miss`` (N,) m, ``speed`` (N,) m/s at the end of
    each flight, and ``reason`` (N,) object (see :class:`~airdefsim.physics.flyout.FuzeEvent`).
    """
    pts = np.asarray(points, dtype=float).reshape(-1, 3)
    n = pts.shape[0]
    flights = Interceptors(capacity=max(n, 1), seeker_candidates="intended")
    for k in range(n):
        flights.launch(0.0, spec, launcher_pos, pts[k], np.zeros(3), k, k, "table")
    view = _stationary_view(pts)
    rng = np.random.default_rng(seed)
    t_end = float(flights.p.tof_max[:n].max()) + 1.0 if n else 0.0
    events = flights.advance(0.0, t_end, view, rng)
    out = {
        "t_flight": np.full(n, np.nan),
        "miss": np.full(n, np.inf),
        "speed": np.zeros(n),
        "reason": np.full(n, "timeout", dtype=object),
    }
    for e in events:
        out["t_flight"][e.interceptor_id] = e.t
        out["miss"][e.interceptor_id] = e.miss_distance
        out["speed"][e.interceptor_id] = e.speed
        out["reason"][e.interceptor_id] = e.reason
    return out


@dataclass(frozen=True)
class FlightHistory:
    """One flight to a stationary point, sampled: t (S,) s; speed (S,) m/s; altitude
    (S,) m; ground_range (S,) m from the launcher; end: the :class:`~airdefsim.physics.
    flyout.FuzeEvent` reason; t_end: s."""

    t: F64
    speed: F64
    altitude: F64
    ground_range: F64
    end: str
    t_end: float

    @property
    def max_speed(self) -> float:
        """Peak speed (m/s) of the flight."""
        return float(self.speed.max()) if self.speed.size else 0.0


def flight_history(
    spec: MissileSpec,
    ground_range_m: float,
    altitude: float,
    dt: float = 0.5,
    t_max: float | None = None,
) -> FlightHistory:
    """Fly one ``spec`` from the table site to a stationary point ``ground_range_m`` due
    north at ``altitude`` (m), sampling its state every ``dt`` s (seeded like the tables),
    to the end of the flight or ``t_max`` s."""
    lat0, lon0 = TABLE_SITE
    launcher = geodetic_to_ecef(lat0, lon0, 0.0)
    point = _points(lat0, lon0, np.array([ground_range_m]), np.array([altitude])).reshape(1, 3)
    flights = Interceptors(capacity=1, seeker_candidates="intended")
    flights.launch(0.0, spec, launcher, point[0], np.zeros(3), 0, 0, "history")
    view = _stationary_view(point)
    rng = np.random.default_rng(TABLE_SEED)
    ts, vs, hs, grs = [0.0], [0.0], [0.0], [0.0]
    t, end, t_end = 0.0, "timeout", float("nan")
    t_stop = float(flights.p.tof_max[0]) + 1.0 if t_max is None else float(t_max)
    while flights.alive_ids().size and t < t_stop:
        events = flights.advance(t, t + dt, view, rng)
        t += dt
        if events:
            end, t_end = events[0].reason, events[0].t
            break
        pos = flights.pos[0]
        _, _, h = ecef_to_geodetic(pos)
        ts.append(t)
        vs.append(float(np.linalg.norm(flights.vel[0])))
        hs.append(float(h))
        grs.append(float(ground_range(launcher, pos)))
    return FlightHistory(np.array(ts), np.array(vs), np.array(hs), np.array(grs), end, t_end)


def table_key(spec: MissileSpec) -> str:
    """Cache key of ``spec``'s flyout table: hash of :data:`MODEL_VERSION` and the spec."""
    text = MODEL_VERSION + "|" + spec.model_dump_json()
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def flyout_table(spec: MissileSpec) -> FlyoutTable:
    """The flyout table of ``spec``: cached in the process, shipped for the presets, else
    computed (a few seconds)."""
    key = table_key(spec)
    table = _CACHE.get(key)
    if table is None:
        raw = _shipped_tables().get(key)
        table = _table_from_json(raw) if raw is not None else _compute_table(spec)
        _CACHE[key] = table
    return table


@lru_cache(maxsize=1)
def _shipped_tables() -> dict[str, Any]:
    package, name = SHIPPED_TABLES
    path = resources.files(package) / name
    if not path.is_file():
        return {}
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _table_to_json(t: FlyoutTable) -> dict[str, Any]:
    def rows(a: F64) -> list[list[float | None]]:
        return [[None if not np.isfinite(v) else round(float(v), 4) for v in r] for r in a]

    return {
        "missile": t.missile,
        "altitude": t.altitude.tolist(),
        "reach": [round(float(v), 3) for v in t.reach],
        "cap": t.cap,
        "frac": [round(float(v), 6) for v in t.frac],
        "t_flight": rows(t.t_flight),
        "speed": rows(t.speed),
    }


def _table_from_json(raw: dict[str, Any]) -> FlyoutTable:
    t_f = np.array(raw["t_flight"], dtype=float)
    return FlyoutTable(
        missile=str(raw["missile"]),
        altitude=np.array(raw["altitude"], dtype=float),
        reach=np.array(raw["reach"], dtype=float),
        cap=float(raw["cap"]),
        frac=np.array(raw["frac"], dtype=float),
        t_flight=t_f,
        speed=np.array(raw["speed"], dtype=float),
        reached=np.isfinite(t_f),
    )


def write_tables(specs: dict[str, MissileSpec], path: Path) -> Path:
    """Compute the flyout tables of ``specs`` and write them (JSON) to ``path``."""
    out = {table_key(s): _table_to_json(_compute_table(s)) for s in specs.values()}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(out, separators=(",", ":")) + "\n", encoding="utf-8")
    return path


def reached_with_end_game(spec: MissileSpec, altitude: ArrayLike, result: dict[str, F64]) -> B:
    """Which flights of :func:`fly_to_points` (``result``) reached their stationary point
    at ``altitude`` (N,) m with a usable end game: closest approach within
    max(:data:`REACH_MISS`, lethal radius), speed ≥ :data:`V_END_MIN`, manoeuvre
    capability ``min(max_g, C_N,max q S / m_burnout + reaction_control_g)`` ≥
    :data:`G_END_MIN`."""
    _, _, rho, _ = isa(np.asarray(altitude, dtype=float))
    speed = result["speed"]
    area = np.pi * spec.diameter**2 / 4.0
    g_aero = CN_MAX * 0.5 * rho * speed**2 * area / spec.motor_burnout_mass
    g_avail = np.minimum(spec.max_g, g_aero + spec.reaction_control_g)
    return np.asarray(
        np.isin(result["reason"], ("fuze", "miss"))
        & (result["miss"] <= max(REACH_MISS, spec.lethal_radius))
        & (speed >= V_END_MIN)
        & (g_avail >= G_END_MIN),
        dtype=bool,
    )


def _fly_grid(spec: MissileSpec, launcher: F64, ranges: F64, alts: F64) -> tuple[B, dict[str, F64]]:
    """Fly to points at ground ranges ``ranges`` (K,) and altitudes ``alts`` (K,) due
    north of the table site; (reached (K,), flyout results)."""
    lat0, lon0 = TABLE_SITE
    lat = lat0 + ranges / MEAN_RADIUS
    pts = geodetic_to_ecef(lat, np.full_like(lat, lon0), alts)
    res = fly_to_points(spec, launcher, pts.reshape(-1, 3))
    return reached_with_end_game(spec, alts, res), res


def solve_reach(spec: MissileSpec, altitudes: ArrayLike, cap: float) -> tuple[F64, F64, F64]:
    """Furthest ground range (A,) m reached with a usable end game at each of
    ``altitudes`` (A,) m, up to ``cap`` m: a coarse pass of :data:`N_COARSE` ranges
    brackets it (the last reached range and the next), then :data:`N_BISECT` bisection
    steps on flyouts. Returns (reach, t_flight, speed) at the reach (0, nan, nan where
    nothing is reached)."""
    alts = np.atleast_1d(np.asarray(altitudes, dtype=float))
    lat0, lon0 = TABLE_SITE
    launcher = geodetic_to_ecef(lat0, lon0, 0.0)
    coarse = np.linspace(R0, cap, N_COARSE)
    a_n = alts.size
    ok, res = _fly_grid(spec, launcher, np.tile(coarse, a_n), np.repeat(alts, N_COARSE))
    ok = ok.reshape(a_n, N_COARSE)
    t_f = res["t_flight"].reshape(a_n, N_COARSE)
    v_f = res["speed"].reshape(a_n, N_COARSE)
    reach = np.zeros(a_n)
    t_at = np.full(a_n, np.nan)
    v_at = np.full(a_n, np.nan)
    has = ok.any(axis=1)
    last = np.where(has, N_COARSE - 1 - np.argmax(ok[:, ::-1], axis=1), 0)
    rows = np.flatnonzero(has)
    reach[rows] = coarse[last[rows]]
    t_at[rows] = t_f[rows, last[rows]]
    v_at[rows] = v_f[rows, last[rows]]
    open_rows = rows[last[rows] < N_COARSE - 1]
    lo = coarse[last[open_rows]]
    hi = coarse[last[open_rows] + 1]
    for _ in range(N_BISECT if open_rows.size else 0):
        mid = 0.5 * (lo + hi)
        ok_m, res_m = _fly_grid(spec, launcher, mid, alts[open_rows])
        lo = np.where(ok_m, mid, lo)
        hi = np.where(ok_m, hi, mid)
        t_at[open_rows] = np.where(ok_m, res_m["t_flight"], t_at[open_rows])
        v_at[open_rows] = np.where(ok_m, res_m["speed"], v_at[open_rows])
    reach[open_rows] = lo
    return reach, t_at, v_at


def _compute_table(spec: MissileSpec) -> FlyoutTable:
    lat0, lon0 = TABLE_SITE
    launcher = geodetic_to_ecef(lat0, lon0, 0.0)
    cap = RANGE_CAP * spec.max_range
    reach, t_edge, v_edge = solve_reach(spec, ALTITUDES, cap)
    frac = np.linspace(0.0, 1.0, N_FRAC)
    a_n = ALTITUDES.size
    gr = R0 + frac[None, :] * np.maximum(reach[:, None] - R0, 0.0)
    rows = np.flatnonzero(reach > R0)
    t_f = np.full((a_n, N_FRAC), np.nan)
    speed = np.full((a_n, N_FRAC), np.nan)
    if rows.size:
        ok, res = _fly_grid(
            spec, launcher, gr[rows].reshape(-1), np.repeat(ALTITUDES[rows], N_FRAC)
        )
        ok = ok.reshape(rows.size, N_FRAC)
        t_f[rows] = np.where(ok, res["t_flight"].reshape(rows.size, N_FRAC), np.nan)
        speed[rows] = np.where(ok, res["speed"].reshape(rows.size, N_FRAC), np.nan)
        # the last column is the solved reach: the flight that decided it
        t_f[rows, -1] = t_edge[rows]
        speed[rows, -1] = v_edge[rows]
    reach = np.where(reach > R0, reach, 0.0)
    return FlyoutTable(
        missile=spec.name,
        altitude=ALTITUDES.copy(),
        reach=reach,
        cap=float(cap),
        frac=frac,
        t_flight=t_f,
        speed=speed,
        reached=np.isfinite(t_f),
    )


def flight_path(
    pos: F64, vel: F64, tau: ArrayLike, fall: ArrayLike | None = None
) -> tuple[F64, F64, F64]:
    """Geodetic (lat rad, lon rad, h m), each (N, S), of targets flying on at constant
    ground speed along their great circle and constant climb rate, ``tau`` (S,) or (N, S)
    s ahead.

    pos (N, 3) m ECEF; vel (N, 3) m/s ECEF. Like the routes the simulation flies, the
    great circle is taken on the mean sphere with geodetic latitudes, and the height
    above the ellipsoid changes only with the climb rate: a level target stays level (a
    straight ECEF line would climb ``d²/2R``, ≈ 800 m after 100 km).

    ``fall`` (N,) bool marks ballistic targets: their height follows the free fall
    ``h0 + v_up t - (g - v_h² / (R + h0)) t² / 2`` (gravity less the centrifugal relief of
    the horizontal speed ``v_h`` over the round earth; drag neglected, which puts the
    point a little early on a low re-entry).
    """
    lat0, lon0, h0 = ecef_to_geodetic(pos)
    sl, cl = np.sin(lat0), np.cos(lat0)
    so, co = np.sin(lon0), np.cos(lon0)
    ve = -so * vel[:, 0] + co * vel[:, 1]
    vn = -sl * co * vel[:, 0] - sl * so * vel[:, 1] + cl * vel[:, 2]
    vu = cl * co * vel[:, 0] + cl * so * vel[:, 1] + sl * vel[:, 2]
    tt = np.broadcast_to(np.asarray(tau, dtype=float), (pos.shape[0], np.shape(tau)[-1]))
    brg = np.arctan2(ve, vn)[:, None]
    d = (np.hypot(ve, vn) / (MEAN_RADIUS + h0))[:, None] * tt
    la0, lo0 = lat0[:, None], lon0[:, None]
    sin_la0, cos_la0 = np.sin(la0), np.cos(la0)
    sin_d, cos_d = np.sin(d), np.cos(d)
    sin_lat = np.clip(sin_la0 * cos_d + cos_la0 * sin_d * np.cos(brg), -1.0, 1.0)
    lat = np.arcsin(sin_lat)
    lon = lo0 + np.arctan2(np.sin(brg) * sin_d * cos_la0, cos_d - sin_la0 * sin_lat)
    h = h0[:, None] + vu[:, None] * tt
    if fall is not None:
        vh2 = ve * ve + vn * vn
        g_eff = np.where(np.asarray(fall, dtype=bool), G0 - vh2 / (MEAN_RADIUS + h0), 0.0)
        h = h - 0.5 * g_eff[:, None] * tt * tt
    return lat, lon, h


def extrapolate(pos: F64, vel: F64, tau: ArrayLike) -> F64:
    """ECEF positions (N, S, 3), m, along :func:`flight_path`."""
    lat, lon, h = flight_path(pos, vel, tau)
    return geodetic_to_ecef(lat, lon, h)


def _arc(lat0: ArrayLike, lon0: ArrayLike, lat1: ArrayLike, lon1: ArrayLike) -> F64:
    """Ground range (m) on the mean sphere between geodetic points (haversine)."""
    la0, lo0 = np.asarray(lat0, dtype=float), np.asarray(lon0, dtype=float)
    la1, lo1 = np.asarray(lat1, dtype=float), np.asarray(lon1, dtype=float)
    a = np.sin((la1 - la0) / 2) ** 2 + np.cos(la0) * np.cos(la1) * np.sin((lo1 - lo0) / 2) ** 2
    return 2.0 * MEAN_RADIUS * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _bilinear(xg: F64, yg: F64, values: F64, pts: F64) -> F64:
    """Bilinear interpolation of ``values`` (X, Y) on the grid ``xg`` (X,) × ``yg`` (Y,) at
    ``pts`` (..., 2); nan outside the grid or where a corner that carries weight is nan
    (a corner with zero weight is ignored, so grid edges and exact nodes work)."""
    x, y = pts[..., 0], pts[..., 1]
    i = np.clip(np.searchsorted(xg, x, side="right") - 1, 0, xg.size - 2)
    j = np.clip(np.searchsorted(yg, y, side="right") - 1, 0, yg.size - 2)
    fx = (x - xg[i]) / (xg[i + 1] - xg[i])
    fy = (y - yg[j]) / (yg[j + 1] - yg[j])
    out_of = (fx < -1e-9) | (fx > 1 + 1e-9) | (fy < -1e-9) | (fy > 1 + 1e-9)
    fx = np.clip(fx, 0.0, 1.0)
    fy = np.clip(fy, 0.0, 1.0)
    total = np.zeros(x.shape)
    bad = out_of.copy()
    for di, dj, w in (
        (0, 0, (1 - fx) * (1 - fy)),
        (1, 0, fx * (1 - fy)),
        (0, 1, (1 - fx) * fy),
        (1, 1, fx * fy),
    ):
        v = values[i + di, j + dj]
        used = w > 0
        bad |= used & ~np.isfinite(v)
        total += np.where(used, w * np.nan_to_num(v), 0.0)
    return np.where(bad, np.nan, total)


def predicted_intercept(
    spec: MissileSpec,
    launcher_pos: ArrayLike,
    target_pos: ArrayLike,
    target_vel: ArrayLike,
    ballistic: ArrayLike | None = None,
    support_range: ArrayLike | None = None,
) -> tuple[B, F64, F64]:
    """Where and when a missile launched now can meet each target flying straight on.

    Parameters
    ----------
    spec : missile preset
    launcher_pos : (3,) m ECEF
    target_pos : (N, 3) m ECEF — estimated target positions now
    target_vel : (N, 3) m/s ECEF — estimated velocities (held constant)
    ballistic : (N,) bool, optional — targets are ballistic missiles: they are
        extrapolated in free fall (see :func:`flight_path`) and
        ``spec.vs_ballistic_range`` caps the range when it is set
    support_range : scalar or (N,) m, optional — range from the launcher up to which the
        unit's fire-control radar can support the missile against each target (its
        tracking range at that target's RCS): the predicted intercept point must lie
        within it (slant range)

    Returns
    -------
    feasible : (N,) bool
    t_flight : (N,) s — missile time of flight to the intercept (inf if infeasible)
    pip : (N, 3) m ECEF — predicted intercept point (the target's position now if
        infeasible)
    """
    lp = np.asarray(launcher_pos, dtype=float).reshape(3)
    tp = np.asarray(target_pos, dtype=float).reshape(-1, 3)
    tv = np.asarray(target_vel, dtype=float).reshape(-1, 3)
    n = tp.shape[0]
    feasible = np.zeros(n, bool)
    t_flight = np.full(n, np.inf)
    pip = tp.copy()
    if n == 0:
        return feasible, t_flight, pip
    table = flyout_table(spec)
    if not table.reached.any():
        return feasible, t_flight, pip
    h_min = float(table.altitude[0])

    t_max = float(np.nanmax(table.t_flight))
    tau = np.linspace(0.0, t_max, N_TIME_SAMPLES)
    lat_l, lon_l, _ = ecef_to_geodetic(lp)
    fall = None
    if ballistic is not None:
        fall = np.asarray(ballistic, dtype=bool).reshape(-1)
    lat, lon, h = flight_path(tp, tv, tau, fall)  # (N, S)
    gr = _arc(lat_l, lon_l, lat, lon)
    # lower than the lowest row: as the lowest row
    tf = table.lookup(table.t_flight, np.maximum(h, h_min), gr)  # (N, S)
    f = tf - tau[None, :]
    ok = np.isfinite(f)
    # first sample where the missile gets there no later than the target
    cross = ok & (f <= 0.0)
    cross[:, 0] = False
    prev_ok = np.zeros_like(ok)
    prev_ok[:, 1:] = ok[:, :-1]
    cross &= prev_ok
    has = cross.any(axis=1)
    k = np.argmax(cross, axis=1)
    rows = np.flatnonzero(has)
    if rows.size:
        kk = k[rows]
        lo, hi = tau[kk - 1], tau[kk]
        fall_r = None if fall is None else fall[rows]

        def miss_time(t_int: F64) -> tuple[F64, F64, F64, F64, F64]:
            la, lo_, hh = (a[:, 0] for a in flight_path(tp[rows], tv[rows], t_int[:, None], fall_r))
            g_r = _arc(lat_l, lon_l, la, lo_)
            return (
                table.lookup(table.t_flight, np.maximum(hh, h_min), g_r) - t_int,
                la,
                lo_,
                hh,
                g_r,
            )

        # bisection on t_flight(p(t)) - t between the two samples (f > 0 at lo, <= 0 at
        # hi), then one secant step inside the last bracket
        f_lo, f_hi = f[rows, kk - 1], f[rows, kk]
        for _ in range(N_REFINE):
            mid = 0.5 * (lo + hi)
            fm = miss_time(mid)[0]
            later = ~(fm <= 0.0)  # positive or nan (edge of the table): the root is later
            lo, f_lo = np.where(later, mid, lo), np.where(later & np.isfinite(fm), fm, f_lo)
            hi, f_hi = np.where(later, hi, mid), np.where(later, f_hi, fm)
        w = np.where(np.isfinite(f_lo), f_lo / np.maximum(f_lo - f_hi, 1e-12), 1.0)
        t_int = lo + np.clip(w, 0.0, 1.0) * (hi - lo)
        f_int, la_r, lo_r, h_r, gr_r = miss_time(t_int)
        off = ~np.isfinite(f_int)
        if off.any():  # the secant point fell off the table's edge: the bracket's end
            t_int = np.where(off, hi, t_int)
            _, la_r, lo_r, h_r, gr_r = miss_time(t_int)
        pip_r = geodetic_to_ecef(la_r, lo_r, h_r)
        hg = np.maximum(h_r, h_min)
        tf_r = table.lookup(table.t_flight, hg, gr_r)
        v_end = table.lookup(table.speed, hg, gr_r)
        los = pip_r - lp
        slant = np.linalg.norm(los, axis=1)
        los /= slant[:, None]
        v_t = tv[rows]
        if fall_r is not None:  # a falling target's velocity at the intercept
            up_r = pip_r / np.linalg.norm(pip_r, axis=1, keepdims=True)
            v_t = v_t - np.where(fall_r, G0 * t_int, 0.0)[:, None] * up_r
        v_cross = np.linalg.norm(v_t - np.einsum("ki,ki->k", v_t, los)[:, None] * los, axis=1)
        speed_t = np.linalg.norm(v_t, axis=1)
        max_rng = np.full(rows.size, spec.max_range)
        if ballistic is not None and spec.vs_ballistic_range is not None:
            is_bm = np.asarray(ballistic, dtype=bool).reshape(-1)[rows]
            max_rng = np.where(is_bm, spec.vs_ballistic_range, max_rng)
        h_top = np.full(rows.size, spec.max_altitude)
        if fall_r is not None:
            h_top = np.where(fall_r, (1.0 - BALLISTIC_ALTITUDE_MARGIN) * h_top, h_top)
        good = (
            np.isfinite(tf_r)
            & (gr_r >= spec.min_range)
            & (gr_r <= max_rng)
            & (h_r >= spec.min_altitude)
            & (h_r <= h_top)
            & (v_end >= CROSS_MARGIN * v_cross)
            & (v_end >= SPEED_RATIO_MIN * speed_t)
        )
        if spec.max_target_speed is not None:
            good &= speed_t <= spec.max_target_speed.at(float(np.median(h_r)))
        if support_range is not None:
            sr = np.broadcast_to(np.asarray(support_range, dtype=float), (n,))[rows]
            good &= slant <= sr
        sel = rows[good]
        feasible[sel] = True
        t_flight[sel] = t_int[good]
        pip[sel] = pip_r[good]
    return feasible, t_flight, pip


@dataclass(frozen=True)
class EnvelopeTable:
    """Where a launch now can intercept: target's ground range × altitude at launch.

    aspect : "head-on" (target flies at the launcher) or "crossing" (flies across);
    target_speed : m/s; altitude : (A,) m; ground_range : (R,) m — the target's position
    at launch (the sampling grid); feasible : (A, R) bool; t_flight : (A, R) s (inf where
    infeasible); intercept_range : (A, R) m — ground range of the intercept point (nan if
    infeasible); max_launch_range : (A,) m — the *solved* largest launch ground range at
    each altitude (bisection on :func:`predicted_intercept`, nan where none);
    max_launch_intercept_range : (A,) m — ground range of the intercept point of a launch
    at that range.
    """

    missile: str
    aspect: str
    target_speed: float
    altitude: F64
    ground_range: F64
    feasible: B
    t_flight: F64
    intercept_range: F64
    max_launch_range: F64
    max_launch_intercept_range: F64

    @property
    def max_range_m(self) -> float:
        """Largest launch ground range (m) with a feasible intercept (solved)."""
        v = self.max_launch_range
        return float(np.nanmax(v)) if np.isfinite(v).any() else 0.0

    @property
    def max_intercept_range_m(self) -> float:
        """Ground range (m) of the furthest intercept point (grid or solved boundary)."""
        v = np.concatenate([self.intercept_range.ravel(), self.max_launch_intercept_range])
        return float(np.nanmax(v)) if np.isfinite(v).any() else 0.0

    @property
    def max_altitude_m(self) -> float:
        """Highest target altitude (m) with a feasible intercept."""
        alt = np.broadcast_to(self.altitude[:, None], self.feasible.shape)
        return float(alt[self.feasible].max()) if self.feasible.any() else 0.0

    def range_band(self) -> tuple[F64, F64]:
        """Per altitude, min (sampled) and max (solved) launch ground range (A,), m (nan
        where none)."""
        gr = np.broadcast_to(self.ground_range, self.feasible.shape)
        lo = np.where(self.feasible, gr, np.inf).min(axis=1)
        return np.where(np.isfinite(lo), lo, np.nan), self.max_launch_range.copy()

    def max_range_at(self, altitude: float) -> float:
        """Max launch ground range (m) at ``altitude`` (m), interpolated between rows."""
        _, hi = self.range_band()
        hi0 = np.where(np.isfinite(hi), hi, 0.0)
        return float(np.interp(altitude, self.altitude, hi0))


def _targets(alts: F64, ranges: F64, target_speed: float, aspect: str) -> tuple[F64, F64, F64]:
    """Launcher (3,), target positions (K, 3) and velocities (K, 3), ECEF, of targets at
    ``ranges`` (K,) m due north of the table site and ``alts`` (K,) m, flying south
    (head-on) or east (crossing) at ``target_speed`` m/s."""
    lat0, lon0 = TABLE_SITE
    launcher = LocalFrame(lat0, lon0, 0.0).origin
    lat = lat0 + ranges / MEAN_RADIUS
    pos = geodetic_to_ecef(lat, np.full_like(lat, lon0), alts)
    sl, cl = np.sin(lat), np.cos(lat)
    if aspect == "head-on":
        v_dir = np.stack([sl * np.cos(lon0), sl * np.sin(lon0), -cl], axis=-1)  # -north
    else:
        v_dir = np.broadcast_to(np.array([-np.sin(lon0), np.cos(lon0), 0.0]), (lat.size, 3))
    return launcher, pos, v_dir * target_speed


def solve_max_launch_range(
    spec: MissileSpec,
    target_speed: float,
    alts: ArrayLike,
    lo: ArrayLike,
    hi: ArrayLike,
    aspect: Literal["head-on", "crossing"] = "head-on",
) -> tuple[F64, F64]:
    """Largest launch ground range (K,) m in ``[lo, hi]`` (K,) at altitudes ``alts`` (K,),
    given feasibility at ``lo`` and not at ``hi``: :data:`N_LAUNCH_BISECT` bisection
    steps on :func:`predicted_intercept`. Returns (range, intercept ground range)."""
    a = np.asarray(alts, dtype=float)
    lo_ = np.asarray(lo, dtype=float).copy()
    hi_ = np.asarray(hi, dtype=float).copy()
    for _ in range(N_LAUNCH_BISECT):
        mid = 0.5 * (lo_ + hi_)
        launcher, pos, vel = _targets(a, mid, target_speed, aspect)
        ok = predicted_intercept(spec, launcher, pos, vel)[0]
        lo_ = np.where(ok, mid, lo_)
        hi_ = np.where(ok, hi_, mid)
    launcher, pos, vel = _targets(a, lo_, target_speed, aspect)
    ok, _, pip = predicted_intercept(spec, launcher, pos, vel)
    return lo_, np.where(ok, ground_range(launcher, pip), np.nan)


def envelope(
    spec: MissileSpec,
    target_speed: float,
    target_altitude_grid: ArrayLike | None = None,
    aspect: Literal["head-on", "crossing"] = "head-on",
    ranges: ArrayLike | None = None,
) -> EnvelopeTable:
    """Launch envelope of ``spec`` against a target at constant speed and altitude.

    Parameters
    ----------
    spec : missile preset
    target_speed : m/s
    target_altitude_grid : (A,) m (default: the flyout table's altitudes up to 1.2 x
        ``spec.max_altitude``)
    aspect : ``"head-on"`` — the target flies straight at the launcher; ``"crossing"`` —
        it flies perpendicular to the line of sight at launch
    ranges : (R,) m — target ground ranges at launch, the sampling grid (default 1 km to
        1.6 x max_range). The maximum launch range is solved by bisection between the
        last feasible sample and the next; if the last sample is feasible the bracket
        is extended (doubling) until a launch is infeasible.

    Returns
    -------
    :class:`EnvelopeTable`
    """
    if aspect not in ("head-on", "crossing"):
        raise ValueError(f"aspect must be 'head-on' or 'crossing', got {aspect!r}")
    if target_altitude_grid is None:
        alts = ALTITUDES[ALTITUDES <= 1.2 * spec.max_altitude]
    else:
        alts = np.atleast_1d(np.asarray(target_altitude_grid, dtype=float))
    if ranges is None:
        rng = np.linspace(1000.0, 1.6 * spec.max_range, 81)
    else:
        rng = np.atleast_1d(np.asarray(ranges, dtype=float))
    a_n, r_n = alts.size, rng.size
    launcher, pos, vel = _targets(np.repeat(alts, r_n), np.tile(rng, a_n), target_speed, aspect)
    feas, tf, pip = predicted_intercept(spec, launcher, pos, vel)
    shape = (a_n, r_n)
    feas2 = feas.reshape(shape)
    ir = np.where(feas, ground_range(launcher, pip), np.nan)
    # solve the maximum launch range at each altitude
    max_launch = np.full(a_n, np.nan)
    max_ir = np.full(a_n, np.nan)
    rows = np.flatnonzero(feas2.any(axis=1))
    if rows.size:
        last = r_n - 1 - np.argmax(feas2[rows, ::-1], axis=1)
        lo = rng[last]
        hi = np.where(last < r_n - 1, rng[np.minimum(last + 1, r_n - 1)], 2.0 * rng[-1])
        for _ in range(6):  # the last sample feasible: extend the bracket
            beyond = last == r_n - 1
            if not beyond.any():
                break
            launcher, p_b, v_b = _targets(alts[rows], hi, target_speed, aspect)
            still = predicted_intercept(spec, launcher, p_b, v_b)[0] & beyond
            lo = np.where(still, hi, lo)
            hi = np.where(still, 2.0 * hi, hi)
            last = np.where(still, last, -1)
        max_launch[rows], max_ir[rows] = solve_max_launch_range(
            spec, target_speed, alts[rows], lo, hi, aspect
        )
    return EnvelopeTable(
        missile=spec.name,
        aspect=aspect,
        target_speed=float(target_speed),
        altitude=alts,
        ground_range=rng,
        feasible=feas2,
        t_flight=tf.reshape(shape),
        intercept_range=ir.reshape(shape),
        max_launch_range=max_launch,
        max_launch_intercept_range=max_ir,
    )


if __name__ == "__main__":  # regenerate the shipped tables of the preset missiles
    from airdefsim.scenario.presets import get_presets

    package, name = SHIPPED_TABLES
    target = Path(str(resources.files(package))) / name
    print(write_tables(get_presets().missiles, target))
