"""``airdefsim export`` end to end through Typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import geojson as gj
import numpy as np
import pytest
import typer
from pyasteryx import Decoder
from typer.testing import CliRunner

from airdefsim.cli.export import register
from airdefsim.export import czml
from airdefsim.export.run import RunData


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    a = typer.Typer()
    register(a)

    @a.command("noop")  # a second command, so "export" is a subcommand as in airdefsim
    def noop() -> None: ...

    return a


def _invoke(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, ["export", *args])


def test_asterix_end_to_end(app: typer.Typer, run_dir: Path, run: RunData, tmp_path: Path) -> None:
    out = tmp_path / "x.ast"
    res = _invoke(
        app, str(run_dir), "--format", "asterix", "--out", str(out), "--sac", "5", "--sic", "6"
    )
    assert res.exit_code == 0, res.output
    recs = Decoder(editions={62: "1.18"}).decode_file(out)
    assert len(recs) == len(run.table("tracks")["t"])
    assert {(m["I062/010"]["SAC"], m["I062/010"]["SIC"]) for m in recs} == {(5, 6)}
    assert "track updates" in res.output


def test_map_formats_end_to_end(app: typer.Typer, run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.czml"
    res = _invoke(app, str(run_dir), "-f", "czml", "-o", str(out), "--what", "truth,coverage")
    assert res.exit_code == 0, res.output
    packets = json.loads(out.read_text())
    czml.check_structure(packets)
    assert {p["id"].split("/")[0] for p in packets} == {
        "document",
        "unit",
        "asset",
        "coverage",
        "truth",
        "event",
    }
    out = tmp_path / "r.geojson"
    res = _invoke(app, str(run_dir), "-f", "geojson", "-o", str(out), "--coverage-alt", "10000")
    assert res.exit_code == 0, res.output
    fc = gj.loads(out.read_text())
    assert fc.is_valid
    cov = [f for f in fc["features"] if f["properties"]["layer"] == "coverage"]
    assert {f["properties"]["target_alt_m"] for f in cov} == {10000.0}
    res = _invoke(
        app,
        str(run_dir),
        "-f",
        "geojson",
        "-o",
        str(out),
        "--coverage-rcs",
        "0.25",
        "--coverage-alt",
        "10000",
    )
    assert res.exit_code == 0, res.output
    cov = [
        f for f in json.loads(out.read_text())["features"] if f["properties"]["layer"] == "coverage"
    ]
    # surveillance radar: 390 km vs 4 m² -> 195 km vs 0.25 m² (R ∝ σ^(1/4)), at 10 km
    assert cov[0]["properties"]["radius_m"] == pytest.approx(np.sqrt(195e3**2 - 9980.0**2))
    assert cov[0]["properties"]["target_rcs_m2"] == 0.25
    res = _invoke(app, str(run_dir), "-f", "kml", "-o", str(tmp_path / "r.kml"))
    assert res.exit_code == 0, res.output
    assert (tmp_path / "r.kml").read_bytes().startswith(b"<?xml")
    # default output: inside the run directory
    res = _invoke(app, str(run_dir), "-f", "geojson")
    assert res.exit_code == 0 and (run_dir / "run.geojson").is_file()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["/nonexistent/run", "--format", "asterix"], "not a run directory"),
        (["{tmp}", "--format", "asterix"], "not a run directory"),
        (["{run}", "--format", "shapefile"], "unknown format"),
        (["{run}"], "--format is required"),
        (["{run}", "--format", "asterix", "--sac", "300"], "--sac"),
        (["{run}", "--format", "kml", "--what", "truth,radar"], "--what"),
        (["{run}", "--format", "kml", "--out", "{run}/run.json/x.kml"], "cannot write"),
        (["{broken}", "--format", "czml"], "run.json"),
        (["{run}", "--format", "czml", "--coverage-rcs", "0"], "--coverage-rcs"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    app: typer.Typer, run_dir: Path, tmp_path: Path, args: list[str], needle: str
) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "run.json").write_text("{not json")
    args = [a.format(tmp=tmp_path, run=run_dir, broken=broken) for a in args]
    res = _invoke(app, *args)
    assert res.exit_code == 2
    text = res.output.strip()
    assert needle in text and len(text.splitlines()) == 1 and "Traceback" not in text
