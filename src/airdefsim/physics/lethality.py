"""Kill probability from the miss distance: the warheads' damage functions (pure).

Blast-fragmentation warhead — the **Carleton damage function** in its circular form
(Driels, *Weaponeering: Conventional Weapon System Effectiveness*, 2nd ed., AIAA 2013,
ch. "Damage functions"; the same form serves for air targets in Ball, *The
Fundamentals of Aircraft Combat Survivability*, 2nd ed., ch. 5)::

    P_k(r) = D0 exp(-D0 r² / R_L²)

``r`` is the miss distance (closest approach), ``R_L`` the warhead's lethal radius and
``D0`` the kill probability of a pass through the target's centre (the preset's ``pk``).
Its lethal area ``∫ P_k dA = π R_L²`` is that of a cookie cutter of radius ``R_L``
whatever ``D0`` — a pass at ``R_L`` still kills with ``D0 e^(-D0)``, a pass at ``2 R_L``
rarely. The proximity fuze fires only within :data:`FUZE_RANGE_FACTOR` ``R_L`` (there
``P_k`` ≤ 1 %, assumed); a pass outside it is a miss without detonation.

Hit-to-kill (body-to-body impact): a cookie cutter — the round kills with ``D0`` when the
bodies touch (``r ≤ R_L``, ``R_L`` the sum of the half-sizes plus any lethality
enhancer), and not at all otherwise.

Against a re-entry vehicle a fragmentation warhead's ``R_L`` is scaled down by the
caller (:data:`airdefsim.physics.flyout.RV_LETHAL_SCALE`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

F64 = NDArray[np.float64]
B = NDArray[np.bool_]

FUZE_RANGE_FACTOR = 3.0  # proximity fuze range / lethal radius (assumed; P_k(3 R_L) < 1 %)


def kill_probability(
    miss: ArrayLike, lethal_radius: ArrayLike, pk: ArrayLike, hit_to_kill: ArrayLike
) -> F64:
    """Kill probability (...,) of a pass at ``miss`` (m).

    lethal_radius : (...) m; pk : (...) kill probability of a centred pass (D0);
    hit_to_kill : (...) bool — body-to-body impact (cookie cutter) instead of a
    fragmentation warhead (Carleton). Zero outside the fuze range.
    """
    r = np.asarray(miss, dtype=float)
    rl = np.maximum(np.asarray(lethal_radius, dtype=float), 1e-9)
    d0 = np.asarray(pk, dtype=float)
    htk = np.asarray(hit_to_kill, dtype=bool)
    carleton = d0 * np.exp(-d0 * (r / rl) ** 2)
    p = np.where(htk, np.where(r <= rl, d0, 0.0), carleton)
    return np.where(fuzed(r, rl, htk), p, 0.0)


def fuzed(miss: ArrayLike, lethal_radius: ArrayLike, hit_to_kill: ArrayLike) -> B:
    """Whether the warhead goes off (...,): within :data:`FUZE_RANGE_FACTOR` lethal radii
    for a proximity fuze, body contact (``miss ≤ lethal_radius``) for hit-to-kill."""
    r = np.asarray(miss, dtype=float)
    rl = np.asarray(lethal_radius, dtype=float)
    htk = np.asarray(hit_to_kill, dtype=bool)
    return np.asarray(np.where(htk, r <= rl, r <= FUZE_RANGE_FACTOR * rl), dtype=bool)
