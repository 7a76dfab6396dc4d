"""Radar cross-section of air objects by aspect and band: pure functions shared by the
radars (:mod:`airdefsim.sensors`) and the interceptors' seekers (:mod:`airdefsim.physics`).

A base module (like :mod:`airdefsim.types`), so that physics need not import sensors.

An :class:`~airdefsim.scenario.schema.RcsSpec` gives, per radar band, the RCS (dBsm) seen
from the nose (aspect 0), the side (π/2) and the tail (π); between them the RCS is
interpolated linearly in dBsm over the aspect angle. Bands not listed use ``default``.
The aspect is symmetric (left and right sides alike), so only |aspect| in [0, π] counts.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from airdefsim.scenario.schema import RcsSpec

F64 = NDArray[np.float64]

_ASPECTS = np.array([0.0, 0.5 * np.pi, np.pi])


def rcs_dbsm(spec: RcsSpec, band: str, aspect: ArrayLike) -> F64:
    """RCS (dBsm) of objects of one type seen at ``aspect`` in radar band ``band``.

    Parameters
    ----------
    spec : RcsSpec — aspect tables (dBsm) by band
    band : str — radar band letter (``"L"``, ``"S"``, ``"C"``, ``"X"`` …)
    aspect : (N,) float, rad — angle between the object's nose (velocity direction) and
        the line from the object to the radar; 0 head-on, π tail-on. Any real value is
        folded into [0, π].

    Returns
    -------
    (N,) float, dBsm
    """
    table = spec.bands.get(band, spec.default)
    a = np.abs(np.asarray(aspect, dtype=float))
    a = np.mod(a, 2.0 * np.pi)
    a = np.where(a > np.pi, 2.0 * np.pi - a, a)
    return np.interp(a, _ASPECTS, [table.nose, table.side, table.tail])


def aspect_angle(pos: ArrayLike, vel: ArrayLike, radar_pos: ArrayLike) -> F64:
    """Aspect angle (rad, [0, π]) of objects at ``pos`` moving with ``vel`` seen from
    ``radar_pos``.

    Parameters
    ----------
    pos : (N, 3) float, m — object positions (any Cartesian frame, e.g. ECEF)
    vel : (N, 3) float, m/s — velocities in the same frame (zero: treated as head-on)
    radar_pos : (3,) or (N, 3) float, m — radar (or seeker) position(s) in the same frame

    Returns
    -------
    (N,) float, rad — 0 when the object flies straight at the radar
    """
    p = np.asarray(pos, dtype=float)
    v = np.asarray(vel, dtype=float)
    los = np.asarray(radar_pos, dtype=float) - p
    num = np.einsum("ij,ij->i", v, los)
    den = np.linalg.norm(v, axis=1) * np.linalg.norm(los, axis=1)
    cos = np.where(den > 0, num / np.where(den > 0, den, 1.0), 1.0)
    return np.arccos(np.clip(cos, -1.0, 1.0))


def rcs_m2(dbsm: ArrayLike) -> F64:
    """dBsm -> m²."""
    return np.power(10.0, np.asarray(dbsm, dtype=float) / 10.0)
