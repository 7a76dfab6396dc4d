"""Accounts, login sessions and login throttling — plain functions over a DB session.

The routes and the ``airdefsim users`` command are thin wrappers over these.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from airdefsim.web import security
from airdefsim.web.models import ROLES, AuthSession, LoginFailure, User, utcnow

NAME_RE = re.compile(r"^[A-Za-z0-9_.-]{2,64}$")


class AccountError(ValueError):
    """A user-facing problem with an account operation (one clear sentence)."""


class LoginThrottled(AccountError):
    """Too many failed logins for this account or address; retry after ``retry_after_s``."""

    def __init__(self, retry_after_s: float) -> None:
        minutes = max(1, round(retry_after_s / 60.0))
        super().__init__(
            f"Too many failed logins. Login is blocked for about {minutes} minute(s); "
            "try again later or ask an administrator."
        )
        self.retry_after_s = retry_after_s


def _aware(t: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; every time stored here is UTC."""
    return t if t.tzinfo else t.replace(tzinfo=dt.UTC)


def create_user(
    db: Session, name: str, role: str, password: str, instructor: str | None = None
) -> User:
    """Create an account (committed). Raises ``AccountError`` with the reason."""
    if not NAME_RE.match(name):
        raise AccountError("a user name is 2-64 characters: letters, digits, '_', '.', '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    problem = security.password_problem(password)
    if problem:
        raise AccountError(problem)
    if db.scalar(select(User.id).where(User.name == name)) is not None:
        raise AccountError(f"a user named {name!r} already exists")
    instructor_id = None
    if instructor:
        inst = db.scalar(select(User).where(User.name == instructor))
        if inst is None or inst.role not in ("instructor", "admin"):
            raise AccountError(f"no instructor named {instructor!r}")
        instructor_id = inst.id
    user = User(
        name=name,
        role=role,
        password_hash=security.hash_password(password),
        instructor_id=instructor_id,
    )
    db.add(user)
    db.commit()
    return user


def set_role(db: Session, user_id: int, role: str) -> User:
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    user = db.get(User, user_id)
    if user is None:
        raise AccountError("no such user")
    user.role = role
    db.commit()
    return user


def set_instructor(db: Session, user_id: int, instructor_id: int | None) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise AccountError("no such user")
    if instructor_id is not None:
        inst = db.get(User, instructor_id)
        if inst is None or inst.role not in ("instructor", "admin"):
            raise AccountError("that user is not an instructor")
    user.instructor_id = instructor_id
    db.commit()
    return user


def set_active(db: Session, user_id: int, active: bool) -> User:
    user = db.get(User, user_id)
    if user is None:
        raise AccountError("no such user")
    user.active = active
    if not active:
        db.execute(update(AuthSession).where(AuthSession.user_id == user_id).values(revoked=True))
    db.commit()
    return user


def _failures(db: Session, key: str, since: dt.datetime) -> tuple[int, dt.datetime | None]:
    n, first = db.execute(
        select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
            LoginFailure.key == key, LoginFailure.at >= since
        )
    ).one()
    return int(n), first


def authenticate(
    db: Session, name: str, password: str, addr: str, max_failures: int, window_s: float
) -> User:
    """The active user with this name and password, or an ``AccountError``.

    Throttling: when the account or the address has ``max_failures`` failures within the
    last ``window_s``, the attempt is refused with ``LoginThrottled`` before the password
    is checked. A success clears the account's failures.
    """
    now = utcnow()
    since = now - dt.timedelta(seconds=window_s)
    keys = [f"account:{name[:100]}", f"addr:{addr[:100]}"]
    for key in keys:
        n, first = _failures(db, key, since)
        if n >= max_failures and first is not None:
            retry = window_s - (now - _aware(first)).total_seconds()
            raise LoginThrottled(max(retry, 1.0))
    user = db.scalar(select(User).where(User.name == name))
    ok = security.verify_password(user.password_hash if user else None, password)
    if not ok or user is None or not user.active:
        for key in keys:
            db.add(LoginFailure(key=key, at=now))
        db.commit()
        raise AccountError("Wrong user name or password.")
    db.execute(delete(LoginFailure).where(LoginFailure.key == keys[0]))
    db.commit()
    return user


def open_session(db: Session, user: User, ttl_s: float) -> tuple[str, AuthSession]:
    """A new login session (fresh random id at every login). Returns (cookie token, row)."""
    token = security.new_token()
    row = AuthSession(
        token_hash=security.token_digest(token),
        user_id=user.id,
        csrf_token=security.new_token(),
        expires_at=utcnow() + dt.timedelta(seconds=ttl_s),
    )
    db.add(row)
    db.commit()
    return token, row


def session_user(db: Session, token: str | None) -> tuple[User, AuthSession] | None:
    """The user and session of a cookie token, or None if unknown, revoked or expired."""
    if not token or len(token) > 200:
        return None
    row = db.get(AuthSession, security.token_digest(token))
    if row is None or row.revoked:
        return None
    if _aware(row.expires_at) <= utcnow():
        row.revoked = True
        db.commit()
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user, row


def close_session(db: Session, token: str | None) -> None:
    """Invalidate a session server-side (logout)."""
    if not token:
        return
    db.execute(
        update(AuthSession)
        .where(AuthSession.token_hash == security.token_digest(token))
        .values(revoked=True)
    )
    db.commit()


def list_users(db: Session) -> list[User]:
    return list(db.scalars(select(User).order_by(User.name)))


def trainees_of(db: Session, instructor: User) -> list[User]:
    """Trainees an instructor sees (an admin sees every trainee)."""
    q = select(User).where(User.role == "trainee")
    if instructor.role != "admin":
        q = q.where(User.instructor_id == instructor.id)
    return list(db.scalars(q.order_by(User.name)))


def purge_stale(db: Session, login_window_s: float) -> None:
    """Delete sessions that expired or were revoked more than a day ago and login
    failures older than the throttling window (run at start-up)."""
    now = utcnow()
    db.execute(delete(AuthSession).where(AuthSession.expires_at < now - dt.timedelta(days=1)))
    db.execute(
        delete(AuthSession).where(
            AuthSession.revoked, AuthSession.created_at < now - dt.timedelta(days=1)
        )
    )
    db.execute(
        delete(LoginFailure).where(LoginFailure.at < now - dt.timedelta(seconds=login_window_s))
    )
    db.commit()
