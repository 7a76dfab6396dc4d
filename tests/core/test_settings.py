"""Tracker and ASTERIX settings are typed parts of the scenario schema.

``airdefsim validate`` rejects every bad setting with ``FILE:LINE: path: message`` and
exit 2; whatever it accepts, the tracker runs (a hypothesis search over the whole space
the model allows); ``airdefsim track --config`` reads its file with the same model.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import annotated_types as at
import numpy as np
import pytest
import typer
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyasteryx import Decoder
from typer.testing import CliRunner

from airdefsim.cli.export import register as register_export
from airdefsim.cli.main import app
from airdefsim.export.asterix import AsterixUdpSink, recorded_settings, with_overrides
from airdefsim.scenario import ScenarioError, load_scenario, validate_dict
from airdefsim.scenario.schema import (
    MOTION_MODELS,
    AsterixSettings,
    MotionModelName,
    Scenario,
    TrackerSettings,
    expand_models,
)
from airdefsim.testing.synthetic_run import write_synthetic_run
from airdefsim.testing.synthetic_tracks import plots_from_truth, straight_truth
from airdefsim.tracking import Tracker, filters
from airdefsim.types import Plots, TrackTable

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
runner = CliRunner()

# Line numbers below are those of this text (the tracker block starts on line 7).
BASE = """\
name: settings
origin: {lat: 39.9, lon: 32.8}
duration: 1 min
blue:
  - preset: s400_battalion
    at: {lat: 39.9, lon: 32.8}
tracker:
  association: gnn
  models: [cv, ct]
  gate_prob: 0.9997
  confirm_hits: 3
  max_speed: 5 km/s
  group_window: 1 s
  debias: true
asterix:
  sac: 25
  sic: 7
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def test_base_is_valid_and_si(tmp_path: Path) -> None:
    scn = load_scenario(write(tmp_path, BASE))
    assert scn.tracker.models == ("cv", "ct_left", "ct_right")
    assert scn.tracker.max_speed == 5000.0
    assert scn.tracker.group_window == 1.0
    assert (scn.asterix.sac, scn.asterix.sic, scn.asterix.service_id) == (25, 7, 1)
    result = runner.invoke(app, ["validate", str(write(tmp_path, BASE))])
    assert result.exit_code == 0, result.output


def test_defaults_when_absent() -> None:
    raw = yaml.safe_load(BASE)
    del raw["tracker"], raw["asterix"]
    scn = validate_dict(raw)
    assert scn.tracker == TrackerSettings()
    assert scn.asterix == AsterixSettings()


