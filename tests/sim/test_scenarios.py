"""Every shipped scenario: its golden summary at its own seed (exactly), and the kill
chain's invariants on its recording at that seed and another one."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from airdefsim.analysis.invariants import check
from airdefsim.jsonsafe import dumps
from airdefsim.record import read_run
from airdefsim.scenario import load_scenario
from airdefsim.sim import run_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden" / "summaries.json"
OTHER_SEED = 101


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int | None], Path]:
    base = tmp_path_factory.mktemp("scenarios")
    out = {}
    for f in SCENARIOS:
        for seed in (None, OTHER_SEED):
            d = base / f"{f.stem}-{seed}"
            run_scenario(load_scenario(f), seed=seed, out_dir=d)
            out[(f.name, seed)] = d
    return out


@pytest.mark.parametrize("name", [f.name for f in SCENARIOS])
def test_golden_summary(name: str, recordings: dict) -> None:
    golden = json.loads(GOLDEN.read_text())
    assert name in golden, f"no golden summary for {name}: run tests/golden/update.py"
    got = json.loads(dumps(read_run(recordings[(name, None)]).meta["summary"]))
    assert got == golden[name]


@pytest.mark.parametrize("seed", [None, OTHER_SEED])
@pytest.mark.parametrize("name", [f.name for f in SCENARIOS])
def test_kill_chain_invariants(name: str, seed: int | None, recordings: dict) -> None:
    violations = check(read_run(recordings[(name, seed)]))
    assert violations == []


def test_cli_timeline_and_check_read_a_recording(recordings: dict) -> None:
    from typer.testing import CliRunner

    from airdefsim.cli.main import app

    run_dir = recordings[("single_fighter_airliner.yaml", None)]
    r = CliRunner().invoke(app, ["timeline", str(run_dir), "--json"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.output.splitlines() if line.startswith("{")]
    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"bandit", "airliner"}
    assert by_name["airliner"]["declared"] == "friendly" and by_name["airliner"]["launches"] == 0
    bandit = by_name["bandit"]
    assert bandit["first_detection"] <= bandit["first_track"] <= bandit["first_launch"]
    assert (bandit["outcome"] == "killed") == (bandit["why"] == "")
    r = CliRunner().invoke(app, ["check", str(run_dir)])
    assert r.exit_code == 0 and "0 violation(s)" in r.output
