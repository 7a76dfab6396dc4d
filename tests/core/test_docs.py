"""The documentation stands alone and matches the code.

``docs/architecture.md`` names modules and seams; a name that does not exist (a module
renamed, a seam moved) fails here, as does a module of the engine the page forgets, or
a reference to a file outside the repository.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PKG = ROOT / "src" / "airdefsim"
ARCH = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")

#: parts whose every module the layout names (web, analysis and cli are summarised)
LISTED_IN_FULL = (
    "scenario",
    "geo",
    "physics",
    "sensors",
    "tracking",
    "engagement",
    "sim",
    "record",
    "export",
    "testing",
)


def _text_files() -> list[Path]:
    out = [ROOT / "README.md", ROOT / "Makefile", ROOT / "pyproject.toml"]
    for top in ("docs", "src", "scenarios", "bench", "tests"):
        for p in (ROOT / top).rglob("*"):
            if p.suffix in {".md", ".py", ".yaml", ".yml", ".toml", ".html", ".js", ".txt"}:
                out.append(p)
    return out


def test_nothing_points_outside_the_repository() -> None:
    pattern = re.compile(r"\.\./shared|shared/(?:reference|DESIGN|STYLE)")
    me = Path(__file__).resolve()
    bad = [
        f"{p.relative_to(ROOT)}:{n}"
        for p in _text_files()
        if p.resolve() != me
        for n, line in enumerate(p.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
        if pattern.search(line)
    ]
    assert bad == []


def _layout() -> list[tuple[str, list[str]]]:
    """(directory, module file names) of each entry of the layout block."""
    block = ARCH.split("## Layout", 1)[1].split("```", 2)[1]
    entries: list[tuple[str, list[str]]] = []
    for line in block.splitlines()[1:]:
        head = re.match(r"^  ([a-z_]+(?:/[a-z_]+)*/|[a-z_]+\.py)\s", line + " ")
        if head:
            name = head.group(1)
            entries.append((name if name.endswith("/") else "", []))
            if name.endswith(".py"):
                entries[-1][1].append(name)
            text = line[head.end() :]
        else:
            text = line
        if entries:
            entries[-1][1].extend(re.findall(r"\b([a-z_][a-z0-9_]*\.py)\b", text))
    return entries


def test_layout_names_only_modules_that_exist() -> None:
    entries = _layout()
    assert len(entries) > 10
    missing = []
    for directory, files in entries:
        base = PKG / directory
        if not base.exists():
            missing.append(directory)
        missing += [f"{directory}{f}" for f in files if not (base / f).is_file()]
    assert missing == []


@pytest.mark.parametrize("part", LISTED_IN_FULL)
def test_layout_names_every_module_of_the_engine(part: str) -> None:
    named = {f for d, files in _layout() if d == f"{part}/" for f in files}
    modules = {p.name for p in (PKG / part).glob("*.py") if p.name != "__init__.py"}
    assert modules - named == set()


def test_layout_names_every_base_module() -> None:
    named = {f for d, files in _layout() if d == "" for f in files}
    modules = {p.name for p in PKG.glob("*.py") if p.name != "__init__.py"}
    assert modules - named == set()


def _resolve(dotted: str) -> object:
    parts = dotted.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj: object = importlib.import_module(".".join(parts[:k]))
        except ModuleNotFoundError:
            continue
        for attr in parts[k:]:
            obj = getattr(obj, attr)
        return obj
    raise ModuleNotFoundError(dotted)


def test_every_dotted_name_in_the_architecture_exists() -> None:
    names = set(re.findall(r"`(airdefsim(?:\.[A-Za-z_][A-Za-z0-9_]*)+)", ARCH))
    assert len(names) > 10
    for name in sorted(names):
        _resolve(name)  # raises if a module or attribute is gone


@pytest.mark.parametrize(
    ("qualified", "names"),
    [
        ("airdefsim.sim.Simulation", ["step", "run", "picture", "apply", "summary", "emit"]),
        ("airdefsim.sim.sinks.Sink", ["open", "rows", "event", "close"]),
        ("airdefsim.sim.clock.WallClock", ["now", "wait", "pause", "resume", "set_factor"]),
        ("airdefsim.sim.policies.QueuedPolicy", ["submit", "decide"]),
        ("airdefsim.engagement.adjudicate.Adjudicator", ["rule", "track_state", "note_iff"]),
        ("airdefsim.tracking.Tracker", ["from_config", "step", "tracks"]),
        ("airdefsim.physics.flyout.Interceptors", ["launch", "advance", "snapshot", "set_support"]),
    ],
)
def test_seam_methods_exist(qualified: str, names: list[str]) -> None:
    cls = _resolve(qualified)
    assert [n for n in names if not hasattr(cls, n)] == []


def test_recording_columns_are_the_recorders() -> None:
    from airdefsim.record import TABLES

    for table, schema in TABLES.items():
        row = re.search(rf"^\| {table} \| (.+) \|$", ARCH, re.M)
        assert row, table
        documented = [c.strip().split(" ")[0] for c in row.group(1).split(",")]
        assert documented == schema.names, table


def test_event_kinds_are_the_code() -> None:
    from airdefsim.events import EVENT_KINDS

    para = ARCH.split("`EventKind` is one", 1)[1].split(";", 1)[0]
    assert re.findall(r"[a-z_]+", para.split("of", 1)[1]) == list(EVENT_KINDS)
