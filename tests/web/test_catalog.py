"""Shipped exercises and scenario upload (validated like the CLI)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.web.helpers import login

from airdefsim.scenario import load_scenario
from airdefsim.sim import MemorySink, QueuedPolicy, Simulation
from airdefsim.web import catalog
from airdefsim.web.layout import layout_from_meta
from airdefsim.web.manager import doctrine_scenario

SHIPPED = catalog.builtin_exercises()


def test_four_exercises_cover_the_brief() -> None:
    assert set(SHIPPED) >= {
        "single_fighter",
        "saturation_raid",
        "low_observable_strike",
        "ballistic_salvo",
    }
    presets = {}
    for slug, text in SHIPPED.items():
        sc = catalog.parse_scenario(text, f"{slug}.yaml")
        assert 5 * 60 <= sc.duration <= 10 * 60, slug
        assert all(u.doctrine.mode == "manual" for u in sc.blue), slug
        presets[slug] = {g.preset for g in sc.red} | {g.preset for g in sc.friendly_air}
    assert presets["single_fighter"] == {"fighter", "airliner"}
    assert "cruise_missile" in presets["saturation_raid"] and "drone" in presets["saturation_raid"]
    assert "stealth_fighter" in presets["low_observable_strike"]
    assert presets["ballistic_salvo"] == {"srbm"}


@pytest.mark.parametrize("slug", sorted(SHIPPED))
def test_shipped_exercise_runs_on_the_engine(slug: str) -> None:
    """Each exercise builds a real simulation and advances with the trainee's (empty) seat."""
    sc = catalog.parse_scenario(SHIPPED[slug], f"{slug}.yaml")
    sim = Simulation(sc, policy=QueuedPolicy())
    for _ in range(3):
        sim.step()
    assert sim.t == pytest.approx(3 * sc.decision_interval)
    assert not sim.picture().engagements  # manual: nothing fires on its own


def test_parse_matches_the_cli_loader(tmp_path) -> None:
    bad = "name: x\norigin: {lat: 39, lon: 32}\nduration: 5 min\nblue:\n  - preset: s400_batalion\n    at: {lat: 39, lon: 32}\n"
    p = tmp_path / "bad.yaml"
    p.write_text(bad)
    with pytest.raises(catalog.ScenarioError) as a:
        catalog.parse_scenario(bad, str(p))
    with pytest.raises(catalog.ScenarioError) as b:
        load_scenario(p)
    assert [str(x) for x in a.value.problems] == [str(x) for x in b.value.problems]
    assert str(a.value.problems[0]).startswith(f"{p}:5: blue[0].preset")


def upload(c: TestClient, csrf: str, name: str, text: str):
    return c.post(
        "/instructor/scenarios",
        data={"csrf_token": csrf},
        files={"file": (name, text.encode(), "application/x-yaml")},
    )


def test_upload_with_errors_shows_file_line_problems(client: TestClient) -> None:
    csrf = login(client, "inst")
    bad = SHIPPED["single_fighter"].replace("duration: 7 min", "duration: seven minutes")
    r = upload(client, csrf, "mine.yaml", bad)
    assert r.status_code == 400
    assert "mine.yaml is not a valid scenario" in r.text
    line = bad.splitlines().index("duration: seven minutes") + 1
    assert re.search(rf"mine\.yaml:{line}: duration: ", r.text)
    r = upload(client, csrf, "junk.yaml", "{ not: [yaml")
    assert r.status_code == 400 and "junk.yaml:" in r.text and "not valid YAML" in r.text


def test_valid_upload_becomes_assignable(client: TestClient) -> None:
    csrf = login(client, "inst")
    text = SHIPPED["single_fighter"].replace(
        "name: Single hostile fighter, airliner nearby", "name: Night shift drill"
    )
    r = upload(client, csrf, "night.yaml", text)
    assert r.status_code == 200 and "Scenario added." in r.text
    assert "Night shift drill" in client.get("/instructor").text
    login(client, "alice")
    assert client.post(
        "/instructor/scenarios",
        data={"csrf_token": "x"},
        files={"file": ("a.yaml", b"x", "text/plain")},
    ).status_code in (403, 404)


def test_engagement_zones_carry_the_published_ranges() -> None:
    """Rings drawn on the scope, from the run's metadata: 40N6E 400 km, PAC-3 MSE 40 km
    (the presets' sourced ranges); the Patriot radar faces the scenario's 30°."""
    sc = catalog.parse_scenario(SHIPPED["ballistic_salvo"], "ballistic_salvo.yaml")
    sink = MemorySink()
    Simulation(sc, policy=QueuedPolicy(), sinks=[sink])
    layout = layout_from_meta(sink.meta, "x")
    zones = {z.missile: z.max_m for u in layout.units for z in u.zones}
    assert zones["40N6E"] == pytest.approx(400e3)
    assert zones["PAC-3_MSE"] == pytest.approx(40e3)
    patriot = next(u for u in layout.units if u.preset == "patriot_battery")
    assert patriot.heading_deg == pytest.approx(30.0) and patriot.sector_deg < 360.0
    assert set(layout.missiles) >= {"40N6E", "48N6E3", "9M96E2", "PAC-2_GEM-T", "PAC-3_MSE"}
    assert layout.title == "x" and layout.site == (layout.units[0].lat, layout.units[0].lon)
    assert [a.name for a in layout.assets] == [a.name for a in sc.defended_assets]


def test_doctrine_copy_is_automatic_and_leaves_the_exercise_manual() -> None:
    sc = catalog.parse_scenario(SHIPPED["ballistic_salvo"], "ballistic_salvo.yaml")
    auto = doctrine_scenario(sc)
    assert [u.doctrine.mode for u in auto.blue] == ["auto", "auto"]
    assert [u.doctrine.mode for u in sc.blue] == ["manual", "manual"]
    assert auto.seed == sc.seed
