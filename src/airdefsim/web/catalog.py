"""Exercise catalogue: the shipped exercises and scenarios uploaded by instructors.

Uploaded YAML is validated exactly as the CLI validates a file
(``airdefsim.scenario.loader``): a ``ScenarioError`` whose ``problems`` read
``FILE:LINE: path.to.field: message``.
"""

from __future__ import annotations

import re
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from airdefsim.scenario.loader import ScenarioError, parse_yaml, validate_dict
from airdefsim.web.models import ScenarioRow

MAX_UPLOAD_BYTES = 256 * 1024


def parse_scenario(text: str, file: str = "<upload>") -> Any:
    """Parse and validate scenario YAML text. Raises ``ScenarioError`` (with ``.problems``)."""
    raw, lines = parse_yaml(text, file)
    return validate_dict(raw, file, lines)


def builtin_exercises() -> dict[str, str]:
    """Slug → YAML text of every exercise shipped in ``airdefsim/web/exercises``."""
    out = {}
    for entry in sorted(resources.files("airdefsim.web.exercises").iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            out[entry.name[: -len(".yaml")]] = entry.read_text(encoding="utf-8")
    return out


def sync_builtins(db: Session) -> None:
    """Insert or refresh the shipped exercises in the scenarios table."""
    for slug, text in builtin_exercises().items():
        sc = parse_scenario(text, f"{slug}.yaml")
        row = db.scalar(select(ScenarioRow).where(ScenarioRow.slug == slug))
        if row is None:
            row = ScenarioRow(
                slug=slug, builtin=True, yaml_text=text, title=sc.name, description=sc.description
            )
            db.add(row)
        else:
            row.yaml_text, row.title, row.description = text, sc.name, sc.description
    db.commit()


def slugify(name: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return (s or "scenario")[:50]


def add_upload(db: Session, text: str, filename: str, user_id: int) -> ScenarioRow:
    """Validate and store an uploaded scenario. Raises ``ScenarioError`` or ``ValueError``."""
    if len(text.encode()) > MAX_UPLOAD_BYTES:
        raise ValueError(f"the file is too large (at most {MAX_UPLOAD_BYTES // 1024} KiB)")
    sc = parse_scenario(text, filename or "<upload>")
    base = slugify(sc.name)
    slug, n = base, 1
    while db.scalar(select(ScenarioRow.id).where(ScenarioRow.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    row = ScenarioRow(
        slug=slug,
        title=sc.name,
        description=sc.description,
        yaml_text=text,
        builtin=False,
        uploaded_by=user_id,
    )
    db.add(row)
    db.commit()
    return row


__all__ = ["ScenarioError", "add_upload", "builtin_exercises", "parse_scenario", "sync_builtins"]
