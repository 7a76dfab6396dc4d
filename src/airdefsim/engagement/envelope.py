"""Engagement envelopes and predicted intercept points, from the flyout model itself.

Once per missile spec (cached) the flyout model (:class:`airdefsim.physics.flyout.
Interceptors`) flies a grid of interceptors at *stationary* points: ground range (great-
circle distance from the launcher, m) × altitude above the ellipsoid (m). The table keeps,
per cell, the time of flight and the speed at arrival, and whether the point was
reached with a usable end game: closest approach within :data:`REACH_MISS` (or the
lethal radius), speed at least :data:`V_END_MIN` and an aerodynamic manoeuvre capability
of at least :data:`G_END_MIN` at the burnt-out mass.

:func:`predicted_intercept` then solves, for every target flying straight on, the
earliest time ``t`` at which the missile's time of flight to the target's position
``p(t) = p0 + v t`` equals ``t`` (bilinear interpolation of the table, sampled in ``t``
then refined linearly), and applies the published/assumed limits of the spec: minimum
and maximum range, minimum and maximum altitude, maximum target speed and, for
ballistic targets, ``vs_ballistic_range``. A missile must also be faster at the
intercept than the target's velocity component across the line of sight (× 1.2), and at
least 0.3 × the target's speed (measured limit of the flyout's end game).

:func:`envelope` evaluates that over a range × altitude grid for a head-on or crossing
target, which is what ``airdefsim envelope`` prints and draws.
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
N_RANGES = 40  # table ground-range samples, 0.5 km to 1.5 x max_range
V_END_MIN = 400.0  # m/s, minimum speed at intercept for a usable end game (assumed)
G_END_MIN = 5.0 * G0  # m/s², minimum aerodynamic manoeuvre capability at intercept (assumed)
REACH_MISS = 30.0  # m, a stationary point counts as reached within this miss
CROSS_MARGIN = 1.2  # missile must be this much faster than the target's crossing speed
SPEED_RATIO_MIN = 0.3  # missile speed at intercept / target speed, at least (measured on
# the flyout: PAC-3 MSE still hits a 2.1-2.6 km/s target diving 35-45° at a speed ratio of
# 0.33; with a PN mid-course on the falling target, the end game no longer saturates at 0.55)
N_TIME_SAMPLES = 160
TABLE_SITE = (np.radians(45.0), 0.0)  # launcher site of the reference flyouts (rad)
TABLE_SEED = 20260101


@dataclass(frozen=True)
class FlyoutTable:
    """Flyouts of one missile at stationary points.

    altitude : (A,) m; ground_range : (R,) m;
    t_flight : (A, R) s (nan where not reached with a usable end game);
    speed : (A, R) m/s at the closest approach (nan where not reached);
    reached : (A, R) bool — reached with a usable end game.
    """

    missile: str
    altitude: F64
    ground_range: F64
    t_flight: F64
    speed: F64
    reached: B

    @property
    def max_ground_range(self) -> float:
        """Largest ground range (m) reached at any altitude."""
        gr = np.broadcast_to(self.ground_range, self.reached.shape)
        return float(gr[self.reached].max()) if self.reached.any() else 0.0

    @property
    def max_altitude(self) -> float:
        """Highest altitude (m) reached at any range."""
        alt = np.broadcast_to(self.altitude[:, None], self.reached.shape)
        return float(alt[self.reached].max()) if self.reached.any() else 0.0


_CACHE: dict[str, FlyoutTable] = {}

# Tables of the preset missiles ship precomputed (computing the five takes ~10 s); a
# table is used only if its key - a hash of MODEL_VERSION and the full spec - matches, so
# a changed preset or a user-overridden spec is recomputed. Bump MODEL_VERSION and run
# ``python -m airdefsim.engagement.envelope`` after changing the flyout model.
MODEL_VERSION = "flyout-4"
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
    """Fly one interceptor at each stationary point, all at once.

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
    flights = Interceptors(capacity=max(n, 1))
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
        "ground_range": [round(float(v), 3) for v in t.ground_range],
        "t_flight": rows(t.t_flight),
        "speed": rows(t.speed),
    }


