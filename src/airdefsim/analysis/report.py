"""The after-action report of a recorded run: one self-contained HTML file.

Plots (Matplotlib, Agg, embedded as PNG data URIs): a map with Natural Earth coastlines
and borders, threat paths by type, friendly paths, radar coverage rings, launch points
and intercepts; an engagement timeline; and a table of outcomes per threat group.
Nothing is fetched from the network when the file is opened.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from airdefsim.analysis.metrics import format_value
from airdefsim.analysis.tracking_quality import tracking_quality_section
from airdefsim.geo.basemap import basemap_lines
from airdefsim.record.recorder import Run, read_run
from airdefsim.summary import METRICS, RESULT_METRICS, metric_label

KIND_COLOURS = {
    "aircraft": "#d62728",
    "cruise_missile": "#ff7f0e",
    "ballistic_missile": "#9467bd",
    "drone": "#8c564b",
    "airliner": "#2ca02c",
}


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _circle(
    lat_deg: float, lon_deg: float, r_m: float, n: int = 181
) -> tuple[np.ndarray, np.ndarray]:
    """A ring of ground radius r_m around a point (spherical, for drawing)."""
    R = 6371000.0
    b = np.linspace(0, 2 * np.pi, n)
    lat1, lon1 = np.radians(lat_deg), np.radians(lon_deg)
    d = r_m / R
    lat2 = np.arcsin(np.sin(lat1) * np.cos(d) + np.cos(lat1) * np.sin(d) * np.cos(b))
    lon2 = lon1 + np.arctan2(
        np.sin(b) * np.sin(d) * np.cos(lat1), np.cos(d) - np.sin(lat1) * np.sin(lat2)
    )
    return np.degrees(lon2), np.degrees(lat2)


def map_figure(run: Run) -> Any:
    meta = run.meta
    truth = run.df("truth")
    events = run.df("events")
    lats = list(truth["lat_deg"]) + [u["lat_deg"] for u in meta["units"]]
    lons = list(truth["lon_deg"]) + [u["lon_deg"] for u in meta["units"]]
    lat0, lat1 = float(np.nanmin(lats)) - 0.4, float(np.nanmax(lats)) + 0.4
    lon0, lon1 = float(np.nanmin(lons)) - 0.4, float(np.nanmax(lons)) + 0.4
    fig, ax = plt.subplots(figsize=(10, 8))
    for ln in basemap_lines((lon0 - 5, lat0 - 5, lon1 + 5, lat1 + 5)):
        ax.plot(ln[:, 0], ln[:, 1], color="#999999", lw=0.7, zorder=1)
    ids = truth["id"]
    seen_kinds = set()
    for i in np.unique(ids):
        m = ids == i
        kind = str(truth["kind"][m][0])
        hostile = bool(truth["hostile"][m][0])
        colour = KIND_COLOURS.get(kind, "#d62728") if hostile else "#2ca02c"
        label = (
            (kind.replace("_", " ") if hostile else "friendly")
            if (kind, hostile) not in seen_kinds
            else None
        )
        seen_kinds.add((kind, hostile))
        ax.plot(
            truth["lon_deg"][m],
            truth["lat_deg"][m],
            color=colour,
            lw=0.9,
            alpha=0.8,
            label=label,
            zorder=3,
            ls="-" if hostile else "--",
        )
    for u in meta["units"]:
        ax.plot(u["lon_deg"], u["lat_deg"], marker="s", color="navy", ms=8, zorder=5)
        ax.annotate(
            u["name"],
            (u["lon_deg"], u["lat_deg"]),
            xytext=(6, -12),
            textcoords="offset points",
            fontsize=8,
            color="navy",
        )
        for r in u["radars"]:
            x, y = _circle(r["lat_deg"], r["lon_deg"], r["instrumented_range_m"])
            ax.plot(x, y, color="navy", lw=0.6, alpha=0.5, zorder=2)
        for m_name, rng in sorted(u.get("missile_max_range_m", {}).items(), key=lambda kv: kv[1]):
            x, y = _circle(u["lat_deg"], u["lon_deg"], rng)
            ax.plot(x, y, color="teal", lw=0.8, ls=":", zorder=2)
            ax.annotate(m_name, (x[0], y[0]), fontsize=7, color="teal")
    for a in meta["assets"]:
        ax.plot(a["lon_deg"], a["lat_deg"], marker="*", color="gold", mec="black", ms=14, zorder=6)
        ax.annotate(
            a["name"],
            (a["lon_deg"], a["lat_deg"]),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8,
        )
    kinds = events["kind"]
    for kind, marker, colour, label in (
        ("launch", "^", "blue", "launch"),
        ("kill", "x", "black", "kill"),
        ("miss", "o", "grey", "miss"),
        ("leak", "v", "red", "leaker"),
    ):
        m = kinds == kind
        if not m.any():
            continue
        x, y = events["lon_deg"][m], events["lat_deg"][m]
        if marker == "o":  # hollow: edge colour only
            ax.scatter(
                x,
                y,
                marker=marker,
                s=28,
                zorder=7,
                label=label,
                facecolors="none",
                edgecolors=colour,
            )
        else:
            ax.scatter(x, y, marker=marker, s=28, zorder=7, label=label, c=colour)
    ax.set_xlim(lon0, lon1)
    ax.set_ylim(lat0, lat1)
    ax.set_aspect(1.0 / math.cos(math.radians(0.5 * (lat0 + lat1))))
    ax.set_xlabel("longitude (deg)")
    ax.set_ylabel("latitude (deg)")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.9)
    ax.set_title(
        "Map: paths, radar instrumented ranges (navy), missile max ranges (teal), launches and intercepts"
    )
    ax.grid(alpha=0.2)
    return fig


def timeline_figure(run: Run) -> Any:
    events = run.df("events")
    fig, ax = plt.subplots(figsize=(10, 3.6))
    rows = [
        ("detected", "first detection", "tab:blue"),
        ("track_confirmed", "track confirmed", "tab:cyan"),
        ("iff_reply", "IFF", "tab:green"),
        ("launch", "launch", "navy"),
        ("kill", "kill", "black"),
        ("miss", "miss", "grey"),
        ("leak", "leaker", "red"),
        ("asset_hit", "asset hit", "darkred"),
        ("friendly_engaged", "friendly engaged", "magenta"),
        ("command_refused", "refused", "orange"),
    ]
    for y, (kind, label, colour) in enumerate(rows):
        m = events["kind"] == kind
        ax.scatter(events["t"][m], np.full(int(m.sum()), y), marker="|", s=120, c=colour)
        ax.text(
            -0.01,
            y,
            f"{label} ({int(m.sum())})",
            transform=ax.get_yaxis_transform(),
            ha="right",
            va="center",
            fontsize=8,
        )
    ax.set_yticks([])
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlabel("time (s)")
    ax.set_title("Engagement timeline")
    ax.grid(axis="x", alpha=0.3)
    return fig


def outcomes(run: Run) -> list[dict[str, Any]]:
    """Per threat group (preset): count, killed, leaked, interceptors spent."""
    objects = run.meta.get("objects", [])
    events = run.df("events")
    killed = set(events["truth_id"][events["kind"] == "kill"].tolist())
    leaked = set(events["truth_id"][events["kind"] == "leak"].tolist())
    launches = events["truth_id"][events["kind"] == "launch"]
    rows: dict[tuple[str, bool], dict[str, Any]] = {}
    for o in objects:
        key = (o["preset"], o["hostile"])
        row = rows.setdefault(
            key,
            {
                "preset": o["preset"],
                "side": "hostile" if o["hostile"] else "friendly",
                "count": 0,
                "killed": 0,
                "leaked": 0,
                "interceptors": 0,
            },
        )
        row["count"] += 1
        row["killed"] += int(o["id"] in killed)
        row["leaked"] += int(o["id"] in leaked)
        row["interceptors"] += int((launches == o["id"]).sum())
    return list(rows.values())


def _table(rows: list[dict[str, Any]], headers: list[str] | None = None) -> str:
    if not rows:
        return "<p>none</p>"
    headers = headers or list(rows[0])
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in headers) + "</tr>"]
    for r in rows:
        out.append(
            "<tr>" + "".join(f"<td>{html.escape(_cell(r.get(h)))}</td>" for h in headers) + "</tr>"
        )
    return "\n".join(out) + "</table>"


def _cell(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return "—" if not math.isfinite(v) else (f"{v:.2f}" if abs(v) < 100 else f"{v:.0f}")
    return str(v)


def summary_tables(summary: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The run's summary as two tables of ``{metric, value}`` rows: the engagement
    results, and the run's bookkeeping (seed, friendlies present, tracks, simulated and
    wall-clock time). Labels with units, display scale and formatting come from the
    metric registry; metrics missing from ``summary`` (an older recording) are left out.
    """
    results = [
        {"metric": metric_label(m.key), "value": format_value(m, summary[m.key])}
        for m in RESULT_METRICS
        if m.key in summary
    ]
    run = [{"metric": "seed", "value": str(summary["seed"])}] if "seed" in summary else []
    run += [
        {"metric": metric_label(m.key), "value": format_value(m, summary[m.key])}
        for m in METRICS
        if not m.result and m.key in summary
    ]
    return results, run


