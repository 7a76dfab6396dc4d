"""After-action review data: what the console recorded during the exercise, with the
truth the trainee could not see, the decisions and the key moments.

The review file ``review.json.gz`` (written by ``live.ExerciseManager`` before the
session is marked finished) holds one snapshot per simulation step: the trainee's
tracks, interceptors in flight and ground truth, plus every event and decision. The
Parquet recording of the same run sits beside it (``recording/``) for the analysis
tools.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from airdefsim.events import Event, describe
from airdefsim.web.live import read_json_gz

KEY_MOMENT_KINDS = (
    "launch",
    "kill",
    "miss",
    "leak",
    "asset_hit",
    "friendly_engaged",
    "command_refused",
    "track_confirmed",
)


def key_moments(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The events worth a mark on the review timeline, in time order, each with a
    ``text``; kill and miss events name the track their interceptor was fired at."""
    icpt_track: dict[int, int] = {}
    out = []
    for e in sorted(events, key=lambda e: float(e.get("t", 0.0))):
        iid = e.get("interceptor_id")
        track = e.get("track_id")
        if e.get("kind") == "launch" and iid is not None and track is not None:
            icpt_track[int(iid)] = int(track)
        if track is None and iid is not None:
            track = icpt_track.get(int(iid))
        if e.get("kind") in KEY_MOMENT_KINDS:
            out.append(
                {
                    "t": float(e.get("t", 0.0)),
                    "kind": e["kind"],
                    "track": track,
                    "text": describe(Event.from_row({**e, "track_id": track}), "operator")
                    or e["kind"],
                }
            )
    return out


def load(row: Any) -> dict[str, Any] | None:
    """Review data of a finished session row (``ExerciseSession``), or None if absent."""
    if not row.record_dir:
        return None
    path = Path(row.record_dir) / "review.json.gz"
    if not path.is_file():
        return None
    data = read_json_gz(path)
    data["moments"] = key_moments(data.get("events", []))
    data["status"] = row.status
    data["doctrine"] = row.doctrine
    data["score_total"] = row.score
    return data
