"""Loading a scenario file: YAML with line numbers, validation with clear errors.

Every problem becomes one :class:`Problem` printed as ``FILE:LINE: path.to.field:
message``. Nothing here raises anything but :class:`ScenarioError` for bad input,
whatever the file holds (binary junk, empty, wrong types, unknown keys, unknown presets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from airdefsim.scenario.presets import get_presets
from airdefsim.scenario.schema import Scenario, TrackerSettings

PathKey = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.path}: {self.message}"


class ScenarioError(ValueError):
    """A scenario that cannot be used; ``problems`` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def format_path(loc: PathKey) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(file)"


def _line_map(node: yaml.Node | None, path: PathKey, out: dict[PathKey, int]) -> None:
    if node is None:
        return
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            k = key.value if isinstance(key, yaml.ScalarNode) else str(key)
            out[(*path, k)] = key.start_mark.line + 1
            _line_map(value, (*path, k), out)
            # a child's own line (value on next line) must not override the key's line
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, (*path, i), out)


def _line_for(lines: dict[PathKey, int], loc: PathKey) -> int:
    for n in range(len(loc), -1, -1):
        if loc[:n] in lines:
            return lines[loc[:n]]
    return 1


def _compose(text: str, file: str) -> tuple[Any, dict[PathKey, int]]:
    """Parse YAML text into Python data (None for an empty file) and a line map."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        msg = (exc.problem or str(exc)).strip()
        raise ScenarioError([Problem(file, line, "(file)", f"not valid YAML: {msg}")]) from None
    except yaml.YAMLError as exc:
        msg = str(exc).splitlines()[0] if str(exc) else "not valid YAML"
        raise ScenarioError([Problem(file, 1, "(file)", f"not valid YAML: {msg}")]) from None
    except (ValueError, RecursionError) as exc:
        raise ScenarioError([Problem(file, 1, "(file)", f"not valid YAML: {exc}")]) from None
    lines: dict[PathKey, int] = {}
    _line_map(node, (), lines)
    return data, lines


def parse_yaml(text: str, file: str) -> tuple[dict[str, Any], dict[PathKey, int]]:
    """Parse YAML text into a dict and a map of field path -> line number."""
    data, lines = _compose(text, file)
    if data is None:
        raise ScenarioError(
            [Problem(file, 1, "(file)", "the file is empty: a scenario is a YAML mapping")]
        )
    if not isinstance(data, dict):
        raise ScenarioError(
            [
                Problem(
                    file,
                    1,
                    "(file)",
                    f"a scenario is a YAML mapping of keys, not a {type(data).__name__}",
                )
            ]
        )
    return data, lines


def _pydantic_message(err: Any) -> str:
    msg = str(err.get("msg", "invalid"))
    if err.get("type") == "extra_forbidden":
        return "unknown key"
    if err.get("type") == "missing":
        return "required key is missing"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    return msg


def _strip_union_tags(loc: tuple[Any, ...]) -> PathKey:
    # Pydantic puts validator/union member names in loc; keep only real keys.
    return tuple(
        p for p in loc if isinstance(p, int) or not str(p).startswith(("function-", "constrained-"))
    )


def validate_model(
    model: type[M],
    raw: object,
    file: str,
    lines: dict[PathKey, int] | None = None,
    prefix: PathKey = (),
) -> M:
    """Validate ``raw`` as ``model``; raise :class:`ScenarioError` with one
    ``FILE:LINE: path: message`` problem per error, in file order. ``prefix`` is where ``raw`` sits in
    the file (its paths and lines), e.g. ``("tracker",)``."""
    lines = lines or {}
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        problems = []
        seen = set()
        for err in exc.errors():
            loc = _strip_union_tags(tuple(err["loc"]))
            key = (loc, err.get("type"))
            if key in seen:
                continue
            seen.add(key)
            full = (*prefix, *loc)
            problems.append(
                Problem(file, _line_for(lines, full), format_path(full), _pydantic_message(err))
            )
        raise ScenarioError(sorted(problems, key=lambda p: p.line)) from None


def validate_dict(
    raw: dict[str, Any], file: str = "<scenario>", lines: dict[PathKey, int] | None = None
) -> Scenario:
    """Validate a raw scenario mapping; raise :class:`ScenarioError` on any problem."""
    lines = lines or {}
    if not isinstance(raw, dict):
        raise ScenarioError([Problem(file, 1, "(file)", "a scenario is a YAML mapping of keys")])
    scenario = validate_model(Scenario, raw, file, lines)
    problems = check_references(scenario, file, lines)
    if problems:
        raise ScenarioError(sorted(problems, key=lambda p: p.line))
    return scenario


def tracker_settings(cfg: TrackerSettings | Mapping[str, Any] | None) -> TrackerSettings:
    """Typed tracker settings from settings, a raw mapping of them, or None (defaults).

    A bad mapping raises :class:`ScenarioError` (a ``ValueError``) naming each key:
    ``<tracker>:1: tracker.association: Input should be 'gnn' or 'jpda'``.
    """
    if cfg is None:
        return TrackerSettings()
    if isinstance(cfg, TrackerSettings):
        return cfg
    return validate_model(TrackerSettings, dict(cfg), "<tracker>", prefix=("tracker",))


def load_tracker_settings(path: str | Path) -> TrackerSettings:
    """Tracker settings from a YAML file (``airdefsim track --config``): either the
    mapping of options itself or a file with a ``tracker:`` entry (a scenario file works
    too: only its ``tracker:`` is read). An empty file gives the defaults. Raises
    :class:`ScenarioError` only, with ``FILE:LINE: path: message`` problems."""
    text, file = _read_text(path, "tracker settings file")
    data, lines = _compose(text, file)
    if data is None:
        return TrackerSettings()
    if not isinstance(data, dict):
        raise ScenarioError(
            [Problem(file, 1, "(file)", "tracker settings are a YAML mapping of options")]
        )
    prefix: PathKey = ()
    if "tracker" in data:
        data, prefix = data["tracker"], ("tracker",)
        if data is None:
            return TrackerSettings()
        if not isinstance(data, dict):
            raise ScenarioError(
                [Problem(file, _line_for(lines, prefix), "tracker", "must be a mapping of options")]
            )
    return validate_model(TrackerSettings, data, file, lines, prefix)


def check_references(scenario: Scenario, file: str, lines: dict[PathKey, int]) -> list[Problem]:
    """Checks across fields: presets exist, aim points name assets, route shapes fit."""
    presets = get_presets()
    problems: list[Problem] = []

    def add(loc: PathKey, msg: str) -> None:
        problems.append(Problem(file, _line_for(lines, loc), format_path(loc), msg))

    asset_names = {a.name for a in scenario.defended_assets}
    for i, unit in enumerate(scenario.blue):
        if unit.preset not in presets.units:
            add(
                ("blue", i, "preset"),
                f"unknown unit preset {unit.preset!r} (known: {', '.join(sorted(presets.units))})",
            )
            continue
        spec = presets.units[unit.preset]
        if unit.missiles:
            known = {m for g in spec.launchers for m in g.load}
            for m in unit.missiles:
                if m not in presets.missiles:
                    add(("blue", i, "missiles", m), f"unknown missile {m!r}")
                elif m not in known:
                    add(("blue", i, "missiles", m), f"{unit.preset} carries no {m!r}")
    names = [u.name or f"{u.preset}-{i + 1}" for i, u in enumerate(scenario.blue)]
    if len(set(names)) != len(names):
        add(("blue",), "two blue units have the same name; give each a distinct 'name'")
    for side in ("red", "friendly_air"):
        for i, group in enumerate(getattr(scenario, side)):
            if group.preset not in presets.threats:
                known_threats = ", ".join(sorted(presets.threats))
                add(
                    (side, i, "preset"),
                    f"unknown air-object preset {group.preset!r} (known: {known_threats})",
                )
                continue
            threat = presets.threats[group.preset]
            for j, wp in enumerate(group.route):
                if wp.at is not None and wp.at not in asset_names:
                    add((side, i, "route", j, "at"), f"no defended asset named {wp.at!r}")
            if threat.kind == "ballistic_missile" and len(group.route) != 2:
                add(
                    (side, i, "route"),
                    "a ballistic missile's route is two points: launch and impact",
                )
    if scenario.decision_interval > scenario.duration:
        add(("decision_interval",), "longer than the scenario's duration")
    return problems


def load_scenario(path: str | Path) -> Scenario:
    """Read, parse and validate a scenario file. Raises :class:`ScenarioError` only."""
    raw, lines, file = read_scenario_raw(path)
    scenario = validate_dict(raw, file, lines)
    if scenario.dem:
        dem = Path(scenario.dem)
        if not dem.is_absolute():
            dem = Path(path).parent / dem
        if not dem.is_file():
            raise ScenarioError(
                [Problem(file, _line_for(lines, ("dem",)), "dem", f"no DEM file at {dem}")]
            )
        scenario.dem = str(dem)
    return scenario


def _read_text(path: str | Path, what: str = "YAML file") -> tuple[str, str]:
    """Read a UTF-8 text file -> (text, display name); ScenarioError on any problem."""
    file = str(path)
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ScenarioError([Problem(file, 1, "(file)", "no such file")]) from None
    except IsADirectoryError:
        raise ScenarioError([Problem(file, 1, "(file)", f"is a directory, not a {what}")]) from None
    except OSError as exc:
        raise ScenarioError([Problem(file, 1, "(file)", f"cannot read: {exc.strerror}")]) from None
    if b"\x00" in data:
        raise ScenarioError([Problem(file, 1, "(file)", "binary data, not a YAML text file")])
    try:
        return data.decode("utf-8"), file
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScenarioError([Problem(file, line, "(file)", "not UTF-8 text")]) from None


def read_scenario_raw(path: str | Path) -> tuple[dict[str, Any], dict[PathKey, int], str]:
    """Read a scenario file into (raw dict, line map, display name)."""
    text, file = _read_text(path, "scenario file")
    raw, lines = parse_yaml(text, file)
    return raw, lines, file