CSS = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}img{max-width:100%}
.note{color:#666;font-size:90%}"""


def write_report(run_dir: str | Path) -> Path:
    """Write ``report.html`` into the run directory and return its path."""
    run = read_run(run_dir)
    s = run.meta.get("summary", {})
    timing = Path(run_dir) / "timing.json"
    if timing.is_file():
        s = {**s, **json.loads(timing.read_text())}
    results, bookkeeping = summary_tables(s)
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>airdefsim report — {html.escape(run.meta.get('scenario_name', ''))}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html.escape(run.meta.get('scenario_name', 'run'))}</h1>",
        f"<p class='note'>seed {run.meta.get('seed')} · airdefsim {html.escape(str(run.meta.get('versions', {}).get('airdefsim')))}"
        " · simulation for training and analysis, public figures only</p>",
        "<h2>Results</h2>",
        _table(results, ["metric", "value"]),
        "<h2>Run</h2>",
        _table(bookkeeping, ["metric", "value"]),
        "<h2>Outcomes by type</h2>",
        _table(outcomes(run), ["preset", "side", "count", "killed", "leaked", "interceptors"]),
        "<h2>Map</h2>",
        f"<img alt='map' src='{_png(map_figure(run))}'>",
        "<h2>Timeline</h2>",
        f"<img alt='timeline' src='{_png(timeline_figure(run))}'>",
        tracking_quality_section(run, _png),
        "<p class='note'>Map data: Natural Earth (public domain) via world-atlas.</p>",
        "</body></html>",
    ]
    path = Path(run_dir) / "report.html"
    path.write_text("\n".join(parts), encoding="utf-8")
    return path
