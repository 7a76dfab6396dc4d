"""Read a run directory for export: ``run.json`` plus the Parquet tables.

The recording format is the one in ``docs/architecture.md`` ("Recording"). This module
reads it with ``airdefsim.record.read_run`` and hands the exporters NumPy columns.
Tables come back as dicts of NumPy columns (structure of arrays).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from airdefsim.record import read_run

TABLES = ("truth", "detections", "tracks", "interceptors", "events")


class RunDirError(ValueError):
    """A run directory is missing, unreadable or not in the recording format."""


@dataclass
class RunData:
    """A recorded run, as the exporters need it.

    Attributes
    ----------
    path : the run directory
    meta : the parsed ``run.json`` (``epoch``, ``origin``, ``units``, ``assets`` …)
    tables : table name -> column name -> (N,) array; a table absent from the
        directory is absent here
    """

    path: Path
    meta: dict[str, Any]
    tables: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)

    @property
    def epoch(self) -> datetime:
        """The scenario epoch (t = 0) as an aware UTC datetime."""
        return parse_epoch(self.meta.get("epoch"))

    @property
    def origin(self) -> tuple[float, float]:
        """(lat, lon) deg of the scenario origin (``run.json`` ``origin``)."""
        o = self.meta.get("origin") or {}
        try:
            return float(o["lat_deg"]), float(o["lon_deg"])
        except (KeyError, TypeError, ValueError):
            raise RunDirError(f"{self.path}/run.json: no origin {{lat_deg, lon_deg}}") from None

    def table(self, name: str) -> dict[str, np.ndarray]:
        """Columns of table ``name`` (an empty dict if the table was not recorded)."""
        return self.tables.get(name, {})


def parse_epoch(value: Any) -> datetime:
    """ISO-8601 string or datetime -> aware UTC datetime (naive input is taken as UTC).

    ``None`` gives 2000-01-01T00:00:00Z, the neutral epoch used when a run has none.
    """
    if value is None:
        return datetime(2000, 1, 1, tzinfo=UTC)
    if isinstance(value, datetime):
        dt = value
    else:
        text = str(value).strip()
        if text.endswith("Z"):
            text = text[:-1] + "+00:00"
        try:
            dt = datetime.fromisoformat(text)
        except ValueError as exc:
            raise RunDirError(f"epoch {value!r} is not an ISO-8601 time") from exc
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def table_to_columns(table: pa.Table) -> dict[str, np.ndarray]:
    """A pyarrow table -> dict of NumPy columns (strings become object arrays)."""
    out: dict[str, np.ndarray] = {}
    for name in table.column_names:
        col = table.column(name)
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            out[name] = np.asarray(col.to_pylist(), dtype=object)
        else:
            out[name] = col.to_numpy(zero_copy_only=False)
    return out


def load_run(path: str | Path, tables: tuple[str, ...] = TABLES) -> RunData:
    """Read the run directory ``path``.

    Parameters
    ----------
    path : directory holding ``run.json`` and ``<table>.parquet`` files
    tables : which tables to read (absent ones are skipped)

    Raises
    ------
    RunDirError
        with a one-line message when the directory or ``run.json`` is missing or
        unreadable, or a Parquet file is corrupt.
    """
    p = Path(path)
    if not p.is_dir():
        raise RunDirError(f"{p}: not a run directory (no such directory)")
    present = tuple(name for name in tables if (p / f"{name}.parquet").exists())
    try:
        rec = read_run(p, tables=present or None)
    except ValueError as exc:  # airdefsim.record.RunDirError
        raise RunDirError(str(exc)) from None
    meta = rec.meta
    if not isinstance(meta, dict):
        raise RunDirError(f"{p / 'run.json'}: run.json is not a JSON object")
    run = RunData(path=p, meta=meta)
    run.epoch  # noqa: B018 -- validates the epoch early, with a clear error
    run.tables = {name: table_to_columns(tab) for name, tab in rec.tables.items()}
    return run