BAD = [
    # (replace this, by this, line, path, words in the message)
    ("association: gnn", "association: nearest", 8, "tracker.association", "'gnn' or 'jpda'"),
    ("association: gnn", "association: [gnn]", 8, "tracker.association", "'gnn' or 'jpda'"),
    ("models: [cv, ct]", "models: [cv, foo]", 9, "tracker.models[1]", "'cv', 'ca', 'ct'"),
    ("models: [cv, ct]", "models: []", 9, "tracker.models", "at least 1 item"),
    ("models: [cv, ct]", "models: [ct, ct_left]", 9, "tracker.models", "ct_left listed twice"),
    ("models: [cv, ct]", "models: 3", 9, "tracker.models", "valid tuple"),
    ("gate_prob: 0.9997", "gate_prob: 1", 10, "tracker.gate_prob", "less than 1"),
    ("gate_prob: 0.9997", "gate_prob: 0", 10, "tracker.gate_prob", "greater than 0"),
    ("gate_prob: 0.9997", "gate_prob: '0.9'", 10, "tracker.gate_prob", "valid number"),
    ("gate_prob: 0.9997", "gate_prob: .nan", 10, "tracker.gate_prob", "finite number"),
    (
        "confirm_hits: 3",
        "confirm_hits: 0",
        11,
        "tracker.confirm_hits",
        "greater than or equal to 1",
    ),
    ("confirm_hits: 3", "confirm_hits: 2.5", 11, "tracker.confirm_hits", "valid integer"),
    ("confirm_hits: 3", "confirm_hits: true", 11, "tracker.confirm_hits", "valid integer"),
    ("max_speed: 5 km/s", "max_speed: Mach 2", 12, "tracker.max_speed", "not a Mach number"),
    ("max_speed: 5 km/s", "max_speed: -5 km/s", 12, "tracker.max_speed", "greater than 0"),
    ("max_speed: 5 km/s", "max_speed: 5 km", 12, "tracker.max_speed", "unknown unit 'km'"),
    ("group_window: 1 s", "group_window: 1 parsec", 13, "tracker.group_window", "unknown unit"),
    ("group_window: 1 s", "group_window: .inf", 13, "tracker.group_window", "finite number"),
    (
        "group_window: 1 s",
        "group_window: 0 s",
        13,
        "tracker.group_window",
        "greater than or equal to 0.001",
    ),
    ("debias: true", "debias: maybe", 14, "tracker.debias", "valid boolean"),
    ("debias: true", "pd: 1.5", 14, "tracker.pd", "less than or equal to 1"),
    ("debias: true", "p_stay: 1.0", 14, "tracker.p_stay", "less than 1"),
    ("debias: true", "process_noise: brownian", 14, "tracker.process_noise", "'discrete'"),
    ("debias: true", "clutter_density: 0", 14, "tracker.clutter_density", "greater than or"),
    ("debias: true", "coast_factor: 0.5", 14, "tracker.coast_factor", "greater than or equal"),
    ("debias: true", "delete_min: -1 s", 14, "tracker.delete_min", "greater than or equal"),
    ("debias: true", "look_gap: 2 h", 14, "tracker.look_gap", "less than or equal to 3600"),
    ("debias: true", "sigma_ca: 3 m/s2", 14, "tracker.sigma_ca", "unknown unit 'm/s2'"),
    ("debias: true", "confim_hits: 3", 14, "tracker.confim_hits", "unknown key"),
    ("debias: true", "colour: red", 14, "tracker.colour", "unknown key"),
    ("tracker:\n  association: gnn", "tracker: 5\nx:\n  association: gnn", 7, "tracker", "valid"),
    ("sac: 25", "sac: 256", 16, "asterix.sac", "less than or equal to 255"),
    ("sac: 25", "sac: true", 16, "asterix.sac", "valid integer"),
    ("sic: 7", "sic: -1", 17, "asterix.sic", "greater than or equal to 0"),
    ("sic: 7", "service_id: 999", 17, "asterix.service_id", "less than or equal to 255"),
    ("sic: 7", "max_datagram: 70000", 17, "asterix.max_datagram", "less than or equal to 65507"),
    ("sic: 7", "udp: 127.0.0.1:8600", 17, "asterix.udp", "unknown key"),
]


