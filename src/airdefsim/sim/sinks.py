"""Sinks: where the loop's rows and events go (the Parquet recorder, a live view, tests).

The loop does not know which sinks are attached. A sink gets the run's metadata at
``open``, column batches of the recorded tables (:data:`TableName`; columns as in
``docs/architecture.md``), every :class:`airdefsim.events.Event`, and the
:class:`airdefsim.summary.RunSummary` at ``close``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, Literal, Protocol

import numpy as np

from airdefsim.events import Event
from airdefsim.geo.wgs84 import LocalFrame, ecef_to_geodetic
from airdefsim.summary import RunSummary

TableName = Literal["truth", "detections", "tracks", "interceptors"]
Columns = Mapping[str, Any]  # column name -> (K,) array or list


class Sink(Protocol):
    def open(self, meta: dict[str, Any]) -> None: ...

    def rows(self, table: TableName, cols: Columns) -> None: ...

    def event(self, ev: Event) -> None: ...

    def close(self, summary: RunSummary) -> None: ...


class MemorySink:
    """Keeps what a live view or a test needs, thread-safely (written by the
    simulation's thread, read by another): every event, the latest batch of each table,
    and the plots of the last ``plot_memory`` simulated seconds as (t, lat_deg, lon_deg)
    rows.

    Parameters
    ----------
    plot_memory : float, s
    """

    def __init__(self, plot_memory: float = 30.0) -> None:
        self.plot_memory = float(plot_memory)
        self.meta: dict[str, Any] = {}
        self.events: list[Event] = []
        self.latest: dict[str, dict[str, np.ndarray]] = {}
        self.plots = np.zeros((0, 3))
        self.summary: RunSummary | None = None
        self.lock = threading.Lock()
        self._frame: LocalFrame | None = None

    def open(self, meta: dict[str, Any]) -> None:
        self.meta = meta
        o = meta["origin"]
        self._frame = LocalFrame.from_degrees(o["lat_deg"], o["lon_deg"], 0.0)

    def rows(self, table: TableName, cols: Columns) -> None:
        arrays = {k: np.asarray(v) for k, v in cols.items()}
        if table == "detections":
            if self._frame is None or len(arrays.get("t", ())) == 0:
                return
            enu = np.stack([arrays["e"], arrays["n"], arrays["u"]], axis=-1)
            lat, lon, _ = ecef_to_geodetic(self._frame.to_ecef(enu))
            new = np.stack([arrays["t"].astype(float), np.degrees(lat), np.degrees(lon)], axis=-1)
            with self.lock:
                allp = np.concatenate([self.plots, new])
                tmax = float(allp[:, 0].max())
                self.plots = allp[allp[:, 0] >= tmax - self.plot_memory]
            return
        with self.lock:
            self.latest[table] = arrays

    def event(self, ev: Event) -> None:
        with self.lock:
            self.events.append(ev)

    def close(self, summary: RunSummary) -> None:
        self.summary = summary

    def kinds(self) -> list[str]:
        """The kind of every event so far, in order."""
        with self.lock:
            return [e.kind for e in self.events]
