"""Sweeps: --set parsing, grid building, validation before running, common random numbers."""

from __future__ import annotations

import csv
import json

import pyarrow.parquet as pq
import pytest
import typer
import yaml
from distributed import LocalCluster
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from airdefsim.analysis import montecarlo as mc
from airdefsim.analysis import sweep
from airdefsim.cli import mc as mc_cli
from airdefsim.testing.synthetic_batch import synthetic_replication

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
SYN_NAME = "airdefsim.testing.synthetic_batch:synthetic_replication"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("red[0].count", ("red", 0, "count")),
        ("blue[0].doctrine.policy", ("blue", 0, "doctrine", "policy")),
        ("red[0].route[1].alt", ("red", 0, "route", 1, "alt")),
        ("duration", ("duration",)),
        ("red[-1].count", ("red", -1, "count")),
    ],
)
def test_parse_path(text, tokens):
    assert sweep.parse_path(text) == tokens


@pytest.mark.parametrize(
    "text", ["", "[0].x", "red[0]count", "red..count", "red[x]", "red.", "red[0", "a b"]
)
def test_parse_path_rejects(text):
    with pytest.raises(sweep.SweepError):
        sweep.parse_path(text)


def test_parse_set_types_values():
    p = sweep.parse_set("red[0].count=10,20,40")
    assert p.values == (10, 20, 40) and p.tokens == ("red", 0, "count")
    q = sweep.parse_set("red[0].spacing=20 s, 1 min")
    assert q.values == ("20 s", "1 min")
    assert sweep.parse_set("blue[0].doctrine.policy=shoot-look-shoot").values == (
        "shoot-look-shoot",
    )
    assert sweep.parse_set("x=0.5,true").values == (0.5, True)
    for bad in ["red[0].count", "red[0].count=", "red[0].count=1,,2", "red[0].count=1,1", "=3"]:
        with pytest.raises(sweep.SweepError, match=r"^--set "):
            sweep.parse_set(bad)


def test_set_path_copies_and_creates_mappings():
    out = sweep.set_path(RAW, ("blue", 0, "doctrine", "policy"), "shoot-shoot-look")
    assert out["blue"][0]["doctrine"] == {"policy": "shoot-shoot-look"}
    assert "doctrine" not in RAW["blue"][0]  # never mutates its argument
    assert sweep.set_path(RAW, ("red", -1, "count"), 7)["red"][0]["count"] == 7
    with pytest.raises(sweep.SweepError, match="red has 1 entries, no \\[3\\]"):
        sweep.set_path(RAW, ("red", 3, "count"), 1)
    with pytest.raises(sweep.SweepError, match="is not a list"):
        sweep.set_path(RAW, ("name", 0), 1)
    with pytest.raises(sweep.SweepError, match="is not a mapping"):
        sweep.set_path(RAW, ("red", 0, "count", "x"), 1)


def test_grid_is_cartesian_product_first_slowest():
    params = [sweep.parse_set("red[0].count=1,2,3"), sweep.parse_set("blue[0].doctrine.salvo=1,2")]
    grid = sweep.build_grid(RAW, params)
    assert [(g.values["red[0].count"], g.values["blue[0].doctrine.salvo"]) for g in grid] == [
        (1, 1),
        (1, 2),
        (2, 1),
        (2, 2),
        (3, 1),
        (3, 2),
    ]
    assert grid[3].raw["red"][0]["count"] == 2 and grid[3].raw["blue"][0]["doctrine"]["salvo"] == 2
    sweep.validate_grid(grid, params)  # every point is a valid scenario


@pytest.mark.parametrize(
    ("sets", "message"),
    [
        (
            ["red[0].count=10,abc"],
            "--set red[0].count=abc: red[0].count: Input should be a valid integer",
        ),
        (
            ["red[0].count=2", "blue[0].doctrine.policy=shoot-twice"],
            "--set blue[0].doctrine.policy=shoot-twice: blue[0].doctrine.policy: Input should be 'shoot-look-shoot' or 'shoot-shoot-look'",
        ),
        (
            ["blue[0].doctrin.policy=auto"],
            "--set blue[0].doctrin.policy=auto: blue[0].doctrin: unknown key",
        ),
        (["red[2].count=1"], "--set red[2].count=1: red[2].count: red has 1 entries, no [2]"),
    ],
)
def test_bad_sets_fail_before_running(tmp_path, sets, message):
    out = tmp_path / "o"
    with pytest.raises(sweep.SweepError) as err:
        sweep.run_sweep(RAW, sets, 2, out, replication=synthetic_replication, workers=0)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)
    assert not out.exists()  # nothing ran, nothing written


