"""Authorisation on every object: another's id answers 404, like a missing one."""

from __future__ import annotations

from fastapi.testclient import TestClient
from tests.web.helpers import ORIGIN, finished_drill, login, start_practice


def test_trainee_sees_only_own_sessions(client: TestClient) -> None:
    sid = finished_drill(client)
    assert client.get(f"/sessions/{sid}/review").status_code == 200
    assert client.get(f"/api/sessions/{sid}/review").status_code == 200
    login(client, "bob")
    for path in (
        f"/sessions/{sid}/review",
        f"/api/sessions/{sid}",
        f"/api/sessions/{sid}/review",
        f"/console/{sid}",
    ):
        assert client.get(path).status_code == 404, path
    assert client.get("/api/sessions/999999").status_code == 404


def test_instructor_sees_only_their_trainees(client: TestClient) -> None:
    sid = finished_drill(client)
    login(client, "inst")
    assert client.get(f"/sessions/{sid}/review").status_code == 200
    assert "alice" in client.get("/instructor").text
    login(client, "inst2")
    assert client.get(f"/sessions/{sid}/review").status_code == 404
    assert "alice" not in client.get("/instructor").text
    login(client, "admin")
    assert client.get(f"/sessions/{sid}/review").status_code == 200


def test_only_admins_manage_users(client: TestClient) -> None:
    for name in ("alice", "inst"):
        csrf = login(client, name)
        assert client.get("/admin").status_code == 404
        r = client.post(
            "/admin/users",
            data={"name": "eve", "role": "admin", "password": "eve-password", "csrf_token": csrf},
        )
        assert r.status_code == 404
        assert (
            client.post(
                "/admin/users/1", data={"role": "admin", "active": "true", "csrf_token": csrf}
            ).status_code
            == 404
        )
    csrf = login(client, "admin")
    assert client.get("/admin").status_code == 200


def test_trainee_cannot_use_instructor_pages(client: TestClient) -> None:
    csrf = login(client, "alice")
    assert client.get("/instructor").status_code == 404
    r = client.post(
        "/instructor/assignments",
        data={"trainee_id": 4, "scenario_id": 1, "allow_fast_forward": "true", "csrf_token": csrf},
    )
    assert r.status_code == 404


def test_instructor_assigns_only_own_trainees(client: TestClient) -> None:
    csrf = login(client, "inst2")
    html = client.get("/instructor").text
    assert "bob" in html
    # alice (id 4) belongs to inst, not inst2
    r = client.post(
        "/instructor/assignments", data={"trainee_id": 4, "scenario_id": 1, "csrf_token": csrf}
    )
    assert r.status_code == 404
    r = client.post(
        "/instructor/assignments",
        data={"trainee_id": 5, "scenario_id": 1, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    login(client, "bob")
    assert "data-assignment" in client.get("/activities").text


def test_websocket_checks_session_origin_and_owner(client: TestClient) -> None:
    csrf = login(client, "alice")
    sid = start_practice(client, csrf)
    cookie = client.cookies.get("airdefsim_session")
    # wrong origin
    try:
        with client.websocket_connect(
            f"/ws/console/{sid}", headers={"origin": "http://evil.example"}
        ) as ws:
            ws.receive_text()
        raise AssertionError("accepted a foreign origin")
    except Exception as exc:  # starlette raises WebSocketDisconnect with the close code
        assert getattr(exc, "code", None) == 4403
    # no origin
    try:
        with client.websocket_connect(f"/ws/console/{sid}") as ws:
            ws.receive_text()
        raise AssertionError("accepted no origin")
    except Exception as exc:
        assert getattr(exc, "code", None) == 4403
    # another trainee
    login(client, "bob")
    try:
        with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
            ws.receive_text()
        raise AssertionError("accepted another trainee")
    except Exception as exc:
        assert getattr(exc, "code", None) == 4404
    # no session
    client.cookies.clear()
    try:
        with client.websocket_connect(f"/ws/console/{sid}", headers=ORIGIN) as ws:
            ws.receive_text()
        raise AssertionError("accepted without a session")
    except Exception as exc:
        assert getattr(exc, "code", None) == 4401
    assert cookie


def test_admin_manages_users_in_the_browser_forms(client: TestClient) -> None:
    csrf = login(client, "admin")
    r = client.post(
        "/admin/users",
        data={
            "name": "dave",
            "role": "trainee",
            "instructor": "inst",
            "password": "dave-password",
            "csrf_token": csrf,
        },
    )
    assert r.status_code == 200 and "User created." in r.text
    # the new trainee shows up for their instructor
    login(client, "inst")
    assert "dave" in client.get("/instructor").text
    # an admin cannot demote themself
    csrf = login(client, "admin")
    r = client.post(
        "/admin/users/1", data={"role": "trainee", "active": "true", "csrf_token": csrf}
    )
    assert r.status_code == 400 and "cannot remove your own admin role" in r.text
    # deactivating a user ends their sessions
    login(client, "bob")
    bob_cookie = client.cookies.get("airdefsim_session")
    csrf = login(client, "admin")
    r = client.post(
        "/admin/users/5", data={"role": "trainee", "instructor_id": "3", "csrf_token": csrf}
    )
    assert r.status_code == 200
    client.cookies.clear()
    client.cookies.set("airdefsim_session", bob_cookie)
    assert client.get("/activities", follow_redirects=False).status_code == 303


def test_reflected_text_is_never_shown(client: TestClient) -> None:
    login(client, "admin")
    r = client.get("/admin?notice=<b>pwned</b>&error=you+were+hacked")
    assert "pwned" not in r.text and "hacked" not in r.text


def test_trainee_cannot_start_another_trainees_assignment(client: TestClient) -> None:
    csrf = login(client, "inst")
    client.post(
        "/instructor/assignments", data={"trainee_id": 4, "scenario_id": 1, "csrf_token": csrf}
    )
    csrf = login(client, "bob")
    r = client.post("/exercises/start", data={"assignment_id": 1, "csrf_token": csrf})
    assert r.status_code == 404
