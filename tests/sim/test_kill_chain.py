"""The kill chain end to end, on small scenarios built for one question each."""

from __future__ import annotations

import math

from airdefsim.analysis.invariants import check
from airdefsim.record import read_run
from airdefsim.scenario import validate_dict
from airdefsim.scenario.presets import get_presets
from airdefsim.sim import MemorySink, Simulation, run_scenario
from airdefsim.types import AirPicture, Command, Engage

SITE = {"lat": 39.90, "lon": 32.80}


def _scenario(blue: dict, red: list[dict], duration: str = "6 min", **kw: object) -> dict:
    return {
        "name": "kill chain",
        "origin": SITE,
        "duration": duration,
        "seed": 4,
        "defended_assets": [{"name": "base", "lat": 39.90, "lon": 32.80, "radius": "1 km"}],
        "blue": [blue],
        "red": red,
        **kw,
    }


class EngageFirst:
    """A person who fires ``missile`` at the first track that passes the quality gate
    and then keeps ordering it every 30 s while it lives."""

    def __init__(self, missile: str) -> None:
        self.missile = missile
        self.last = -math.inf

    def decide(self, picture: AirPicture) -> list[Command]:
        ok = [int(t) for t, q in zip(picture.track_id, picture.quality_ok, strict=True) if q]
        if not ok or picture.t - self.last < 30.0:
            return []
        self.last = picture.t
        return [Engage(ok[0], missile=self.missile, salvo=1)]


def test_a_stealth_fighter_the_engagement_radar_cannot_see_survives_a_tvm_order() -> None:
    # nose-on at 100-150 km: the 91N6E (S band) tracks it, the 92N6E (X band, -30 dBsm
    # nose-on: regular detections only inside ~65 km) does not, so a track-via-missile
    # round never leaves its launcher
    raw = _scenario(
        {"preset": "s400_battalion", "at": SITE, "doctrine": {"mode": "manual", "weapons": "free"}},
        [
            {
                "preset": "stealth_fighter",
                "name": "LO",
                "route": [
                    {"lat": 41.25, "lon": 32.80, "alt": "10 km"},
                    {"lat": 40.80, "lon": 32.80, "alt": "10 km"},
                ],
            }
        ],
    )
    sink = MemorySink()
    sim = Simulation(validate_dict(raw), policy=EngageFirst("48N6E3"), sinks=[sink])
    sim.run()
    kinds = sink.kinds()
    assert "track_confirmed" in kinds and "command" in kinds  # seen, and ordered
    cancelled = [e for e in sink.events if e.kind == "engagement_cancelled"]
    assert cancelled and all("fire-control track" in e.reason for e in cancelled)
    assert "launch" not in kinds and "kill" not in kinds
    assert sim.summary().threats_killed == 0


def test_patriot_kills_a_cruise_missile_at_its_30_m_cruise_height(tmp_path) -> None:
    raw = _scenario(
        {
            "preset": "patriot_battery",
            "at": {"lat": 40.10, "lon": 32.80},
            "heading": "0 deg",
            "doctrine": {"weapons": "free", "salvo": 2},
        },
        [
            {
                "preset": "cruise_missile",
                "name": "CM",
                "count": 2,
                "spacing": "30 s",
                "route": [{"lat": 40.70, "lon": 32.80, "alt": "30 m"}, {"at": "base"}],
            }
        ],
        duration="8 min",
    )
    res = run_scenario(validate_dict(raw), out_dir=tmp_path / "r")
    run = read_run(tmp_path / "r")
    kills = [e for e in run.events() if e.kind == "kill"]
    assert res.summary.threats_killed >= 1
    assert all(e.missile.startswith("PAC") and 20.0 < e.alt_m < 45.0 for e in kills)
    assert check(run) == []


def test_reaction_time_delays_the_launch_by_its_preset_value() -> None:
    raw = _scenario(
        {"preset": "s400_battalion", "at": SITE, "doctrine": {"mode": "manual", "weapons": "free"}},
        [
            {
                "preset": "fighter",
                "name": "bandit",
                "route": [
                    {"lat": 41.00, "lon": 32.80, "alt": "8 km"},
                    {"at": "base", "alt": "8 km"},
                ],
            }
        ],
    )
    sink = MemorySink()
    sim = Simulation(validate_dict(raw), policy=EngageFirst("48N6E3"), sinks=[sink])
    while "launch" not in sink.kinds() and not sim.done:
        sim.step()
    order = next(e for e in sink.events if e.kind == "command" and e.missile == "48N6E3")
    launch = next(e for e in sink.events if e.kind == "launch")
    react = get_presets().missiles["48N6E3"].reaction_time
    assert launch.t - order.t == react
