"""The doctrine in the real simulation loop (a fighter and an airliner, ~4 s a run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from airdefsim.scenario import load_scenario
from airdefsim.sim import Simulation

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "single_fighter_airliner.yaml"


class Events:
    def __init__(self) -> None:
        self.events: list[dict] = []

    def open(self, meta: dict) -> None:
        pass

    def rows(self, table: str, cols: dict) -> None:
        pass

    def event(self, ev: dict) -> None:
        self.events.append(ev)

    def close(self, summary: dict) -> None:
        pass


def _run(weapons: str = "tight", auto_identify: bool = True) -> tuple[dict, list[dict]]:
    sc = load_scenario(SCENARIO)
    sc.blue[0].doctrine.weapons = weapons  # type: ignore[assignment]
    sc.blue[0].doctrine.auto_identify = auto_identify
    sink = Events()
    sim = Simulation(sc, seed=1, sinks=[sink])
    while not sim.done:
        sim.step()
        for u in sim.world.units:
            assert u.missiles_guided <= u.missile_channels
            assert u.targets_engaged <= u.target_channels
    return sim.summary(), sink.events


def test_engages_the_fighter_never_the_airliner() -> None:
    summary, events = _run("tight")
    assert summary["friendlies_engaged"] == 0
    assert summary["interceptors_fired"] >= 1
    declared = {e["track_id"]: e["detail"] for e in events if e["kind"] == "declared"}
    assert sorted(declared.values()) == ["friendly", "hostile"]
    launched_at = {e["track_id"] for e in events if e["kind"] == "launch"}
    assert all(declared[t] == "hostile" for t in launched_at)


@pytest.mark.parametrize(("weapons", "auto_identify"), [("hold", True), ("tight", False)])
def test_nothing_fired(weapons: str, auto_identify: bool) -> None:
    # hold: nothing; tight without identification: no track is ever declared hostile
    summary, events = _run(weapons, auto_identify)
    assert summary["interceptors_fired"] == 0
    assert not [e for e in events if e["kind"] == "launch"]
