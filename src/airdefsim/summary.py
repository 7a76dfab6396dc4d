"""The summary of one run and the one registry of its metrics.

:class:`RunSummary` is what :meth:`airdefsim.sim.Simulation.summary` returns, what
``run.json`` and ``summary.json`` hold, what a Monte Carlo row carries and what the
console scores. :data:`METRICS` describes each of its numeric fields once — label, unit,
kind — and Monte Carlo statistics, ``compare``, the report and the console's scoring all
read it, so a metric cannot be written under one name and read under another.

Units are SI in the fields (m, s); ``display_scale`` and ``display_unit`` say how a
person is shown the value (km for ranges). An undefined metric (no kill: interceptors
per kill; nothing launched: first engagement range) is NaN in memory and ``null`` in JSON.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

MetricKind = Literal["count", "time", "distance", "ratio"]


@dataclass(frozen=True)
class Metric:
    """How a numeric summary field is read and shown.

    Attributes
    ----------
    key : str — field name in :class:`RunSummary` (and in every JSON row)
    label : str — a person's name for it (tables, plots)
    short : str — a short label for narrow tables
    kind : MetricKind — count (integer per run), time (s), distance (m), ratio
    unit : str — SI unit of the value (``""`` for counts and ratios)
    display_unit : str — unit shown to a person
    display_scale : float — value × scale is in ``display_unit``
    result : bool — an outcome of the engagement (False: bookkeeping such as the
        simulated or wall-clock seconds)
    deterministic : bool — a function of scenario and seed alone (False only for
        wall-clock time)
    """

    key: str
    label: str
    short: str
    kind: MetricKind
    unit: str = ""
    display_unit: str = ""
    display_scale: float = 1.0
    result: bool = True
    deterministic: bool = True


def _m(
    label: str,
    short: str,
    kind: MetricKind,
    unit: str = "",
    display_unit: str = "",
    display_scale: float = 1.0,
    result: bool = True,
    deterministic: bool = True,
) -> Any:
    return field(
        metadata={
            "metric": (label, short, kind, unit, display_unit, display_scale, result, deterministic)
        }
    )


@dataclass(frozen=True)
class RunSummary:
    """The outcome of one run (see :data:`METRICS` for every numeric field's meaning)."""

    scenario: str
    seed: int
    threats: int = _m("threats", "threats", "count")
    threats_killed: int = _m("threats killed", "killed", "count")
    leakers: int = _m("leakers", "leakers", "count")
    threats_remaining: int = _m("threats still flying at the end", "remaining", "count")
    assets_hit: int = _m("defended assets hit", "assets hit", "count")
    interceptors_fired: int = _m("interceptors fired", "fired", "count")
    interceptors_per_kill: float = _m("interceptors per kill", "per kill", "ratio")
    friendlies: int = _m("friendly aircraft", "friendlies", "count", result=False)
    friendlies_engaged: int = _m("friendlies engaged", "friendlies eng.", "count")
    friendlies_killed: int = _m("friendlies killed", "friendlies killed", "count")
    roe_violations: int = _m("rules-of-engagement violations", "ROE viol.", "count")
    first_detection_s: float = _m("first detection", "1st detection", "time", "s", "s")
    first_launch_s: float = _m("first launch", "1st launch", "time", "s", "s")
    first_engagement_range_m: float = _m(
        "first engagement range", "1st eng. range", "distance", "m", "km", 1e-3
    )
    detection_to_launch_s: float = _m(
        "first detection to first launch", "detect→launch", "time", "s", "s"
    )
    tracks_confirmed: int = _m("tracks confirmed", "tracks", "count", result=False)
    sim_seconds: float = _m("simulated time", "sim time", "time", "s", "s", result=False)
    wall_seconds: float = _m(
        "wall-clock time", "wall time", "time", "s", "s", result=False, deterministic=False
    )

    def to_dict(self, deterministic_only: bool = False) -> dict[str, Any]:
        """Plain mapping (NaN kept; the JSON layer writes it as null). With
        ``deterministic_only``, fields that are not a function of scenario and seed
        (wall-clock time) are left out — what ``run.json`` holds."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        if deterministic_only:
            for m in METRICS:
                if not m.deterministic:
                    out.pop(m.key, None)
        return out

    @staticmethod
    def from_dict(raw: Mapping[str, Any]) -> RunSummary:
        """A summary from a mapping (JSON row): null is NaN for a float field, missing
        fields are NaN / 0 / ""; unknown keys are ignored."""
        kw: dict[str, Any] = {}
        for f in fields(RunSummary):
            v = raw.get(f.name)
            if f.type == "float":
                kw[f.name] = math.nan if v is None else float(v)
            elif f.type == "int":
                kw[f.name] = 0 if v is None else int(v)
            else:
                kw[f.name] = "" if v is None else str(v)
        return RunSummary(**kw)


def _registry() -> tuple[Metric, ...]:
    out = []
    for f in fields(RunSummary):
        spec = f.metadata.get("metric")
        if spec is None:
            continue
        label, short, kind, unit, dunit, scale, result, det = spec
        out.append(Metric(f.name, label, short, kind, unit, dunit, scale, result, det))
    return tuple(out)


#: every numeric field of :class:`RunSummary`, in display order
METRICS: tuple[Metric, ...] = _registry()
#: key -> Metric
METRIC: dict[str, Metric] = {m.key: m for m in METRICS}
#: the engagement outcomes (what statistics, comparisons and plots are about)
RESULT_METRICS: tuple[Metric, ...] = tuple(m for m in METRICS if m.result)


def metric_label(key: str, short: bool = False) -> str:
    """A person's label of a metric, with its display unit: ``"first engagement range
    (km)"``. Keys outside the registry come back with underscores as spaces."""
    m = METRIC.get(key)
    if m is None:
        return key.replace("_", " ")
    name = m.short if short else m.label
    return f"{name} ({m.display_unit})" if m.display_unit else name
