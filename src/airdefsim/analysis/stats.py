"""Statistics of Monte Carlo batches: t intervals, Wilson intervals, running means.

Every function is pure and works on plain NumPy arrays. NaN values in a metric (a
replication in which the metric is undefined, e.g. ``interceptors_per_kill`` with no
kill) are left out of that metric's statistics and counted in ``n_nan``. Which keys are
metrics, and in what order, comes from :data:`airdefsim.summary.METRICS`; the
proportions estimated over a batch from
:data:`airdefsim.analysis.metrics.PROPORTIONS`.

Sources
-------
- Student t interval: mean ± t_{1-α/2, n-1} · s / √n (any statistics text, e.g.
  NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.5.2).
- Wilson score interval: E. B. Wilson, "Probable inference, the law of succession, and
  statistical inference", JASA 22 (1927) 209–212; recommended and tabulated against
  other methods by R. G. Newcombe, "Two-sided confidence intervals for the single
  proportion: comparison of seven methods", Statistics in Medicine 17 (1998) 857–872.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import stats as _sps

from airdefsim.analysis.metrics import METRIC_ORDER, PROPORTIONS, finite

F64 = NDArray[np.float64]


def t_interval(x: Sequence[float] | F64, confidence: float = 0.95) -> tuple[float, float, float]:
    """Student-t confidence interval of the mean.

    Parameters
    ----------
    x : (n,) float
        Sample; NaN entries are ignored.
    confidence : float
        Two-sided level, e.g. 0.95.

    Returns
    -------
    (mean, lo, hi) : floats
        ``mean ± t_{(1+confidence)/2, n-1} · s / √n`` with ``s`` the sample standard
        deviation (ddof = 1). ``lo = hi = NaN`` for fewer than two values; a sample with
        zero spread gives ``lo = hi = mean``; an empty sample gives three NaN.
    """
    a = np.asarray(x, dtype=np.float64)
    a = a[np.isfinite(a)]
    n = a.size
    if n == 0:
        return (math.nan, math.nan, math.nan)
    mean = float(a.mean())
    if n < 2:
        return (mean, math.nan, math.nan)
    s = float(a.std(ddof=1))
    half = float(_sps.t.ppf(0.5 + confidence / 2.0, n - 1)) * s / math.sqrt(n)
    return (mean, mean - half, mean + half)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion (no continuity correction).

    Parameters
    ----------
    k : int
        Successes, ``0 <= k <= n``.
    n : int
        Trials.
    confidence : float
        Two-sided level.

    Returns
    -------
    (lo, hi) : floats in [0, 1]
        ``(p̂ + z²/2n ± z √(p̂(1-p̂)/n + z²/4n²)) / (1 + z²/n)`` with
        ``z = Φ⁻¹((1+confidence)/2)``; ``(NaN, NaN)`` for ``n = 0``.
        Newcombe (1998), method 3: 81/263 → (0.2553, 0.3662).
    """
    if n < 0 or k < 0 or k > n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    if n == 0:
        return (math.nan, math.nan)
    z = float(_sps.norm.ppf(0.5 + confidence / 2.0))
    p = k / n
    z2n = z * z / n
    centre = (p + z2n / 2.0) / (1.0 + z2n)
    half = z / (1.0 + z2n) * math.sqrt(p * (1.0 - p) / n + z2n / (4.0 * n))
    # exact end points at k = 0 and k = n (rounding would leave ±1e-17)
    lo = 0.0 if k == 0 else max(0.0, centre - half)
    hi = 1.0 if k == n else min(1.0, centre + half)
    return (lo, hi)


def running_mean(x: Sequence[float] | F64, confidence: float = 0.95) -> tuple[F64, F64, F64]:
    """Mean and t interval of the first k values, for every k (convergence plot).

    Parameters
    ----------
    x : (n,) float
        Values in the order the replications finished (or by index); NaN entries
        contribute nothing (the k-th output then repeats the previous statistics).

    Returns
    -------
    mean, lo, hi : (n,) float
        Statistics of the finite values among ``x[:k+1]``; NaN while fewer than one
        (mean) or two (interval) finite values have accumulated.
    """
    a = np.asarray(x, dtype=np.float64)
    ok = np.isfinite(a)
    v = np.where(ok, a, 0.0)
    shift = float(v[ok][0]) if ok.any() else 0.0  # shifted sums: less cancellation
    d = np.where(ok, v - shift, 0.0)
    cnt = np.cumsum(ok).astype(np.float64)
    s1 = np.cumsum(d)
    s2 = np.cumsum(d * d)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_d = s1 / cnt
        var = (s2 - cnt * mean_d * mean_d) / (cnt - 1.0)
        var = np.maximum(var, 0.0)
        dof = np.maximum(cnt - 1.0, 1.0)
        tq = _sps.t.ppf(0.5 + confidence / 2.0, dof)
        half = tq * np.sqrt(var / cnt)
    mean = np.where(cnt >= 1, mean_d + shift, np.nan)
    half = np.where(cnt >= 2, half, np.nan)
    return mean, mean - half, mean + half


