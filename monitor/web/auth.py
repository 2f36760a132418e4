"""Who may look: users with Argon2-hashed passwords (argon2-cffi), API tokens kept as SHA-256 hashes,
and the per-session CSRF token every form carries. Functions over a session; the caller commits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.web import ApiToken, User

_hasher = PasswordHasher()
TOKEN_PREFIX = "rw_"
TOKEN_USE_RESOLUTION = timedelta(minutes=1)
# Verifying against a hash of nothing when the user does not exist takes as long as a real check,
# so the login's timing does not tell which names exist.
_DUMMY_HASH = _hasher.hash("no such user")


class AuthError(ValueError):
    """A user or token operation that cannot be done (a name taken, a token unknown)."""


def add_user(session: Session, name: str, password: str) -> User:
    if len(password) < 8:
        raise AuthError("a password has at least 8 characters")
    if session.scalar(select(User).where(User.name == name)) is not None:
        raise AuthError(f"user {name!r} exists")
    user = User(name=name, password_hash=_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def remove_user(session: Session, name: str) -> None:
    user = session.scalar(select(User).where(User.name == name))
    if user is None:
        raise AuthError(f"no user {name!r}")
    for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
        token.user_id = None
        token.revoked_at = token.revoked_at or datetime.now(UTC)
    session.delete(user)


def check_password(session: Session, name: str, password: str) -> User | None:
    """The user when the password is theirs; None otherwise (same work either way)."""
    user = session.scalar(select(User).where(User.name == name))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = datetime.now(UTC)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    id: int
    name: str
    token: str  # shown once, never stored


def create_token(session: Session, name: str, user: str | None = None) -> NewToken:
    owner = None
    if user is not None:
        owner = session.scalar(select(User).where(User.name == user))
        if owner is None:
            raise AuthError(f"no user {user!r}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name, prefix=token[:10], token_hash=_digest(token), user_id=owner.id if owner else None)
    session.add(row)
    session.flush()
    return NewToken(row.id, name, token)


def revoke_token(session: Session, ident: str) -> ApiToken:
    """Revoke by id or by name (every live token of that name)."""
    query = select(ApiToken).where(ApiToken.revoked_at.is_(None))
    rows = list(
        session.scalars(query.where(ApiToken.id == int(ident)) if ident.isdigit() else query.where(ApiToken.name == ident))
    )
    if not rows:
        raise AuthError(f"no live token {ident!r}")
    now = datetime.now(UTC)
    for row in rows:
        row.revoked_at = now
    return rows[0]


def list_tokens(session: Session) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).order_by(ApiToken.id)))


def token_owner(session: Session, token: str) -> ApiToken | None:
    """The live token row for a presented bearer token, its last use noted; None when unknown or revoked."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None:
        return None
    now = datetime.now(UTC)
    if row.last_used_at is None or now - row.last_used_at > TOKEN_USE_RESOLUTION:
        row.last_used_at = now  # at most once a minute: a busy client does not write on every call
    return row


def new_csrf_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_matches(expected: str | None, given: str | None) -> bool:
    return bool(expected) and bool(given) and hmac.compare_digest(str(expected), str(given))
