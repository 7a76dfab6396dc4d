"""Exercise score: one number out of 100 and the parts it is made of.

The same function scores the trainee's run and the automatic doctrine's run on the same
scenario and seed, so the two are comparable. Inputs are the simulation summary (keys
listed in ``docs/architecture.md``) plus, for a trainee, the decisions log.

Parts (points)
--------------
assets defended (35)
    35 × (1 − assets hit / defended assets); 35 when no asset was hit.
leakers (25)
    25 × (1 − leakers / threats); 25 with no threats.
reaction time (20)
    from first detection to first launch: 20 at ≤ 10 s, falling linearly to 0 at
    ≥ 120 s; 0 if nothing was fired while threats existed (20 with no threats).
interceptors per kill (20)
    20 × min(1, 2 / (interceptors per kill)); 0 with no kill (20 with no threats).
friendlies engaged (−50 each)
    the gravest error: firing at a friendly aircraft.
rules-of-engagement violations (−10 each)
    an engagement ordered at a track not declared hostile, or at one that answered IFF.

The total is clamped to [0, 100].
"""

from __future__ import annotations

import math
from typing import Any

REACTION_FULL_S = 10.0
REACTION_ZERO_S = 120.0


def _num(summary: dict[str, Any], key: str, default: float = 0.0) -> float:
    v = summary.get(key, default)
    try:
        x = float(v) if v is not None else default
    except (TypeError, ValueError):
        return default
    return x


def roe_violations(decisions: list[dict[str, Any]]) -> int:
    """Count engagement orders at a track not declared hostile or that answered IFF.

    ``decisions``: dicts with ``kind`` and, for ``engage``, ``identity`` (the track's
    identity when ordered) and ``iff`` (True if it had answered IFF).
    """
    n = 0
    for d in decisions:
        if d.get("kind") != "engage":
            continue
        if d.get("identity") != "hostile" or d.get("iff") is True:
            n += 1
    return n


def reaction_time(summary: dict[str, Any], decisions: list[dict[str, Any]] | None) -> float | None:
    """Seconds from first detection to first engagement; the summary's
    ``detection_to_launch_s`` when given, else from the decisions log (first accepted
    engage order minus ``first_detection_t``); None when nothing was engaged."""
    v = summary.get("detection_to_launch_s")
    if v is not None:
        try:
            x = float(v)
            if math.isfinite(x):
                return max(x, 0.0)
        except (TypeError, ValueError):
            pass
    if decisions:
        t0 = summary.get("first_detection_t")
        engages = [d["t"] for d in decisions if d.get("kind") == "engage"]
        if engages and t0 is not None:
            return max(min(engages) - float(t0), 0.0)
    return None


def score(
    summary: dict[str, Any], n_assets: int, decisions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Score a run.

    Parameters
    ----------
    summary : simulation summary (``threats``, ``threats_killed``, ``leakers``,
        ``interceptors_fired``, ``assets_hit``, ``friendlies_engaged``,
        ``detection_to_launch_s``, ``interceptors_per_kill``)
    n_assets : number of defended assets in the scenario
    decisions : the trainee's orders (None for the doctrine: no ROE violations counted)

    Returns
    -------
    dict with ``total`` (0-100) and ``parts``: a list of dicts (key, label, points, max,
    value) in display order.
    """
    threats = _num(summary, "threats")
    killed = _num(summary, "threats_killed")
    leakers = _num(summary, "leakers")
    fired = _num(summary, "interceptors_fired")
    assets_hit = _num(summary, "assets_hit")
    friendlies = _num(summary, "friendlies_engaged")
    decisions = decisions or []

    if n_assets > 0:
        p_assets = 35.0 * max(0.0, 1.0 - assets_hit / n_assets)
    else:
        p_assets = 35.0
    p_leak = 25.0 * max(0.0, 1.0 - leakers / threats) if threats > 0 else 25.0

    rt = reaction_time(summary, decisions)
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

    n_roe = roe_violations(decisions)
    p_friend = -50.0 * friendlies + 0.0
    p_roe = -10.0 * n_roe + 0.0
    raw = p_assets + p_leak + p_react + p_ipk + p_friend + p_roe
    total = min(100.0, max(0.0, raw))
    parts = [
        {
            "key": "assets",
            "label": "Assets defended",
            "points": p_assets,
            "max": 35.0,
            "value": f"{int(assets_hit)} hit of {n_assets}",
        },
        {
            "key": "leakers",
            "label": "Leakers",
            "points": p_leak,
            "max": 25.0,
            "value": f"{int(leakers)} of {int(threats)} threats",
        },
        {
            "key": "friendlies",
            "label": "Friendlies engaged",
            "points": p_friend,
            "max": 0.0,
            "value": f"{int(friendlies)}",
        },
        {
            "key": "roe",
            "label": "Rules-of-engagement violations",
            "points": p_roe,
            "max": 0.0,
            "value": f"{n_roe}",
        },
        {
            "key": "reaction",
            "label": "Reaction time (detection → engagement)",
            "points": p_react,
            "max": 20.0,
            "value": "—" if rt is None else f"{rt:.0f} s",
        },
        {
            "key": "ipk",
            "label": "Interceptors per kill",
            "points": p_ipk,
            "max": 20.0,
            "value": "—"
            if ipk is None
            else f"{ipk:.1f} ({int(fired)} fired, {int(killed)} killed)",
        },
    ]
    for p in parts:
        p["points"] = round(float(p["points"]), 1)  # type: ignore[arg-type]
    return {
        "total": round(total, 1),
        "parts": parts,
        "reaction_s": rt,
        "ipk": ipk,
        "roe_violations": n_roe,
    }
