"""Kill assessment: the "look" of shoot-look-shoot.

When the last interceptor of an engagement ends (fuzed, missed or destroyed), the
engagement radar needs time to observe the result: the debris of a kill separating and
slowing, or the target flying on. Until ``delay`` seconds after that, the track is
*being assessed* and the doctrine does not re-engage it. Then the assessment is ready:
``"killed"`` or ``"survived"``. When the simulation reports whether the target was
killed, the radar's call is right with probability ``p_correct``
(:func:`observe_kill`); when it does not, the assessment is ``"survived"`` (a killed
target's track stops being updated and leaves the picture, so only survivors stay
eligible for re-engagement).

Assumed figures (no public source): ``delay`` = 5 s (a few revisits of a phased-array
engagement radar), ``p_correct`` = 0.95.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from airdefsim.types import B

Status = Literal["none", "assessing", "killed", "survived"]

#: s, time for the engagement radar to observe an intercept's result (assumed)
ASSESS_DELAY = 5.0
#: probability that the radar calls the result (kill / no kill) right (assumed)
P_CORRECT = 0.95


def observe_kill(killed: ArrayLike, p_correct: float, rng: np.random.Generator) -> B:
    """The radar's call on each intercept.

    Parameters
    ----------
    killed : (K,) bool — truth: the target was killed
    p_correct : float in [0, 1] — probability the call is right
    rng : numpy Generator

    Returns
    -------
    (K,) bool — assessed killed
    """
    k = np.asarray(killed, dtype=bool).reshape(-1)
    right = rng.random(k.shape[0]) < p_correct
    return np.where(right, k, ~k)


@dataclass
class KillAssessor:
    """Per-track kill assessment state (events are rare: a dict, not arrays).

    Parameters
    ----------
    rng : numpy Generator — draws the radar's call (only when ``killed`` is reported);
        the run's own stream, spawned from its seed (no default: a fixed fallback would
        make every replication's calls the same)
    delay : float, s — from the end of the last interceptor to the assessment
    p_correct : float — see :func:`observe_kill`
    """

    rng: np.random.Generator
    delay: float = ASSESS_DELAY
    p_correct: float = P_CORRECT
    _ready: dict[int, float] = field(default_factory=dict)
    _called_kill: dict[int, bool] = field(default_factory=dict)
    _looks: dict[int, int] = field(default_factory=dict)

    def start(self, track_id: int, t_end: float, killed: bool | None = None) -> None:
        """The last interceptor against ``track_id`` ended at ``t_end`` (s)."""
        tid = int(track_id)
        self._ready[tid] = float(t_end) + self.delay
        self._looks[tid] = self._looks.get(tid, 0) + 1
        if killed is None:
            self._called_kill[tid] = False
        else:
            self._called_kill[tid] = bool(observe_kill([killed], self.p_correct, self.rng)[0])

    def cancel(self, track_id: int) -> None:
        """Forget the track's assessment (a new salvo is on its way)."""
        self._ready.pop(int(track_id), None)
        self._called_kill.pop(int(track_id), None)

    def status(self, track_id: int, t: float) -> Status:
        """``"none"`` (never engaged or re-engaged since), ``"assessing"``, ``"killed"``
        or ``"survived"`` at time ``t`` (s)."""
        tid = int(track_id)
        ready = self._ready.get(tid)
        if ready is None:
            return "none"
        if t < ready:
            return "assessing"
        return "killed" if self._called_kill.get(tid, False) else "survived"

    def ended_at(self, track_id: int) -> float | None:
        """Time (s) the last interceptor against ``track_id`` ended, None if none."""
        ready = self._ready.get(int(track_id))
        return None if ready is None else ready - self.delay

    def looks(self, track_id: int) -> int:
        """Number of assessments started on ``track_id``."""
        return self._looks.get(int(track_id), 0)
