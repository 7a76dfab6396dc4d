"""Radar horizon on the effective-earth (4/3) model.

Refraction bends radar rays toward the earth; replacing the earth radius ``a`` by
``k·a`` (k = 4/3 for the standard atmosphere, dN/dh ≈ -39e-9 per m) lets rays be straight
lines. References: Skolnik, *Introduction to Radar Systems*, §8; MATLAB
``effearthradius``/``horizonrange``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airdefsim.geo.wgs84 import MEAN_RADIUS

F64 = NDArray[np.float64]
K_STANDARD = 4.0 / 3.0


def effective_earth_radius(
    earth_radius: float = MEAN_RADIUS, refractivity_gradient: float | None = None
) -> float:
    """Effective earth radius k·a in m. With ``refractivity_gradient`` dN/dh (per m):
    k = 1 / (1 + a·dN/dh); without it k = 4/3."""
    if refractivity_gradient is None:
        return K_STANDARD * earth_radius
    return earth_radius / (1.0 + earth_radius * refractivity_gradient)


def horizon_range(h: ArrayLike, eff_radius: float = K_STANDARD * MEAN_RADIUS) -> F64:
    """Distance (m) from a point at height ``h`` (m) to its radar horizon:
    sqrt(2·Re·h + h²)."""
    hh = np.maximum(np.asarray(h, dtype=float), 0.0)
    return np.sqrt(2.0 * eff_radius * hh + hh * hh)


def max_los_range(
    h1: ArrayLike, h2: ArrayLike, eff_radius: float = K_STANDARD * MEAN_RADIUS
) -> F64:
    """Greatest range (m) at which heights ``h1`` and ``h2`` (m) see each other over a
    smooth effective earth: the two horizon ranges add."""
    return horizon_range(h1, eff_radius) + horizon_range(h2, eff_radius)


def is_visible(
    ground_range: ArrayLike,
    h_sensor: ArrayLike,
    h_target: ArrayLike,
    eff_radius: float = K_STANDARD * MEAN_RADIUS,
) -> NDArray[np.bool_]:
    """True where a target at ``h_target`` (m) and ground range (m) is above the smooth
    effective-earth horizon of a sensor at ``h_sensor`` (m)."""
    return np.asarray(ground_range, dtype=float) <= max_los_range(h_sensor, h_target, eff_radius)


def min_visible_height(
    ground_range: ArrayLike, h_sensor: ArrayLike, eff_radius: float = K_STANDARD * MEAN_RADIUS
) -> F64:
    """Lowest target height (m) visible at ``ground_range`` (m) from a sensor at
    ``h_sensor`` (m): 0 inside the sensor's own horizon, else (d - d_s)² / (2 Re)."""
    d = np.asarray(ground_range, dtype=float)
    ds = horizon_range(h_sensor, eff_radius)
    beyond = np.maximum(d - ds, 0.0)
    return beyond * beyond / (2.0 * eff_radius)


def elevation_on_effective_earth(
    ground_range: ArrayLike,
    h_sensor: ArrayLike,
    h_target: ArrayLike,
    eff_radius: float = K_STANDARD * MEAN_RADIUS,
) -> F64:
    """Apparent elevation angle (rad) of a target seen over the effective earth
    (law of cosines on the triangle centre–sensor–target)."""
    d = np.asarray(ground_range, dtype=float)
    r1 = eff_radius + np.asarray(h_sensor, dtype=float)
    r2 = eff_radius + np.asarray(h_target, dtype=float)
    theta = d / eff_radius
    slant = np.sqrt(np.maximum(r1 * r1 + r2 * r2 - 2 * r1 * r2 * np.cos(theta), 1e-12))
    sin_el = (r2 * r2 - r1 * r1 - slant * slant) / (2 * r1 * slant)
    return np.arcsin(np.clip(sin_el, -1.0, 1.0))
