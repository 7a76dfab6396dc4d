"""The analysis side of the metric registry: proportions over runs, and display.

:data:`airdefsim.summary.METRICS` describes every numeric field of one run's summary
once. Statistics over many runs add proportions derived from those fields; they are
defined here, once, and Monte Carlo statistics, sweeps and ``compare`` all read them:

- *run events* (``p_asset_hit``, ``p_any_leaker``, ``p_all_killed``,
  ``p_friendly_engaged``): each run is one trial, a success when the event happened;
- *pooled fractions* (``kill_fraction``, ``leak_fraction``): each threat of each run is
  one trial. Assumption: their Wilson interval treats the threats as independent
  trials; threats of one raid share the defence's state (channels, rounds), so the
  interval is narrower than the truth when outcomes within a run are correlated. The
  per-run event probabilities carry no such assumption.

A proportion gives each run's ``(successes, trials)``; the estimate over a batch is
``sum(successes) / sum(trials)`` and the paired comparison uses the per-run ratio.

Display: a value is shown in its metric's display unit (ranges in km), and a key that
holds display-unit values names that unit (``first_engagement_range_km``), following the
project's rule that a value not in SI carries its unit in its name.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from airdefsim.summary import METRIC, METRICS, Metric, metric_label

#: a row (one run's summary, or a ``results.jsonl`` row) -> (successes, trials), or
#: None when the row cannot tell (the metric is missing or undefined)
Trials = Callable[[Mapping[str, Any]], tuple[int, int] | None]


@dataclass(frozen=True)
class Proportion:
    """A proportion estimated over the runs of a batch.

    Attributes
    ----------
    key : str — name in ``summary.json`` (``probabilities``), sweep tables and
        ``compare.json``
    label : str — a person's description
    short : str — a short label for narrow tables
    trials : Trials — one run's (successes, trials)
    """

    key: str
    label: str
    short: str
    trials: Trials


def finite(v: Any) -> float | None:
    """``v`` as a finite float, else None (None, NaN, text, booleans)."""
    if v is None or isinstance(v, bool | str):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _event(key: str) -> Trials:
    """One trial per run: a success when the count ``key`` is positive."""

    def trials(row: Mapping[str, Any]) -> tuple[int, int] | None:
        v = finite(row.get(key))
        return None if v is None else (int(v > 0), 1)

    return trials


def _all_killed(row: Mapping[str, Any]) -> tuple[int, int] | None:
    k, t = finite(row.get("threats_killed")), finite(row.get("threats"))
    if k is None or t is None or t <= 0:
        return None
    return (int(k >= t), 1)


def _of_threats(key: str) -> Trials:
    """One trial per threat: ``key`` successes out of ``threats``."""

    def trials(row: Mapping[str, Any]) -> tuple[int, int] | None:
        k, t = finite(row.get(key)), finite(row.get("threats"))
        if k is None or t is None or t <= 0:
            return None
        return (min(int(k), int(t)), int(t))

    return trials


#: every proportion of a batch, in display order
PROPORTIONS: tuple[Proportion, ...] = (
    Proportion("p_asset_hit", "P(any defended asset hit)", "P(asset hit)", _event("assets_hit")),
    Proportion("p_any_leaker", "P(any threat leaks)", "P(a leaker)", _event("leakers")),
    Proportion("p_all_killed", "P(every threat killed)", "P(all killed)", _all_killed),
    Proportion(
        "p_friendly_engaged",
        "P(a friendly aircraft engaged)",
        "P(friendly eng.)",
        _event("friendlies_engaged"),
    ),
    Proportion(
        "kill_fraction",
        "fraction of threats killed (pooled over runs)",
        "kill fraction",
        _of_threats("threats_killed"),
    ),
    Proportion(
        "leak_fraction",
        "fraction of threats leaking (pooled over runs)",
        "leak fraction",
        _of_threats("leakers"),
    ),
)
#: key -> Proportion
PROPORTION: dict[str, Proportion] = {p.key: p for p in PROPORTIONS}

#: registry keys in display order (a row's known metrics come first, in this order)
METRIC_ORDER: tuple[str, ...] = tuple(m.key for m in METRICS)


def display_key(m: Metric) -> str:
    """The key of ``m`` when it holds display-unit values: ``first_engagement_range_m``
    (m) -> ``first_engagement_range_km``; the registry key when no scaling applies."""
    if m.display_scale == 1.0 or not m.unit or not m.key.endswith("_" + m.unit):
        return m.key
    return m.key.removesuffix(m.unit) + m.display_unit


def display_value(m: Metric, v: float | None) -> float | None:
    """An SI value of ``m`` in its display unit; None stays None."""
    return None if v is None else v * m.display_scale


def format_value(m: Metric, v: Any) -> str:
    """One value of ``m`` for a person, in its display unit: counts as integers, other
    values with 2 decimals below 100 and none above; ``—`` when undefined."""
    f = finite(v)
    if f is None:
        return "—"
    f *= m.display_scale
    if m.kind == "count" and f == round(f):
        return f"{f:.0f}"
    return f"{f:.2f}" if abs(f) < 100 else f"{f:.0f}"


def label(key: str, short: bool = False) -> str:
    """A person's label of a registry metric (with its display unit) or a proportion;
    other keys with underscores as spaces."""
    if key in METRIC:
        return metric_label(key, short)
    p = PROPORTION.get(key)
    if p is not None:
        return p.short if short else p.label
    return key.replace("_", " ")
