"""The world state and the step loop; the C2 seat is a pluggable policy."""

from airdefsim.sim.loop import Policy, RunResult, Simulation, run_scenario
from airdefsim.sim.sinks import Sink

__all__ = ["Policy", "RunResult", "Simulation", "Sink", "run_scenario"]
