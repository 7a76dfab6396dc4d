"""Scenario loading: every bad input is one clear line per problem, never a traceback."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from airdefsim.cli.main import app
from airdefsim.scenario import ScenarioError, get_presets, load_scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
runner = CliRunner()

GOOD = """\
name: t
origin: {lat: 39.9, lon: 32.8}
duration: 2 min
blue:
  - preset: s400_battalion
    at: {lat: 39.9, lon: 32.8}
defended_assets:
  - {name: base, lat: 39.95, lon: 32.7}
red:
  - preset: fighter
    route:
      - {lat: 40.5, lon: 33.0, alt: 8 km}
      - {at: base}
"""


def write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text)
    return p


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenarios_are_valid(path):
    scn = load_scenario(path)
    assert scn.duration > 0
    assert scn.blue


def test_units_become_si(tmp_path):
    scn = load_scenario(write(tmp_path, GOOD))
    assert scn.duration == 120.0
    assert scn.red[0].route[0].alt == 8000.0


@pytest.mark.parametrize(
    ("text", "line", "path", "words"),
    [
        (GOOD.replace("duration: 2 min", "duration: two minutes"), 3, "duration", "cannot read"),
        (
            GOOD.replace("preset: fighter", "preset: ufo"),
            10,
            "red[0].preset",
            "unknown air-object preset",
        ),
        (
            GOOD.replace("preset: s400_battalion", "preset: s500"),
            5,
            "blue[0].preset",
            "unknown unit preset",
        ),
        (
            GOOD.replace("{at: base}", "{at: nowhere}"),
            13,
            "red[0].route[1].at",
            "no defended asset",
        ),
        (GOOD + "colour: red\n", 14, "colour", "unknown key"),
        (GOOD.replace("lat: 40.5", "lat: 140.5"), 12, "red[0].route[0].lat", "less than or equal"),
        (GOOD.replace("name: t\n", ""), 1, "name", "required"),
        (GOOD.replace("alt: 8 km", "alt: [1, 2]"), 12, "red[0].route[0].alt", "expected a length"),
    ],
)
def test_problems_name_file_line_and_field(tmp_path, text, line, path, words):
    f = write(tmp_path, text)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(f)
    problems = [p for p in exc.value.problems if p.path == path]
    assert problems, [str(p) for p in exc.value.problems]
    assert problems[0].line == line
    assert words in problems[0].message
    assert str(problems[0]).startswith(f"{f}:{line}: {path}: ")


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02\xff\xfe binary",
        b"\xff\xfe\xfa not utf8",
        b"- a\n- list\n",
        b"just a string",
        b"name: [unclosed\n",
        b"a: 1\n  b: 2\n",
        b"{{{{",
        b"42",
        b"name: x\norigin: 5\nduration: -3\nblue: 7\n",
    ],
)
def test_validate_cli_never_tracebacks(tmp_path, content):
    f = write(tmp_path, content)
    result = runner.invoke(app, ["validate", str(f)])
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert lines
    assert all(ln.startswith(f"{f}:") for ln in lines), lines
    assert "Traceback" not in result.output


def test_validate_missing_file_and_directory(tmp_path):
    for target in (tmp_path / "nope.yaml", tmp_path):
        result = runner.invoke(app, ["validate", str(target)])
        assert result.exit_code == 2
        assert "Traceback" not in result.output


def test_validate_ok_exit_zero(tmp_path):
    result = runner.invoke(app, ["validate", str(write(tmp_path, GOOD))])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_validate_as_a_real_process(tmp_path):
    f = write(tmp_path, b"\x00junk")
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "airdefsim.cli.main", "validate", str(f)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith(f"{f}:1: (file): ")
    assert "Traceback" not in proc.stderr


def test_every_preset_figure_has_a_source():
    p = get_presets()
    for kind, presets in p.raw.items():
        for name, body in presets.items():
            sources = body.get("sources") or {}
            assert sources, f"{kind}/{name} has no sources"
            for key, text in sources.items():
                assert text and isinstance(text, str), f"{kind}/{name}.{key}"
                assert "[" in text or "assumed" in text.lower() or "brief" in text, (
                    f"{kind}/{name}.{key}: {text}"
                )


def test_every_source_tag_is_listed_in_the_docs():
    """The repository stands alone: each ``[tag]`` a preset cites is in docs/sources.md."""
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", (ROOT / "docs/sources.md").read_text(), re.M))
    p = get_presets()
    cited = set()
    for presets in p.raw.values():
        for body in presets.values():
            for text in (body.get("sources") or {}).values():
                cited |= set(re.findall(r"\[([a-z][a-z0-9-]*)\]", text))
    assert len(cited) > 30
    assert cited <= listed, sorted(cited - listed)


def test_required_preset_names_exist():
    p = get_presets()
    assert {"s400_battalion", "s400_regiment", "patriot_battery"} <= set(p.units)
    assert {"fighter", "stealth_fighter", "cruise_missile", "srbm", "drone", "airliner"} <= set(
        p.threats
    )
    assert {"40N6E", "48N6E3", "9M96E2", "PAC-2_GEM-T", "PAC-3_MSE"} <= set(p.missiles)
    assert {"91N6E", "92N6E", "96L6E", "AN/MPQ-65"} <= set(p.radars)


def test_presets_cli_list_and_show():
    r = runner.invoke(app, ["presets"])
    assert r.exit_code == 0 and "s400_battalion" in r.output
    r = runner.invoke(app, ["presets", "show", "s400_battalion"])
    assert r.exit_code == 0 and "armyrec-2015" in r.output
    r = runner.invoke(app, ["presets", "show", "s900"])
    assert r.exit_code == 2 and "no preset named" in r.output
