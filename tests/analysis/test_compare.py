"""System comparison: statistics against SciPy / Newcombe, Monte Carlo seeds and pairing,
the batch runner (pool, Dask, resume after SIGKILL) and the CLI."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import typer
import yaml
from distributed import LocalCluster
from scipy import stats
from typer.testing import CliRunner

from airdefsim.analysis import compare as cmp
from airdefsim.analysis import montecarlo as mc
from airdefsim.cli.compare import register
from airdefsim.summary import RESULT_METRICS
from airdefsim.testing.synthetic_batch import SYNTHETIC_DELAY_ENV, synthetic_replication

SYN_NAME = "airdefsim.testing.synthetic_batch:synthetic_replication"

TINY = """\
name: {name}
origin: {{lat: 39.93, lon: 32.86}}
duration: 120 s
seed: 11
defended_assets:
  - {{name: airbase, lat: 39.95, lon: 32.69}}
blue:
  - preset: s400_battalion
    at: {{lat: 39.90, lon: 32.80}}
red:
  - preset: fighter
    count: {count}
    route: [{{lat: 40.6, lon: 32.9, alt: 8 km}}, {{at: airbase}}]
"""
RAW_A = yaml.safe_load(TINY.format(name="system A", count=3))
RAW_B = yaml.safe_load(TINY.format(name="system B", count=5))


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


def _strip(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows without the wall-clock column (the one value not fixed by the seed)."""
    return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in rows]


def _expected(raw: dict[str, Any], point: int, system: str, n: int, seed: int) -> list[dict]:
    """The rows the batch must hold, computed here from the Monte Carlo seed rule."""
    out = []
    for k in range(n):
        s = mc.replication_seed(seed, k)
        out.append(
            mc.make_row(k, s, synthetic_replication(raw, s), {"point": point, "system": system})
        )
    return _strip(out)


def _file_rows(out: Path) -> list[dict[str, Any]]:
    return _strip(sorted(mc.read_rows(out / mc.RESULTS), key=mc.row_key))


# ------------------------------------------------------------------ statistics


def test_every_result_metric_and_proportion_is_compared() -> None:
    keys = [c.key for c in cmp.COMPARED]
    assert len(set(keys)) == len(keys)
    assert len(keys) == len(RESULT_METRICS) + 6
    # display units named in the key (km), labels with units from the registry
    fer = next(c for c in cmp.COMPARED if c.key == "first_engagement_range_km")
    assert fer.metric is not None and fer.metric.key == "first_engagement_range_m"
    assert fer.label == "first engagement range (km)"
    assert {"threats_killed", "kill_fraction", "p_asset_hit", "detection_to_launch_s"} <= set(keys)


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
    assert kf["mean"] == pytest.approx(81 / 263) and kf["n"] == 263
    assert kf["lo"] == pytest.approx(0.2553, abs=5e-5)
    assert kf["hi"] == pytest.approx(0.3662, abs=5e-5)


def test_undefined_values_are_left_out_and_ranges_in_km() -> None:
    runs = [_summary(0, first_engagement_range_m=None), _summary(4), _summary(6)]
    out = cmp.summarize(runs)
    assert out["interceptors_per_kill"]["n"] == 2
    assert out["first_engagement_range_km"]["n"] == 2
    assert out["first_engagement_range_km"]["mean"] == pytest.approx(45.0)
    assert out["first_launch_s"] == {"mean": None, "lo": None, "hi": None, "n": 0}
    single = cmp.summarize([_summary(3)])["threats_killed"]
    assert single["mean"] == 3 and single["lo"] is None and single["hi"] is None


def test_paired_difference_pairs_by_replication_not_position() -> None:
    a = [{"replication": k, **_summary(k)} for k in range(6)]
    b = [{"replication": k, **_summary(k + 2)} for k in reversed(range(6))]
    d = cmp.paired_difference(a, b)
    assert d["threats_killed"] == {"mean": 2.0, "lo": 2.0, "hi": 2.0, "n": 6}
    # per-run kill fractions differ by 2/10 in every pair
    assert d["kill_fraction"]["mean"] == pytest.approx(0.2)


# ------------------------------------------------------------------ the batch


