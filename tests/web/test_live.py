"""The live exercise over the WebSocket, on the real simulation engine."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.helpers import (
    LONG,
    ORIGIN,
    SHORT,
    engage_until_launched,
    finished_drill,
    frame_where,
    frame_with_tracks,
    login,
    next_of,
    receive,
    rows,
    start_drill,
    start_practice,
    wait_message,
    wait_until,
)

from airdefsim.jsonsafe import to_jsonable
from airdefsim.scenario.loader import parse_yaml, validate_dict
from airdefsim.summary import RunSummary
from airdefsim.web import manager as manager_module
from airdefsim.web import scoring
from airdefsim.web.app import create_app
from airdefsim.web.db import make_engine, session_factory
from airdefsim.web.manager import run_doctrine
from airdefsim.web.models import ExerciseSession, ScenarioRow
from airdefsim.web.settings import Settings


def test_full_engagement_flow_and_score(client: TestClient, settings: Settings) -> None:
    """Interrogate both tracks, declare the silent one hostile, engage it, leave the
    airliner: the score's parts follow from the committed summary, no friendly engaged,
    no rule of engagement broken."""
    sid = start_drill(client, LONG)
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        hello = next_of(ws, "hello")
        assert hello["layout"]["units"][0]["zones"], "engagement zones from the presets"
        assert hello["rates"] == [1, 2, 4, 8, 16, 32, 64] and hello["allow_pause"] is True
        ws.send_text(json.dumps({"type": "rate", "factor": 8}))
        f = frame_with_tracks(ws, 2)
        assert all(k in f["tracks"] for k in ("lat", "range", "kind"))
        for t in rows(f):
            ws.send_text(json.dumps({"type": "interrogate", "track": t["id"]}))
        f = frame_where(ws, lambda f: None not in f["tracks"]["iff"][:2])
        ts = rows(f)
        hostile = [t for t in ts if t["iff"] is False]
        friend = [t for t in ts if t["iff"] is True]
        assert len(hostile) == 1 and len(friend) == 1, ts
        h = hostile[0]["id"]
        ws.send_text(json.dumps({"type": "declare", "track": h, "identity": "hostile"}))
        wait_message(ws, "declared hostile")
        engage_until_launched(ws, h)
        f = frame_where(ws, lambda f: bool(f["interceptors"]["id"]))
        assert set(f["interceptors"]["track_id"]) == {h}, "interceptors name their track"
        ws.send_text(json.dumps({"type": "rate", "factor": 64}))
        fin = next_of(ws, "finished")
        # committed before the console is told
        api = client.get(f"/api/sessions/{sid}").json()
        assert api["status"] == "finished" and api["score"] == fin["result"]["total"]
    summary = RunSummary.from_dict(api["summary"])
    assert summary.interceptors_fired == 2 and summary.friendlies_engaged == 0
    assert summary.roe_violations == 0
    parts = {p["key"]: p for p in fin["result"]["parts"]}
    assert parts["friendlies_engaged"]["points"] == 0.0 and parts["roe_violations"]["points"] == 0
    # interceptors per kill: 2 fired, so 20 × min(1, 2 / 2) = 20 with the kill, 0 without
    expected = 20.0 if summary.threats_killed == 1 else 0.0
    assert parts["interceptors_per_kill"]["points"] == expected
    review = client.get(f"/api/sessions/{sid}/review").json()
    kinds = [d["kind"] for d in review["decisions"]]
    assert kinds.count("interrogate") == 2 and "declare" in kinds and "engage" in kinds
    assert [m["kind"] for m in review["moments"]].count("launch") == 2
    assert review["truth"]["name"] and "Airliner" in review["truth"]["name"]
    html = client.get("/activities").text
    assert f'data-session="{sid}"' in html and "finished" in html


def test_malformed_and_forbidden_commands_keep_the_exercise_going(client: TestClient) -> None:
    sid = start_drill(client, SHORT, fast_forward=False)
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        f0 = next_of(ws, "frame")
        bad = [
            "{not json",
            json.dumps({"type": "engage", "track": "x"}),
            json.dumps({"type": "rate", "factor": 64}),
            json.dumps({"type": "engage", "track": 424242}),
            json.dumps({"type": "fire_everything"}),
            json.dumps({"type": "weapons", "state": "free", "unit": "Nowhere-9"}),
            json.dumps({"type": "engage", "track": 1, "missile": "Excalibur"}),
        ]
        errors = []
        for text in bad:
            ws.send_text(text)
            errors.append(next_of(ws, "error")["message"])
        assert "command rejected" in errors[0] and "command rejected" in errors[1]
        assert "64" in errors[2] and "not allowed" in errors[2]
        assert "no track T424242" in errors[3]
        assert "no unit named 'Nowhere-9'" in errors[5]
        ws.send_text(json.dumps({"type": "rate", "factor": 4}))
        f1 = frame_with_tracks(ws, 1)
        assert f1["t"] > f0["t"], "the exercise goes on"
        # engaging a track not declared hostile under weapons tight: a rule broken, and
        # the fire control refuses; the log says both
        ws.send_text(json.dumps({"type": "engage", "track": f1["tracks"]["id"][0]}))
        wait_message(ws, "Rules of engagement broken", "Order refused")


def test_pause_only_where_allowed(client: TestClient) -> None:
    sid = start_drill(client, SHORT, pause=True, fast_forward=False)
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        next_of(ws, "frame")
        ws.send_text(json.dumps({"type": "pause"}))
        f = frame_where(ws, lambda f: f["paused"])
        for _ in range(5):
            assert next_of(ws, "frame")["t"] == f["t"]
        ws.send_text(json.dumps({"type": "resume"}))
        frame_where(ws, lambda g: g["t"] > f["t"] and not g["paused"])
    sid2 = start_drill(client, SHORT, pause=False, fast_forward=False)
    with client.websocket_connect(f"/ws/console/{sid2}", headers=ORIGIN) as ws:
        hello = next_of(ws, "hello")
        assert hello["allow_pause"] is False and hello["rates"] == [1, 2, 4]
        ws.send_text(json.dumps({"type": "pause"}))
        assert "pause is not allowed" in next_of(ws, "error")["message"]


def test_fast_forward_when_instructor_allows(client: TestClient) -> None:
    sid = start_drill(client, SHORT, fast_forward=True)
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        hello = next_of(ws, "hello")
        assert 64 in hello["rates"]
        ws.send_text(json.dumps({"type": "rate", "factor": 64}))
        frame_where(ws, lambda f: f["rate"] == 64.0)
        fin = next_of(ws, "finished")
    assert fin["status"] == "finished"
    assert client.get(f"/api/sessions/{sid}").json()["sim_seconds"] == 30.0


def test_server_stop_marks_live_exercise_interrupted_and_keeps_finished(settings: Settings) -> None:
    with TestClient(create_app(settings)) as c:
        done = finished_drill(c)
        live = start_drill(c)
        with c.websocket_connect(f"/ws/console/{live}", headers=ORIGIN) as ws:
            next_of(ws, "frame")
    engine = make_engine(settings.resolved_database_url())
    with session_factory(engine)() as db:
        rows_ = {r.id: r for r in db.scalars(select(ExerciseSession))}
        assert rows_[done].status == "finished" and rows_[done].score is not None
        assert rows_[live].status == "interrupted"
    engine.dispose()


def test_startup_marks_leftover_running_sessions_interrupted(settings: Settings) -> None:
    with TestClient(create_app(settings)):
        pass  # first start: migrations and the shipped exercises
    engine = make_engine(settings.resolved_database_url())
    with session_factory(engine)() as db:
        db.add(ExerciseSession(trainee_id=4, scenario_id=1, status="running"))  # crashed server
        db.commit()
    with TestClient(create_app(settings)):
        pass
    with session_factory(engine)() as db:
        assert [r.status for r in db.scalars(select(ExerciseSession))] == ["interrupted"]
    engine.dispose()


def test_doctrine_comparison_is_stored_and_cached(
    client: TestClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs of the same drill: one doctrine run, stored for both, equal to the
    doctrine's own run of the same scenario and seed and scored by the same function."""
    runs: list[int] = []

    def counted(scenario, seed):  # type: ignore[no-untyped-def]
        runs.append(seed)
        return run_doctrine(scenario, seed)

    monkeypatch.setattr(manager_module, "run_doctrine", counted)
    sids = [finished_drill(client), finished_drill(client)]
    docs = [
        wait_until(lambda s=s: client.get(f"/api/sessions/{s}").json()["doctrine"], "doctrine")
        for s in sids
    ]
    assert docs[0] == docs[1] and len(runs) == 1
    engine = make_engine(settings.resolved_database_url())
    with session_factory(engine)() as db:
        text = db.scalars(select(ScenarioRow.yaml_text).where(ScenarioRow.title == SHORT)).one()
    engine.dispose()
    raw, lines = parse_yaml(text, "drill.yaml")
    scenario = validate_dict(raw, "drill.yaml", lines)
    own = run_doctrine(scenario, scenario.seed)
    stored = {k: v for k, v in docs[0]["summary"].items() if k != "wall_seconds"}
    assert stored == to_jsonable(own.to_dict(deterministic_only=True))
    assert docs[0]["score"] == scoring.score(own, 1).model_dump(mode="json")


