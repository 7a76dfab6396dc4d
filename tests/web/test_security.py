"""Security behaviour of the console, one test per requirement."""

from __future__ import annotations

import datetime as dt
import logging
import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from tests.web.helpers import PASSWORD, login

from airdefsim.web import accounts, security
from airdefsim.web.app import create_app
from airdefsim.web.db import make_engine, session_factory
from airdefsim.web.models import AuthSession, LoginFailure, User
from airdefsim.web.settings import Settings


def test_passwords_are_argon2id_and_verify() -> None:
    from argon2 import Type, extract_parameters
    from argon2.low_level import hash_secret
    from argon2.profiles import RFC_9106_LOW_MEMORY

    prod = security.DEFAULT_HASHER.hash("s3cret-passphrase")
    params = extract_parameters(prod)
    assert params.type is Type.ID
    assert (params.time_cost, params.memory_cost, params.parallelism) == (
        RFC_9106_LOW_MEMORY.time_cost,
        RFC_9106_LOW_MEMORY.memory_cost,
        RFC_9106_LOW_MEMORY.parallelism,
    )
    assert security.verify_password(prod, "s3cret-passphrase")
    # cross-check with the low-level reference implementation: same salt, same hash
    salt = __import__("base64").b64decode(prod.split("$")[4] + "==")
    raw = hash_secret(
        b"s3cret-passphrase",
        salt,
        params.time_cost,
        params.memory_cost,
        params.parallelism,
        params.hash_len,
        Type.ID,
    )
    assert raw.decode() == prod
    h = security.hash_password("s3cret-passphrase")
    assert h.startswith("$argon2id$")
    assert security.verify_password(h, "s3cret-passphrase")
    assert not security.verify_password(h, "wrong")
    assert not security.verify_password(None, "anything")
    assert not security.verify_password("garbage", "anything")


