"""Exercise score: one number out of 100 and the parts it is made of.

The same function scores the trainee's run and the automatic doctrine's run on the same
scenario and seed, so the two are comparable. The only input is the run's
:class:`~airdefsim.summary.RunSummary` (plus the number of defended assets): every
count — rules-of-engagement violations included, which the adjudicator counts for every
seat — comes from the simulation, and each part is labelled from the metric registry
(:data:`airdefsim.summary.METRIC`).

Parts (points)
--------------
assets defended (35)
    35 × (1 − assets hit / defended assets); 35 when no asset was hit.
leakers (25)
    25 × (1 − leakers / threats); 25 with no threats.
reaction time (20)
    first detection to first launch (``detection_to_launch_s``): 20 at ≤ 10 s, falling
    linearly to 0 at ≥ 120 s; 0 if nothing was fired while threats existed (20 with no
    threats).
interceptors per kill (20)
    20 × min(1, 2 / (interceptors per kill)); 0 with no kill (20 with no threats).
friendlies engaged (−50 each)
    the gravest error: firing at a friendly aircraft.
rules-of-engagement violations (−10 each)
    as ruled by :mod:`airdefsim.engagement.adjudicate` (an engagement ordered under
    weapons hold, under weapons tight at a track not declared hostile, or at a track
    identified friendly or that answered IFF).

The total is clamped to [0, 100].
"""

from __future__ import annotations

import math

from airdefsim.summary import METRIC, RunSummary
from airdefsim.web.wire import Score, ScorePart

REACTION_FULL_S = 10.0
REACTION_ZERO_S = 120.0
FRIENDLY_PENALTY = 50.0  # points per friendly engaged
ROE_PENALTY = 10.0  # points per rules-of-engagement violation


def _label(key: str) -> str:
    """The registry's label of a metric, capitalised."""
    label = METRIC[key].label
    return label[:1].upper() + label[1:]


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def score(summary: RunSummary, n_assets: int) -> Score:
    """Score a run.

    Parameters
    ----------
    summary : the run's summary
    n_assets : number of defended assets in the scenario

    Returns
    -------
    Score: ``total`` (0-100) and its ``parts`` in display order, each keyed by the
    metric it reads.
    """
    threats = summary.threats
    killed = summary.threats_killed
    fired = summary.interceptors_fired

    hit = summary.assets_hit
    p_assets = 35.0 * max(0.0, 1.0 - hit / n_assets) if n_assets > 0 else 35.0
    p_leak = 25.0 * max(0.0, 1.0 - summary.leakers / threats) if threats > 0 else 25.0

    rt = _finite(summary.detection_to_launch_s)
    rt = None if rt is None else max(rt, 0.0)
    if threats <= 0:
        p_react = 20.0
    elif rt is None:
        p_react = 0.0
    else:
        frac = 1.0 - (rt - REACTION_FULL_S) / (REACTION_ZERO_S - REACTION_FULL_S)
        p_react = 20.0 * min(1.0, max(0.0, frac))

    ipk = fired / killed if killed > 0 else None
    if threats <= 0:
        p_ipk = 20.0
    elif ipk is None:
        p_ipk = 0.0
    else:
        p_ipk = 20.0 * min(1.0, 2.0 / ipk) if ipk > 0 else 20.0

    n_roe = summary.roe_violations
    p_friend = -FRIENDLY_PENALTY * summary.friendlies_engaged + 0.0
    p_roe = -ROE_PENALTY * n_roe + 0.0
    total = min(100.0, max(0.0, p_assets + p_leak + p_react + p_ipk + p_friend + p_roe))
    unit = METRIC["detection_to_launch_s"].display_unit
    parts = [
        ("assets_hit", p_assets, 35.0, f"{hit} hit of {n_assets}"),
        ("leakers", p_leak, 25.0, f"{summary.leakers} of {threats} threats"),
        ("friendlies_engaged", p_friend, 0.0, f"{summary.friendlies_engaged}"),
        ("roe_violations", p_roe, 0.0, f"{n_roe}"),
        ("detection_to_launch_s", p_react, 20.0, "—" if rt is None else f"{rt:.0f} {unit}"),
        (
            "interceptors_per_kill",
            p_ipk,
            20.0,
            "—" if ipk is None else f"{ipk:.1f} ({fired} fired, {killed} killed)",
        ),
    ]
    return Score(
        total=round(total, 1),
        parts=[
            ScorePart(key=k, label=_label(k), points=round(p, 1), max=m, value=v)
            for k, p, m, v in parts
        ],
        reaction_s=rt,
        ipk=ipk,
        roe_violations=n_roe,
    )
