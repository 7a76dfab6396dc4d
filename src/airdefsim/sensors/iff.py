"""IFF interrogation: friendly transponders reply, hostiles and silent objects don't.

A reply needs a working transponder (``iff_mode`` 1 = civil mode 3/C, 5 = military mode
5) on a friendly object; each interrogation succeeds with the mode's reply probability
(garbling, fading, antenna shading). Hostile objects never reply (no spoofing model).
The reliabilities are assumed nominal values, not published figures.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

B = NDArray[np.bool_]

#: Reply probability per interrogation, by transponder mode (assumed: nominal values
#: for a training simulator; no public figure).
RELIABILITY: dict[int, float] = {0: 0.0, 1: 0.95, 5: 0.98}


def interrogate(
    iff_mode: ArrayLike,
    is_friendly: ArrayLike,
    rng: np.random.Generator,
    reliability: dict[int, float] | float | None = None,
) -> B:
    """One interrogation of each object.

    Parameters
    ----------
    iff_mode : (N,) int — 0 no transponder, 1 mode 3/C (civil), 5 mode 5 (military)
    is_friendly : (N,) bool
    rng : numpy Generator
    reliability : reply probability, either per mode (dict) or one value for every
        mode with a transponder; default :data:`RELIABILITY`

    Returns
    -------
    reply : (N,) bool — True where a valid reply was received
    """
    mode = np.asarray(iff_mode, dtype=np.int64)
    friendly = np.asarray(is_friendly, dtype=bool)
    if reliability is None:
        table = RELIABILITY
    elif isinstance(reliability, dict):
        table = {**RELIABILITY, **reliability}
    else:
        table = {m: (float(reliability) if m != 0 else 0.0) for m in RELIABILITY}
    p = np.zeros(mode.shape, dtype=float)
    for m, pm in table.items():
        p[mode == m] = pm
    draw = rng.random(mode.shape)
    return friendly & (mode != 0) & (draw < p)
