"""Helpers for driving exercises through the test client, on the real engine.

Drills: the shipped single-fighter exercise (a hostile fighter and an airliner; first
tracks after about 13 s of simulated time), cut short so a test reaches the end in
seconds, stored as scenarios uploaded by the instructor ``inst``. Waiting is for states
(a message, a frame with tracks), never for a fixed time; ``wait_until`` polls a
condition with a generous deadline that only a broken server reaches.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy.orm import Session

from airdefsim.web import catalog
from airdefsim.web.models import ScenarioRow
from airdefsim.web.wire import ServerMsg

PASSWORD = "correct horse battery"
SHORT = "Drill, single fighter, 30 s"  # ends soon after the first tracks
LONG = "Drill, single fighter, 3 min"  # long enough to engage and see the outcome
ORIGIN = {"origin": "http://testserver"}
DEADLINE_S = 300.0  # a state not reached by then means the server is broken
SERVER_MSG: TypeAdapter[ServerMsg] = TypeAdapter(ServerMsg)


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]*)"', html)
    assert m, "page has no csrf meta"
    return m.group(1)


def login(c: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log ``c`` in as ``name``; return the session's CSRF token."""
    c.cookies.clear()
    r = c.get("/login")
    m = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
    assert m
    r = c.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": m.group(1)},
        follow_redirects=True,
    )
    assert r.status_code == 200, r.text[:300]
    return csrf_of(r.text)


def drill_yaml(title: str, duration: str) -> str:
    text = catalog.builtin_exercises()["single_fighter"]
    out = text.replace("duration: 7 min", f"duration: {duration}").replace(
        "name: Single hostile fighter, airliner nearby", f"name: {title}"
    )
    assert catalog.parse_scenario(out).name == title and f"duration: {duration}" in out
    return out


def add_drills(db: Session, instructor_id: int) -> None:
    """Store the drills (uploaded by the instructor: assignable, not practice)."""
    for slug, title, duration in (("drill-30s", SHORT, "30 s"), ("drill-3min", LONG, "3 min")):
        db.add(
            ScenarioRow(
                slug=slug,
                title=title,
                yaml_text=drill_yaml(title, duration),
                builtin=False,
                uploaded_by=instructor_id,
            )
        )
    db.commit()


def start_practice(c: TestClient, csrf: str, title: str = "Single hostile fighter") -> int:
    """Start a shipped exercise as practice; return the session id."""
    html = c.get("/activities").text
    m = re.search(
        r'name="scenario_id" value="(\d+)">\s*<button type="submit" class="link">'
        + re.escape(title),
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


def scenario_id(c: TestClient, title: str) -> int:
    """The id of a scenario as the instructor's assignment form lists it."""
    m = re.search(r'<option value="(\d+)">' + re.escape(title), c.get("/instructor").text)
    assert m, f"{title!r} not on the instructor page"
    return int(m.group(1))


def start_drill(
    c: TestClient,
    title: str = SHORT,
    trainee: str = "alice",
    pause: bool = True,
    fast_forward: bool = True,
) -> int:
    """Assign a drill to ``trainee`` as their instructor, then start it as the trainee
    (the client stays logged in as the trainee); return the session id."""
    instructor = {"alice": "inst", "bob": "inst2"}[trainee]
    csrf = login(c, instructor)
    trainee_id = int(
        re.search(rf'<option value="(\d+)">{trainee}</option>', c.get("/instructor").text).group(1)  # type: ignore[union-attr]
    )
    data: dict[str, Any] = {
        "trainee_id": trainee_id,
        "scenario_id": scenario_id(c, title),
        "csrf_token": csrf,
    }
    if pause:
        data["allow_pause"] = "true"
    if fast_forward:
        data["allow_fast_forward"] = "true"
    assert c.post("/instructor/assignments", data=data, follow_redirects=False).status_code == 303
    csrf = login(c, trainee)
    m = re.search(r'name="assignment_id" value="(\d+)"', c.get("/activities").text)  # newest first
    assert m
    r = c.post(
        "/exercises/start",
        data={"assignment_id": m.group(1), "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return int(r.headers["location"].rsplit("/", 1)[1])


def receive(ws: Any) -> dict[str, Any]:
    """The next server message, checked against the wire models."""
    text = ws.receive_text()
    SERVER_MSG.validate_json(text)
    return json.loads(text)  # type: ignore[no-any-return]


def next_of(ws: Any, kind: str, limit: int = 20000) -> dict[str, Any]:
    """The next message of type ``kind``."""
    for _ in range(limit):
        m = receive(ws)
        if m["type"] == kind:
            return m
    raise AssertionError(f"no {kind} message")


def frame_where(ws: Any, cond: Callable[[dict[str, Any]], bool], limit: int = 20000) -> dict:
    """The next frame for which ``cond`` holds."""
    for _ in range(limit):
        m = receive(ws)
        if m["type"] == "frame" and cond(m):
            return m
        if m["type"] == "finished":
            raise AssertionError("the exercise ended first")
    raise AssertionError("no such frame")


def frame_with_tracks(ws: Any, n: int = 1) -> dict[str, Any]:
    return frame_where(ws, lambda f: len(f["tracks"]["id"]) >= n)


def wait_message(ws: Any, *fragments: str, limit: int = 20000) -> dict[str, Any]:
    """Read until every fragment has shown in a log line (frames) or an error; return
    the message that showed the last one."""
    missing = set(fragments)
    for _ in range(limit):
        m = receive(ws)
        texts = [x["text"] for x in (m.get("messages") or [])] if m["type"] == "frame" else []
        if m["type"] == "error":
            texts = [m["message"]]
        missing -= {f for f in missing if any(f in x for x in texts)}
        if not missing:
            return m
        if m["type"] == "finished":
            raise AssertionError(f"the exercise ended before {sorted(missing)}")
    raise AssertionError(f"no message containing {sorted(missing)}")


def engage_until_launched(ws: Any, track: int, salvo: int = 2) -> dict[str, Any]:
    """Order an engagement, again each time the fire control refuses it (the track still
    out of every missile's reach) or cancels it, until a launch is reported; return that
    frame."""
    for _ in range(200):
        ws.send_text(json.dumps({"type": "engage", "track": track, "salvo": salvo}))
        for _ in range(20000):
            m = receive(ws)
            if m["type"] == "finished":
                raise AssertionError("the exercise ended before a launch")
            texts = [x["text"] for x in (m.get("messages") or [])] if m["type"] == "frame" else []
            if any(" launched " in x for x in texts):
                return m
            if any(x.startswith(("Order refused", "Engagement of")) for x in texts):
                break  # out of reach, or the radar did not acquire it: order again
    raise AssertionError("never launched")


def rows(frame: dict[str, Any]) -> list[dict[str, Any]]:
    """The frame's track table as one dict per track."""
    tr = frame["tracks"]
    return [{k: tr[k][i] for k in tr} for i in range(len(tr["id"]))]


def wait_until(cond: Callable[[], Any], what: str, timeout: float = DEADLINE_S) -> Any:
    """Poll ``cond`` until it returns a true value (returned); fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def finished_drill(c: TestClient, title: str = SHORT) -> int:
    """Run a drill to its end at the fastest rate (as alice); return the session id."""
    sid = start_drill(c, title)
    with c.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        ws.send_text(json.dumps({"type": "rate", "factor": 64}))
        fin = next_of(ws, "finished")
    assert fin["status"] == "finished"
    return sid
