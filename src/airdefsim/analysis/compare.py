"""System-vs-system comparison: two scenarios on the same replication seeds, paired.

:func:`compare` runs scenario A and scenario B ``n`` times each as one batch of the Monte
Carlo runner (:func:`airdefsim.analysis.montecarlo.run_batch`): a local process pool or
a Dask cluster, one durable row per finished run, ``resume`` after a kill. Replication
``k`` of both scenarios runs with ``replication_seed(seed, k)`` — the Monte Carlo rule —
so A and B draw the same random streams wherever the two scenarios consume them alike
(common random numbers), and run ``k`` of A is paired with run ``k`` of B.

What is compared (:data:`COMPARED`):

* every engagement outcome of :data:`airdefsim.summary.RESULT_METRICS` (threats killed,
  leakers, assets hit, interceptors fired and per kill, first detection, launch and
  engagement range, …): the mean over runs with a Student-t interval
  (:func:`airdefsim.analysis.stats.t_interval`), in the metric's display unit (ranges
  in km, under a key that says so: ``first_engagement_range_km``); runs where the metric
  is undefined (no kill, no launch) are left out and ``n`` says how many were used;
* every proportion of :data:`airdefsim.analysis.metrics.PROPORTIONS` (P(asset hit),
  fraction of threats killed, …): a Wilson score interval
  (:func:`airdefsim.analysis.stats.wilson_interval`).

The paired difference B − A per replication gets a t interval too (``diff``; for a
proportion, the difference of the per-run ratios).
"""

from __future__ import annotations

import csv
import math
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from airdefsim.analysis import montecarlo, stats
from airdefsim.analysis.metrics import PROPORTIONS, display_key, label
from airdefsim.analysis.montecarlo import McError, ReplicationFn, RowCallback
from airdefsim.scenario import read_scenario_raw, validate_dict
from airdefsim.summary import RESULT_METRICS, Metric

#: the two systems, in order: row field ``system`` and keys of the result
SYSTEMS = ("a", "b")


@dataclass(frozen=True)
class Compared:
    """One line of a comparison.

    Attributes
    ----------
    key : str — key in ``compare.json``, ``compare.csv`` and the result dicts
    label, short : str — a person's label with its display unit; a short one
    metric : Metric or None — the per-run metric averaged (t interval), in display units
    proportion : str or None — the :data:`~airdefsim.analysis.metrics.PROPORTIONS` key
        (Wilson interval)
    """

    key: str
    label: str
    short: str
    metric: Metric | None = None
    proportion: str | None = None


#: every line of a comparison, in display order
COMPARED: tuple[Compared, ...] = tuple(
    Compared(display_key(m), label(m.key), label(m.key, short=True), metric=m)
    for m in RESULT_METRICS
) + tuple(Compared(p.key, p.label, p.short, proportion=p.key) for p in PROPORTIONS)

Stat = dict[str, float | int | None]


def _stat(mean: float | None, lo: float | None, hi: float | None, n: int) -> Stat:
    def clean(x: float | None) -> float | None:
        return None if x is None or not math.isfinite(x) else float(x)

    return {"mean": clean(mean), "lo": clean(lo), "hi": clean(hi), "n": int(n)}


def _scaled(v: float | None, scale: float) -> float | None:
    return None if v is None else v * scale


def summarize(rows: Sequence[Mapping[str, Any]], confidence: float = 0.95) -> dict[str, Stat]:
    """Mean and interval of every :data:`COMPARED` line over the runs of one system.

    Parameters
    ----------
    rows : sequence of mapping
        One run summary (or ``results.jsonl`` row) per run; metric name -> number,
        None or NaN where undefined.
    confidence : float
        Level of every interval.

    Returns
    -------
    dict
        key -> ``{mean, lo, hi, n}``; None where undefined (no value, or fewer than two
        for an interval). ``n``: runs used (metrics), trials (proportions).
    """
    s = stats.summarize(rows, metrics=[m.key for m in RESULT_METRICS], confidence=confidence)
    out: dict[str, Stat] = {}
    for c in COMPARED:
        if c.metric is not None:
            st = s["metrics"][c.metric.key]
            k = c.metric.display_scale
            out[c.key] = _stat(
                _scaled(st["mean"], k), _scaled(st["lo"], k), _scaled(st["hi"], k), st["n"]
            )
        else:
            p = s["probabilities"].get(c.proportion)
            out[c.key] = (
                _stat(p["p"], p["lo"], p["hi"], p["n"])
                if p is not None
                else _stat(None, None, None, 0)
            )
    return out


