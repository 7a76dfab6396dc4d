"""Track quality: is a track good enough to shoot at?

A fire unit commits a round only on a track it can trust. On a dense stream a tracker
can hop between objects; such a track shows a velocity no object could reach or change
that fast, goes below the ground, or is too uncertain for a fire solution. The gate below
is checked for every engagement order, whoever gives it (the doctrine or a person), and
the air picture carries its verdict so a console can show it.

A track passes when, at the decision time ``t``:

- it has at least :data:`MIN_UPDATES` plots (it is not a fresh initiation);
- its last plot is at most :data:`MAX_STALE` s old (two revisits of a slow surveillance
  radar with one missed look);
- its position uncertainty (RMS per axis) is at most :data:`MAX_SIGMA`;
- its altitude is above :data:`MIN_ALTITUDE` (m above the ellipsoid) by more than three
  times its position uncertainty below (a sea-skimmer's estimate at long range may dip
  well below its 30 m through elevation error; a hopping track dives far below);
- its speed is at most :data:`MAX_SPEED` (the fastest target the S-400 class is stated
  to engage, 4.8 km/s [sput-2007][domainb-2007][rrt-2016], plus margin);
- its velocity changed by no more than :data:`MAX_ACCEL` × Δt over the last
  :data:`ACCEL_BASELINE` s (a 9 g fighter break plus estimation noise; a track hopping
  from one drone to the next changes velocity by hundreds of m/s in a second).

All thresholds are assumed values for a training simulator (no public figures), stated
here so an instructor can read them.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from airdefsim.types import F64, I64
from airdefsim.units import G0

MIN_UPDATES = 4  # plots
MAX_STALE = 25.0  # s
MAX_SIGMA = 1500.0  # m
MIN_ALTITUDE = -100.0  # m
MAX_SPEED = 5500.0  # m/s
MAX_ACCEL = 15.0 * G0  # m/s²
ACCEL_BASELINE = 3.0  # s


@dataclass
class TrackQuality:
    """The gate, with the velocity history it needs (per track, a few seconds)."""

    _history: dict[int, deque[tuple[float, F64]]] = field(default_factory=dict)

    def assess(
        self,
        t: float,
        track_id: I64,
        alt: F64,
        vel: F64,
        sigma: F64,
        n_updates: I64,
        t_update: F64,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Verdict on M tracks at time ``t`` (s), and remember their velocities.

        Parameters
        ----------
        track_id : (M,) int; alt : (M,) float, m above the ellipsoid; vel : (M, 3) float,
        m/s (any earth-fixed frame); sigma : (M,) float, m; n_updates : (M,) int;
        t_update : (M,) float, s

        Returns
        -------
        ok : (M,) bool
        reason : (M,) object — ``""`` where ok, else the first failed test, for a person
        """
        m = len(track_id)
        reason = np.full(m, "", dtype=object)
        speed = np.linalg.norm(vel, axis=1) if m else np.zeros(0)
        accel = np.zeros(m)
        for k, tid_ in enumerate(track_id):
            tid = int(tid_)
            hist = self._history.setdefault(tid, deque())
            hist.append((t, vel[k].copy()))
            while len(hist) > 2 and hist[1][0] <= t - ACCEL_BASELINE:
                hist.popleft()
            t0, v0 = hist[0]
            if t - t0 >= ACCEL_BASELINE - 1e-9:
                accel[k] = float(np.linalg.norm(vel[k] - v0)) / (t - t0)
        live = {int(i) for i in track_id}
        for tid in [i for i in self._history if i not in live]:
            del self._history[tid]
        tests = (
            (accel > MAX_ACCEL, f"manoeuvre above {MAX_ACCEL / G0:.0f} g (track hopping?)"),
            (speed > MAX_SPEED, f"speed above {MAX_SPEED / 1000:.1f} km/s"),
            (alt + 3.0 * sigma < MIN_ALTITUDE, "below the ground"),
            (sigma > MAX_SIGMA, f"position uncertainty above {MAX_SIGMA:.0f} m"),
            (t - t_update > MAX_STALE, f"no plot for {MAX_STALE:.0f} s"),
            (n_updates < MIN_UPDATES, f"fewer than {MIN_UPDATES} plots"),
        )
        for bad, why in tests:  # the last assignment wins: list from least to most basic
            reason[bad] = why
        return reason == "", reason
