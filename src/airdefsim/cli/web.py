"""``airdefsim serve`` (the training console) and ``airdefsim users`` (accounts).

Thin wrappers over ``airdefsim.web``: the commands parse options, call a plain function
and print one clear line on bad input (exit code 2). The web stack (FastAPI, SQLAlchemy,
Alembic, Argon2: seconds to import) is imported inside the commands, a heavy optional
import the rest of the command line does not pay for.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from airdefsim.cli.common import fail

console = Console(highlight=False)
users_app = typer.Typer(
    help="Manage console accounts (trainee, instructor, admin).", no_args_is_help=True
)


def _settings(database_url: str | None):
    from airdefsim.web.settings import Settings

    return Settings(database_url=database_url) if database_url else Settings()


def _db(database_url: str | None):
    from sqlalchemy.exc import SQLAlchemyError

    from airdefsim.web.db import make_engine, migrate, session_factory

    settings = _settings(database_url)
    try:
        engine = make_engine(settings.resolved_database_url())
        migrate(engine)
    except (SQLAlchemyError, OSError, ValueError) as exc:
        fail(f"cannot open the database: {str(exc).splitlines()[0]}")
    return session_factory(engine)


def read_password(from_stdin: bool) -> str:
    """The new password: one line from stdin when piped, else prompted twice."""
    if from_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


def create_user_command(
    name: Annotated[str, typer.Argument(help="user name (letters, digits, _ . -)")],
    role: Annotated[str, typer.Option(help="trainee, instructor or admin")] = "trainee",
    instructor: Annotated[str | None, typer.Option(help="instructor who sees this trainee")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="read the password from stdin")
    ] = False,
    database_url: Annotated[
        str | None, typer.Option(envvar="AIRDEFSIM_DATABASE_URL", help="SQLAlchemy URL")
    ] = None,
) -> None:
    """Create an account; the password is prompted (or read from stdin)."""
    from airdefsim.web.accounts import AccountError, create_user

    sessions = _db(database_url)
    password = read_password(password_stdin)
    with sessions() as db:
        try:
            user = create_user(db, name, role, password, instructor)
        except AccountError as exc:
            fail(str(exc))
        console.print(f"created {user.role} {user.name!r}")


def list_users_command(
    database_url: Annotated[
        str | None, typer.Option(envvar="AIRDEFSIM_DATABASE_URL", help="SQLAlchemy URL")
    ] = None,
) -> None:
    """List the accounts."""
    from airdefsim.web.accounts import list_users

    sessions = _db(database_url)
    with sessions() as db:
        users = list_users(db)
        names = {u.id: u.name for u in users}
        table = Table("name", "role", "instructor", "active", "created")
        for u in users:
            table.add_row(
                u.name,
                u.role,
                names.get(u.instructor_id or -1, ""),
                "yes" if u.active else "no",
                u.created_at.strftime("%Y-%m-%d"),
            )
    console.print(table)


def serve_command(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(
            envvar="AIRDEFSIM_DATABASE_URL",
            help="SQLAlchemy URL (default: SQLite file in the data dir)",
        ),
    ] = None,
    secure_cookies: Annotated[
        bool, typer.Option(help="mark the session cookie Secure (behind HTTPS)")
    ] = False,
) -> None:
    """Start the training console (FastAPI + Uvicorn)."""
    import uvicorn

    from airdefsim.web.app import create_app

    if not 0 < port < 65536:
        fail(f"--port must be 1-65535, not {port}")
    settings = _settings(database_url)
    if secure_cookies:
        settings.secure_cookies = True
    try:
        app = create_app(settings)
    except Exception as exc:
        fail(f"cannot start the console: {str(exc).splitlines()[0]}")
    console.print(
        f"airdefsim console on http://{host}:{port}/  (database: "
        f"{settings.resolved_database_url().split('@')[-1]})"
    )
    try:
        uvicorn.run(
            app, host=host, port=port, log_level="info", ws_ping_interval=20, ws_max_size=64 * 1024
        )
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc}")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``users`` to the ``airdefsim`` command."""
    app.command("serve")(serve_command)
    users_app.command("create")(create_user_command)
    users_app.command("list")(list_users_command)
    app.add_typer(users_app, name="users")
