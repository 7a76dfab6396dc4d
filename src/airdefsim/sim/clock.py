"""The clock seam: run as fast as possible, or paced to the wall clock.

The same engine serves the command line and Monte Carlo (no waiting) and the training
console (simulated time follows the wall clock times a factor, with pause) — SimPy's
``rt`` idea: one method differs, nothing else. A clock answers one question, *how long
(wall seconds) until simulated time ``sim_t`` is due?*; the runner steps the simulation
when the answer is zero. Wall time is read from a function passed in (``time.monotonic``
by default; the console passes its event loop's clock), so tests can drive it.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


class Clock(Protocol):
    """When simulated time is due."""

    def wait(self, sim_t: float) -> float:
        """Wall seconds until simulated time ``sim_t`` (s) is due; 0 if it is now,
        ``inf`` while paused."""
        ...


class AsFastAsPossible:
    """Every simulated time is due at once (command line, Monte Carlo)."""

    def wait(self, sim_t: float) -> float:
        return 0.0


@dataclass
class WallClock:
    """Simulated time = ``anchor_sim`` + ``factor`` × (wall − ``anchor_wall``).

    Re-anchored whenever the factor changes or the clock pauses or resumes, so
    simulated time never jumps. :meth:`hold` pulls the clock back when the simulation
    cannot keep up, rather than letting the debt grow.

    Parameters
    ----------
    wall : callable -> float, s — the wall clock (monotonic)
    factor : float > 0 — simulated seconds per wall second
    start : float, s — simulated time at creation
    """

    wall: Callable[[], float] = time.monotonic
    factor: float = 1.0
    start: float = 0.0
    paused: bool = False
    anchor_wall: float = field(init=False)
    anchor_sim: float = field(init=False)

    def __post_init__(self) -> None:
        if not self.factor > 0:
            raise ValueError(f"factor must be positive, got {self.factor}")
        self.anchor_wall = self.wall()
        self.anchor_sim = float(self.start)

    def now(self) -> float:
        """Simulated time the clock shows now, s."""
        if self.paused:
            return self.anchor_sim
        return self.anchor_sim + self.factor * (self.wall() - self.anchor_wall)

    def wait(self, sim_t: float) -> float:
        if self.paused:
            return math.inf
        return max((sim_t - self.now()) / self.factor, 0.0)

    def rebase(self, sim_t: float | None = None) -> None:
        """Re-anchor at the present (at simulated time ``sim_t`` if given)."""
        self.anchor_sim = self.now() if sim_t is None else float(sim_t)
        self.anchor_wall = self.wall()

    def pause(self) -> None:
        self.rebase()
        self.paused = True

    def resume(self) -> None:
        self.rebase()
        self.paused = False

    def set_factor(self, factor: float) -> None:
        if not factor > 0:
            raise ValueError(f"factor must be positive, got {factor}")
        self.rebase()
        self.factor = float(factor)

    def hold(self, sim_t: float, slack: float) -> None:
        """If the clock runs more than ``slack`` s of simulated time ahead of ``sim_t``
        (the simulation cannot keep up), pull it back to ``sim_t + slack / 3``."""
        if not self.paused and self.now() > sim_t + slack:
            self.rebase(sim_t + slack / 3.0)
