"""Review data: key moments name the track an interceptor was fired at; a live
WebSocket stops when its login session is closed."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from tests.web.conftest import login
from tests.web.helpers import next_of, start_practice

from airdefsim.web import review


def test_key_moments_sorted_named_and_filtered() -> None:
    events = [
        {"t": 130.0, "kind": "kill", "interceptor_id": 7, "miss_m": 1.25},
        {
            "t": 24.0,
            "kind": "launch",
            "interceptor_id": 7,
            "track_id": 41,
            "unit": "Bn-1",
            "missile": "48N6E3",
            "range_m": 94400.0,
        },
        {"t": 11.0, "kind": "detected", "truth_id": 0},
        {"t": 300.0, "kind": "leak", "truth_id": 3},
    ]
    m = review.key_moments(events)
    assert [x["kind"] for x in m] == ["launch", "kill", "leak"]
    assert m[0]["text"] == "Bn-1 launched 48N6E3 at T41 at 94 km"
    assert m[1]["track"] == 41 and m[1]["text"] == "Kill on T41 (miss distance 1.2 m)"
    assert m[2]["text"] == "Leaker: a threat reached its target"


def test_logout_ends_the_live_stream(client: TestClient, monkeypatch) -> None:
    import airdefsim.web.app as webapp

    monkeypatch.setattr(webapp, "SESSION_RECHECK_S", 0.0)
    csrf = login(client, "alice")
    sid = start_practice(client, csrf)
    with client.websocket_connect(
        f"/ws/console/{sid}", headers={"origin": "http://testserver"}
    ) as ws:
        next_of(ws, "frame")
        assert (
            client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code
            == 303
        )
        try:
            for _ in range(100):
                json.loads(ws.receive_text())
            raise AssertionError("stream kept going after logout")
        except Exception as exc:
            assert getattr(exc, "code", None) == 4401
