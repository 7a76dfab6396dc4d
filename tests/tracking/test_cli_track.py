"""``airdefsim track`` end to end through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from airdefsim.cli.track import register
from airdefsim.testing.synthetic_tracks import straight_truth


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    a = typer.Typer()
    register(a)

    @a.command("noop")
    def noop() -> None:  # a second command keeps "track" a sub-command
        pass

    return a


def _write_inputs(tmp: Path, fmt: str = "csv") -> tuple[Path, Path]:
    """Six straight-flying targets, two sensors (2 s σ 30 m, 5 s σ 120 m), 60 s."""
    rng = np.random.default_rng(4)
    times = np.arange(0.0, 60.0, 1.0)
    pos, _ = straight_truth(6, times, rng, half_width=40e3)
    rows: dict[str, list] = {k: [] for k in ("t", "sensor", "x", "y", "z", "sigma")}
    for k, t in enumerate(times):
        for name, every, sig in (("acq", 5, 120.0), ("eng", 2, 30.0)):
            if k % every:
                continue
            z = pos[k] + rng.normal(0.0, sig, pos[k].shape)
            for p in z:
                rows["t"].append(t)
                rows["sensor"].append(name)
                rows["x"].append(p[0])
                rows["y"].append(p[1])
                rows["z"].append(p[2])
                rows["sigma"].append(sig)
    truth = {
        "t": np.repeat(times, 6),
        "id": np.tile(np.arange(6), times.size),
        "x": pos[:, :, 0].ravel(),
        "y": pos[:, :, 1].ravel(),
        "z": pos[:, :, 2].ravel(),
    }
    plots_path = tmp / f"plots.{fmt}"
    truth_path = tmp / "truth.csv"
    table = pa.table(rows)
    if fmt == "csv":
        pacsv.write_csv(table, plots_path)
    else:
        pq.write_table(table, plots_path)
    pacsv.write_csv(pa.table(truth), truth_path)
    return plots_path, truth_path


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_track_and_score(app: typer.Typer, tmp_path: Path, fmt: str) -> None:
    plots, truth = _write_inputs(tmp_path, fmt)
    out = tmp_path / "tracks.parquet"
    cfg = tmp_path / "tracker.yaml"
    cfg.write_text("tracker:\n  association: jpda\n  models: [cv, ct]\n")
    res = CliRunner().invoke(
        app,
        [
            "track",
            str(plots),
            "--out",
            str(out),
            "--truth",
            str(truth),
            "--config",
            str(cfg),
            "--json",
        ],
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    for key in (
        "gospa_mean",
        "gospa_localisation",
        "gospa_missed",
        "gospa_false",
        "tracks_confirmed",
        "track_breaks",
        "id_switches",
    ):
        assert key in summary
    tracks = pq.read_table(out)
    assert tracks.column_names == ["t", "track_id", "x", "y", "z", "vx", "vy", "vz", "status"]
    assert summary["tracks_confirmed"] == 6
    assert summary["id_switches"] == 0
    # after confirmation every target is held to well under c: GOSPA is far below the
    # value for one missed target (sqrt(c²/2) = 707 m)
    assert summary["gospa_mean"] < 707.0
    status = set(tracks["status"].to_pylist())
    assert status <= {"tentative", "confirmed", "coasting"}


def test_table_output_without_json(app: typer.Typer, tmp_path: Path) -> None:
    plots, _ = _write_inputs(tmp_path)
    out = tmp_path / "tracks.csv"
    res = CliRunner().invoke(app, ["track", str(plots), "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "n plots" in res.stdout
    assert pacsv.read_csv(out).num_rows > 0


@pytest.mark.parametrize(
    "case,message",
    [
        ("missing_file", "plots file not found"),
        ("missing_column", "lacks column(s) sigma"),
        ("bad_config", "c.yaml:1: gate: unknown key"),
        ("bad_truth", "truth table lacks column(s) id"),
        ("garbage", "cannot read plots file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    app: typer.Typer, tmp_path: Path, case: str, message: str
) -> None:
    plots, truth = _write_inputs(tmp_path)
    args = ["track", str(plots), "--out", str(tmp_path / "o.parquet")]
    if case == "missing_file":
        args[1] = str(tmp_path / "nope.csv")
    elif case == "missing_column":
        pacsv.write_csv(pacsv.read_csv(plots).drop(["sigma"]), plots)
    elif case == "bad_config":
        (tmp_path / "c.yaml").write_text("gate: 3\n")
        args += ["--config", str(tmp_path / "c.yaml")]
    elif case == "bad_truth":
        pacsv.write_csv(pacsv.read_csv(truth).drop(["id"]), truth)
        args += ["--truth", str(truth)]
    elif case == "garbage":
        plots.write_bytes(b"t,sensor\n1,2,3,4\n\x00\x01")
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 2
    assert message in res.stderr
    assert "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "tracker:\n  association: nearest\n",
            ["{f}:2: tracker.association: Input should be 'gnn' or 'jpda'"],
        ),
        (
            "# options\nconfirm_hits: 0\nmodels: [cv, warp]\n",
            [
                "{f}:2: confirm_hits: Input should be greater than or equal to 1",
                "{f}:3: models[1]: Input should be 'cv', 'ca', 'ct', 'ct_left', 'ct_right' or "
                "'ballistic'",
            ],
        ),
        ("tracker: [gnn]\n", ["{f}:1: tracker: must be a mapping of options"]),
        ("- gnn\n", ["{f}:1: (file): tracker settings are a YAML mapping of options"]),
        ("max_speed: Mach 3\n", ["{f}:1: max_speed: expected a speed in m/s, km/h or kt"]),
    ],
)
def test_config_problems_are_file_line_path_message(
    app: typer.Typer, tmp_path: Path, text: str, expected: list[str]
) -> None:
    """``--config`` is read with the scenario's TrackerSettings model: the same
    ``FILE:LINE: path: message`` lines as ``airdefsim validate``, exit 2."""
    plots, _ = _write_inputs(tmp_path)
    f = tmp_path / "c.yaml"
    f.write_text(text)
    res = CliRunner().invoke(
        app, ["track", str(plots), "--out", str(tmp_path / "o.csv"), "--config", str(f)]
    )
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == len(expected), lines
    for line, want in zip(lines, expected, strict=True):
        assert line.startswith(want.format(f=f)), line
    assert not (tmp_path / "o.csv").exists()


@pytest.mark.parametrize(
    "text",
    ["", "tracker:\n", "tracker:\n  association: jpda\n  max_speed: 3 km/s\n"],
)
def test_config_may_be_empty_or_a_scenario_block(
    app: typer.Typer, tmp_path: Path, text: str
) -> None:
    plots, _ = _write_inputs(tmp_path)
    f = tmp_path / "c.yaml"
    f.write_text(("name: a scenario's other keys are not read\n" if text else "") + text)
    res = CliRunner().invoke(
        app, ["track", str(plots), "--out", str(tmp_path / "o.csv"), "--config", str(f)]
    )
    assert res.exit_code == 0, res.output
