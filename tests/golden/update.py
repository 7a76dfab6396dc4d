"""Regenerate the golden summaries of the shipped scenarios (tests/golden/summaries.json).

    .venv/bin/python tests/golden/update.py

Run it only when a change is *meant* to change outcomes, and say why in the commit: the
golden test compares every deterministic summary field exactly.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from airdefsim.jsonsafe import dumps
from airdefsim.scenario import load_scenario
from airdefsim.sim import run_scenario

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).with_name("summaries.json")


def golden_of(path: Path) -> dict[str, object]:
    summary = run_scenario(load_scenario(path)).summary
    return json.loads(dumps(summary.to_dict(deterministic_only=True)))


def main() -> None:
    out = {}
    for f in sorted((ROOT / "scenarios").glob("*.yaml")):
        out[f.name] = golden_of(f)
        print(f.name, out[f.name], file=sys.stderr)
    GOLDEN.write_text(dumps(out) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
