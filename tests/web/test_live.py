"""The live exercise over the WebSocket (fake simulation behind the real interface)."""

from __future__ import annotations

import json
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.conftest import login
from tests.web.fakesim import FakeBackend
from tests.web.helpers import frame_with_tracks, next_of, start_practice

from airdefsim.web.app import create_app
from airdefsim.web.db import make_engine, session_factory
from airdefsim.web.live import Clock, QueuedPolicy
from airdefsim.web.models import ExerciseSession
from airdefsim.web.settings import Settings

ORIGIN = {"origin": "http://testserver"}


def rows(frame: dict) -> list[dict]:
    tr = frame["tracks"]
    return [{k: tr[k][i] for k in tr if isinstance(tr[k], list)} for i in range(len(tr["id"]))]


def wait_message(ws, fragment: str, limit: int = 3000) -> dict:
    for _ in range(limit):
        m = json.loads(ws.receive_text())
        if m["type"] == "frame":
            for msg in m.get("messages", []):
                if fragment in msg["text"]:
                    return m
        if m["type"] == "error" and fragment in m["message"]:
            return m
    raise AssertionError(f"no message containing {fragment!r}")


def test_policy_queue_hands_over_once() -> None:
    p = QueuedPolicy()
    p.submit("a")  # type: ignore[arg-type]
    p.submit("b")  # type: ignore[arg-type]
    assert p.decide(None) == ["a", "b"]  # type: ignore[arg-type]
    assert p.decide(None) == []  # type: ignore[arg-type]


def test_clock_rate_pause_and_rebase() -> None:
    c = Clock(anchor_wall=100.0, anchor_sim=0.0, rate=1.0)
    assert c.now(103.0) == 3.0
    c.rebase(103.0)
    c.rate = 4.0
    assert c.now(104.0) == 7.0
    c.rebase(104.0)
    c.paused = True
    assert c.now(200.0) == 7.0


def test_full_engagement_flow_and_score(client: TestClient, settings: Settings) -> None:
    csrf = login(client, "alice")
    sid = start_practice(client, csrf)
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        hello = next_of(ws, "hello")
        assert hello["units_static"][0]["zones"], "engagement zones from the presets"
        assert hello["rates"] == [1, 2, 4] and hello["allow_pause"] is True
        ws.send_text(json.dumps({"type": "rate", "factor": 4}))
        f = frame_with_tracks(ws, 2)
        tracks = rows(f)
        assert all("lat" in t and "range" in t for t in tracks)
        for t in tracks:
            ws.send_text(json.dumps({"type": "interrogate", "track": t["id"]}))
        wait_message(ws, "IFF")
        deadline = time.time() + 20
        while time.time() < deadline:
            f = json.loads(ws.receive_text())
            if f["type"] == "frame" and all(x is not None for x in f["tracks"]["iff"]):
                break
        ts = rows(f)
        hostile = [t for t in ts if t["iff"] is False]
        friend = [t for t in ts if t["iff"] is True]
        assert len(hostile) == 1 and len(friend) == 1
        h = hostile[0]["id"]
        ws.send_text(json.dumps({"type": "declare", "track": h, "identity": "hostile"}))
        wait_message(ws, "declared hostile")
        ws.send_text(json.dumps({"type": "engage", "track": h, "missile": "48N6E3", "salvo": 2}))
        wait_message(ws, "launched")
        wait_message(ws, "Kill on")
        fin = next_of(ws, "finished")
        # committed before the console is told
        api = client.get(f"/api/sessions/{sid}").json()
        assert api["status"] == "finished" and api["score"] == fin["result"]["score"]
    parts = {p["key"]: p for p in fin["result"]["parts"]}
    assert parts["friendlies"]["points"] == 0.0 and parts["roe"]["points"] == 0.0
    assert parts["ipk"]["points"] == 20.0  # 2 fired, 1 killed
    assert (Path(settings.runs_dir) / f"session-{sid}" / "review.json.gz").is_file()
    review = client.get(f"/api/sessions/{sid}/review").json()
    kinds = [d["kind"] for d in review["decisions"]]
    assert kinds.count("interrogate") == 2 and "declare" in kinds and "engage" in kinds
    assert any(m["kind"] == "kill" for m in review["moments"])
    assert review["steps"] and review["steps"][-1]["truth"]
    html = client.get("/activities").text
    assert f'data-session="{sid}"' in html and "finished" in html


def test_malformed_and_forbidden_commands_keep_the_exercise_going(client: TestClient) -> None:
    csrf = login(client, "alice")
    sid = start_practice(client, csrf)
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
        ]
        errors = []
        for text in bad:
            ws.send_text(text)
            errors.append(next_of(ws, "error")["message"])
        assert "command rejected" in errors[0]
        assert "64" in errors[2] and "not allowed" in errors[2]
        assert "no track T424242" in errors[3]
        assert "no unit named 'Nowhere-9'" in errors[5]
        f1 = frame_with_tracks(ws, 1)
        assert f1["t"] > f0["t"], "the exercise goes on"
        # engaging a track not declared hostile: the fire control refuses, the log says why
        ws.send_text(json.dumps({"type": "engage", "track": f1["tracks"]["id"][0]}))
        wait_message(ws, "Order refused")


