"""Propagation: smooth-earth radar horizon, atmospheric attenuation, low-elevation loss.

* Radar horizon: the 4/3 effective-earth model of :mod:`airdefsim.geo.horizon`; the
  ground range is the arc length on the mean sphere between the nadir points.
* Atmospheric attenuation: a sea-level specific attenuation per band (two-way = twice
  one-way) decaying exponentially with height (scale height ``SCALE_HEIGHT``), integrated
  along the straight path whose height varies linearly between the endpoints.
  Values are read approximately off Blake's attenuation charts (Skolnik, *Radar
  Handbook*, 3rd ed., ch. 26; Blake, NRL Report 7098); the earth's curvature under the
  path is neglected, which slightly underestimates the loss of long low paths.
* Low-elevation loss: clutter in the lower beam and multipath lobing make a target
  near the horizon harder to see; modelled as a loss rising quadratically from 0 dB at
  one elevation beamwidth to ``clutter_loss`` dB at zero (and negative) elevation. This
  is an assumed smooth envelope, not a lobing model.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airdefsim.geo.horizon import K_STANDARD, max_los_range
from airdefsim.geo.wgs84 import MEAN_RADIUS

F64 = NDArray[np.float64]
B = NDArray[np.bool_]

EFF_RADIUS = K_STANDARD * MEAN_RADIUS  # m, 4/3 earth
SCALE_HEIGHT = 6000.0  # m, assumed scale height of the absorbing gases (O2 + H2O)

#: One-way sea-level specific attenuation, dB/km (approximate, Blake's charts).
ATTENUATION_DB_PER_KM: dict[str, float] = {
    "HF": 0.0,
    "VHF": 0.0008,
    "UHF": 0.002,
    "L": 0.0045,
    "S": 0.006,
    "C": 0.0075,
    "X": 0.011,
    "Ku": 0.03,
    "K": 0.1,
    "Ka": 0.07,
}


def ground_range(pos_a: ArrayLike, pos_b: ArrayLike) -> F64:
    """Arc length (m) on the mean-radius sphere between the nadirs of ECEF points.

    Parameters
    ----------
    pos_a : (3,) or (N, 3) float, m, ECEF
    pos_b : (N, 3) float, m, ECEF

    Returns
    -------
    (N,) float, m
    """
    a = np.asarray(pos_a, dtype=float)
    b = np.asarray(pos_b, dtype=float)
    cross = np.linalg.norm(np.cross(a, b), axis=-1)
    dot = np.sum(a * b, axis=-1)
    return MEAN_RADIUS * np.arctan2(cross, dot)


def is_above_horizon(
    ground_rng: ArrayLike, h_sensor: ArrayLike, h_target: ArrayLike, eff_radius: float = EFF_RADIUS
) -> B:
    """True where the target is within the smooth 4/3-earth line of sight.

    ground_rng : (N,) m; h_sensor : antenna height (m); h_target : (N,) m (heights above
    the ellipsoid; the earth is treated as a sphere of radius ``eff_radius``)."""
    return np.asarray(ground_rng, dtype=float) <= max_los_range(h_sensor, h_target, eff_radius)


def atmospheric_loss_db(
    band: str, slant_range: ArrayLike, h_sensor: ArrayLike, h_target: ArrayLike
) -> F64:
    """Two-way atmospheric attenuation (dB) along a straight path.

    Parameters
    ----------
    band : radar band letter (unknown bands use the S-band value)
    slant_range : (N,) float, m
    h_sensor, h_target : heights (m) of the path ends

    Returns
    -------
    (N,) float, dB, >= 0 — ``2 γ0 R · mean(exp(-h/H))`` over the path
    """
    gamma = ATTENUATION_DB_PER_KM.get(band, ATTENUATION_DB_PER_KM["S"])
    r_km = np.asarray(slant_range, dtype=float) / 1000.0
    h1 = np.maximum(np.asarray(h_sensor, dtype=float), 0.0)
    h2 = np.maximum(np.asarray(h_target, dtype=float), 0.0)
    dh = h2 - h1
    e1 = np.exp(-h1 / SCALE_HEIGHT)
    e2 = np.exp(-h2 / SCALE_HEIGHT)
    small = np.abs(dh) < 1.0
    mean = np.where(small, e1, SCALE_HEIGHT * (e1 - e2) / np.where(small, 1.0, dh))
    return 2.0 * gamma * r_km * mean


def low_elevation_loss_db(el: ArrayLike, beamwidth_el: float, max_loss_db: float) -> F64:
    """Clutter and multipath loss (dB) of a target seen at elevation ``el`` (rad):
    ``max_loss_db · (1 - el/beamwidth_el)²`` for ``0 <= el < beamwidth_el``,
    ``max_loss_db`` below 0, and 0 above one beamwidth."""
    x = np.clip(1.0 - np.asarray(el, dtype=float) / beamwidth_el, 0.0, 1.0)
    return max_loss_db * x * x