def metric_values(rows: Sequence[Mapping[str, Any]]) -> dict[str, np.ndarray]:
    """Per-run value of every :data:`COMPARED` line, ``(len(rows),)`` float each, NaN
    where undefined: the metric in its display unit, or the run's proportion."""
    props = {p.key: p for p in PROPORTIONS}
    out: dict[str, np.ndarray] = {}
    for c in COMPARED:
        if c.metric is not None:
            out[c.key] = stats.column(rows, c.metric.key) * c.metric.display_scale
        else:
            trials = props[str(c.proportion)].trials
            vals = []
            for r in rows:
                t = trials(r)
                vals.append(t[0] / t[1] if t is not None and t[1] > 0 else math.nan)
            out[c.key] = np.array(vals, dtype=np.float64)
    return out


def _by_replication(rows: Sequence[Mapping[str, Any]]) -> dict[int, Mapping[str, Any]]:
    return {int(r.get("replication", i)): r for i, r in enumerate(rows)}


def paired_difference(
    a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]], confidence: float = 0.95
) -> dict[str, Stat]:
    """Mean and t interval of B − A over the replications both systems ran.

    Rows are paired by their ``replication`` (by position when a row has none);
    ``n`` is the number of pairs where both values are defined.
    """
    ia, ib = _by_replication(a), _by_replication(b)
    common = sorted(set(ia) & set(ib))
    va = metric_values([ia[k] for k in common])
    vb = metric_values([ib[k] for k in common])
    out: dict[str, Stat] = {}
    for key in va:
        d = vb[key] - va[key]
        out[key] = _stat(*stats.t_interval(d, confidence), int(np.isfinite(d).sum()))
    return out


def _raw(scenario: Mapping[str, Any] | str | Path) -> tuple[dict[str, Any], str | None]:
    """A raw scenario mapping and its file: a path is read and validated here (problems
    with line numbers raise ``ScenarioError``); a mapping is taken as it is (the
    replication validates it)."""
    if isinstance(scenario, str | Path):
        raw, lines, file = read_scenario_raw(scenario)
        validate_dict(raw, file, lines)
        return raw, file
    return dict(scenario), None


