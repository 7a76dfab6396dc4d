"""The review: read from the Parquet recording, compressed over the wire; key moments
named by the one event renderer; a live WebSocket stops when its login session ends."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from fastapi.testclient import TestClient
from tests.web.helpers import ORIGIN, finished_drill, login, next_of, start_practice

from airdefsim.events import Event
from airdefsim.record import read_run
from airdefsim.sim import run_scenario
from airdefsim.web import catalog, review, store
from airdefsim.web.wire import Decision, DecisionLog, Review


def test_key_moments_sorted_named_and_filtered() -> None:
    events = [
        Event(t=130.0, kind="kill", interceptor_id=7, track_id=41, truth_id=0, miss_m=1.25),
        Event(
            t=24.0,
            kind="launch",
            interceptor_id=7,
            track_id=41,
            truth_id=0,
            unit="Bn-1",
            missile="48N6E3",
            range_m=94400.0,
        ),
        Event(t=11.0, kind="detected", truth_id=0),
        Event(t=300.0, kind="leak", truth_id=3),
    ]
    m = review.key_moments(events, {0: "Bandit"})
    assert [x.kind for x in m] == ["launch", "kill", "leak"]
    assert m[0].text == "Bn-1 launched 48N6E3 at T41 (Bandit) at 94 km"
    assert m[1].track == 41 and m[1].text == "Kill on T41 (Bandit) (miss distance 1.2 m)"
    assert m[2].track is None and m[2].text == "Leaker: object 3 reached its target"


def test_review_reads_the_recording(tmp_path: Path) -> None:
    """Every table of the review is the recording's, row for row (rounded for the wire)."""
    sc = catalog.parse_scenario(catalog.builtin_exercises()["single_fighter"], "sf.yaml")
    sc = sc.model_copy(update={"duration": 40.0})
    folder = store.session_dir(tmp_path, 7)
    run_scenario(sc, out_dir=store.recording_dir(folder))
    orders = [Decision(t=20.0, kind="interrogate", track=5, identity="unknown", text="x")]
    store.write_decisions(folder, DecisionLog(session_id=7, decisions=orders))
    row = SimpleNamespace(
        id=7, status="finished", record_dir=str(folder), score_parts=None, doctrine={"old": 1}
    )
    r = review.build(row, "Drill")  # type: ignore[arg-type]
    assert r is not None and r.layout.title == "Drill" and r.decisions == orders
    assert r.score is None and r.doctrine is None  # absent, or of an older shape
    run = read_run(store.recording_dir(folder))
    tracks, truth = run.df("tracks"), run.df("truth")
    assert r.tracks.id == tracks["track_id"].tolist()
    assert np.allclose(r.tracks.lat, tracks["lat_deg"], atol=6e-6)
    assert r.truth.name == truth["name"].tolist() and r.truth.t == truth["t"].tolist()
    assert {"Bandit", "Airliner"} <= set(r.truth.name)
    assert [m.kind for m in r.moments].count("track_confirmed") == 2
    assert [m.t for m in r.moments] == sorted(m.t for m in r.moments)
    assert review.build(SimpleNamespace(record_dir=str(tmp_path / "none")), "x") is None  # type: ignore[arg-type]


def test_review_goes_compressed_over_the_wire(client: TestClient) -> None:
    sid = finished_drill(client)
    url = f"/api/sessions/{sid}/review"
    r = client.get(url, headers={"accept-encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    body = Review.model_validate_json(r.content)
    assert body.session_id == sid and body.tracks.id and body.score is not None
    assert body.score.total == client.get(f"/api/sessions/{sid}").json()["score"]
    plain = client.get(url, headers={"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert json.loads(plain.content) == json.loads(r.content)


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("gzip, deflate, br", True),
        ("br;q=1.0, gzip;q=0.8", True),
        ("gzip;q=0", False),
        ("*", True),
        ("identity", False),
        (None, False),
        ("gzip;q=x", False),
    ],
)
def test_accept_encoding(header: str | None, ok: bool) -> None:
    assert store.accepts_gzip(header) is ok


def test_compress_round_trip() -> None:
    data = b'{"x": 1}' * 500
    packed = store.compress(data)
    assert packed is not None and len(packed) < len(data) and gzip.decompress(packed) == data
    assert store.compress(b"{}") is None


def test_logout_ends_the_live_stream(client: TestClient, monkeypatch) -> None:
    import airdefsim.web.routes.live as live_routes

    monkeypatch.setattr(live_routes, "SESSION_RECHECK_S", 0.0)
    csrf = login(client, "alice")
    sid = start_practice(client, csrf)
    with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
        next_of(ws, "frame")
        r = client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
        assert r.status_code == 303
        try:
            for _ in range(1000):
                ws.receive_text()
            raise AssertionError("stream kept going after logout")
        except Exception as exc:
            assert getattr(exc, "code", None) == 4401
