"""The kill chain of every air object in a recorded run: who saw it, who could fire at
it, what was fired, what happened and why.

For each true object of a run (truth is what an analyst reviews after the fact):
first detection by any radar, first plot of a fire-control (engagement) radar, first
confirmed track, the identity declared (and why), the orders, cancellations and
launches against its tracks, and the outcome — killed, leaked, still flying — with the
reason a threat leaked in one line. Tracks are mapped to objects through the recording's
own track–truth assignment (``tracks.truth_id``).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from airdefsim.events import Event
from airdefsim.record.recorder import Run

Outcome = str  # "killed", "leaked", "asset hit", "flying", "landed"


@dataclass
class ObjectTimeline:
    """One object's kill chain (times in s; NaN when it never happened)."""

    id: int
    name: str
    preset: str
    hostile: bool
    first_detection: float = math.nan
    first_fc_plot: float = math.nan
    first_track: float = math.nan
    declared: str = ""
    declared_at: float = math.nan
    declared_why: str = ""
    orders: int = 0
    cancelled: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    launches: int = 0
    first_launch: float = math.nan
    missiles: list[str] = field(default_factory=list)
    first_launch_range_m: float = math.nan
    misses: list[float] = field(default_factory=list)
    survived: list[float] = field(default_factory=list)  # bursts within the lethal radius
    self_destructs: list[str] = field(default_factory=list)
    outcome: Outcome = "flying"
    outcome_at: float = math.nan
    kill_miss_m: float = math.nan
    kill_alt_m: float = math.nan

    @property
    def why(self) -> str:
        """Why a threat was not killed (or ``""``), in one line."""
        if self.outcome == "killed" or not self.hostile:
            return ""
        if math.isnan(self.first_detection):
            return "never detected"
        if math.isnan(self.first_track):
            return "detected but never tracked"
        if self.launches == 0:
            if self.cancelled:
                return "engagement cancelled: " + Counter(self.cancelled).most_common(1)[0][0]
            if self.refused:
                return "engagement refused: " + Counter(self.refused).most_common(1)[0][0]
            if self.declared != "hostile":
                return f"never declared hostile ({self.declared or 'unknown'})"
            if math.isnan(self.first_fc_plot):
                return "the engagement radar never saw it"
            return "never engaged (no weapon, channel or round)"
        parts = ["still flying at the end"] if self.outcome == "flying" else []
        for what, dist in (("survived intercept(s)", self.survived), ("miss(es)", self.misses)):
            if dist:
                closest = min(dist)
                c = f"{closest:.1f}" if closest < 10 else f"{closest:.0f}"
                parts.append(f"{len(dist)} {what}, closest {c} m")
        if self.self_destructs:
            parts.append("self-destructed: " + ", ".join(sorted(set(self.self_destructs))))
        return "; ".join(parts) or "interceptors still flying at the end"


def _track_truth(run: Run) -> dict[int, int]:
    """Track id -> the object it was matched to most often (-1 never matched)."""
    tr = run.df("tracks")
    out: dict[int, int] = {}
    if len(tr["track_id"]) == 0:
        return out
    pairs = Counter(zip(tr["track_id"].tolist(), tr["truth_id"].tolist(), strict=True))
    best: dict[int, tuple[int, int]] = {}
    for (tid, obj), n in pairs.items():
        if obj >= 0 and n > best.get(tid, (-1, 0))[1]:
            best[tid] = (obj, n)
    for tid in set(tr["track_id"].tolist()):
        out[int(tid)] = best.get(tid, (-1, 0))[0]
    return out


def timelines(run: Run) -> list[ObjectTimeline]:
    """The kill chain of every object of a recorded run, in object order."""
    meta = run.meta
    objs = {
        int(o["id"]): ObjectTimeline(int(o["id"]), o["name"], o["preset"], bool(o["hostile"]))
        for o in meta.get("objects", [])
    }
    fc_sensors = {
        f"{u['name']}/{r['name']}"
        for u in meta.get("units", [])
        for r in u.get("radars", [])
        if r.get("role") == "engagement"
    }
    det = run.df("detections")
    truth = det["truth_id"]
    for obj, tl in objs.items():
        mine = truth == obj
        if mine.any():
            tl.first_detection = float(det["t"][mine].min())
            fc = mine & np.isin(det["sensor"], list(fc_sensors))
            if fc.any():
                tl.first_fc_plot = float(det["t"][fc].min())
    of_track = _track_truth(run)
    of_icpt: dict[int, int] = {}
    for ev in run.events():
        obj = ev.truth_id if ev.truth_id >= 0 else of_track.get(ev.track_id, -1)
        if ev.kind in ("kill", "miss", "self_destruct") and ev.interceptor_id in of_icpt:
            obj = of_icpt[ev.interceptor_id] if ev.kind == "self_destruct" else obj
        found = objs.get(obj)
        if found is not None:
            _note(found, ev, of_icpt)
    return [objs[k] for k in sorted(objs)]


def _note(tl: ObjectTimeline, ev: Event, of_icpt: dict[int, int]) -> None:
    k = ev.kind
    if k == "track_confirmed" and math.isnan(tl.first_track):
        tl.first_track = ev.t
    elif k == "declared" and not tl.declared:
        tl.declared, tl.declared_at, tl.declared_why = ev.identity, ev.t, ev.reason
    elif k == "command" and ev.missile:
        tl.orders += 1
    elif k == "engagement_cancelled":
        tl.cancelled.append(ev.reason)
    elif k == "command_refused":
        tl.refused.append(ev.reason)
    elif k == "launch":
        of_icpt[ev.interceptor_id] = tl.id
        tl.launches += 1
        tl.missiles.append(ev.missile)
        if math.isnan(tl.first_launch):
            tl.first_launch, tl.first_launch_range_m = ev.t, ev.range_m
    elif k == "miss":
        (tl.survived if ev.reason == "fuze" else tl.misses).append(ev.miss_m)
    elif k == "self_destruct":
        tl.self_destructs.append(ev.reason)
    elif k == "kill":
        tl.outcome, tl.outcome_at = "killed", ev.t
        tl.kill_miss_m, tl.kill_alt_m = ev.miss_m, ev.alt_m
    elif k == "leak" and tl.outcome != "killed":
        tl.outcome, tl.outcome_at = ("leaked" if tl.hostile else "landed"), ev.t
    elif k == "asset_hit":
        tl.outcome = "asset hit"


def summary_by_preset(items: list[ObjectTimeline]) -> list[dict[str, object]]:
    """One row per (preset, side): count, median times of first detection, first
    fire-control plot and first launch, launches, kills, leakers and the most common
    reason for a leak."""
    rows = []
    groups: dict[tuple[str, bool], list[ObjectTimeline]] = {}
    for tl in items:
        groups.setdefault((tl.preset, tl.hostile), []).append(tl)

    def med(vals: list[float]) -> float:
        v = [x for x in vals if not math.isnan(x)]
        return float(np.median(v)) if v else math.nan

    for (preset, hostile), tls in groups.items():
        whys = Counter(t.why for t in tls if t.why)
        rows.append(
            {
                "preset": preset,
                "hostile": hostile,
                "n": len(tls),
                "first_detection_s": med([t.first_detection for t in tls]),
                "first_fc_plot_s": med([t.first_fc_plot for t in tls]),
                "first_launch_s": med([t.first_launch for t in tls]),
                "launches": sum(t.launches for t in tls),
                "killed": sum(t.outcome == "killed" for t in tls),
                "leaked": sum(t.outcome in ("leaked", "asset hit") for t in tls),
                "why": whys.most_common(1)[0][0] if whys else "",
            }
        )
    return rows
