"""After-action review: the Parquet recording of the exercise, with the truth the
trainee could not see, the trainee's orders and the key moments.

The review reads the same run directory the analysis tools read (``recording/`` in the
session's directory, :func:`airdefsim.record.read_run`): tracks, interceptors and truth
at every record time, and the events (:meth:`airdefsim.record.Run.events`), turned into
text by the one renderer (:func:`airdefsim.events.describe`, for an analyst: the
review shows true objects by name). Orders come from ``decisions.json``; score and
doctrine from the session's row.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from airdefsim.events import Event, EventKind, describe
from airdefsim.record import read_run
from airdefsim.record.recorder import RunDirError
from airdefsim.web import store
from airdefsim.web.layout import layout_from_meta
from airdefsim.web.models import ExerciseSession
from airdefsim.web.wire import (
    DoctrineResult,
    Moment,
    RecordedInterceptors,
    RecordedTracks,
    Review,
    Score,
    TruthColumns,
    stored,
)

#: events worth a mark on the review's timeline
KEY_MOMENT_KINDS: frozenset[EventKind] = frozenset(
    {
        "track_confirmed",
        "launch",
        "kill",
        "miss",
        "leak",
        "asset_hit",
        "friendly_engaged",
        "command_refused",
        "engagement_cancelled",
        "roe_violation",
    }
)


def key_moments(events: Iterable[Event], names: Mapping[int, str]) -> list[Moment]:
    """The events worth a mark on the timeline, in time order, each with its text
    (true objects named from ``names``: truth id -> name)."""
    return [
        Moment(
            t=ev.t,
            kind=ev.kind,
            track=ev.track_id if ev.track_id >= 0 else None,
            text=describe(ev, "analyst", names) or ev.kind,
        )
        for ev in sorted(events, key=lambda e: e.t)
        if ev.kind in KEY_MOMENT_KINDS
    ]


def _r(col: Any, nd: int) -> list[float]:
    return [float(x) for x in np.round(np.asarray(col, float), nd)]


def _ints(col: Any) -> list[int]:
    return [int(x) for x in np.asarray(col, np.int64)]


def build(row: ExerciseSession, title: str) -> Review | None:
    """The review of a session, or None when it has no recording (aborted, interrupted
    or from a server that could not write it)."""
    if not row.record_dir:
        return None
    folder = Path(row.record_dir)
    try:
        run = read_run(
            store.recording_dir(folder), tables=("tracks", "truth", "interceptors", "events")
        )
    except RunDirError:
        return None
    names = {int(o["id"]): str(o["name"]) for o in run.meta.get("objects", [])}
    tr = run.df("tracks")
    tracks = RecordedTracks(
        t=_r(tr["t"], 2),
        id=_ints(tr["track_id"]),
        identity=[str(x) for x in tr["identity"]],
        lat=_r(tr["lat_deg"], 5),
        lon=_r(tr["lon_deg"], 5),
        alt=_r(tr["alt_m"], 0),
        ve=_r(tr["ve"], 1),
        vn=_r(tr["vn"], 1),
    )
    ic = run.df("interceptors")
    interceptors = RecordedInterceptors(
        t=_r(ic["t"], 2),
        id=_ints(ic["id"]),
        lat=_r(ic["lat_deg"], 5),
        lon=_r(ic["lon_deg"], 5),
        alt=_r(ic["alt_m"], 0),
        track_id=_ints(ic["track_id"]),
    )
    th = run.df("truth")
    truth = TruthColumns(
        t=_r(th["t"], 2),
        id=_ints(th["id"]),
        name=[str(x) for x in th["name"]],
        hostile=[bool(x) for x in th["hostile"]],
        lat=_r(th["lat_deg"], 5),
        lon=_r(th["lon_deg"], 5),
        alt=_r(th["alt_m"], 0),
        alive=[bool(x) for x in th["alive"]],
    )
    return Review(
        session_id=row.id,
        status=row.status,
        layout=layout_from_meta(run.meta, title),
        tracks=tracks,
        interceptors=interceptors,
        truth=truth,
        moments=key_moments(run.events(), names),
        decisions=store.read_decisions(folder),
        score=stored(Score, row.score_parts),
        doctrine=stored(DoctrineResult, row.doctrine),
    )