def test_no_password_or_hash_in_responses_or_logs(client: TestClient, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    csrf = login(client, "admin")
    r = client.post(
        "/admin/users",
        data={
            "name": "carol",
            "role": "trainee",
            "password": "carol-password-1",
            "csrf_token": csrf,
        },
        follow_redirects=True,
    )
    assert r.status_code == 200 and "carol" in r.text
    pages = [r.text, client.get("/admin").text, client.get("/instructor").text]
    for text in pages:
        assert "$argon2" not in text
        assert "carol-password-1" not in text and PASSWORD not in text
    for rec in caplog.records:
        msg = rec.getMessage()
        assert "$argon2" not in msg and "carol-password-1" not in msg and PASSWORD not in msg


def test_session_cookie_flags(client: TestClient) -> None:
    r = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    r = client.post(
        "/login",
        data={"name": "alice", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    cookie = next(
        v for k, v in r.headers.multi_items() if k == "set-cookie" and "airdefsim_session=" in v
    )
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie or "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_secure_cookie_when_https_setting(settings: Settings) -> None:
    settings.secure_cookies = True
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        r = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
        r = c.post(
            "/login",
            data={"name": "alice", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        cookie = next(
            v for k, v in r.headers.multi_items() if k == "set-cookie" and "airdefsim_session=" in v
        )
        assert "Secure" in cookie


def test_new_session_id_at_login_and_old_one_dies(client: TestClient) -> None:
    login(client, "alice")
    first = client.cookies.get("airdefsim_session")
    r = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token})
    second = client.cookies.get("airdefsim_session")
    assert first and second and first != second
    client.cookies.set("airdefsim_session", first)
    assert client.get("/activities", follow_redirects=False).status_code == 303


def test_logout_invalidates_server_side(client: TestClient) -> None:
    csrf = login(client, "alice")
    token = client.cookies.get("airdefsim_session")
    assert (
        client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    )
    client.cookies.set("airdefsim_session", token)  # a stolen copy of the cookie
    r = client.get("/activities", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    assert client.get("/api/sessions/1").status_code == 401


def test_expired_session_is_refused(client: TestClient, settings: Settings) -> None:
    login(client, "alice")
    engine = make_engine(settings.resolved_database_url())
    with session_factory(engine)() as db:
        for row in db.scalars(select(AuthSession)):
            row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        db.commit()
    engine.dispose()
    assert client.get("/activities", follow_redirects=False).status_code == 303


def test_csrf_required_on_state_changes(client: TestClient) -> None:
    csrf = login(client, "admin")
    data = {"name": "mallory", "role": "admin", "password": "mallory-password"}
    assert client.post("/admin/users", data=data).status_code == 403
    assert client.post("/admin/users", data={**data, "csrf_token": "forged"}).status_code == 403
    assert client.post("/admin/users", data=data, headers={"X-CSRF-Token": "x"}).status_code == 403
    assert client.post("/logout").status_code == 403
    ok = client.post(
        "/admin/users", data=data, headers={"X-CSRF-Token": csrf}, follow_redirects=False
    )
    assert ok.status_code == 303


def test_login_form_needs_its_csrf_cookie(client: TestClient) -> None:
    r = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": "abc"})
    assert r.status_code == 403


def test_login_throttled_per_account(client: TestClient, settings: Settings) -> None:
    for _ in range(settings.login_max_failures):
        r = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
        r = client.post(
            "/login", data={"name": "alice", "password": "wrong-pass", "csrf_token": token}
        )
        assert r.status_code == 400 and "Wrong user name or password" in r.text
    r = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    r = client.post("/login", data={"name": "alice", "password": PASSWORD, "csrf_token": token})
    assert r.status_code == 429
    assert "Too many failed logins" in r.text


def test_login_throttled_per_address(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url())
    with session_factory(engine)() as db:
        for i in range(settings.login_max_failures):
            try:
                accounts.authenticate(db, f"nobody{i}", "x", "10.0.0.9", 5, 900)
            except accounts.LoginThrottled:
                raise AssertionError("throttled too early") from None
            except accounts.AccountError:
                pass
        # a different account from the same address is now refused too
        try:
            accounts.authenticate(db, "alice", PASSWORD, "10.0.0.9", 5, 900)
        except accounts.LoginThrottled as exc:
            assert "Too many failed logins" in str(exc)
        else:
            raise AssertionError("not throttled")
        # …but alice from another address still logs in
        assert accounts.authenticate(db, "alice", PASSWORD, "10.0.0.10", 5, 900).name == "alice"
    engine.dispose()


def test_security_headers(client: TestClient) -> None:
    for path in ("/login", "/static/console.js"):
        r = client.get(path)
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp
        assert "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"


def test_no_inline_script_or_external_resource_in_pages(client: TestClient) -> None:
    login(client, "alice")
    for path in ("/activities", "/about/cookies"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline script"
        assert not re.search(r"\son[a-z]+=", html), "inline event handler"
        assert not re.search(r'(src|href)="https?://', html), "external resource"
        assert "style=" not in html
    assert "functional cookie" in client.get("/activities").text


def test_stale_sessions_and_failures_are_purged(settings: Settings) -> None:
    engine = make_engine(settings.resolved_database_url())
    with session_factory(engine)() as db:
        alice = db.scalar(select(User).where(User.name == "alice"))
        old_token, old = accounts.open_session(db, alice, 3600)
        old.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(days=2)
        fresh_token, _ = accounts.open_session(db, alice, 3600)
        db.add(LoginFailure(key="account:x", at=dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)))
        db.add(LoginFailure(key="account:y"))
        db.commit()
        accounts.purge_stale(db, 900)
        assert db.get(AuthSession, security.token_digest(old_token)) is None
        assert db.get(AuthSession, security.token_digest(fresh_token)) is not None
        assert [f.key for f in db.scalars(select(LoginFailure))] == ["account:y"]
    engine.dispose()


def test_every_state_changing_route_requires_the_csrf_token(client: TestClient) -> None:
    """Enumerate the app's routes: each POST (bar the login form, which has its own
    double-submit check) answers 403 without the session's token."""
    from starlette.routing import Route

    from airdefsim.web.app import ROUTERS

    login(client, "admin")
    posts = [
        r.path
        for router in ROUTERS
        for r in router.routes
        if isinstance(r, Route) and "POST" in (r.methods or set()) and r.path != "/login"
    ]
    assert len(posts) >= 7
    for path in posts:
        url = path.replace("{assignment_id}", "1").replace("{user_id}", "1")
        r = client.post(url, data={"csrf_token": "wrong"})
        assert r.status_code == 403, path
