"""The published reference cases of ``tests/data/cases.json`` (each with its source)."""

from __future__ import annotations

import json
from pathlib import Path

CASES_FILE = Path(__file__).resolve().parent / "data" / "cases.json"


def load_cases(check: str | None = None) -> list[dict]:
    """Reference cases, optionally only those of one ``check``."""
    cases = json.loads(CASES_FILE.read_text())["cases"]
    return [c for c in cases if check is None or c["check"] == check]
