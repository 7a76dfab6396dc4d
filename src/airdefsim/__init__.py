"""airdefsim — an open air-defense engagement simulator and operator trainer.

Simulation for training, education and analysis only, built from public encyclopedic
figures. SI units and radians inside; friendly units only at the edges.
"""

from __future__ import annotations

__version__ = "0.1.0"


class AirdefsimWarning(UserWarning):
    """Base class of the project's own warnings (tests run them as errors)."""


__all__ = ["AirdefsimWarning", "__version__"]
