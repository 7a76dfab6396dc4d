"""The world state and the step loop; the C2 seat is a pluggable policy, pacing a
pluggable clock, outputs pluggable sinks."""

from airdefsim.sim.clock import AsFastAsPossible, Clock, WallClock
from airdefsim.sim.loop import RunResult, Simulation, run_scenario
from airdefsim.sim.policies import Policy, QueuedPolicy, ScriptedPolicy
from airdefsim.sim.sinks import MemorySink, Sink

__all__ = [
    "AsFastAsPossible",
    "Clock",
    "MemorySink",
    "Policy",
    "QueuedPolicy",
    "RunResult",
    "ScriptedPolicy",
    "Simulation",
    "Sink",
    "WallClock",
    "run_scenario",
]
