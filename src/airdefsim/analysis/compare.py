"""System-vs-system comparison: two scenarios run on the same seeds.

:func:`compare` runs each scenario ``n`` times with seeds ``seed, seed + 1, …`` (the same
seeds for both, so the raid's random spread and the sensors' noise streams line up as far
as the scenarios allow) and summarises each metric as a mean with a 95 % interval:

* counts and times (threats killed, leakers, assets hit, interceptors fired,
  interceptors per kill, first engagement range, first detection to first launch,
  friendlies engaged): Student-t interval of the mean over runs
  (:func:`airdefsim.analysis.stats.t_interval`); runs where the metric is undefined
  (no kill, no launch) are left out and ``n`` says how many were used;
* proportions (fraction of threats killed, fraction leaking — pooled over all runs —
  and the fraction of runs in which a friendly was engaged): Wilson score interval
  (:func:`airdefsim.analysis.stats.wilson_interval`).

The paired difference B − A per run (same seed) gets a t interval too (``diff``).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from airdefsim.analysis.stats import t_interval, wilson_interval

#: (key, label, source summary key, scale) of the metrics averaged with a t interval
MEAN_METRICS: list[tuple[str, str, str, float]] = [
    ("threats_killed", "threats killed", "threats_killed", 1.0),
    ("leakers", "leakers", "leakers", 1.0),
    ("assets_hit", "defended assets hit", "assets_hit", 1.0),
    ("interceptors_fired", "interceptors fired", "interceptors_fired", 1.0),
    ("interceptors_per_kill", "interceptors per kill", "interceptors_per_kill", 1.0),
    ("first_engagement_range_km", "first engagement range (km)", "first_engagement_range_m", 1e-3),
    ("detection_to_launch_s", "first detection to first launch (s)", "detection_to_launch_s", 1.0),
    ("friendlies_engaged", "friendlies engaged", "friendlies_engaged", 1.0),
]
#: (key, label) of the proportions with a Wilson interval
PROPORTIONS: list[tuple[str, str]] = [
    ("kill_fraction", "fraction of threats killed"),
    ("leak_fraction", "fraction of threats leaking"),
    ("runs_friendly_engaged", "runs with a friendly engaged"),
]
LABELS: dict[str, str] = {k: label for k, label, _, _ in MEAN_METRICS} | dict(PROPORTIONS)
#: short labels for narrow tables
SHORT: dict[str, str] = {
    "threats_killed": "threats killed",
    "leakers": "leakers",
    "assets_hit": "assets hit",
    "interceptors_fired": "interceptors fired",
    "interceptors_per_kill": "interceptors/kill",
    "first_engagement_range_km": "1st engagement km",
    "detection_to_launch_s": "detect→launch s",
    "friendlies_engaged": "friendlies engaged",
    "kill_fraction": "kill fraction",
    "leak_fraction": "leak fraction",
    "runs_friendly_engaged": "runs w/ friendly eng",
}

RunFn = Callable[..., Any]


def _num(v: Any) -> float:
    if v is None:
        return math.nan
    try:
        x = float(v)
    except (TypeError, ValueError):
        return math.nan
    return x if math.isfinite(x) else math.nan


def _stat(mean: float, lo: float, hi: float, n: int) -> dict[str, float | int | None]:
    def clean(x: float) -> float | None:
        return None if not math.isfinite(x) else float(x)

    return {"mean": clean(mean), "lo": clean(lo), "hi": clean(hi), "n": int(n)}


def metric_values(summaries: Sequence[dict[str, Any]]) -> dict[str, np.ndarray]:
    """Per-run values of every mean metric, (n,) float each, NaN where undefined."""
    out: dict[str, np.ndarray] = {}
    for key, _, src, scale in MEAN_METRICS:
        out[key] = np.array([_num(s.get(src)) * scale for s in summaries], dtype=float)
    threats = np.array([_num(s.get("threats")) for s in summaries])
    out["kill_fraction"] = out["threats_killed"] / np.where(threats > 0, threats, np.nan)
    out["leak_fraction"] = out["leakers"] / np.where(threats > 0, threats, np.nan)
    out["runs_friendly_engaged"] = (np.nan_to_num(out["friendlies_engaged"]) > 0).astype(float)
    return out


def summarize(summaries: Sequence[dict[str, Any]]) -> dict[str, dict[str, float | int | None]]:
    """Mean and 95 % interval of every metric over run summaries.

    Parameters
    ----------
    summaries : list of dict — ``RunResult.summary`` of each run (keys of
        ``docs/architecture.md``)

    Returns
    -------
    dict metric -> {mean, lo, hi, n}; None where undefined (fewer than two values).
    """
    vals = metric_values(summaries)
    out: dict[str, dict[str, float | int | None]] = {}
    for key, *_ in MEAN_METRICS:
        x = vals[key]
        n_ok = int(np.isfinite(x).sum())
        out[key] = _stat(*t_interval(x), n_ok)
    threats = np.array([_num(s.get("threats")) for s in summaries])
    killed = vals["threats_killed"]
    leaked = vals["leakers"]
    ok = np.isfinite(threats) & np.isfinite(killed) & np.isfinite(leaked)
    total = int(np.nansum(threats[ok]))
    for key, k in (
        ("kill_fraction", int(np.nansum(killed[ok]))),
        ("leak_fraction", int(np.nansum(leaked[ok]))),
    ):
        k = min(k, total)
        lo, hi = wilson_interval(k, total)
        out[key] = _stat(k / total if total else math.nan, lo, hi, total)
    n_runs = len(summaries)
    k_f = int(vals["runs_friendly_engaged"].sum())
    lo, hi = wilson_interval(k_f, n_runs)
    out["runs_friendly_engaged"] = _stat(k_f / n_runs if n_runs else math.nan, lo, hi, n_runs)
    return out


def paired_difference(
    a: Sequence[dict[str, Any]], b: Sequence[dict[str, Any]]
) -> dict[str, dict[str, float | int | None]]:
    """Mean and t interval of B − A over runs with the same seed, per metric."""
    va, vb = metric_values(a), metric_values(b)
    out: dict[str, dict[str, float | int | None]] = {}
    for key in va:
        d = vb[key] - va[key]
        out[key] = _stat(*t_interval(d), int(np.isfinite(d).sum()))
    return out


def _load(s: Any) -> Any:
    if isinstance(s, (str, Path)):
        from airdefsim.scenario import load_scenario

        return load_scenario(s)
    return s


def _summary_of(run: RunFn, scenario: Any, seed: int) -> dict[str, Any]:
    summary = run(scenario, seed=seed).summary
    return summary.to_dict() if hasattr(summary, "to_dict") else dict(summary)


def compare(
    scenario_a: Any,
    scenario_b: Any,
    n: int = 20,
    seed: int = 1,
    progress: Callable[[int, int], None] | None = None,
    run: RunFn | None = None,
    workers: int = 1,
) -> dict[str, Any]:
    """Run two scenarios ``n`` times each on the same seeds and compare them.

    Parameters
    ----------
    scenario_a, scenario_b : Scenario or path to a scenario YAML
    n : int >= 1 — runs per scenario
    seed : int — seeds ``seed … seed + n - 1`` are used for both
    progress : callable(done, total), optional — called after each run
    run : callable(scenario, seed=...) -> object with ``.summary``; default
        :func:`airdefsim.sim.run_scenario` (must be a module-level function when
        ``workers > 1``)
    workers : int >= 1 — processes; the results do not depend on it (one seed per run)

    Returns
    -------
    dict with ``a`` and ``b`` (metric -> {mean, lo, hi, n}), ``diff`` (B − A, paired),
    ``names`` ({a, b}), ``seeds`` and ``runs`` ({a: [summary…], b: [summary…]}).
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if run is None:
        from airdefsim.sim import run_scenario

        run = run_scenario
    sa, sb = _load(scenario_a), _load(scenario_b)
    seeds = [int(seed) + k for k in range(n)]
    jobs = [(key, sc, s) for s in seeds for key, sc in (("a", sa), ("b", sb))]
    out: dict[tuple[str, int], dict[str, Any]] = {}
    if workers == 1:
        for done, (key, sc, s) in enumerate(jobs, start=1):
            out[(key, s)] = _summary_of(run, sc, s)
            if progress is not None:
                progress(done, len(jobs))
    else:
        from concurrent.futures import ProcessPoolExecutor, as_completed

        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = {pool.submit(_summary_of, run, sc, s): (key, s) for key, sc, s in jobs}
            for done, fut in enumerate(as_completed(futures), start=1):
                out[futures[fut]] = fut.result()
                if progress is not None:
                    progress(done, len(jobs))
    runs = {key: [out[(key, s)] for s in seeds] for key in ("a", "b")}
    return {
        "a": summarize(runs["a"]),
        "b": summarize(runs["b"]),
        "diff": paired_difference(runs["a"], runs["b"]),
        "names": {"a": getattr(sa, "name", "A"), "b": getattr(sb, "name", "B")},
        "seeds": seeds,
        "runs": runs,
    }


