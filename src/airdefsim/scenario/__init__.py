"""Scenarios: the YAML schema, presets and validation with clear errors."""

from airdefsim.scenario.loader import (
    Problem,
    ScenarioError,
    load_scenario,
    read_scenario_raw,
    validate_dict,
)
from airdefsim.scenario.presets import get_presets
from airdefsim.scenario.schema import Scenario

__all__ = [
    "Problem",
    "Scenario",
    "ScenarioError",
    "get_presets",
    "load_scenario",
    "read_scenario_raw",
    "validate_dict",
]
