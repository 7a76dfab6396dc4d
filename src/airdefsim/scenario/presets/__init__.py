"""Preset registry: systems, radars, missiles and air objects as data files.

Each ``*.yaml`` here maps a preset name to the fields of its spec model
(:mod:`airdefsim.scenario.schema`) plus a ``sources`` mapping that gives, for each
figure, its public source tag or ``assumed: <reason>``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from airdefsim.scenario.schema import MissileSpec, RadarSpec, ThreatSpec, UnitSpec

KINDS: dict[str, type[BaseModel]] = {
    "units": UnitSpec,
    "radars": RadarSpec,
    "missiles": MissileSpec,
    "threats": ThreatSpec,
}


class PresetError(ValueError):
    """A preset file that does not validate (a packaging error, not a user error)."""


@dataclass(frozen=True)
class Presets:
    """All presets, by kind and name."""

    units: dict[str, UnitSpec]
    radars: dict[str, RadarSpec]
    missiles: dict[str, MissileSpec]
    threats: dict[str, ThreatSpec]
    raw: dict[str, dict[str, Any]]

    def kind_of(self, name: str) -> str | None:
        for kind in KINDS:
            if name in getattr(self, kind):
                return kind
        return None

    def names(self) -> dict[str, list[str]]:
        return {kind: sorted(getattr(self, kind)) for kind in KINDS}


def _read(kind: str) -> dict[str, Any]:
    path = resources.files(__name__) / f"{kind}.yaml"
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise PresetError(f"presets/{kind}.yaml must be a mapping of name -> preset")
    return data


@lru_cache(maxsize=1)
def get_presets() -> Presets:
    """Load and validate every preset file (cached)."""
    built: dict[str, dict[str, Any]] = {}
    raw: dict[str, dict[str, Any]] = {}
    for kind, model in KINDS.items():
        data = _read(kind)
        raw[kind] = data
        built[kind] = {}
        for name, body in data.items():
            body = dict(body)
            body.setdefault("name", name)
            try:
                built[kind][name] = model.model_validate(body)
            except ValidationError as exc:
                raise PresetError(f"preset {kind}/{name}: {exc}") from exc
    return Presets(raw=raw, **built)  # type: ignore[arg-type]