def _table_from_json(raw: dict[str, Any]) -> FlyoutTable:
    t_f = np.array(raw["t_flight"], dtype=float)
    return FlyoutTable(
        missile=str(raw["missile"]),
        altitude=np.array(raw["altitude"], dtype=float),
        ground_range=np.array(raw["ground_range"], dtype=float),
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


def _compute_table(spec: MissileSpec) -> FlyoutTable:
    lat0, lon0 = TABLE_SITE
    launcher = geodetic_to_ecef(lat0, lon0, 0.0)
    ranges = np.linspace(500.0, 1.5 * spec.max_range, N_RANGES)
    pts = _points(lat0, lon0, ranges, ALTITUDES)
    res = fly_to_points(spec, launcher, pts.reshape(-1, 3))
    shape = pts.shape[:2]
    t_f = res["t_flight"].reshape(shape)
    speed = res["speed"].reshape(shape)
    miss = res["miss"].reshape(shape)
    reason = res["reason"].reshape(shape)
    _, _, rho, _ = isa(ALTITUDES)
    area = np.pi * spec.diameter**2 / 4.0
    g_avail = CN_MAX * 0.5 * rho[:, None] * speed**2 * area / spec.motor_burnout_mass
    reached = (
        np.isin(reason, ("fuze", "miss"))
        & (miss <= max(REACH_MISS, spec.lethal_radius))
        & (speed >= V_END_MIN)
        & (g_avail >= G_END_MIN)
    )
    gr = ground_range(launcher, pts[0])
    return FlyoutTable(
        missile=spec.name,
        altitude=ALTITUDES.copy(),
        ground_range=gr,
        t_flight=np.where(reached, t_f, np.nan),
        speed=np.where(reached, speed, np.nan),
        reached=reached,
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

    def interp_t(hg: F64) -> F64:
        return _bilinear(table.altitude, table.ground_range, table.t_flight, hg)

    def interp_v(hg: F64) -> F64:
        return _bilinear(table.altitude, table.ground_range, table.speed, hg)

    t_max = float(np.nanmax(table.t_flight))
    tau = np.linspace(0.0, t_max, N_TIME_SAMPLES)
    lat_l, lon_l, _ = ecef_to_geodetic(lp)
    fall = None
    if ballistic is not None:
        fall = np.asarray(ballistic, dtype=bool).reshape(-1)
    lat, lon, h = flight_path(tp, tv, tau, fall)  # (N, S)
    gr = _arc(lat_l, lon_l, lat, lon)
    h_q = np.maximum(h, table.altitude[0])  # lower than the lowest row: as the lowest row
    tf = interp_t(np.stack([h_q, gr], axis=-1))  # (N, S)
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
        f0, f1 = f[rows, kk - 1], f[rows, kk]
        w = f0 / np.maximum(f0 - f1, 1e-12)
        t_int = tau[kk - 1] + w * (tau[kk] - tau[kk - 1])
        fall_r = None if fall is None else fall[rows]
        la_r, lo_r, h_r = (a[:, 0] for a in flight_path(tp[rows], tv[rows], t_int[:, None], fall_r))
        pip_r = geodetic_to_ecef(la_r, lo_r, h_r)
        gr_r = _arc(lat_l, lon_l, la_r, lo_r)
        hg_r = np.stack([np.maximum(h_r, table.altitude[0]), gr_r], axis=-1)
        tf_r = interp_t(hg_r)
        v_end = interp_v(hg_r)
        los = pip_r - lp
        los /= np.linalg.norm(los, axis=1, keepdims=True)
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
        good = (
            np.isfinite(tf_r)
            & (gr_r >= spec.min_range)
            & (gr_r <= max_rng)
            & (h_r >= spec.min_altitude)
            & (h_r <= spec.max_altitude)
            & (v_end >= CROSS_MARGIN * v_cross)
            & (v_end >= SPEED_RATIO_MIN * speed_t)
        )
        if spec.max_target_speed is not None:
            good &= speed_t <= spec.max_target_speed.at(float(np.median(h_r)))
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
    at launch; feasible : (A, R) bool; t_flight : (A, R) s (inf where infeasible);
    intercept_range : (A, R) m — ground range of the intercept point (nan if infeasible).
    """

    missile: str
    aspect: str
    target_speed: float
    altitude: F64
    ground_range: F64
    feasible: B
    t_flight: F64
    intercept_range: F64

    @property
    def max_range_m(self) -> float:
        """Largest launch ground range (m) with a feasible intercept."""
        gr = np.broadcast_to(self.ground_range, self.feasible.shape)
        return float(gr[self.feasible].max()) if self.feasible.any() else 0.0

    @property
    def max_altitude_m(self) -> float:
        """Highest target altitude (m) with a feasible intercept."""
        alt = np.broadcast_to(self.altitude[:, None], self.feasible.shape)
        return float(alt[self.feasible].max()) if self.feasible.any() else 0.0

    def range_band(self) -> tuple[F64, F64]:
        """Per altitude, min and max launch ground range (A,), m (nan where none)."""
        gr = np.broadcast_to(self.ground_range, self.feasible.shape)
        lo = np.where(self.feasible, gr, np.inf).min(axis=1)
        hi = np.where(self.feasible, gr, -np.inf).max(axis=1)
        return np.where(np.isfinite(lo), lo, np.nan), np.where(np.isfinite(hi), hi, np.nan)

    def max_range_at(self, altitude: float) -> float:
        """Max launch ground range (m) at ``altitude`` (m), interpolated between rows."""
        _, hi = self.range_band()
        hi0 = np.where(np.isfinite(hi), hi, 0.0)
        return float(np.interp(altitude, self.altitude, hi0))


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
    ranges : (R,) m — target ground ranges at launch (default 0 to 1.6 x max_range)

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
    lat0, lon0 = TABLE_SITE
    frame = LocalFrame(lat0, lon0, 0.0)
    launcher = frame.origin
    pts = _points(lat0, lon0, rng, alts)  # (A, R, 3), due north of the launcher
    lat_pts = lat0 + rng / MEAN_RADIUS
    # local horizontal velocity at each point: south (head-on) or east (crossing)
    sl, cl = np.sin(lat_pts), np.cos(lat_pts)
    if aspect == "head-on":
        v_dir = np.stack([sl * np.cos(lon0), sl * np.sin(lon0), -cl], axis=-1)  # -north
    else:
        v_dir = np.broadcast_to(np.array([-np.sin(lon0), np.cos(lon0), 0.0]), (rng.size, 3))
    vel = np.broadcast_to(v_dir * target_speed, pts.shape)
    feas, tf, pip = predicted_intercept(spec, launcher, pts.reshape(-1, 3), vel.reshape(-1, 3))
    shape = pts.shape[:2]
    ir = np.where(feas, ground_range(launcher, pip), np.nan)
    return EnvelopeTable(
        missile=spec.name,
        aspect=aspect,
        target_speed=float(target_speed),
        altitude=alts,
        ground_range=rng,
        feasible=feas.reshape(shape),
        t_flight=tf.reshape(shape),
        intercept_range=ir.reshape(shape),
    )


if __name__ == "__main__":  # regenerate the shipped tables of the preset missiles
    from airdefsim.scenario.presets import get_presets

    package, name = SHIPPED_TABLES
    target = Path(str(resources.files(package))) / name
    print(write_tables(get_presets().missiles, target))
