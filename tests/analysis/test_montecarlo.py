"""Monte Carlo batches: seeding, pool/Dask equivalence, durability, resume."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
import typer
import yaml
from distributed import Client, LocalCluster
from typer.testing import CliRunner

from airdefsim.analysis import montecarlo as mc
from airdefsim.analysis import stats
from airdefsim.cli import mc as mc_cli
from airdefsim.testing.synthetic_batch import SYNTHETIC_DELAY_ENV, synthetic_replication

TINY = """\
name: tiny
origin: {lat: 39.93, lon: 32.86}
duration: 120 s
seed: 11
defended_assets:
  - {name: airbase, lat: 39.95, lon: 32.69}
blue:
  - preset: s400_battalion
    at: {lat: 39.90, lon: 32.80}
red:
  - preset: fighter
    count: 3
    route: [{lat: 40.6, lon: 32.9, alt: 8 km}, {at: airbase}]
"""
RAW = yaml.safe_load(TINY)
SYN = synthetic_replication
SYN_NAME = "airdefsim.testing.synthetic_batch:synthetic_replication"


def _strip(rows):
    """Rows without the wall-clock column (the one metric not fixed by the seed)."""
    return [{k: v for k, v in r.items() if k != "wall_seconds"} for r in rows]


def _expected_rows(raw, n):
    return [
        mc.make_row(
            i, mc.replication_seed(raw["seed"], i), SYN(raw, mc.replication_seed(raw["seed"], i))
        )
        for i in range(n)
    ]


def test_replication_seed_is_seedsequence_and_distinct():
    s = [mc.replication_seed(11, i) for i in range(1000)]
    assert len(set(s)) == 1000
    assert all(0 <= x < 2**63 for x in s)
    st = np.random.SeedSequence([11, 5]).generate_state(2, np.uint32)
    assert s[5] == (int(st[0]) << 31) ^ int(st[1])
    assert mc.replication_seed(12, 5) != s[5]


def test_pool_and_dask_and_inprocess_rows_identical(tmp_path):
    n = 12
    expected = _strip(_expected_rows(RAW, n))
    got_0 = mc.run_montecarlo(RAW, n, tmp_path / "p0", replication=SYN, workers=0, plots=False)
    mc.run_montecarlo(RAW, n, tmp_path / "pool", replication=SYN, workers=2, plots=False)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cl:
        # by address (the batch opens and closes its own client) and with a client
        addr = cl.scheduler_address
        mc.run_montecarlo(RAW, n, tmp_path / "dask", replication=SYN, scheduler=addr, plots=False)
        with Client(cl) as client:
            mc.run_montecarlo(
                RAW, 5, tmp_path / "dask5", replication=SYN, scheduler=client, plots=False
            )
            assert client.status == "running"  # a client passed in is left open
    rows5 = sorted(mc.read_rows(tmp_path / "dask5" / mc.RESULTS), key=mc.row_key)
    assert _strip(rows5) == expected[:5]
    for d in ("p0", "pool", "dask"):
        rows = sorted(mc.read_rows(tmp_path / d / mc.RESULTS), key=mc.row_key)
        assert _strip(rows) == expected, d
    assert got_0["n"] == n and got_0["ran"] == n and got_0["resumed"] == 0


def test_summary_json_and_plots(tmp_path):
    n = 300
    s = mc.run_montecarlo(RAW, n, tmp_path / "b", replication=SYN, workers=0, confidence=0.999)
    on_disk = json.loads((tmp_path / "b" / mc.SUMMARY).read_text())
    assert on_disk["metrics"]["threats_killed"]["mean"] == pytest.approx(
        s["metrics"]["threats_killed"]["mean"]
    )
    assert (tmp_path / "b" / "histograms.png").stat().st_size > 1000
    assert (tmp_path / "b" / "running_mean.png").stat().st_size > 1000
    # the synthetic model kills each of 3 threats with p = 0.8: closed forms
    m = s["metrics"]["threats_killed"]
    assert m["lo"] <= 3 * 0.8 <= m["hi"]
    p = s["probabilities"]["p_all_killed"]
    assert p["lo"] <= 0.8**3 <= p["hi"]
    assert p["n"] == n


def test_torn_last_line_is_dropped_and_resume_fills_in(tmp_path):
    out = tmp_path / "b"
    n = 10
    rows = _expected_rows(RAW, n)
    ref = tmp_path / "ref"  # a finished batch, only for its manifest
    mc.run_montecarlo(RAW, n, ref, replication=SYN, workers=0, plots=False)
    out.mkdir()
    (out / mc.MANIFEST).write_bytes((ref / mc.MANIFEST).read_bytes())
    good = "".join(json.dumps(r) + "\n" for r in rows[:3])
    (out / mc.RESULTS).write_text(good + json.dumps(rows[3])[:25])  # torn write
    assert len(mc.read_rows(out / mc.RESULTS)) == 3
    s = mc.run_montecarlo(RAW, n, out, replication=SYN, workers=0, resume=True, plots=False)
    assert (s["resumed"], s["ran"]) == (3, 7)
    text = (out / mc.RESULTS).read_text()
    assert text.endswith("\n") and text.count("\n") == n
    got = sorted(mc.read_rows(out / mc.RESULTS), key=mc.row_key)
    assert _strip(got) == _strip(rows)


def test_refuses_existing_dir_and_foreign_resume(tmp_path):
    out = tmp_path / "b"
    mc.run_montecarlo(RAW, 3, out, replication=SYN, workers=0, plots=False)
    with pytest.raises(mc.McError, match="--resume"):
        mc.run_montecarlo(RAW, 3, out, replication=SYN, workers=0, plots=False)
    with pytest.raises(mc.McError, match=r"\(n: 3 there, 4 now\)"):
        mc.run_montecarlo(RAW, 4, out, replication=SYN, workers=0, resume=True, plots=False)
    other = {**RAW, "duration": "130 s"}
    with pytest.raises(mc.McError, match="scenario_sha256"):
        mc.run_montecarlo(other, 3, out, replication=SYN, workers=0, resume=True, plots=False)
    with pytest.raises(mc.McError, match="replication"):
        mc.run_montecarlo(
            RAW, 3, out, replication=mc.run_replication, workers=0, resume=True, plots=False
        )


def test_damaged_middle_line_is_an_error(tmp_path):
    p = tmp_path / mc.RESULTS
    p.write_text('{"replication": 0}\nnot json\n{"replication": 2}\n')
    with pytest.raises(mc.McError, match=":2: not a JSON row"):
        mc.read_rows(p)


def _boom(raw, seed):
    if seed == mc.replication_seed(raw["seed"], 2):
        raise RuntimeError("engine exploded")
    return SYN(raw, seed)


def test_failing_replication_keeps_finished_rows(tmp_path):
    out = tmp_path / "b"
    with pytest.raises(
        mc.ReplicationFailed, match=r"replication 2 .*RuntimeError: engine exploded"
    ):
        mc.run_montecarlo(RAW, 5, out, replication=_boom, workers=0, plots=False)
    assert [r["replication"] for r in mc.read_rows(out / mc.RESULTS)] == [0, 1]


def test_sigkill_then_resume_runs_each_replication_once(tmp_path):
    scen = tmp_path / "tiny.yaml"
    scen.write_text(TINY)
    out = tmp_path / "run"
    n = 40
    cmd = [
        sys.executable,
        "-m",
        "airdefsim.cli.mc",
        "mc",
        str(scen),
        "-n",
        str(n),
        "--workers",
        "2",
        "--out",
        str(out),
        "--replication",
        SYN_NAME,
    ]
    env = {**os.environ, SYNTHETIC_DELAY_ENV: "0.1"}
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    results = out / mc.RESULTS
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if results.exists() and results.read_bytes().count(b"\n") >= 6:
                break
            assert proc.poll() is None, "the batch ended before it could be killed"
            time.sleep(0.02)
        os.killpg(proc.pid, signal.SIGKILL)  # the CLI and its workers, mid-batch
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = mc.read_rows(results)
    assert 6 <= len(before) < n
    # resume (in this process, same batch: the manifest must match) finishes the rest
    summary = mc.run_montecarlo(
        yaml.safe_load(TINY), n, out, replication=SYN, workers=0, resume=True, plots=False
    )
    assert summary["resumed"] == len(before) and summary["ran"] == n - len(before)
    rows = mc.read_rows(results)
    assert sorted(r["replication"] for r in rows) == list(range(n))
    assert _strip(sorted(rows, key=mc.row_key)) == _strip(_expected_rows(yaml.safe_load(TINY), n))
    assert summary["n"] == n and summary["metrics"]["threats"]["mean"] == 3


def _cli(*args):
    """Run the ``mc``/``sweep`` commands in process; (exit code, stderr, stdout)."""
    app = typer.Typer()
    mc_cli.register(app)
    r = CliRunner().invoke(app, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stderr, r.stdout


def test_cli_bad_input_one_line_exit_2(tmp_path):
    scen = tmp_path / "bad.yaml"
    scen.write_text(TINY.replace("count: 3", "count: -1"))
    out = tmp_path / "o"
    code, err, _ = _cli("mc", scen, "-n", 2, "--out", out)
    assert code == 2
    assert err.strip().splitlines() == [
        f"{scen}:12: red[0].count: Input should be greater than or equal to 1"
    ]
    good = tmp_path / "good.yaml"
    good.write_text(TINY)
    code, err, _ = _cli(
        "mc", good, "-n", 2, "--out", out, "--workers", 1, "--scheduler", "tcp://x:1"
    )
    assert (code, err.strip()) == (2, "error: give either --workers or --scheduler, not both")
    code, err, _ = _cli("mc", good, "-n", 0, "--out", out)
    assert (code, err.strip()) == (2, "error: -n 0: need at least one replication")
    code, err, _ = _cli("mc", good, "-n", 2, "--out", out, "--replication", "nosuch.module:f")
    assert code == 2
    assert err.startswith("error: replication function 'nosuch.module:f': cannot import")
    assert len(err.strip().splitlines()) == 1
    assert not out.exists()
    # a good run prints the summary as JSON on stdout with --json
    code, err, stdout = _cli(
        "mc",
        good,
        "-n",
        4,
        "--out",
        out,
        "--workers",
        0,
        "--json",
        "--no-plots",
        "--replication",
        SYN_NAME,
    )
    assert code == 0, err
    assert json.loads(stdout)["metrics"]["threats"]["mean"] == 3
    code, err, _ = _cli(
        "mc", good, "-n", 5, "--out", out, "--workers", 0, "--resume", "--replication", SYN_NAME
    )
    assert (code, err.strip()) == (
        2,
        f"error: --resume {out}: made for a different batch (n: 4 there, 5 now)",
    )


def test_nan_metric_is_null_in_rows():
    row = mc.make_row(3, 9, {"leakers": np.int64(2), "interceptors_per_kill": math.nan, "seed": 9})
    assert row == {"replication": 3, "seed": 9, "leakers": 2, "interceptors_per_kill": None}
    assert (
        stats.column([row], "interceptors_per_kill")[0]
        != stats.column([row], "interceptors_per_kill")[0]
    )


def test_ctrl_c_stops_cleanly_and_resume_finishes(tmp_path):
    scen = tmp_path / "tiny.yaml"
    scen.write_text(TINY)
    out = tmp_path / "run"
    n = 30
    cmd = [sys.executable, "-m", "airdefsim.cli.mc", "mc", str(scen), "-n", str(n)]
    cmd += ["--workers", "2", "--out", str(out), "--no-plots", "--replication", SYN_NAME]
    env = {**os.environ, SYNTHETIC_DELAY_ENV: "0.3"}
    proc = subprocess.Popen(
        cmd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    results = out / mc.RESULTS
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (
        results.exists() and results.read_bytes().count(b"\n") >= 2
    ):
        assert proc.poll() is None, "the batch ended before it could be interrupted"
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C sends to the foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    saved = len(mc.read_rows(results))
    assert 2 <= saved < n
    assert err.strip().splitlines()[-1] == (
        f"error: interrupted: {saved} replications saved in {out}; run again with --resume"
    )
    s = mc.run_montecarlo(RAW, n, out, replication=SYN, workers=0, resume=True, plots=False)
    assert (s["resumed"], s["ran"]) == (saved, n - saved)
    assert sorted(r["replication"] for r in mc.read_rows(results)) == list(range(n))


def test_unreachable_scheduler_is_one_line():
    with pytest.raises(
        mc.McError, match=r"^--scheduler tcp://127.0.0.1:1: cannot connect: "
    ) as err:
        mc.connect("tcp://127.0.0.1:1", timeout="0.5s")
    assert "\n" not in str(err.value)