def summarize(
    rows: Iterable[Mapping[str, Any]],
    metrics: Sequence[str] | None = None,
    confidence: float = 0.95,
) -> dict[str, Any]:
    """Statistics of a batch of replication rows.

    Parameters
    ----------
    rows : iterable of dict
        One dict per replication (the ``results.jsonl`` rows): metric name -> number
        (None or NaN when undefined).
    metrics : sequence of str, optional
        Metrics to summarise; default: :func:`metric_names` of the rows.
    confidence : float
        Level of every interval.

    Returns
    -------
    dict
        ``{"n": replications, "confidence": c, "metrics": {name: {n, n_nan, mean, std,
        lo, hi, min, max}}, "probabilities": {name: {description, k, n, p, lo, hi}}}``.
        ``lo``/``hi`` are the t interval of the mean (metrics) or the Wilson interval
        (probabilities: every :data:`~airdefsim.analysis.metrics.PROPORTIONS` entry
        some row can tell; ``k`` successes of ``n`` trials). Undefined numbers are
        ``None`` (JSON null), never NaN.
    """
    rows = list(rows)
    if metrics is None:
        metrics = metric_names(rows)
    out_m: dict[str, dict[str, Any]] = {}
    for name in metrics:
        col = column(rows, name)
        fin = col[np.isfinite(col)]
        mean, lo, hi = t_interval(fin, confidence)
        out_m[name] = {
            "n": int(fin.size),
            "n_nan": int(col.size - fin.size),
            "mean": _json_num(mean),
            "std": _json_num(float(fin.std(ddof=1)) if fin.size >= 2 else math.nan),
            "lo": _json_num(lo),
            "hi": _json_num(hi),
            "min": _json_num(float(fin.min()) if fin.size else math.nan),
            "max": _json_num(float(fin.max()) if fin.size else math.nan),
        }
    out_p: dict[str, dict[str, Any]] = {}
    for prop in PROPORTIONS:
        known = [t for t in map(prop.trials, rows) if t is not None]
        if not known:
            continue
        k, n = sum(t[0] for t in known), sum(t[1] for t in known)
        if n == 0:
            continue
        plo, phi = wilson_interval(k, n, confidence)
        out_p[prop.key] = {
            "description": prop.label,
            "k": k,
            "n": n,
            "p": k / n,
            "lo": plo,
            "hi": phi,
        }
    return {"n": len(rows), "confidence": confidence, "metrics": out_m, "probabilities": out_p}


def metric_names(rows: Sequence[Mapping[str, Any]]) -> list[str]:
    """Numeric metric names present in ``rows``: registry metrics first (in the order of
    :data:`airdefsim.summary.METRICS`), then any other numeric key except
    ``replication``, ``seed``, ``point`` and ``param:*``."""
    skip = {"replication", "seed", "point"}
    seen: dict[str, None] = {}
    for r in rows:
        for key, v in r.items():
            if key in skip or key.startswith("param:"):
                continue
            if v is None or (isinstance(v, int | float) and not isinstance(v, bool)):
                seen.setdefault(key, None)
    known = [m for m in METRIC_ORDER if m in seen]
    return known + [m for m in seen if m not in METRIC_ORDER]


def column(rows: Sequence[Mapping[str, Any]], name: str) -> F64:
    """One metric over the rows as a float array, ``(len(rows),)``; missing/None -> NaN."""
    out = np.full(len(rows), np.nan)
    for i, r in enumerate(rows):
        f = finite(r.get(name))
        if f is not None:
            out[i] = f
    return out


def _json_num(v: float) -> float | None:
    return v if math.isfinite(v) else None
