"""Fixtures for the console tests: an app on a fresh SQLite database with the fake
simulation backend, users, and a logged-in client helper."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.fakesim import FakeBackend

from airdefsim.web.app import create_app
from airdefsim.web.db import make_engine, migrate, session_factory
from airdefsim.web.settings import Settings

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session", autouse=True)
def cheap_argon2() -> Iterator[None]:
    """Argon2id with small cost parameters for the test accounts (the production
    parameters are checked in ``test_security``); hashes made here still verify with
    the parameters they carry."""
    from argon2 import PasswordHasher

    from airdefsim.web import security

    saved = security._HASHER
    security._HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    security._HASHER = saved


def make_users(url: str) -> None:
    from airdefsim.web.accounts import create_user

    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as db:
        create_user(db, "admin", "admin", PASSWORD)
        create_user(db, "inst", "instructor", PASSWORD)
        create_user(db, "inst2", "instructor", PASSWORD)
        create_user(db, "alice", "trainee", PASSWORD, instructor="inst")
        create_user(db, "bob", "trainee", PASSWORD, instructor="inst2")
    engine.dispose()


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the test users (hashing is slow: done once)."""
    path = tmp_path_factory.mktemp("template") / "c.db"
    make_users(f"sqlite:///{path}")
    return path


@pytest.fixture
def settings(tmp_path: Path, template_db: Path) -> Settings:
    shutil.copyfile(template_db, tmp_path / "c.db")
    return Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", data_dir=tmp_path, frame_hz=20.0)


@pytest.fixture
def backend() -> FakeBackend:
    return FakeBackend(duration=20.0)


@pytest.fixture
def client(settings: Settings, backend: FakeBackend) -> Iterator[TestClient]:
    app = create_app(settings, backend)
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf-token" content="([^"]*)"', html)
    assert m, "page has no csrf meta"
    return m.group(1)


def login(c: TestClient, name: str, password: str = PASSWORD) -> str:
    """Log ``c`` in as ``name``; return the session's CSRF token."""
    c.cookies.clear()
    r = c.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
    r = c.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token},
        follow_redirects=True,
    )
    assert r.status_code == 200, r.text[:300]
    return csrf_of(r.text)