def format_stat(stat: dict[str, Any], digits: int | None = None, symmetric: bool = False) -> str:
    """``mean [lo, hi]``, or ``mean ± half-width`` when ``symmetric`` (t intervals);
    ``—`` when undefined; 1 decimal from 10 up, else 2."""
    m, lo, hi = stat.get("mean"), stat.get("lo"), stat.get("hi")
    if m is None:
        return "—"
    big = max(abs(v) for v in (m, lo, hi) if v is not None)
    d = digits if digits is not None else (1 if big >= 10 else 2)
    if lo is None or hi is None:
        return f"{m:.{d}f}"
    if symmetric:
        return f"{m:.{d}f} ± {(hi - lo) / 2:.{d}f}"
    return f"{m:.{d}f} [{lo:.{d}f}, {hi:.{d}f}]"


def rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Flat rows (one per metric) for tables and CSV."""
    out = []
    for key, label in LABELS.items():
        row: dict[str, Any] = {"metric": key, "label": label}
        for side in ("a", "b", "diff"):
            st = result.get(side, {}).get(key, {})
            for f in ("mean", "lo", "hi", "n"):
                row[f"{side}_{f}"] = st.get(f)
        out.append(row)
    return out


def write_outputs(result: dict[str, Any], out_dir: Path) -> list[Path]:
    """Write ``compare.csv``, ``compare.json`` and ``compare.png`` (bar plots with 95 %
    error bars) into ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = rows(result)
    p_csv = out_dir / "compare.csv"
    with p_csv.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    p_json = out_dir / "compare.json"
    p_json.write_text(json.dumps(result, indent=2, default=_json_default))
    p_png = out_dir / "compare.png"
    plot(result, p_png)
    return [p_csv, p_json, p_png]


