"""Plots of Monte Carlo batches and sweeps (Matplotlib, Agg backend, PNG files).

- ``histograms.png`` — one histogram per metric over the replications;
- ``running_mean.png`` — each metric's mean and its t interval as replications
  accumulate (in the order they finished): the batch has converged when the band is
  narrow and flat;
- ``sweep_<param>.png`` — each metric's mean with its interval against one swept
  parameter, one line per combination of the other parameters.

Panel titles are the metric registry's labels with their display units, and values are
plotted in those units (ranges in km); see :mod:`airdefsim.analysis.metrics`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from airdefsim.analysis import stats
from airdefsim.analysis.metrics import label
from airdefsim.summary import METRIC


def _scale(name: str) -> float:
    """Display scale of a metric (1 for proportions and keys outside the registry)."""
    m = METRIC.get(name)
    return m.display_scale if m is not None else 1.0


def _grid(n: int) -> tuple[int, int]:
    cols = min(4, max(1, n))
    return math.ceil(n / cols), cols


def _plotted_metrics(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    names = stats.metric_names(rows)
    return [m for m in names if np.isfinite(stats.column(rows, m)).any()]


def plot_histograms(rows: Sequence[Mapping[str, Any]], path: Path) -> Path:
    """One histogram per metric (NaN values left out). Returns ``path``."""
    metrics = _plotted_metrics(rows)
    nr, nc = _grid(max(1, len(metrics)))
    fig, axes = plt.subplots(nr, nc, figsize=(3.6 * nc, 2.8 * nr), squeeze=False)
    for ax, name in zip(axes.flat, metrics, strict=False):
        x = stats.column(rows, name) * _scale(name)
        x = x[np.isfinite(x)]
        integer = bool(np.all(x == np.round(x))) and x.size > 0 and np.ptp(x) <= 60
        bins: Any = (
            np.arange(x.min() - 0.5, x.max() + 1.5, 1.0)
            if integer
            else min(30, max(5, int(math.sqrt(x.size))))
        )
        ax.hist(x, bins=bins, color="#3b6ea5", edgecolor="white", linewidth=0.4)
        ax.axvline(float(x.mean()), color="#c0392b", linewidth=1.0)
        ax.set_title(label(name), fontsize=9)
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    fig.suptitle(f"{len(rows)} replications (red: mean)", fontsize=10)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.08, top=0.9, wspace=0.3, hspace=0.55)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_running_mean(
    rows: Sequence[Mapping[str, Any]], path: Path, confidence: float = 0.95
) -> Path:
    """Running mean of each metric with its t interval band, rows in the given order."""
    metrics = _plotted_metrics(rows)
    nr, nc = _grid(max(1, len(metrics)))
    fig, axes = plt.subplots(nr, nc, figsize=(3.6 * nc, 2.6 * nr), squeeze=False)
    k = np.arange(1, len(rows) + 1)
    for ax, name in zip(axes.flat, metrics, strict=False):
        col = stats.column(rows, name) * _scale(name)
        mean, lo, hi = stats.running_mean(col, confidence)
        ax.fill_between(k, lo, hi, color="#3b6ea5", alpha=0.25, linewidth=0)
        ax.plot(k, mean, color="#1f3b5a", linewidth=1.0)
        ax.set_title(label(name), fontsize=9)
        ax.tick_params(labelsize=7)
        ax.set_xlabel("replications", fontsize=7)
    for ax in list(axes.flat)[len(metrics) :]:
        ax.set_visible(False)
    fig.suptitle(f"running mean and {confidence:.0%} interval", fontsize=10)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.08, top=0.9, wspace=0.3, hspace=0.55)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_batch(
    rows: Sequence[Mapping[str, Any]], out_dir: Path, confidence: float = 0.95
) -> list[Path]:
    """Histograms and running means of a batch into ``out_dir``; no rows, no plots."""
    if not rows:
        return []
    out_dir = Path(out_dir)
    return [
        plot_histograms(rows, out_dir / "histograms.png"),
        plot_running_mean(rows, out_dir / "running_mean.png", confidence),
    ]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "param"


def plot_sweep(
    table: Sequence[Mapping[str, Any]],
    params: Sequence[str],
    metrics: Sequence[str],
    out_dir: Path,
) -> list[Path]:
    """Each metric against each swept parameter, with interval error bars.

    Parameters
    ----------
    table : rows of the sweep table
        One per grid point with a column per parameter and ``<metric>_mean``,
        ``<metric>_lo``, ``<metric>_hi`` per metric (probabilities: ``<name>``,
        ``<name>_lo``, ``<name>_hi``, named in ``metrics`` as ``<name>``).
    params : parameter column names (the ``--set`` paths)
    metrics : metric names to plot

    Returns
    -------
    list of Path
        ``sweep_<param>.png`` per parameter.
    """
    out_dir = Path(out_dir)
    paths = []
    for param in params:
        others = [p for p in params if p != param]
        values = list(dict.fromkeys(r[param] for r in table))
        numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        xpos = {v: (float(v) if numeric else float(i)) for i, v in enumerate(values)}
        groups: dict[tuple[Any, ...], list[Mapping[str, Any]]] = {}
        for r in table:
            groups.setdefault(tuple(str(r[o]) for o in others), []).append(r)
        shown = [m for m in metrics if any(_mean(r, m) is not None for r in table)]
        nr, nc = _grid(max(1, len(shown)))
        fig, axes = plt.subplots(nr, nc, figsize=(3.8 * nc, 2.8 * nr), squeeze=False)
        xs = np.array(list(xpos.values()))
        span = float(xs.max() - xs.min()) if xs.size > 1 else 1.0
        for ax, m in zip(axes.flat, shown, strict=False):
            for g, (gkey, grows) in enumerate(groups.items()):
                grows = sorted(grows, key=lambda r: xpos[r[param]])
                # dodge the groups a little so equal values (common random numbers) show
                dodge = (g - (len(groups) - 1) / 2.0) * 0.012 * span
                x = np.array([xpos[r[param]] for r in grows]) + dodge
                k = _scale(m)
                y = np.array([_num(_mean(r, m)) for r in grows]) * k
                lo = np.array([_num(_bound(r, m, "lo")) for r in grows]) * k
                hi = np.array([_num(_bound(r, m, "hi")) for r in grows]) * k
                err = np.vstack(
                    [np.where(np.isfinite(lo), y - lo, 0), np.where(np.isfinite(hi), hi - y, 0)]
                )
                legend = ", ".join(f"{o}={v}" for o, v in zip(others, gkey, strict=True)) or None
                ax.errorbar(
                    x, y, yerr=err, marker="o", markersize=3, capsize=3, linewidth=1, label=legend
                )
            if not numeric:
                ax.set_xticks([xpos[v] for v in values], [str(v) for v in values], fontsize=7)
            ax.set_title(label(m), fontsize=9)
            ax.set_xlabel(param, fontsize=7)
            ax.tick_params(labelsize=7)
        for ax in list(axes.flat)[len(shown) :]:
            ax.set_visible(False)
        if len(groups) > 1 and shown:
            axes.flat[0].legend(fontsize=6)
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.08, top=0.9, wspace=0.3, hspace=0.55)
        p = out_dir / f"sweep_{_slug(param)}.png"
        fig.savefig(p, dpi=90)
        plt.close(fig)
        paths.append(p)
    return paths


def _mean(r: Mapping[str, Any], m: str) -> Any:
    return r.get(f"{m}_mean", r.get(m))


def _bound(r: Mapping[str, Any], m: str, which: str) -> Any:
    return r.get(f"{m}_{which}")


def _num(v: Any) -> float:
    return float(v) if isinstance(v, int | float) and v is not None else math.nan