def test_pause_only_where_allowed(client: TestClient, settings: Settings) -> None:
    csrf = login(client, "alice")
    sid = start_practice(client, csrf)  # practice: pause allowed
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        next_of(ws, "hello")
        next_of(ws, "frame")
        ws.send_text(json.dumps({"type": "pause"}))
        for _ in range(100):
            f = next_of(ws, "frame")
            if f["paused"]:
                break
        t_paused = f["t"]
        for _ in range(5):
            f = next_of(ws, "frame")
        assert f["t"] == t_paused
        ws.send_text(json.dumps({"type": "resume"}))
    # an assignment without pause
    csrf = login(client, "inst")
    client.post(
        "/instructor/assignments", data={"trainee_id": 4, "scenario_id": 1, "csrf_token": csrf}
    )
    csrf = login(client, "alice")
    import re

    aid = re.search(r'name="assignment_id" value="(\d+)"', client.get("/activities").text).group(1)
    r = client.post(
        "/exercises/start", data={"assignment_id": aid, "csrf_token": csrf}, follow_redirects=False
    )
    sid2 = int(r.headers["location"].rsplit("/", 1)[1])
    with client.websocket_connect(f"/ws/console/{sid2}", headers=ORIGIN) as ws:
        hello = next_of(ws, "hello")
        assert hello["allow_pause"] is False
        ws.send_text(json.dumps({"type": "pause"}))
        assert "pause is not allowed" in next_of(ws, "error")["message"]


def test_fast_forward_when_instructor_allows(client: TestClient) -> None:
    csrf = login(client, "inst")
    client.post(
        "/instructor/assignments",
        data={"trainee_id": 4, "scenario_id": 1, "allow_fast_forward": "true", "csrf_token": csrf},
    )
    csrf = login(client, "alice")
    import re

    aid = re.search(r'name="assignment_id" value="(\d+)"', client.get("/activities").text).group(1)
    r = client.post(
        "/exercises/start", data={"assignment_id": aid, "csrf_token": csrf}, follow_redirects=False
    )
    sid = int(r.headers["location"].rsplit("/", 1)[1])
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        hello = next_of(ws, "hello")
        assert 64 in hello["rates"]
        t0 = time.monotonic()
        ws.send_text(json.dumps({"type": "rate", "factor": 64}))
        next_of(ws, "finished")
        assert time.monotonic() - t0 < 8.0  # 12 s of sim at 64x, far below real time


def test_server_stop_marks_live_exercise_interrupted_and_keeps_finished(settings: Settings) -> None:
    with TestClient(create_app(settings, FakeBackend(duration=4.0))) as c:
        csrf = login(c, "alice")
        done = start_practice(c, csrf)
        with c.websocket_connect(f"/ws/console/{done}", headers=ORIGIN) as ws:
            ws.send_text(json.dumps({"type": "rate", "factor": 4}))
            next_of(ws, "finished")
        live = start_practice(c, csrf)
        with c.websocket_connect(f"/ws/console/{live}", headers=ORIGIN) as ws:
            next_of(ws, "frame")
    engine = make_engine(settings.resolved_database_url())
    with session_factory(engine)() as db:
        rows_ = {r.id: r for r in db.scalars(select(ExerciseSession))}
        assert rows_[done].status == "finished" and rows_[done].score is not None
        assert rows_[live].status == "interrupted"
    engine.dispose()


def test_startup_marks_leftover_running_sessions_interrupted(
    settings: Settings, backend: FakeBackend
) -> None:
    with TestClient(create_app(settings, backend)):
        pass  # first start: migrations and the shipped exercises
    engine = make_engine(settings.resolved_database_url())
    with session_factory(engine)() as db:
        db.add(ExerciseSession(trainee_id=4, scenario_id=1, status="running"))  # crashed server
        db.commit()
    with TestClient(create_app(settings, backend)):
        pass
    with session_factory(engine)() as db:
        assert [r.status for r in db.scalars(select(ExerciseSession))] == ["interrupted"]
    engine.dispose()


def test_doctrine_comparison_is_stored_and_cached(settings: Settings) -> None:
    backend = FakeBackend(duration=4.0)
    with TestClient(create_app(settings, backend)) as client:
        _two_runs_one_doctrine(client, backend)


def _two_runs_one_doctrine(client: TestClient, backend: FakeBackend) -> None:
    csrf = login(client, "alice")
    sids = []
    for _ in range(2):
        sid = start_practice(client, csrf)
        with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
            ws.send_text(json.dumps({"type": "rate", "factor": 4}))
            next_of(ws, "finished")
        sids.append(sid)
    for sid in sids:
        for _ in range(100):
            doc = client.get(f"/api/sessions/{sid}").json()["doctrine"]
            if doc:
                break
            time.sleep(0.05)
        assert doc["score"] == 100.0
    assert backend.doctrine_runs == 1


class _Exploding(FakeBackend):
    def simulation(self, scenario, seed, policy, sinks):
        sim = super().simulation(scenario, seed, policy, sinks)
        real_step = sim.step

        def step() -> None:
            if sim.t >= 3.0:
                raise RuntimeError("engine fault")
            real_step()

        sim.step = step  # type: ignore[method-assign]
        return sim


def test_engine_failure_marks_the_session_interrupted(settings: Settings) -> None:
    with TestClient(create_app(settings, _Exploding(duration=20.0))) as c:
        csrf = login(c, "alice")
        sid = start_practice(c, csrf)
        with c.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
            ws.send_text(json.dumps({"type": "rate", "factor": 4}))
            fin = next_of(ws, "finished")
        assert fin["status"] == "interrupted" and fin["result"] is None
        assert c.get(f"/api/sessions/{sid}").json()["status"] == "interrupted"


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