def _json_default(o: Any) -> Any:
    if isinstance(o, np.generic):
        v = o.item()
        return None if isinstance(v, float) and not math.isfinite(v) else v
    if isinstance(o, np.ndarray):
        return o.tolist()
    return str(o)


def plot(result: dict[str, Any], path: Path) -> None:
    """Bar plots, one panel per metric, A and B side by side with 95 % error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    keys = list(LABELS)
    ncol = 4
    nrow = math.ceil(len(keys) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.8 * nrow), squeeze=False)
    names = result.get("names", {"a": "A", "b": "B"})
    for ax, key in zip(axes.flat, keys, strict=False):
        means, errs = [], []
        for side in ("a", "b"):
            st = result[side][key]
            m = st["mean"] if st["mean"] is not None else math.nan
            lo = st["lo"] if st["lo"] is not None else m
            hi = st["hi"] if st["hi"] is not None else m
            means.append(m)
            errs.append((max(m - lo, 0.0), max(hi - m, 0.0)))
        yerr = np.array(errs).T
        ax.bar([0, 1], means, yerr=yerr, capsize=4, color=["#4c72b0", "#dd8452"])
        ax.set_xticks([0, 1], [str(names["a"])[:18], str(names["b"])[:18]], fontsize=7)
        ax.set_title(LABELS[key], fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[len(keys) :]:
        ax.axis("off")
    fig.suptitle(f"{names['a']} vs {names['b']} — mean and 95 % interval", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
