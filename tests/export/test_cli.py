"""``airdefsim export`` end to end through Typer's CliRunner."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from pyasteryx import Decoder
from typer.testing import CliRunner

from airdefsim.cli.export import register
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


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["/nonexistent/run", "--format", "asterix"], "not a run directory"),
        (["{tmp}", "--format", "asterix"], "not a run directory"),
        (["{run}", "--format", "shapefile"], "unknown format"),
        (["{run}", "--format", "asterix", "--sac", "300"], "--sac"),
        (["{run}", "--format", "kml", "--what", "truth,radar"], "--what"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    app: typer.Typer, run_dir: Path, tmp_path: Path, args: list[str], needle: str
) -> None:
    args = [a.format(tmp=tmp_path, run=run_dir) for a in args]
    res = _invoke(app, *args)
    assert res.exit_code == 2
    text = res.output.strip()
    assert needle in text and len(text.splitlines()) == 1 and "Traceback" not in text
