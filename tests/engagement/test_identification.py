"""Identification on the evidence: flight plans, corridors, profiles, origin, attack."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from airdefsim.engagement import identification as idf
from airdefsim.engagement.identification import Area, Corridor, FlightPlans
from airdefsim.scenario import load_scenario
from airdefsim.sim import MemorySink, Simulation

SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "single_fighter_airliner.yaml"

EAST_WEST = Corridor("UL1", np.array([[-200e3, 0.0], [200e3, 0.0]]), 10e3, 7000.0, 13000.0)


def _gather(pos, vel, kind="aircraft", tta=np.inf, first=None, corridors=(), areas=(), plans=None):
    pos = np.atleast_2d(np.asarray(pos, float))
    vel = np.atleast_2d(np.asarray(vel, float))
    m = pos.shape[0]
    return idf.gather(
        pos,
        vel,
        pos[:, 2],
        np.full(m, kind, dtype=object),
        np.full(m, tta),
        pos if first is None else np.atleast_2d(first),
        list(corridors),
        list(areas),
        plans or FlightPlans.none(),
    )


def test_civil_traffic_along_a_corridor_is_presumed_friend() -> None:
    ev = _gather([[50e3, 4e3, 11000.0]], [[230.0, 5.0, 0.0]], corridors=[EAST_WEST])
    assert ev.corridor[0] == "UL1" and ev.civil[0]
    assert ev.friendly[0] == "civil traffic on corridor UL1"
    # off the corridor (12 km north of the centreline), across it, too low or too fast: not
    for pos, vel in (
        ([50e3, 12e3, 11000.0], [230.0, 0.0, 0.0]),
        ([50e3, 0.0, 11000.0], [0.0, 230.0, 0.0]),
        ([50e3, 0.0, 2000.0], [230.0, 0.0, 0.0]),
        ([50e3, 0.0, 11000.0], [420.0, 0.0, 0.0]),
    ):
        assert _gather([pos], [vel], corridors=[EAST_WEST]).corridor[0] == ""


def test_flight_plan_match_within_its_gates() -> None:
    plans = FlightPlans(
        np.array(["THY1"], dtype=object), np.array([[0.0, 0.0, 11000.0]]), np.array([[230.0, 0, 0]])
    )
    near = _gather([[idf.PLAN_GATE * 0.9, 0, 11000.0]], [[230.0, 0, 0]], plans=plans)
    assert near.flight_plan[0] == "THY1" and "THY1" in near.friendly[0]
    far = _gather([[idf.PLAN_GATE * 1.1, 0, 11000.0]], [[230.0, 0, 0]], plans=plans)
    assert far.flight_plan[0] == ""
    wrong_way = _gather([[0.0, 0, 11000.0]], [[-230.0, 0, 0]], plans=plans)
    assert wrong_way.flight_plan[0] == ""


@pytest.mark.parametrize(
    ("kind", "speed", "alt", "tta", "why"),
    [
        ("ballistic_missile", 2000.0, 40e3, np.inf, "ballistic"),
        ("cruise_missile", 240.0, 30.0, np.inf, "cruise-missile"),
        ("aircraft", 450.0, 9000.0, np.inf, "faster than any civil"),
        ("aircraft", 250.0, 9000.0, 300.0, "defended asset"),
        ("aircraft", 250.0, 9000.0, np.inf, ""),
    ],
)
def test_hostile_indicators(kind: str, speed: float, alt: float, tta: float, why: str) -> None:
    ev = _gather([[0.0, 0.0, alt]], [[speed, 0.0, 0.0]], kind=kind, tta=tta)
    assert (why in ev.hostile[0]) if why else ev.hostile[0] == ""


def test_point_of_origin() -> None:
    area = Area("north", np.array([[-1e5, 5e4], [1e5, 5e4], [1e5, 2e5], [-1e5, 2e5]]))
    came = _gather([[0.0, 0.0, 9000.0]], [[250.0, 0, 0]], first=[[0.0, 1e5, 9000.0]], areas=[area])
    assert "hostile area north" in came.hostile[0]
    local = _gather([[0.0, 0.0, 9000.0]], [[250.0, 0, 0]], first=[[0.0, 0.0, 9000.0]], areas=[area])
    assert local.hostile[0] == ""


def test_assess_needs_silence_and_a_hostile_indicator() -> None:
    ev = _gather(
        [[0, 50e3, 9000.0], [0, 50e3, 9000.0], [50e3, 0, 11000.0]],
        [[250.0, 0, 0], [250.0, 0, 0], [230.0, 0, 0]],
        tta=300.0,
        corridors=[EAST_WEST],
    )
    ident, why = idf.assess(ev, np.array([False, True, False]), np.array([3, 3, 3]), 3)
    assert list(ident) == ["hostile", "friendly", "friendly"]
    assert "no IFF reply" in why[0] and why[1] == "IFF reply" and "corridor" in why[2]
    ident, _ = idf.assess(ev, np.zeros(3, bool), np.array([2, 2, 2]), 3)
    assert ident[0] == "unknown"  # not yet interrogated enough


def _silent_airliner(flight_plan: str, corridor: bool, weapons: str = "tight"):
    sc = load_scenario(SCENARIO)
    sc.friendly_air[0].iff = "none"
    sc.friendly_air[0].flight_plan = flight_plan  # type: ignore[assignment]
    sc.blue[0].doctrine.weapons = weapons  # type: ignore[assignment]
    if corridor:
        route = sc.friendly_air[0].route
        sc.air_corridors = [
            {"name": "UL851", "route": [{"lat": w.lat, "lon": w.lon} for w in route]}  # type: ignore[list-item]
        ]
        sc = type(sc).model_validate(sc.model_dump())
    sink = MemorySink()
    sim = Simulation(sc, seed=1, sinks=[sink])
    sim.run()
    return sim, sink


@pytest.mark.parametrize(("flight_plan", "corridor"), [("filed", False), ("none", True)])
def test_a_silent_airliner_on_its_plan_or_corridor_is_never_engaged(
    flight_plan: str, corridor: bool
) -> None:
    sim, sink = _silent_airliner(flight_plan, corridor)
    s = sim.summary()
    assert s.friendlies_engaged == 0 and s.roe_violations == 0
    assert s.threats_killed == 1  # the fighter still is
    declared = [e for e in sink.events if e.kind == "declared" and e.identity == "friendly"]
    assert declared and ("flight plan" in declared[0].reason or "corridor" in declared[0].reason)


def test_a_silent_airliner_without_plan_or_corridor_stays_unknown_under_weapons_tight() -> None:
    sim, sink = _silent_airliner("none", False)
    airliner = sim.world.objects.name.index("airliner")
    s = sim.summary()
    assert s.friendlies_engaged == 0
    hostile = {e.track_id for e in sink.events if e.kind == "declared" and e.identity == "hostile"}
    assert all(sim.track_truth.get(t, -1) != airliner for t in hostile)
