"""Helpers for driving an exercise through the test client."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient


def start_practice(c: TestClient, csrf: str, slug_title: str = "Single hostile fighter") -> int:
    html = c.get("/activities").text
    m = re.search(
        r'name="scenario_id" value="(\d+)">\s*<button type="submit" class="link">'
        + re.escape(slug_title),
        html,
    )
    assert m, "exercise not listed"
    r = c.post(
        "/exercises/start",
        data={"scenario_id": m.group(1), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def next_of(ws, kind: str, limit: int = 2000) -> dict:
    for _ in range(limit):
        m = json.loads(ws.receive_text())
        if m["type"] == kind:
            return m
    raise AssertionError(f"no {kind} message")


def frame_with_tracks(ws, n: int = 1, limit: int = 2000) -> dict:
    for _ in range(limit):
        m = json.loads(ws.receive_text())
        if m["type"] == "frame" and len(m["tracks"]["id"]) >= n:
            return m
    raise AssertionError("no tracks")
