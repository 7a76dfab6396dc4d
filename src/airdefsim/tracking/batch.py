"""Run the tracker over a table of plots (CSV or Parquet) — the body of ``airdefsim track``.

Input plots table: ``t`` (s), ``sensor`` (text or int), ``x, y, z`` (m, one local ENU
frame), ``sigma`` (m, one-sigma per axis: ``R = sigma² I``). Output tracks table:
``t, track_id, x, y, z, vx, vy, vz, status`` (status text: tentative, confirmed,
coasting), one row per live track at each step time.

The tracker is stepped on the grid ``t_k = k · step`` (absolute multiples of ``step``);
step ``t_k`` gets the plots with ``t_(k-1) < t <= t_k`` and reports the tracks predicted
to ``t_k``, so a truth table sampled on the same grid can be scored row by row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from airdefsim.scenario.schema import TrackerSettings
from airdefsim.tracking.tracker import Tracker
from airdefsim.types import Plots

PLOT_COLUMNS = ("t", "sensor", "x", "y", "z", "sigma")
TRACK_COLUMNS = ("t", "track_id", "x", "y", "z", "vx", "vy", "vz", "status")
STATUS_NAMES = np.array(["tentative", "confirmed", "coasting"])


def read_table(path: str | Path, what: str = "input") -> pa.Table:
    """Read a CSV or Parquet file (chosen by suffix; ``.pq``/``.parquet`` is Parquet).

    Raises ``ValueError`` with one clear line when the file is missing or unreadable.
    """
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"{what} file not found: {p}")
    try:
        if p.suffix.lower() in (".parquet", ".pq"):
            return pq.read_table(p)
        return pacsv.read_csv(p)
    except (pa.ArrowInvalid, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(f"cannot read {what} file {p}: {first}") from None


def write_table(cols: dict[str, np.ndarray], path: str | Path) -> None:
    """Write columns to Parquet (``.parquet``/``.pq``) or CSV (any other suffix)."""
    p = Path(path)
    table = pa.table({k: pa.array(v) for k, v in cols.items()})
    if p.suffix.lower() in (".parquet", ".pq"):
        pq.write_table(table, p)
    else:
        pacsv.write_csv(table, p)


def _require(table: pa.Table, names: tuple[str, ...], what: str) -> None:
    missing = [n for n in names if n not in table.column_names]
    if missing:
        raise ValueError(
            f"{what} table lacks column(s) {', '.join(missing)} (needs {', '.join(names)})"
        )


def plots_from_table(table: pa.Table) -> Plots:
    """``Plots`` from a plots table (columns ``PLOT_COLUMNS``); sensors numbered by name.

    Raises ``ValueError`` on missing columns, non-numeric or non-finite values, or a
    non-positive sigma.
    """
    _require(table, PLOT_COLUMNS, "plots")
    try:
        num = {
            n: np.asarray(table[n].to_numpy(), dtype=float) for n in PLOT_COLUMNS if n != "sensor"
        }
    except (ValueError, TypeError, pa.ArrowInvalid) as exc:
        raise ValueError(f"plots table: non-numeric values ({exc})") from None
    for n, v in num.items():
        if not np.all(np.isfinite(v)):
            raise ValueError(f"plots table: column {n} has missing or non-finite values")
    if np.any(num["sigma"] <= 0):
        raise ValueError("plots table: sigma must be positive")
    names = np.asarray(table["sensor"].to_pylist()).astype(str)
    _, sensor = np.unique(names, return_inverse=True)
    k = names.shape[0]
    pos = np.column_stack([num["x"], num["y"], num["z"]])
    R = np.eye(3)[None] * (num["sigma"] ** 2)[:, None, None]
    return Plots(
        t=num["t"],
        sensor=sensor.reshape(-1).astype(np.int64),
        pos=pos,
        R=R,
        rae=np.full((k, 3), np.nan),
        sigma_rae=np.full((k, 3), np.nan),
        sensor_pos=np.zeros((k, 3)),
        snr_db=np.full(k, np.nan),
        truth_id=np.full(k, -1, np.int64),
    )


def run_tracker(
    plots: Plots,
    config: TrackerSettings | Mapping[str, Any] | None = None,
    step: float = 1.0,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, np.ndarray]:
    """Track a whole plot set, stepping every ``step`` seconds.

    Parameters
    ----------
    plots : Plots — all plots (any order)
    config : tracker settings, or a raw mapping of them (``Tracker.from_config``)
    step : float, s — step interval
    progress : callable(done, total) or None — called after each step

    Returns
    -------
    dict of columns ``TRACK_COLUMNS`` (one row per live track per step).
    """
    if not step > 0:
        raise ValueError("step must be positive")
    trk = Tracker.from_config(config)
    out: dict[str, list[np.ndarray]] = {n: [] for n in TRACK_COLUMNS}
    if len(plots):
        order = np.argsort(plots.t, kind="stable")
        srt = Plots(**{n: getattr(plots, n)[order] for n in Plots.__dataclass_fields__})
        k_of = np.ceil(srt.t / step - 1e-9).astype(np.int64)
        k_all = np.arange(k_of.min(), k_of.max() + 1)
        cuts = np.searchsorted(k_of, k_all, side="right")
        lo = 0
        for i, (k, hi) in enumerate(zip(k_all.tolist(), cuts.tolist(), strict=True)):
            t = k * step
            part = Plots(**{n: getattr(srt, n)[lo:hi] for n in Plots.__dataclass_fields__})
            lo = hi
            trk.step(t, part)
            tt = trk.tracks()
            m = len(tt)
            out["t"].append(np.full(m, t))
            out["track_id"].append(tt.track_id)
            for j, n in enumerate(("x", "y", "z", "vx", "vy", "vz")):
                out[n].append(tt.x[:, j])
            out["status"].append(STATUS_NAMES[tt.status])
            if progress is not None:
                progress(i + 1, k_all.size)
    cols: dict[str, np.ndarray] = {}
    for n in TRACK_COLUMNS:
        if out[n]:
            cols[n] = np.concatenate(out[n])
        elif n == "status":
            cols[n] = np.zeros(0, dtype=str)
        elif n == "track_id":
            cols[n] = np.zeros(0, np.int64)
        else:
            cols[n] = np.zeros(0)
    return cols


def truth_columns(table: pa.Table) -> dict[str, np.ndarray]:
    """Check and convert a truth table (``t, id, x, y, z``) to arrays."""
    names = ("t", "id", "x", "y", "z")
    _require(table, names, "truth")
    try:
        return {n: np.asarray(table[n].to_numpy(), dtype=float) for n in names}
    except (ValueError, TypeError, pa.ArrowInvalid) as exc:
        raise ValueError(f"truth table: non-numeric values ({exc})") from None
