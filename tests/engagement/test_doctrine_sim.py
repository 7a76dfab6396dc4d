"""The doctrine in the real simulation loop (a fighter and an airliner, ~4 s a run), and
the one adjudicator: the doctrine's commands and a person's are judged the same way."""

from __future__ import annotations

from pathlib import Path

import pytest

from airdefsim.engagement.adjudicate import Ruling
from airdefsim.events import Event
from airdefsim.scenario import load_scenario
from airdefsim.scenario.schema import Scenario
from airdefsim.sim import Simulation
from airdefsim.sim.policies import QueuedPolicy, ScriptedPolicy
from airdefsim.sim.sinks import MemorySink
from airdefsim.summary import RunSummary
from airdefsim.types import AirPicture, Command, Engage

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "single_fighter_airliner.yaml"


def _scenario(weapons: str = "tight", auto_identify: bool = True) -> Scenario:
    sc = load_scenario(SCENARIO)
    sc.blue[0].doctrine.weapons = weapons  # type: ignore[assignment]
    sc.blue[0].doctrine.auto_identify = auto_identify
    return sc


def _run(weapons: str = "tight", auto_identify: bool = True) -> tuple[RunSummary, list[Event]]:
    sink = MemorySink()
    sim = Simulation(_scenario(weapons, auto_identify), seed=1, sinks=[sink])
    while not sim.done:
        sim.step()
        for u in sim.world.units:
            assert u.missiles_guided <= u.missile_channels
            assert u.targets_engaged <= u.target_channels
    return sim.summary(), sink.events


def test_engages_the_fighter_never_the_airliner() -> None:
    summary, events = _run("tight")
    assert summary.friendlies_engaged == 0
    assert summary.interceptors_fired >= 1
    assert summary.roe_violations == 0
    declared = {e.track_id: e.identity for e in events if e.kind == "declared"}
    assert sorted(declared.values()) == ["friendly", "hostile"]
    launched_at = {e.track_id for e in events if e.kind == "launch"}
    assert all(declared[t] == "hostile" for t in launched_at)


@pytest.mark.parametrize(("weapons", "auto_identify"), [("hold", True), ("tight", False)])
def test_nothing_fired(weapons: str, auto_identify: bool) -> None:
    # hold: nothing; tight without identification: no track is ever declared hostile
    summary, events = _run(weapons, auto_identify)
    assert summary.interceptors_fired == 0
    assert not [e for e in events if e.kind == "launch"]


class Recording:
    """A policy wrapper that remembers what its inner policy ordered, tick by tick."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.script: list[tuple[float, Command]] = []

    def decide(self, picture: AirPicture) -> list[Command]:
        cmds = self.inner.decide(picture)  # type: ignore[attr-defined]
        self.script += [(picture.t, c) for c in cmds]
        return cmds


def _plain(rulings: list[Ruling]) -> list[tuple[object, ...]]:
    return [
        (
            r.command,
            r.accepted,
            r.reason,
            r.roe_violation,
            r.destroy,
            r.interrogate,
            [
                (o.unit, o.launcher_index, o.missile, o.track_id, *o.aim_pos, o.t_flight)
                for o in r.launches
            ],
        )
        for r in rulings
    ]


def test_a_persons_commands_are_judged_exactly_as_the_doctrines() -> None:
    """The doctrine's command sequence, replayed through a person's seat (a scripted
    queue), gives the same rulings, events and summary: one adjudicator for every seat."""
    from airdefsim.engagement.doctrine import DoctrinePolicy

    first = Simulation(_scenario(), seed=1)
    rec = Recording(DoctrinePolicy(first.missile_specs))
    first.policy = rec
    sink_a = MemorySink()
    first.sinks = [sink_a]
    first.run()
    assert any(isinstance(c, Engage) for _, c in rec.script)

    sink_b = MemorySink()
    second = Simulation(_scenario(), seed=1, policy=ScriptedPolicy(rec.script), sinks=[sink_b])
    second.run()
    assert _plain(second.adjudicator.rulings) == _plain(first.adjudicator.rulings)
    assert sink_b.events == sink_a.events
    assert second.summary().to_dict(deterministic_only=True) == first.summary().to_dict(
        deterministic_only=True
    )
    # and through the console's seat: commands queued from "the browser" before each tick
    queue = QueuedPolicy()
    sink_c = MemorySink()
    third = Simulation(_scenario(), seed=1, policy=queue, sinks=[sink_c])
    while not third.done:
        for t, cmd in rec.script:
            if abs(t - (third.t + third.dt)) < 1e-9:
                queue.submit(cmd)
        third.step()
    assert _plain(third.adjudicator.rulings) == _plain(first.adjudicator.rulings)
    assert sink_c.events == sink_a.events


def test_a_doctrine_roe_violation_is_counted() -> None:
    """An ROE breach is counted whoever orders it: here the doctrine fires on a track
    that is not declared hostile under weapons tight (forced by a doctored picture)."""
    from airdefsim.engagement.doctrine import DoctrinePolicy

    class Trigger(DoctrinePolicy):
        def decide(self, picture: AirPicture) -> list[Command]:
            cmds = super().decide(picture)
            unknown = [
                int(t)
                for t, i in zip(picture.track_id, picture.identity, strict=True)
                if i == "unknown"
            ]
            return cmds + [Engage(t) for t in unknown[:1]]

    sink = MemorySink()
    sim = Simulation(_scenario("tight"), seed=1, sinks=[sink])
    sim.policy = Trigger(sim.missile_specs)
    for _ in range(20):
        sim.step()
    breaches = [e for e in sink.events if e.kind == "roe_violation"]
    assert breaches and "weapons tight" in breaches[0].reason
    assert sim.summary().roe_violations == len(breaches)
    refused = [e for e in sink.events if e.kind == "command_refused"]
    assert {e.track_id for e in breaches} <= {e.track_id for e in refused}