def compare(
    scenario_a: Mapping[str, Any] | str | Path,
    scenario_b: Mapping[str, Any] | str | Path,
    n: int = 20,
    out_dir: str | Path | None = None,
    *,
    seed: int = 1,
    replication: ReplicationFn = montecarlo.run_replication,
    workers: int | None = None,
    scheduler: Any = None,
    resume: bool = False,
    plots: bool = True,
    scenario_files: tuple[str | None, str | None] | None = None,
    on_row: RowCallback | None = None,
    on_start: Callable[[int, int], None] | None = None,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Run two scenarios ``n`` times each on the same replication seeds and compare them.

    Parameters
    ----------
    scenario_a, scenario_b : raw scenario mapping (YAML-loaded) or path to a YAML file
    n : int >= 1
        Runs per scenario.
    out_dir : path, optional
        Run directory: ``manifest.json``, ``results.jsonl`` (one durable row per run,
        with ``point`` 0/1 and ``system`` ``"a"``/``"b"``), then ``compare.csv``,
        ``compare.json`` and ``compare.png``. Without it the batch runs in a temporary
        directory, removed at the end (nothing to resume).
    seed : int >= 0
        Base seed: replication ``k`` of both scenarios runs with
        ``replication_seed(seed, k)``.
    replication, workers, scheduler, on_row, on_start
        As :func:`airdefsim.analysis.montecarlo.run_batch`.
    resume : bool
        Finish the comparison already in ``out_dir`` (never repeats a run).
    plots : bool
        Write ``compare.png``.
    scenario_files : (str or None, str or None), optional
        The files the mappings came from, for the manifest (paths record themselves).

    Returns
    -------
    dict
        ``a`` and ``b`` (key -> {mean, lo, hi, n}), ``diff`` (B − A, paired),
        ``names`` ({a, b}), ``n``, ``base_seed``, ``confidence``, ``ran``, ``resumed``,
        ``seeds`` (of replications 0 … n−1) and ``runs`` ({a: [row…], b: [row…]} in
        replication order). What ``compare.json`` holds.

    Raises
    ------
    McError
        A bad option, an ``out_dir`` holding another batch; ``ReplicationFailed`` when a
        run raises (the finished runs are kept for ``resume``).
    """
    if n < 1:
        raise McError(f"-n {n}: need at least one run per scenario")
    if seed < 0:
        raise McError(f"--seed {seed}: must be >= 0")
    if resume and out_dir is None:
        raise McError("--resume needs --out, the directory of the comparison to finish")
    (raw_a, file_a), (raw_b, file_b) = _raw(scenario_a), _raw(scenario_b)
    if scenario_files is not None:
        file_a, file_b = file_a or scenario_files[0], file_b or scenario_files[1]
    names = {"a": str(raw_a.get("name") or "A"), "b": str(raw_b.get("name") or "B")}
    manifest = {
        "version": montecarlo.MANIFEST_VERSION,
        "kind": "compare",
        "scenario": f"{names['a']} vs {names['b']}",
        "scenario_file": [file_a, file_b],
        "scenario_sha256": montecarlo.scenario_hash({"a": raw_a, "b": raw_b}),
        "n": int(n),
        "base_seed": int(seed),
        "replication": montecarlo.function_name(replication),
        "params": [],
        "systems": names,
    }
    points = [(raw_a, {"point": 0, "system": "a"}), (raw_b, {"point": 1, "system": "b"})]

    def run_in(directory: Path) -> montecarlo.BatchResult:
        return montecarlo.run_batch(
            points,
            n,
            directory,
            manifest,
            base_seed=int(seed),
            replication=replication,
            workers=workers,
            scheduler=scheduler,
            resume=resume,
            on_row=on_row,
            on_start=on_start,
        )

    if out_dir is None:
        with tempfile.TemporaryDirectory(prefix="airdefsim-compare-") as tmp:
            batch = run_in(Path(tmp) / "batch")
    else:
        batch = run_in(Path(out_dir))
    runs = {
        s: sorted((r for r in batch.rows if int(r["point"]) == i), key=montecarlo.row_key)
        for i, s in enumerate(SYSTEMS)
    }
    result: dict[str, Any] = {
        "a": summarize(runs["a"], confidence),
        "b": summarize(runs["b"], confidence),
        "diff": paired_difference(runs["a"], runs["b"], confidence),
        "names": names,
        "n": int(n),
        "base_seed": int(seed),
        "confidence": confidence,
        "ran": batch.ran,
        "resumed": batch.resumed,
        "seeds": [montecarlo.replication_seed(int(seed), k) for k in range(n)],
        "runs": runs,
    }
    if out_dir is not None:
        write_outputs(result, Path(out_dir), plots=plots)
    return result


def format_stat(stat: Mapping[str, Any], digits: int | None = None, symmetric: bool = False) -> str:
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


def rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Flat rows (one per :data:`COMPARED` line) for tables and CSV."""
    out = []
    for c in COMPARED:
        row: dict[str, Any] = {"metric": c.key, "label": c.label}
        for side in ("a", "b", "diff"):
            st = result.get(side, {}).get(c.key, {})
            for f in ("mean", "lo", "hi", "n"):
                row[f"{side}_{f}"] = st.get(f)
        out.append(row)
    return out


def write_outputs(result: Mapping[str, Any], out_dir: Path, plots: bool = True) -> list[Path]:
    """Write ``compare.csv``, ``compare.json`` and (``plots``) ``compare.png`` (bar plots
    with the interval as error bars) into ``out_dir``; returns the paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    table = rows(result)
    p_csv = out_dir / "compare.csv"
    with p_csv.open("w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(table[0]))
        w.writeheader()
        w.writerows(table)
    p_json = out_dir / "compare.json"
    montecarlo.write_json(p_json, result)
    paths = [p_csv, p_json]
    if plots:
        p_png = out_dir / "compare.png"
        plot(result, p_png)
        paths.append(p_png)
    return paths


def plot(result: Mapping[str, Any], path: Path) -> None:
    """Bar plots, one panel per line, A and B side by side with interval error bars."""
    # matplotlib is heavy and only needed here: imported on first plot
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ncol = 4
    nrow = math.ceil(len(COMPARED) / ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.8 * nrow), squeeze=False)
    names = result.get("names", {"a": "A", "b": "B"})
    for ax, c in zip(axes.flat, COMPARED, strict=False):
        means, errs = [], []
        for side in SYSTEMS:
            st = result[side][c.key]
            m = st["mean"] if st["mean"] is not None else math.nan
            lo = st["lo"] if st["lo"] is not None else m
            hi = st["hi"] if st["hi"] is not None else m
            means.append(m)
            errs.append((max(m - lo, 0.0), max(hi - m, 0.0)))
        yerr = np.array(errs).T
        ax.bar([0, 1], means, yerr=yerr, capsize=4, color=["#4c72b0", "#dd8452"])
        ax.set_xticks([0, 1], [str(names["a"])[:18], str(names["b"])[:18]], fontsize=7)
        ax.set_title(c.label, fontsize=8)
        ax.tick_params(axis="y", labelsize=7)
    for ax in list(axes.flat)[len(COMPARED) :]:
        ax.axis("off")
    conf = float(result.get("confidence", 0.95))
    fig.suptitle(f"{names['a']} vs {names['b']} — mean and {conf:.0%} interval", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