def test_seeds_follow_the_monte_carlo_rule_and_pair_a_with_b(tmp_path: Path) -> None:
    n, seed = 8, 4
    res = cmp.compare(
        RAW_A, RAW_B, n, tmp_path / "c", seed=seed, replication=synthetic_replication, workers=0
    )
    assert res["seeds"] == [mc.replication_seed(seed, k) for k in range(n)]
    assert _strip(res["runs"]["a"]) == _expected(RAW_A, 0, "a", n, seed)
    assert _strip(res["runs"]["b"]) == _expected(RAW_B, 1, "b", n, seed)
    assert _file_rows(tmp_path / "c") == sorted(
        _expected(RAW_A, 0, "a", n, seed) + _expected(RAW_B, 1, "b", n, seed), key=mc.row_key
    )
    # the paired difference is the t interval of the per-replication differences
    ka = np.array([r["threats_killed"] for r in res["runs"]["a"]], dtype=float)
    kb = np.array([r["threats_killed"] for r in res["runs"]["b"]], dtype=float)
    d = kb - ka
    lo, hi = stats.t.interval(0.95, n - 1, loc=d.mean(), scale=stats.sem(d))
    got = res["diff"]["threats_killed"]
    assert got["mean"] == pytest.approx(d.mean())
    assert (got["lo"], got["hi"]) == pytest.approx((lo, hi))
    assert res["b"]["threats"]["mean"] == 5 and res["a"]["threats"]["mean"] == 3
    for name in ("compare.csv", "compare.json", "compare.png", mc.MANIFEST):
        assert (tmp_path / "c" / name).stat().st_size > 0


def test_a_system_against_itself_differs_by_exactly_nothing() -> None:
    res = cmp.compare(RAW_A, RAW_A, 6, replication=synthetic_replication, workers=0)
    for key, st in res["diff"].items():
        if st["n"]:
            assert st["mean"] == 0.0 and st["lo"] == 0.0 and st["hi"] == 0.0, key
    assert res["diff"]["threats_killed"]["n"] == 6


def test_bad_options_raise_one_line() -> None:
    with pytest.raises(mc.McError, match="at least one run"):
        cmp.compare(RAW_A, RAW_B, 0, replication=synthetic_replication)
    with pytest.raises(mc.McError, match="--resume needs --out"):
        cmp.compare(RAW_A, RAW_B, 2, replication=synthetic_replication, resume=True)


# ------------------------------------------------------------------ the CLI


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def _main() -> None:
        """test app"""

    return app


