"""``airdefsim users`` and ``airdefsim serve``: thin commands, one-line errors, exit 2."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from typer.testing import CliRunner

from airdefsim.cli.main import app
from airdefsim.web import security
from airdefsim.web.db import make_engine, session_factory
from airdefsim.web.models import User

runner = CliRunner()


def test_users_create_from_stdin_and_list(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    r = runner.invoke(
        app,
        ["users", "create", "ivan", "--role", "instructor", "--database-url", url],
        input="instructor-secret\n",
    )
    assert r.exit_code == 0, r.output
    assert "created instructor 'ivan'" in r.output
    assert "instructor-secret" not in r.output
    r = runner.invoke(
        app,
        ["users", "create", "tanya", "--instructor", "ivan", "--database-url", url],
        input="trainee-secret\n",
    )
    assert r.exit_code == 0, r.output
    engine = make_engine(url)
    with session_factory(engine)() as db:
        tanya = db.scalar(select(User).where(User.name == "tanya"))
        assert tanya is not None and tanya.role == "trainee" and tanya.instructor_id is not None
        assert security.verify_password(tanya.password_hash, "trainee-secret")
    engine.dispose()
    r = runner.invoke(app, ["users", "list", "--database-url", url])
    assert r.exit_code == 0 and "tanya" in r.output and "ivan" in r.output
    assert "$argon2" not in r.output


def test_users_create_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'u.db'}"
    cases = [
        (
            ["users", "create", "x1", "--role", "general"],
            "long-enough-password\n",
            "role must be one of",
        ),
        (["users", "create", "x2"], "short\n", "at least 8 characters"),
        (["users", "create", "bad name!"], "long-enough-password\n", "user name"),
        (
            ["users", "create", "x3", "--instructor", "nobody"],
            "long-enough-password\n",
            "no instructor",
        ),
    ]
    for args, stdin, fragment in cases:
        r = runner.invoke(app, [*args, "--database-url", url], input=stdin)
        assert r.exit_code == 2, (args, r.output)
        assert fragment in r.output
        assert "Traceback" not in r.output


def test_serve_rejects_bad_port_and_bad_database(tmp_path: Path) -> None:
    r = runner.invoke(
        app, ["serve", "--port", "70000", "--database-url", f"sqlite:///{tmp_path}/s.db"]
    )
    assert r.exit_code == 2 and "--port" in r.output
    r = runner.invoke(
        app, ["users", "list", "--database-url", "postgresql+psycopg://nobody@127.0.0.1:1/none"]
    )
    assert (
        r.exit_code == 2 and "cannot open the database" in r.output and "Traceback" not in r.output
    )
