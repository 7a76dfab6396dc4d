"""Threat evaluation: which tracks threaten which defended asset, how soon, how much.

Each track is extrapolated along a straight line (constant velocity, ECEF; under
gravity for a ballistic missile) and compared with every defended asset (a sphere of
``radius`` around the asset's position, grown by ``TOLERANCE`` × the track's distance for
the heading error of an estimated track). The time to the asset is the time at which the
path first enters that sphere; a track whose path misses every sphere, or that is
opening, has ``inf``.

The threat score of a track (larger is more threatening) is

    s = w_id * w_kind * max_a V_a / (t_a + t0)

with ``V_a`` the asset value, ``t_a`` the time to asset ``a`` and ``t0`` (s) a softening
time so that a threat already over an asset does not get an infinite score. A track that
threatens no asset gets a small score that still grows with its closing speed on the
nearest asset, so an inbound track always ranks above an otherwise identical outbound
one. Friendly tracks get score 0 and rank 0 (not ranked). Identity weights: hostile 1,
unknown ``UNKNOWN_WEIGHT``; type weights in ``KIND_WEIGHT``.

This is a simple time-to-go / value model in the spirit of the threat-evaluation
literature (Roux & van Vuuren, "Threat evaluation and weapon assignment decision
support", ORiON 23(2), 2007), not any fielded system's logic.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airdefsim.geo.wgs84 import ecef_to_geodetic
from airdefsim.types import F64, I64, Asset

#: weight of each threat kind in the score (dimensionless)
KIND_WEIGHT: dict[str, float] = {
    "ballistic_missile": 3.0,
    "cruise_missile": 2.0,
    "aircraft": 1.5,
    "drone": 1.0,
    "airliner": 1.0,
    "unknown": 1.0,
}
#: weight of an unknown track relative to a hostile one
UNKNOWN_WEIGHT = 0.5
#: softening time in the score, s
T0 = 10.0
#: score scale of tracks that threaten no asset (below any real threat)
NO_THREAT_SCALE = 1e-6
#: asset spheres grow by this fraction of the track's distance (heading error, assumed)
TOLERANCE = 0.02
#: m/s², standard gravity (ballistic tracks are extrapolated under it)
G0 = 9.80665


def classify(pos: ArrayLike, vel: ArrayLike) -> NDArray[np.object_]:
    """The kind of each track from its kinematics alone (:data:`airdefsim.types.TrackKind`).

    The one classifier of the project: the air picture carries its answer
    (``AirPicture.kind``), which the doctrine, the fire control, the console and the
    report all read.

    Parameters
    ----------
    pos : (M, 3) float, m, ECEF
    vel : (M, 3) float, m/s, ECEF

    Returns
    -------
    (M,) object — ``"ballistic_missile"`` (speed > 1000 m/s, or > 600 m/s and above
    25 km), ``"cruise_missile"`` (120-350 m/s below 300 m), ``"drone"`` (< 60 m/s) or
    ``"aircraft"``. Rules of thumb, assumed, not from a source.
    """
    pos = np.atleast_2d(np.asarray(pos, dtype=float))
    vel = np.atleast_2d(np.asarray(vel, dtype=float))
    out = np.full(pos.shape[0], "aircraft", dtype=object)
    if pos.shape[0] == 0:
        return out
    _, _, h = ecef_to_geodetic(pos)
    speed = np.linalg.norm(vel, axis=1)
    out[speed < 60.0] = "drone"
    out[(speed >= 120.0) & (speed <= 350.0) & (h < 300.0)] = "cruise_missile"
    out[(speed > 1000.0) | ((speed > 600.0) & (h > 25e3))] = "ballistic_missile"
    return out


def time_to_assets(
    pos: ArrayLike,
    vel: ArrayLike,
    asset_pos: ArrayLike,
    asset_radius: ArrayLike,
    accel: ArrayLike | None = None,
    tolerance: float = 0.0,
) -> tuple[F64, F64]:
    """Time for each track to enter each asset's sphere.

    Straight-line extrapolation ``p + v t`` (closed form), or ``p + v t + a t²/2`` for
    the tracks with a non-zero ``accel`` row (sampled every ``BALLISTIC_DT`` s up to
    ``BALLISTIC_HORIZON`` s, entry interpolated linearly between samples).

    Parameters
    ----------
    pos, vel : (M, 3) float, m and m/s, ECEF
    asset_pos : (A, 3) float, m, ECEF
    asset_radius : (A,) float, m
    accel : (M, 3) float, m/s², ECEF, optional — constant acceleration (gravity for a
        ballistic track)
    tolerance : float — the sphere's radius grows by ``tolerance`` × the track's present
        distance to the asset (estimated heading error; 0.02 ≈ 1.1°)

    Returns
    -------
    t_enter : (M, A) float, s — 0 when already inside, ``inf`` when the path misses the
        sphere or the closest approach is in the past
    closing : (M, A) float, m/s — rate of decrease of the range to the asset
    """
    pos = np.atleast_2d(np.asarray(pos, dtype=float))
    vel = np.atleast_2d(np.asarray(vel, dtype=float))
    apos = np.asarray(asset_pos, dtype=float).reshape(-1, 3)
    r = apos[None, :, :] - pos[:, None, :]  # (M, A, 3) track -> asset
    dist = np.linalg.norm(r, axis=2)
    rad = np.asarray(asset_radius, dtype=float).reshape(1, -1) + tolerance * dist  # (M, A)
    v2 = np.einsum("mi,mi->m", vel, vel)[:, None]
    rv = np.einsum("mai,mi->ma", r, vel)
    with np.errstate(divide="ignore", invalid="ignore"):
        closing = np.where(dist > 0, rv / dist, 0.0)
        t_cpa = np.where(v2 > 0, rv / v2, 0.0)
    safe_v2 = np.where(v2 > 0, v2, 1.0)
    miss2 = np.maximum(dist**2 - np.where(v2 > 0, rv**2 / safe_v2, 0.0), 0.0)
    inside = dist <= rad
    half_chord = np.sqrt(np.maximum(rad**2 - miss2, 0.0) / safe_v2)
    t_enter = np.where(
        (miss2 <= rad**2) & (t_cpa > 0) & (v2 > 0),
        np.maximum(t_cpa - half_chord, 0.0),
        np.inf,
    )
    t_enter = np.where(inside, 0.0, t_enter)
    if accel is not None:
        acc = np.atleast_2d(np.asarray(accel, dtype=float))
        rows = np.flatnonzero(np.any(acc != 0.0, axis=1))
        if rows.size:
            t_enter[rows] = _sampled_entry(pos[rows], vel[rows], acc[rows], apos, rad[rows])
            t_enter[rows] = np.where(inside[rows], 0.0, t_enter[rows])
    return t_enter, closing


#: s, sample step of the accelerated (ballistic) extrapolation
BALLISTIC_DT = 1.0
#: s, how far ahead the accelerated extrapolation looks
BALLISTIC_HORIZON = 900.0


def _sampled_entry(pos: F64, vel: F64, acc: F64, apos: F64, rad: F64) -> F64:
    """(B, A) first time the path ``p + v t + a t²/2`` is within ``rad`` of each asset."""
    t = np.arange(0.0, BALLISTIC_HORIZON + BALLISTIC_DT, BALLISTIC_DT)  # (K,)
    path = (
        pos[:, None, :]
        + vel[:, None, :] * t[None, :, None]
        + 0.5 * acc[:, None, :] * t[None, :, None] ** 2
    )  # (B, K, 3)
    d = np.linalg.norm(path[:, :, None, :] - apos[None, None, :, :], axis=3)  # (B, K, A)
    excess = d - rad[:, None, :]
    hit = excess <= 0.0
    first = np.argmax(hit, axis=1)  # (B, A)
    any_hit = hit.any(axis=1)
    b, a = np.meshgrid(np.arange(pos.shape[0]), np.arange(apos.shape[0]), indexing="ij")
    k1 = first
    k0 = np.maximum(first - 1, 0)
    e0, e1 = excess[b, k0, a], excess[b, k1, a]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where((k1 > 0) & (e0 != e1), e0 / (e0 - e1), 0.0)
    out = t[k0] + np.clip(frac, 0.0, 1.0) * (t[k1] - t[k0])
    return np.where(any_hit, out, np.inf)


def score(
    pos: ArrayLike,
    vel: ArrayLike,
    identity: ArrayLike,
    assets: Sequence[Asset],
    kind_guess: ArrayLike | None = None,
    tolerance: float = TOLERANCE,
) -> tuple[F64, F64]:
    """Threat score and time to the nearest threatened asset of each track.

    Parameters
    ----------
    pos, vel : (M, 3) float, m and m/s, ECEF — track estimates
    identity : (M,) str — ``"hostile"``, ``"unknown"`` or ``"friendly"``
    assets : list of Asset (``pos`` (3,) ECEF m, ``value`` > 0, ``radius`` m)
    kind_guess : (M,) str or None — kind per track (keys of ``KIND_WEIGHT``); None:
        :func:`classify`. Ballistic tracks are extrapolated under gravity, the others
        in a straight line.
    tolerance : float — see :func:`time_to_assets`

    Returns
    -------
    score : (M,) float — 0 for friendly, > 0 otherwise (larger is more threatening)
    time_to_asset : (M,) float, s — earliest entry into any asset sphere, ``inf`` if none
    """
    pos = np.asarray(pos, dtype=float).reshape(-1, 3)
    vel = np.asarray(vel, dtype=float).reshape(-1, 3)
    m = pos.shape[0]
    ident = np.asarray(identity, dtype=object).reshape(-1)
    kinds = classify(pos, vel) if kind_guess is None else np.asarray(kind_guess, dtype=object)
    w_kind = np.array([KIND_WEIGHT.get(str(k), 1.0) for k in kinds], dtype=float)
    w_id = np.where(ident == "hostile", 1.0, UNKNOWN_WEIGHT)
    w_id = np.where(ident == "friendly", 0.0, w_id)
    if m == 0:
        return np.zeros(0), np.zeros(0)
    speed = np.linalg.norm(vel, axis=1)
    if not assets:
        # no defended asset: only kind and speed order the tracks
        return w_id * w_kind * NO_THREAT_SCALE * (1.0 + speed / 1000.0), np.full(m, np.inf)
    apos = np.array([np.asarray(a.pos, dtype=float).reshape(3) for a in assets])
    value = np.array([float(a.value) for a in assets])
    radius = np.array([float(a.radius) for a in assets])
    up = pos / np.maximum(np.linalg.norm(pos, axis=1, keepdims=True), 1.0)
    accel = np.where((kinds == "ballistic_missile")[:, None], -G0 * up, 0.0)
    t_enter, closing = time_to_assets(pos, vel, apos, radius, accel, tolerance)
    tta = t_enter.min(axis=1)
    threat = np.max(value[None, :] / (t_enter + T0), axis=1)  # inf time gives 0
    # fallback for tracks threatening nothing: value-weighted closing speed over range
    dist = np.linalg.norm(apos[None, :, :] - pos[:, None, :], axis=2)
    heading = closing / np.maximum(speed[:, None], 1.0)  # +1 straight in, -1 straight out
    approach = np.max(value[None, :] * (2.0 + heading) / (1.0 + dist / 1e4), axis=1)
    fallback = NO_THREAT_SCALE * approach / (1.0 + value.max())
    s = np.where(np.isfinite(tta), threat, fallback)
    return w_id * w_kind * s, tta


def rank(s: ArrayLike) -> I64:
    """Ranks from scores: 1 for the largest positive score, 0 for a score of 0.

    Ties keep the track order (stable sort).
    """
    s = np.asarray(s, dtype=float).reshape(-1)
    out = np.zeros(s.shape[0], dtype=np.int64)
    pos = np.flatnonzero(s > 0)
    order = pos[np.argsort(-s[pos], kind="stable")]
    out[order] = np.arange(1, order.size + 1)
    return out


def evaluate(
    pos: ArrayLike,
    vel: ArrayLike,
    identity: ArrayLike,
    assets: Sequence[Asset],
    kind_guess: ArrayLike | None = None,
    tolerance: float = TOLERANCE,
) -> tuple[I64, F64]:
    """Rank the tracks by threat (the seam the simulation calls each decision tick).

    Parameters
    ----------
    pos, vel : (M, 3) float, m and m/s, ECEF
    identity : (M,) str — ``"hostile"``, ``"unknown"`` or ``"friendly"``
    assets : list of Asset
    kind_guess : (M,) str or None (see :func:`score`)
    tolerance : float — asset spheres grow by this fraction of the track's distance

    Returns
    -------
    threat_rank : (M,) int — 1 is the most threatening; 0 for friendly tracks
    time_to_asset : (M,) float, s — time to enter the nearest threatened asset's sphere,
        ``inf`` when none is threatened
    """
    s, tta = score(pos, vel, identity, assets, kind_guess, tolerance)
    return rank(s), tta