def test_engine_failure_marks_the_session_interrupted(client: TestClient) -> None:
    sid = start_drill(client, SHORT)
    ex = client.app.state.manager.live[sid]  # type: ignore[attr-defined]
    real_step = ex.sim.step

    def failing_step() -> None:
        if ex.sim.t >= 3.0:
            raise RuntimeError("engine fault")
        real_step()

    ex.sim.step = failing_step
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        ws.send_text(json.dumps({"type": "rate", "factor": 4}))
        status = next_of(ws, "status")
        assert status["status"] == "interrupted"
        assert any("engine fault" in m["text"] for m in status["messages"])
        fin = next_of(ws, "finished")
    assert fin["status"] == "interrupted" and fin["result"] is None
    assert client.get(f"/api/sessions/{sid}").json()["status"] == "interrupted"
    assert client.get(f"/api/sessions/{sid}/review").status_code == 404


def test_abandon_and_never_started_exercises_are_aborted(client: TestClient) -> None:
    csrf = login(client, "alice")
    first = start_practice(client, csrf)  # never connected
    second = start_practice(client, csrf)
    assert client.get(f"/api/sessions/{first}").json()["status"] == "aborted"
    with client.websocket_connect(f"/ws/console/{second}", headers=ORIGIN) as ws:
        next_of(ws, "frame")
        ws.send_text(json.dumps({"type": "abort"}))
        fin = next_of(ws, "finished")
    assert fin["status"] == "aborted"
    api = client.get(f"/api/sessions/{second}").json()
    assert api["status"] == "aborted" and api["score"] is None


def test_order_flood_is_refused_but_the_exercise_goes_on(client: TestClient) -> None:
    csrf = login(client, "alice")
    sid = start_practice(client, csrf)
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        for _ in range(60):
            ws.send_text(json.dumps({"type": "weapons", "state": "tight"}))
        msg = wait_message(ws, "too many orders")
        assert msg["type"] == "error"
        f = next_of(ws, "frame")
        assert f["status"] == "running"


def test_a_reconnecting_console_gets_the_log_once(client: TestClient) -> None:
    """The hello carries the log lines already sent; the frames after it only new ones."""
    sid = start_drill(client, SHORT)
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        ws.send_text(json.dumps({"type": "rate", "factor": 2}))
        wait_message(ws, "Time compression 2×")
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        hello = next_of(ws, "hello")
        seen = [m["text"] for m in hello["messages"]]
        assert "Time compression 2×" in seen
        ws.send_text(json.dumps({"type": "rate", "factor": 4}))
        later: list[str] = []
        while "Time compression 4×" not in later:
            m = receive(ws)
            later += [x["text"] for x in (m.get("messages") or [])]
        assert "Time compression 2×" not in later