def test_sweep_common_random_numbers_and_table(tmp_path):
    out = tmp_path / "s"
    n = 30
    s = sweep.run_sweep(
        RAW,
        ["red[0].count=1,4", "blue[0].doctrine.policy=shoot-look-shoot,shoot-shoot-look"],
        n,
        out,
        replication=synthetic_replication,
        workers=0,
    )
    rows = mc.read_rows(out / mc.RESULTS)
    assert len(rows) == 4 * n
    # same seeds at every point (common random numbers)
    seeds = {
        p: [r["seed"] for r in sorted(rows, key=mc.row_key) if r["point"] == p] for p in range(4)
    }
    assert all(seeds[p] == [mc.replication_seed(11, i) for i in range(n)] for p in range(4))

    # the synthetic model ignores the policy: with CRN the two policies give identical rows
    def strip(p):
        return [
            {
                k: v
                for k, v in r.items()
                if k not in ("wall_seconds", "point", "param:blue[0].doctrine.policy")
            }
            for r in sorted(rows, key=mc.row_key)
            if r["point"] == p
        ]

    assert strip(0) == strip(1) and strip(2) == strip(3)
    assert strip(0) != strip(2)
    table = s["table"]
    assert [t["red[0].count"] for t in table] == [1, 1, 4, 4]
    assert [t["threats_mean"] for t in table] == [1, 1, 4, 4]
    with open(out / "sweep.csv") as fh:
        csv_rows = list(csv.DictReader(fh))
    assert len(csv_rows) == 4 and csv_rows[3]["blue[0].doctrine.policy"] == "shoot-shoot-look"
    pt = pq.read_table(out / "sweep.parquet").to_pylist()
    assert pt[2]["threats_killed_mean"] == pytest.approx(table[2]["threats_killed_mean"])
    assert 0 <= pt[2]["p_any_leaker_lo"] <= pt[2]["p_any_leaker"] <= pt[2]["p_any_leaker_hi"] <= 1
    assert (out / "sweep_red_0_count.png").exists() and (
        out / "sweep_blue_0_doctrine_policy.png"
    ).exists()
    # a resumed complete sweep runs nothing more
    again = sweep.run_sweep(
        RAW,
        ["red[0].count=1,4", "blue[0].doctrine.policy=shoot-look-shoot,shoot-shoot-look"],
        n,
        out,
        replication=synthetic_replication,
        workers=0,
        resume=True,
        plots=False,
    )
    assert (again["ran"], again["resumed"]) == (0, 4 * n)
    with pytest.raises(mc.McError, match="params"):
        sweep.run_sweep(
            RAW,
            ["red[0].count=1,5"],
            n,
            out,
            replication=synthetic_replication,
            workers=0,
            resume=True,
        )


def test_sweep_on_dask_runs_each_point_with_its_own_scenario(tmp_path):
    # regression: the Dask executor scattered each point's scenario as a dict, whose
    # values Dask keys by the dict's keys -- every point then ran the first scenario
    n = 3
    sets = ["red[0].count=1,4"]
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster:
        s = sweep.run_sweep(
            RAW,
            sets,
            n,
            tmp_path / "dask",
            replication=synthetic_replication,
            scheduler=cluster.scheduler_address,
            plots=False,
        )
    assert [t["threats_mean"] for t in s["table"]] == [1, 4]
    pool = sweep.run_sweep(
        RAW, sets, n, tmp_path / "p0", replication=synthetic_replication, workers=0, plots=False
    )

    def strip(d):
        return [
            {k: v for k, v in r.items() if k != "wall_seconds"}
            for r in sorted(mc.read_rows(d / mc.RESULTS), key=mc.row_key)
        ]

    assert strip(tmp_path / "dask") == strip(tmp_path / "p0")

    def det(table):
        return [{k: v for k, v in t.items() if not k.startswith("wall_seconds")} for t in table]

    assert det(s["table"]) == det(pool["table"])


def test_cli_bad_set_is_one_line_exit_2(tmp_path):
    app = typer.Typer()
    mc_cli.register(app)
    scen = tmp_path / "tiny.yaml"
    scen.write_text(TINY)
    out = tmp_path / "o"
    args = ["sweep", str(scen), "-n", "2", "--out", str(out), "--replication", SYN_NAME]
    r = CliRunner().invoke(app, [*args, "--set", "red[0].cnt=1,2"])
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit)
    assert r.stderr.strip().splitlines() == ["error: --set red[0].cnt=1: red[0].cnt: unknown key"]
    r = CliRunner().invoke(app, [*args, "--set", "red[0]]=1"])
    assert r.exit_code == 2
    assert r.stderr.strip() == (
        "error: --set red[0]]=1: bad path 'red[0]]': unexpected ']' at column 7"
    )
    assert not out.exists()
    r = CliRunner().invoke(
        app, [*args, "--workers", "0", "--set", "red[0].count=1,2", "--json", "--no-plots"]
    )
    assert r.exit_code == 0, r.stderr
    assert [row["threats_mean"] for row in json.loads(r.stdout)["table"]] == [1, 2]


_keys = st.from_regex(r"[A-Za-z_][A-Za-z0-9_\-]{0,8}", fullmatch=True)
_tokens = st.tuples(_keys, st.lists(st.one_of(_keys, st.integers(-5, 50)), max_size=6)).map(
    lambda t: (t[0], *t[1])
)


@settings(max_examples=200, deadline=None)
@given(_tokens)
def test_path_text_round_trips(tokens):
    text = ""
    for t in tokens:
        text += f"[{t}]" if isinstance(t, int) else ("." if text else "") + t
    assert sweep.parse_path(text) == tokens