@pytest.fixture
def scenarios(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(TINY.format(name="system A", count=3))
    b.write_text(TINY.format(name="system B", count=5))
    return a, b


def _invoke(app: typer.Typer, *args: Any) -> Any:
    r = CliRunner().invoke(app, ["compare", *map(str, args)])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r


def test_cli_pool_dask_and_in_process_give_the_same_rows(
    app: typer.Typer, scenarios: tuple[Path, Path], tmp_path: Path
) -> None:
    a, b = scenarios
    n = 6
    common = ["-n", n, "--seed", 3, "--no-plots", "--json", "--replication", SYN_NAME]
    r0 = _invoke(app, a, b, *common, "--workers", 0, "--out", tmp_path / "p0")
    assert r0.exit_code == 0, r0.stderr
    rp = _invoke(app, a, b, *common, "--workers", 2, "--out", tmp_path / "pool")
    assert rp.exit_code == 0, rp.stderr
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        rd = _invoke(
            app, a, b, *common, "--scheduler", cluster.scheduler_address, "--out", tmp_path / "dask"
        )
    assert rd.exit_code == 0, rd.stderr
    expected = sorted(
        _expected(RAW_A, 0, "a", n, 3) + _expected(RAW_B, 1, "b", n, 3), key=mc.row_key
    )
    for d in ("p0", "pool", "dask"):
        assert _file_rows(tmp_path / d) == expected, d
    assert json.loads(rd.stdout) == json.loads(rp.stdout) == json.loads(r0.stdout)
    manifest = json.loads((tmp_path / "dask" / mc.MANIFEST).read_text())
    assert manifest["kind"] == "compare" and manifest["systems"] == {
        "a": "system A",
        "b": "system B",
    }


def test_cli_sigkill_then_resume_gives_the_pool_rows(
    app: typer.Typer, scenarios: tuple[Path, Path], tmp_path: Path
) -> None:
    a, b = scenarios
    out, n = tmp_path / "killed", 20
    args = ["-n", str(n), "--seed", "7", "--no-plots", "--replication", SYN_NAME]
    cmd = [sys.executable, "-m", "airdefsim.cli.main", "compare", str(a), str(b), *args]
    proc = subprocess.Popen(
        [*cmd, "--workers", "2", "--out", str(out)],
        env={**os.environ, SYNTHETIC_DELAY_ENV: "0.1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    results = out / mc.RESULTS
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            if results.exists() and results.read_bytes().count(b"\n") >= 6:
                break
            assert proc.poll() is None, "the comparison ended before it could be killed"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its workers, mid-batch
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = mc.read_rows(results)
    assert 6 <= len(before) < 2 * n
    r = _invoke(app, a, b, *args, "--workers", 0, "--out", out, "--resume", "--json")
    assert r.exit_code == 0, r.stderr
    rows = mc.read_rows(results)
    assert sorted(mc.row_key(x) for x in rows) == [(p, k) for p in (0, 1) for k in range(n)]
    pool = _invoke(app, a, b, *args, "--workers", 2, "--out", tmp_path / "pool", "--json")
    assert pool.exit_code == 0, pool.stderr
    assert _file_rows(out) == _file_rows(tmp_path / "pool")
    assert json.loads(r.stdout) == json.loads(pool.stdout)
    # resuming a complete comparison runs nothing and gives the same answer
    again = _invoke(app, a, b, *args, "--workers", 0, "--out", out, "--resume", "--json")
    assert json.loads(again.stdout) == json.loads(pool.stdout)
    assert len(mc.read_rows(results)) == 2 * n


def test_cli_json_table_and_out_files(
    app: typer.Typer, scenarios: tuple[Path, Path], tmp_path: Path
) -> None:
    a, b = scenarios
    base = ["-n", 3, "--workers", 0, "--replication", SYN_NAME]
    r = _invoke(app, a, b, *base, "--json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert set(data) == {"a", "b"}
    for side in ("a", "b"):
        assert list(data[side]) == [c.key for c in cmp.COMPARED]
        for st in data[side].values():
            assert set(st) == {"mean", "lo", "hi", "n"}
    assert data["a"]["threats"]["mean"] == 3 and data["b"]["threats"]["mean"] == 5
    out = tmp_path / "cmp"
    r = _invoke(app, a, b, *base, "--out", out)
    assert r.exit_code == 0, r.stderr
    assert (
        "1st eng. range (km)" in r.stdout and "B − A" in r.stdout and "Wilson [lo, hi]" in r.stdout
    )
    rows = (out / "compare.csv").read_text().splitlines()
    assert rows[0].startswith("metric,label,a_mean") and len(rows) == 1 + len(cmp.COMPARED)
    full = json.loads((out / "compare.json").read_text())
    assert {"a", "b", "diff", "names", "seeds", "runs"} <= set(full)
    assert len(full["runs"]["a"]) == 3 and full["seeds"] == [
        mc.replication_seed(1, k) for k in range(3)
    ]
    assert (out / "compare.png").read_bytes()[:4] == b"\x89PNG"
    # the same directory again without --resume is refused; with another -n, too
    r = _invoke(app, a, b, *base, "--out", out)
    assert r.exit_code == 2 and "--resume" in r.stderr
    r = _invoke(
        app, a, b, "-n", 4, "--workers", 0, "--replication", SYN_NAME, "--out", out, "--resume"
    )
    assert (r.exit_code, r.stderr.strip()) == (
        2,
        f"error: --resume {out}: made for a different batch (n: 3 there, 4 now)",
    )


def test_cli_bad_input_exits_2_with_one_line(
    app: typer.Typer, scenarios: tuple[Path, Path], tmp_path: Path
) -> None:
    a, b = scenarios
    a_file = tmp_path / "file"
    a_file.write_text("x")
    cases = [
        (
            [tmp_path / "nonexistent.yaml", b],
            f"{tmp_path / 'nonexistent.yaml'}:1: (file): no such file",
        ),
        ([a, b, "-n", 0], "error: -n 0: need at least one run per scenario"),
        ([a, b, "--workers", -1], "error: --workers -1: must be >= 0"),
        (
            [a, b, "--workers", 1, "--scheduler", "tcp://x:1"],
            "error: give either --workers or --scheduler, not both",
        ),
        (
            [a, b, "--resume"],
            "error: --resume needs --out, the directory of the comparison to finish",
        ),
        ([a, b, "--out", a_file], f"error: --out {a_file}: exists and is not a directory"),
    ]
    for args, message in cases:
        r = _invoke(app, *args, "--replication", SYN_NAME)
        assert r.exit_code == 2, (args, r.stderr)
        assert r.stderr.strip().splitlines() == [message]
        assert "Traceback" not in r.output
