"""Files of an exercise session and the compression of what goes over the wire.

Layout under the console's ``runs_dir``::

    session-<id>/
        recording/        the Parquet run directory (airdefsim.record.Recorder)
        decisions.json    the trainee's orders (wire.DecisionLog)

The recording is what the review replays and what ``airdefsim report`` and
``airdefsim export`` read; the orders are the one thing the recording does not hold in
the trainee's words. Scores, summaries and the doctrine's result live in the database.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from pydantic import ValidationError

from airdefsim.web.wire import Decision, DecisionLog

DECISIONS = "decisions.json"
RECORDING = "recording"
GZIP_LEVEL = 6  # zlib's default: most of the gain at a fraction of level 9's time
GZIP_MIN_BYTES = 1024  # smaller answers go uncompressed (the header outweighs the gain)


def session_dir(runs_dir: Path, session_id: int) -> Path:
    """The directory of one exercise session."""
    return runs_dir / f"session-{session_id}"


def recording_dir(session: Path) -> Path:
    """The Parquet recording inside a session directory."""
    return session / RECORDING


def write_durably(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that a crash leaves the old file or the new one,
    never a torn one (temporary file, fsync, atomic rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def write_decisions(session: Path, log: DecisionLog) -> None:
    """Save the trainee's orders (``decisions.json``), durably."""
    write_durably(session / DECISIONS, log.model_dump_json().encode())


def read_decisions(session: Path) -> list[Decision]:
    """The trainee's orders, or none when the file is missing or unreadable."""
    try:
        return DecisionLog.model_validate_json((session / DECISIONS).read_bytes()).decisions
    except (OSError, ValidationError):
        return []


def accepts_gzip(accept_encoding: str | None) -> bool:
    """Whether an ``Accept-Encoding`` header allows gzip (``gzip;q=0`` refuses it)."""
    for item in (accept_encoding or "").lower().split(","):
        name, _, params = item.strip().partition(";")
        if name.strip() not in ("gzip", "*"):
            continue
        key, _, value = params.strip().partition("=")
        try:
            return key.strip() != "q" or float(value) > 0.0
        except ValueError:
            return False
    return False


def compress(data: bytes) -> bytes | None:
    """gzip of ``data`` for the wire, or None when it is too small to be worth it."""
    if len(data) < GZIP_MIN_BYTES:
        return None
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)
