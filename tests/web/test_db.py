"""Migrations and the account tables on SQLite and on PostgreSQL (127.0.0.1:5432)."""

from __future__ import annotations

import secrets
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import inspect, select, text

from airdefsim.web import accounts
from airdefsim.web.db import alembic_config, make_engine, migrate, session_factory
from airdefsim.web.models import AuthSession, User

TABLES = {
    "users",
    "auth_sessions",
    "login_failures",
    "scenarios",
    "assignments",
    "exercise_sessions",
    "alembic_version",
}


def _pg_user() -> str:
    for user in ("postgres", "root"):
        try:
            psycopg.connect(
                f"host=127.0.0.1 port=5432 dbname=test user={user}", connect_timeout=3
            ).close()
            return user
        except psycopg.OperationalError:
            continue
    raise RuntimeError(
        "PostgreSQL at 127.0.0.1:5432 (database test, user postgres or root) is not reachable"
    )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh schema in the ``test`` database, dropped afterwards."""
    user = _pg_user()
    schema = f"airdefsim_web_{secrets.token_hex(4)}"
    with psycopg.connect(
        f"host=127.0.0.1 port=5432 dbname=test user={user}", autocommit=True
    ) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"postgresql+psycopg://{user}@127.0.0.1:5432/test?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(
            f"host=127.0.0.1 port=5432 dbname=test user={user}", autocommit=True
        ) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.db'}"
    else:
        yield request.getfixturevalue("pg_url")


def test_migrate_creates_tables_and_is_idempotent(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    migrate(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    with engine.connect() as conn:
        assert conn.execute(text("select version_num from alembic_version")).scalar() == "0001"
    engine.dispose()


def test_downgrade_to_base_and_up_again(db_url: str) -> None:
    from alembic import command

    engine = make_engine(db_url)
    migrate(engine)
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "base")
    assert not (TABLES - {"alembic_version"}) & set(inspect(engine).get_table_names())
    migrate(engine)
    assert TABLES <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_accounts_sessions_and_cascade(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    sessions = session_factory(engine)
    with sessions() as db:
        inst = accounts.create_user(db, "inst", "instructor", "instructor-pass")
        alice = accounts.create_user(db, "alice", "trainee", "alice-password", instructor="inst")
        with pytest.raises(accounts.AccountError, match="already exists"):
            accounts.create_user(db, "alice", "trainee", "another-password")
        db.rollback()
        with pytest.raises(accounts.AccountError, match="at least 8"):
            accounts.create_user(db, "shorty", "trainee", "short")
        with pytest.raises(accounts.AccountError, match="role must be"):
            accounts.create_user(db, "eve", "superuser", "long-enough-pw")
        token, row = accounts.open_session(db, alice, 3600)
        found = accounts.session_user(db, token)
        assert found is not None and found[0].name == "alice"
        assert row.token_hash != token and len(row.token_hash) == 64  # only the digest is stored
        assert [t.name for t in accounts.trainees_of(db, inst)] == ["alice"]
        accounts.set_active(db, alice.id, False)
        assert accounts.session_user(db, token) is None
        assert db.scalar(select(AuthSession.revoked)) is True
    with sessions() as db:
        u = db.scalar(select(User).where(User.name == "alice"))
        assert u is not None and u.password_hash.startswith("$argon2id$")
    engine.dispose()


@pytest.mark.postgres
def test_app_runs_on_postgresql(pg_url: str, tmp_path) -> None:
    """The whole console (migrations on start, shipped exercises, login, a drill run to
    its end on the real engine, its review) on PostgreSQL."""
    import re

    from fastapi.testclient import TestClient
    from tests.web.helpers import PASSWORD, add_drills, finished_drill

    from airdefsim.web.app import create_app
    from airdefsim.web.settings import Settings

    engine = make_engine(pg_url)
    migrate(engine)
    with session_factory(engine)() as db:
        accounts.create_user(db, "pgadmin", "admin", PASSWORD)
        inst = accounts.create_user(db, "inst", "instructor", PASSWORD)
        accounts.create_user(db, "alice", "trainee", PASSWORD, instructor="inst")
        add_drills(db, inst.id)
    engine.dispose()
    settings = Settings(database_url=pg_url, data_dir=tmp_path)
    with TestClient(create_app(settings)) as c:
        r = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', r.text).group(1)
        r = c.post("/login", data={"name": "pgadmin", "password": PASSWORD, "csrf_token": token})
        assert r.status_code == 200 and "Users" in r.text
        html = c.get("/instructor").text
        assert "Single hostile fighter" in html and "Ballistic salvo" in html
        sid = finished_drill(c)
        api = c.get(f"/api/sessions/{sid}").json()
        assert api["status"] == "finished" and api["score"] is not None
        assert api["summary"]["detection_to_launch_s"] is None  # nothing fired: NaN stored as null
        assert api["score_parts"]["total"] == api["score"]
        assert c.get(f"/api/sessions/{sid}/review").status_code == 200