@pytest.mark.parametrize(
    ("old", "new", "line", "path", "words"), BAD, ids=[b[1].split("\n")[0] for b in BAD]
)
def test_validate_rejects_bad_settings_with_their_line(
    tmp_path: Path, old: str, new: str, line: int, path: str, words: str
) -> None:
    assert BASE.count(old) == 1
    f = write(tmp_path, BASE.replace(old, new))
    result = runner.invoke(app, ["validate", str(f)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert all(ln.startswith(f"{f}:") for ln in lines), lines
    mine = [ln for ln in lines if ln.startswith(f"{f}:{line}: {path}: ")]
    assert mine, lines
    assert words in mine[0], mine[0]


def test_the_reported_bug_validate_and_run_both_exit_2(tmp_path: Path) -> None:
    """``tracker: {association: nearest}`` passed validate, then run died with a
    traceback; now both stop at the line."""
    text = BASE.replace("tracker:\n  association: gnn", "tracker:\n  association: nearest")
    f = write(tmp_path, text)
    for cmd in (["validate", str(f)], ["run", str(f), "--json"]):
        result = runner.invoke(app, cmd)
        assert result.exit_code == 2, (cmd, result.output)
        assert isinstance(result.exception, SystemExit)
        assert f"{f}:8: tracker.association: Input should be 'gnn' or 'jpda'" in result.output


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_shipped_scenarios_settings_round_trip(path: Path) -> None:
    """A recording stores ``model_dump(mode="json")`` of the scenario; reading it back
    (analysis re-tracks with it, export takes its SAC/SIC) gives the same settings."""
    scn = load_scenario(path)
    again = Scenario.model_validate(json.loads(json.dumps(scn.model_dump(mode="json"))))
    assert again.tracker == scn.tracker
    assert again.asterix == scn.asterix


def test_motion_model_names_are_the_filters() -> None:
    assert set(MOTION_MODELS) == set(filters.MODEL_NAMES)
    assert set(get_args(MotionModelName)) == {*filters.MODEL_NAMES, "ct"}
    assert expand_models(["ct", "cv"]) == ("ct_left", "ct_right", "cv")


def test_every_setting_reaches_the_tracker() -> None:
    """The tracker reads every field of the model (none is decorative)."""
    src = (ROOT / "src/airdefsim/tracking/tracker.py").read_text()
    unread = [f for f in TrackerSettings.model_fields if f".{f}" not in src]
    assert unread == []


# ------------------------------------------------------------------ validate, then run


def _bounds(field: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for m in field.metadata:
        if isinstance(m, at.Gt):
            out["min_value"], out["exclude_min"] = m.gt, True
        elif isinstance(m, at.Ge):
            out["min_value"] = m.ge
        elif isinstance(m, at.Lt):
            out["max_value"], out["exclude_max"] = m.lt, True
        elif isinstance(m, at.Le):
            out["max_value"] = m.le
    return out


def _strategy(name: str) -> st.SearchStrategy[Any]:
    """Values the model accepts for field ``name``, from its own annotation and bounds."""
    field = TrackerSettings.model_fields[name]
    if name == "models":
        return st.lists(
            st.sampled_from(get_args(MotionModelName)), min_size=1, max_size=6, unique=True
        ).filter(lambda ms: len(set(expand_models(ms))) == len(expand_models(ms)))
    ann = field.annotation
    if ann is bool:
        return st.booleans()
    if get_args(ann):  # a Literal
        return st.sampled_from(get_args(ann))
    b = _bounds(field)
    if ann is int:
        return st.integers(b["min_value"], b["max_value"])
    assert ann is float, (name, ann)
    return st.floats(**b, allow_nan=False, allow_infinity=False)


_SMALL = {"max_passes": 12, "confirm_hits": 12}  # keep the tiny run meaningful


@st.composite
def tracker_mappings(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.sets(st.sampled_from(sorted(TrackerSettings.model_fields)), max_size=28))
    out = {}
    for n in sorted(names):
        v = draw(_strategy(n))
        out[n] = min(v, _SMALL[n]) if n in _SMALL else v
    return out


def _tiny_plots(seed: int) -> list[tuple[float, Plots]]:
    """Three straight targets, a 1 s radar (σ 30 m) and a 4 s one (σ 150 m) with
    false alarms, 14 s, then 6 s without plots (coasting, deletion)."""
    rng = np.random.default_rng(seed)
    times = np.arange(0.0, 14.0, 1.0)
    pos, _ = straight_truth(3, times, rng, half_width=20e3)
    steps = []
    for k, t in enumerate(times):
        parts = [plots_from_truth(t, pos[k], 30.0, 0.9, 1, rng, sensor=1)]
        if k % 4 == 0:
            parts.append(plots_from_truth(t - 0.4, pos[k], 150.0, 0.8, 2, rng, sensor=0))
        steps.append((float(t), Plots.concat(parts)))
    steps += [(float(t), Plots.empty()) for t in np.arange(14.0, 20.0, 1.0)]
    return steps


STEPS = _tiny_plots(1)


def _check_table(tt: TrackTable) -> None:
    m = len(tt)
    assert tt.x.shape == (m, 6) and tt.P.shape == (m, 6, 6)
    assert np.all(np.isfinite(tt.x))
    assert np.all(np.isfinite(tt.P))
    assert len(set(tt.track_id.tolist())) == m


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(raw=tracker_mappings())
def test_what_validate_accepts_the_tracker_runs(raw: dict[str, Any]) -> None:
    """Any tracker block the scenario model accepts gives a tracker that runs over
    two radars, false alarms and a gap without raising (no floating-point division by
    zero, overflow or invalid operation either), with finite estimates."""
    text = BASE.split("tracker:")[0] + yaml.safe_dump({"tracker": raw}, sort_keys=True)
    scn = validate_dict(yaml.safe_load(text), "<hypothesis>")
    trk = Tracker.from_config(scn.tracker)
    with np.errstate(divide="raise", over="raise", invalid="raise"):
        for t, plots in STEPS:
            trk.step(t, plots)
            _check_table(trk.tracks())


def test_a_scenario_with_every_setting_changed_runs(tmp_path: Path) -> None:
    """validate, then run: JPDA, continuous noise, three models, units as text."""
    text = BASE.split("tracker:")[0] + (
        "red:\n"
        "  - preset: fighter\n"
        "    route: [{lat: 40.3, lon: 33.2, alt: 8 km}, {lat: 39.95, lon: 32.85}]\n"
        "tracker:\n"
        "  association: jpda\n  process_noise: continuous\n  models: [cv, ct]\n"
        "  debias: false\n  p_stay: 0.9\n  sigma_cv: 0.5 g\n  sigma_ca: 2 g/s\n"
        "  sigma_ct: 4 m/s²\n  turn_acc: 3 g\n  sigma_ballistic: 6\n  gate_prob: 0.999\n"
        "  group_window: 2 s\n  look_gap: 300 ms\n  max_passes: 2\n"
        "  init_speed_sigma: 800 kt\n  init_acc_sigma: 2 g\n  confirm_hits: 2\n"
        "  confirm_score: 8\n  tentative_timeout: 0.5 min\n  coast_factor: 2\n"
        "  coast_min: 3 s\n  delete_factor: 5\n  delete_min: 30 s\n  max_pos_sigma: 5 km\n"
        "  max_speed: 3 km/s\n  pd: 0.8\n  clutter_density: 1.0e-12\n"
        "asterix: {sac: 1, sic: 2, service_id: 3, max_datagram: 512}\n"
    )
    f = write(tmp_path, text)
    scn = load_scenario(f)
    assert set(scn.tracker.model_fields_set) == set(TrackerSettings.model_fields)
    assert scn.tracker.init_speed_sigma == pytest.approx(800 * 1852 / 3600)
    assert scn.tracker.sigma_ca == pytest.approx(2 * 9.80665)
    assert scn.tracker.tentative_timeout == 30.0
    assert runner.invoke(app, ["validate", str(f)]).exit_code == 0
    result = runner.invoke(app, ["run", str(f), "--json", "--seed", "3"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["threats"] == 1


# ------------------------------------------------------------------ ASTERIX settings


def test_asterix_checks_are_the_model() -> None:
    assert with_overrides(AsterixSettings(sac=3), sic=None) == AsterixSettings(sac=3)
    assert with_overrides(AsterixSettings(sac=3), sic=9).sic == 9
    with pytest.raises(ValueError, match=r"^--sac: Input should be less than or equal to 255$"):
        with_overrides(AsterixSettings(), "--", sac=256)
    with pytest.raises(ValueError, match=r"^service_id: Input should be greater than or equal"):
        AsterixUdpSink("127.0.0.1", 8600, 1, 2, 39.9, 32.8, service_id=-1)
    with pytest.raises(ValueError, match=r"^max_datagram: "):
        AsterixUdpSink("127.0.0.1", 8600, 1, 2, 39.9, 32.8, max_datagram=0)


@pytest.fixture(scope="module")
def export_app() -> typer.Typer:
    a = typer.Typer()
    register_export(a)

    @a.command("noop")  # a second command, so "export" is a subcommand as in airdefsim
    def noop() -> None: ...

    return a


def _sources(path: Path) -> set[tuple[int, int]]:
    recs = Decoder(editions={62: "1.18"}).decode_file(path)
    assert recs
    return {(m["I062/010"]["SAC"], m["I062/010"]["SIC"]) for m in recs}


def test_export_takes_the_recorded_scenario_settings(
    tmp_path: Path, export_app: typer.Typer
) -> None:
    """``airdefsim export --format asterix`` uses the scenario's SAC/SIC (decoded by an
    independent decoder, pyasteryx); ``--sac``/``--sic`` override; no block: 0/1."""
    run_dir = write_synthetic_run(tmp_path / "run", n_targets=2, duration=10.0, dt=2.0)
    assert recorded_settings(run_dir) == AsterixSettings()
    out = tmp_path / "a.ast"
    args = ["export", str(run_dir), "--format", "asterix", "--out", str(out)]
    assert runner.invoke(export_app, args).exit_code == 0
    assert _sources(out) == {(0, 1)}
    meta_file = run_dir / "run.json"
    meta = json.loads(meta_file.read_text())
    meta["scenario"] = {"asterix": AsterixSettings(sac=25, sic=7).model_dump(mode="json")}
    meta_file.write_text(json.dumps(meta))
    assert recorded_settings(run_dir) == AsterixSettings(sac=25, sic=7)
    assert runner.invoke(export_app, args).exit_code == 0
    assert _sources(out) == {(25, 7)}
    assert runner.invoke(export_app, [*args, "--sic", "9"]).exit_code == 0
    assert _sources(out) == {(25, 9)}
    bad = runner.invoke(export_app, [*args, "--sic", "300"])
    assert bad.exit_code == 2
    assert "--sic: Input should be less than or equal to 255" in bad.output


def test_problems_are_value_errors() -> None:
    """A bad raw mapping given to the tracker seam is a ValueError naming the key."""
    with pytest.raises(ScenarioError) as exc:
        Tracker.from_config({"gate_prob": 2.0, "models": ["cv", "cv"]})
    paths = sorted(p.path for p in exc.value.problems)
    assert paths == ["tracker.gate_prob", "tracker.models"]
    assert isinstance(exc.value, ValueError)
