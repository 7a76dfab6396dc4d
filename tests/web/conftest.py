"""Fixtures for the console tests: an app on a fresh SQLite database running the real
simulation engine, users, short drills cut from a shipped exercise, and a logged-in
client helper."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.web.helpers import PASSWORD, add_drills

from airdefsim.web.app import create_app
from airdefsim.web.db import make_engine, migrate, session_factory
from airdefsim.web.settings import Settings


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
    """Users (admin; instructors inst and inst2; trainees alice of inst, bob of inst2)
    and the drills."""
    from airdefsim.web.accounts import create_user

    engine = make_engine(url)
    migrate(engine)
    with session_factory(engine)() as db:
        create_user(db, "admin", "admin", PASSWORD)
        inst = create_user(db, "inst", "instructor", PASSWORD)
        create_user(db, "inst2", "instructor", PASSWORD)
        create_user(db, "alice", "trainee", PASSWORD, instructor="inst")
        create_user(db, "bob", "trainee", PASSWORD, instructor="inst2")
        add_drills(db, inst.id)
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
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as c:
        yield c
