"""System comparison: statistics against SciPy / Newcombe, same seeds, CLI behaviour."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import typer
from scipy import stats
from typer.testing import CliRunner

from airdefsim.analysis import compare as cmp
from airdefsim.cli.compare import register

ROOT = Path(__file__).resolve().parents[2]
SCEN_A = ROOT / "scenarios" / "s400_vs_mixed_raid.yaml"
SCEN_B = ROOT / "scenarios" / "patriot_vs_mixed_raid.yaml"


def _summary(killed: int, threats: int = 10, **kw: Any) -> dict[str, Any]:
    s = {
        "threats": threats,
        "threats_killed": killed,
        "leakers": threats - killed,
        "assets_hit": max(threats - killed - 1, 0),
        "interceptors_fired": 2 * killed + 1,
        "interceptors_per_kill": (2 * killed + 1) / killed if killed else None,
        "first_engagement_range_m": 40e3 + 1000.0 * killed,
        "detection_to_launch_s": np.float64(20.0 + killed),
        "friendlies_engaged": 0,
    }
    s.update(kw)
    return s


def test_t_interval_matches_scipy() -> None:
    killed = [3, 5, 4, 7, 6, 5]
    out = cmp.summarize([_summary(k) for k in killed])["threats_killed"]
    lo, hi = stats.t.interval(0.95, len(killed) - 1, loc=np.mean(killed), scale=stats.sem(killed))
    assert out["mean"] == pytest.approx(np.mean(killed))
    assert out["lo"] == pytest.approx(lo) and out["hi"] == pytest.approx(hi)
    assert out["n"] == 6


def test_wilson_pooled_proportion_newcombe() -> None:
    # Newcombe (1998), method 3: 81/263 -> (0.2553, 0.3662)
    runs = [_summary(40, threats=131), _summary(41, threats=132)]
    kf = cmp.summarize(runs)["kill_fraction"]
    assert kf["mean"] == pytest.approx(81 / 263)
    assert kf["lo"] == pytest.approx(0.2553, abs=5e-5)
    assert kf["hi"] == pytest.approx(0.3662, abs=5e-5)


def test_undefined_values_are_left_out() -> None:
    runs = [_summary(0, first_engagement_range_m=None), _summary(4), _summary(6)]
    out = cmp.summarize(runs)
    assert out["interceptors_per_kill"]["n"] == 2
    assert out["first_engagement_range_km"]["n"] == 2
    assert out["first_engagement_range_km"]["mean"] == pytest.approx(45.0)
    single = cmp.summarize([_summary(3)])["threats_killed"]
    assert single["mean"] == 3 and single["lo"] is None and single["hi"] is None


def test_compare_uses_the_same_seeds_and_pairs_runs() -> None:
    calls: list[tuple[str, int]] = []

    def fake_run(scenario: Any, seed: int) -> SimpleNamespace:
        calls.append((scenario.name, seed))
        k = seed % 5 + (3 if scenario.name == "B" else 0)
        return SimpleNamespace(summary=_summary(k))

    a, b = SimpleNamespace(name="A"), SimpleNamespace(name="B")
    seen = []
    res = cmp.compare(a, b, n=6, seed=10, run=fake_run, progress=lambda d, t: seen.append((d, t)))
    assert sorted(s for nm, s in calls if nm == "A") == list(range(10, 16))
    assert sorted(s for nm, s in calls if nm == "B") == list(range(10, 16))
    assert seen[-1] == (12, 12)
    d = res["diff"]["threats_killed"]
    assert d["mean"] == pytest.approx(3.0) and d["lo"] == pytest.approx(3.0)
    assert res["b"]["threats_killed"]["mean"] - res["a"]["threats_killed"]["mean"] == 3.0
    with pytest.raises(ValueError):
        cmp.compare(a, b, n=0, run=fake_run)


def module_level_run(scenario: Any, seed: int) -> SimpleNamespace:
    return SimpleNamespace(summary=_summary(seed % 7, threats=12))


def test_workers_give_the_same_result() -> None:
    a, b = SimpleNamespace(name="A"), SimpleNamespace(name="B")
    one = cmp.compare(a, b, n=4, seed=3, run=module_level_run)
    two = cmp.compare(a, b, n=4, seed=3, run=module_level_run, workers=2)
    assert one["runs"] == two["runs"] and one["a"] == two["a"]


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    import airdefsim.sim as sim

    def fake_run_scenario(scenario: Any, seed: int | None = None, **_: Any) -> SimpleNamespace:
        k = (seed or 0) % 4 + (2 if "Patriot" in scenario.name else 0)
        return SimpleNamespace(summary=_summary(k, threats=60))

    monkeypatch.setattr(sim, "run_scenario", fake_run_scenario)
    app = typer.Typer()
    register(app)

    @app.callback()
    def _main() -> None:
        """test app"""

    return app


def test_cli_json_has_every_metric(cli: typer.Typer) -> None:
    r = CliRunner().invoke(cli, ["compare", str(SCEN_A), str(SCEN_B), "-n", "4", "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert set(data) == {"a", "b"}
    for side in ("a", "b"):
        assert set(data[side]) == set(cmp.LABELS)
        for st in data[side].values():
            assert {"mean", "lo", "hi"} <= set(st)
    assert data["b"]["threats_killed"]["mean"] == pytest.approx(
        data["a"]["threats_killed"]["mean"] + 2
    )


def test_cli_table_and_out_files(cli: typer.Typer, tmp_path: Path) -> None:
    r = CliRunner().invoke(
        cli, ["compare", str(SCEN_A), str(SCEN_B), "-n", "3", "--out", str(tmp_path / "cmp")]
    )
    assert r.exit_code == 0, r.output
    assert "threats killed" in r.stdout and "B − A" in r.stdout
    for name in ("compare.csv", "compare.json", "compare.png"):
        assert (tmp_path / "cmp" / name).stat().st_size > 0
    rows = (tmp_path / "cmp" / "compare.csv").read_text().splitlines()
    assert rows[0].startswith("metric,label,a_mean") and len(rows) == 1 + len(cmp.LABELS)
    full = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert len(full["runs"]["a"]) == 3 and full["seeds"] == [1, 2, 3]
    assert (tmp_path / "cmp" / "compare.png").read_bytes()[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    "args",
    [
        ["compare", "/nonexistent.yaml", str(SCEN_B)],
        ["compare", str(SCEN_A), str(SCEN_B), "-n", "0"],
        ["compare", str(SCEN_A), str(SCEN_B), "--workers", "0"],
    ],
)
def test_cli_bad_input_exits_2_with_one_line(cli: typer.Typer, args: list[str]) -> None:
    r = CliRunner().invoke(cli, args)
    assert r.exit_code == 2
    assert r.exception is None or isinstance(r.exception, SystemExit)
    assert len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.output
