"""The Parquet recorder (a simulation sink) and the reader of run directories.

Layout of a run directory (see ``docs/architecture.md``)::

    run.json            scenario, seed, versions, origin, units, assets, summary
    truth.parquet       detections.parquet  tracks.parquet
    interceptors.parquet  events.parquet

Determinism: rows are written in the order the simulation emits them, with fixed
schemas and no wall-clock values, so the same scenario and seed give byte-identical
files. Wall-clock timing goes to ``timing.json``, which is not part of the recording.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from airdefsim.events import EVENT_FIELDS, Event
from airdefsim.jsonsafe import dumps
from airdefsim.summary import RunSummary

F = pa.float64()
I = pa.int64()
S = pa.string()
BOOL = pa.bool_()

TABLES: dict[str, pa.Schema] = {
    "truth": pa.schema(
        [
            ("t", F),
            ("id", I),
            ("name", S),
            ("kind", S),
            ("preset", S),
            ("hostile", BOOL),
            ("lat_deg", F),
            ("lon_deg", F),
            ("alt_m", F),
            ("x", F),
            ("y", F),
            ("z", F),
            ("vx", F),
            ("vy", F),
            ("vz", F),
            ("alive", BOOL),
        ]
    ),
    "detections": pa.schema(
        [
            ("t", F),
            ("sensor", S),
            ("unit", S),
            ("truth_id", I),
            ("range_m", F),
            ("az_deg", F),
            ("el_deg", F),
            ("e", F),
            ("n", F),
            ("u", F),
            ("snr_db", F),
            ("sigma_m", F),
        ]
    ),
    "tracks": pa.schema(
        [
            ("t", F),
            ("track_id", I),
            ("status", S),
            ("identity", S),
            ("e", F),
            ("n", F),
            ("u", F),
            ("ve", F),
            ("vn", F),
            ("vu", F),
            ("lat_deg", F),
            ("lon_deg", F),
            ("alt_m", F),
            ("pos_sigma_m", F),
            ("truth_id", I),
        ]
    ),
    "interceptors": pa.schema(
        [
            ("t", F),
            ("id", I),
            ("missile", S),
            ("unit", S),
            ("track_id", I),
            ("target_id", I),
            ("lat_deg", F),
            ("lon_deg", F),
            ("alt_m", F),
            ("x", F),
            ("y", F),
            ("z", F),
            ("vx", F),
            ("vy", F),
            ("vz", F),
            ("phase", S),
            ("fc_track", BOOL),
        ]
    ),
    # one column per field of airdefsim.events.Event, in its order
    "events": pa.schema(
        [
            ("t", F),
            ("kind", S),
            ("unit", S),
            ("track_id", I),
            ("truth_id", I),
            ("interceptor_id", I),
            ("missile", S),
            ("lat_deg", F),
            ("lon_deg", F),
            ("alt_m", F),
            ("reason", S),
            ("identity", S),
            ("range_m", F),
            ("t_flight_s", F),
            ("miss_m", F),
            ("detail", S),
        ]
    ),
}


class Recorder:
    """A sink writing the run directory. Rows are buffered per table as column chunks
    and written once at ``close`` (a flagship run is a few tens of MB in memory)."""

    def __init__(self, out_dir: str | Path):
        self.out_dir = Path(out_dir)
        self._chunks: dict[str, list[pa.RecordBatch]] = {name: [] for name in TABLES}
        self._events: list[Event] = []
        self._meta: dict[str, Any] = {}

    def open(self, meta: dict[str, Any]) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._meta = dict(meta)

    def rows(self, table: str, cols: Mapping[str, Any]) -> None:
        schema = TABLES[table]
        n = len(next(iter(cols.values()))) if cols else 0
        if n == 0:
            return
        # a column the caller does not give (an optional one, e.g. sigma_m) is null
        arrays = [
            pa.array(np.asarray(cols[f.name]), type=f.type)
            if f.name in cols
            else pa.nulls(n, f.type)
            for f in schema
        ]
        self._chunks[table].append(pa.RecordBatch.from_arrays(arrays, schema=schema))

    def event(self, ev: Event) -> None:
        self._events.append(ev)

    def close(self, summary: RunSummary) -> None:
        if self._events:
            cols = {name: [getattr(e, name) for e in self._events] for name in EVENT_FIELDS}
            self._chunks["events"] = [pa.RecordBatch.from_pydict(cols, schema=TABLES["events"])]
        for name, schema in TABLES.items():
            table = pa.Table.from_batches(self._chunks[name], schema=schema)
            pq.write_table(table, self.out_dir / f"{name}.parquet", compression="zstd")
        meta = dict(self._meta)
        meta["summary"] = summary.to_dict(deterministic_only=True)
        (self.out_dir / "run.json").write_text(dumps(meta) + "\n", encoding="utf-8")
        (self.out_dir / "timing.json").write_text(
            dumps({"wall_seconds": summary.wall_seconds}) + "\n", encoding="utf-8"
        )


@dataclass
class Run:
    """A recorded run: ``meta`` (run.json) and its tables."""

    path: Path
    meta: dict[str, Any]
    tables: dict[str, pa.Table]

    def df(self, name: str) -> Any:
        """The table as a dict of NumPy columns."""
        t = self.tables[name]
        return {c: t.column(c).to_numpy(zero_copy_only=False) for c in t.column_names}

    def events(self) -> list[Event]:
        """The ``events`` table as typed events, in order."""
        return [Event.from_row(r) for r in self.tables["events"].to_pylist()]


class RunDirError(ValueError):
    """Not a run directory, or a damaged one."""


def read_run(path: str | Path, tables: tuple[str, ...] | None = None) -> Run:
    """Read a run directory written by :class:`Recorder`."""
    p = Path(path)
    meta_file = p / "run.json"
    if not meta_file.is_file():
        raise RunDirError(f"{p}: not a run directory (no run.json)")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise RunDirError(f"{meta_file}: unreadable ({exc})") from None
    out: dict[str, pa.Table] = {}
    for name in tables or tuple(TABLES):
        f = p / f"{name}.parquet"
        if not f.is_file():
            raise RunDirError(f"{p}: missing {name}.parquet")
        try:
            out[name] = pq.read_table(f)
        except (OSError, pa.ArrowInvalid) as exc:
            raise RunDirError(f"{f}: unreadable ({exc})") from None
    return Run(path=p, meta=meta, tables=out)
