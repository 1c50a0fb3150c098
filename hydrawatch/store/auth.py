"""API tokens (stored as SHA-256 hashes) with roles, and the service's signing secret."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from hydrawatch.store.models import Base

ROLES = ("viewer", "analyst", "admin")
TOKEN_PREFIX = "hw_"


class ApiTokenRow(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200), default="")
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SecretRow(Base):
    __tablename__ = "service_secrets"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


def role_at_least(role: str, needed: str) -> bool:
    return ROLES.index(role) >= ROLES.index(needed)


def hash_token(token: str) -> str:
    """Tokens are 256-bit random, so one SHA-256 is enough to keep them unusable if the store leaks."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_token(
    session: Session, role: str, name: str = "", created_by: str = ""
) -> tuple[str, ApiTokenRow]:
    """A new token (returned once, in clear) and its stored row."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        name=name or f"{role} token",
        role=role,
        token_hash=hash_token(token),
        created_at=datetime.now(UTC),
        created_by=created_by,
    )
    session.add(row)
    session.flush()
    return token, row


def find_token(session: Session, token: str) -> ApiTokenRow | None:
    """The live (not revoked) token row for a presented token."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = session.scalars(select(ApiTokenRow).where(ApiTokenRow.token_hash == hash_token(token))).first()
    return row if row is not None and row.revoked_at is None else None


def live_token(session: Session, token_id: int) -> ApiTokenRow | None:
    row = session.get(ApiTokenRow, token_id)
    return row if row is not None and row.revoked_at is None else None


def revoke_token(session: Session, token_id: int) -> bool:
    """Revoke a token; False when there is no such live token."""
    row = live_token(session, token_id)
    if row is None:
        return False
    row.revoked_at = datetime.now(UTC)
    return True


def list_tokens(session: Session) -> list[ApiTokenRow]:
    return list(session.scalars(select(ApiTokenRow).order_by(ApiTokenRow.id)))


def service_secret(engine: Engine, name: str = "session") -> str:
    """A random secret kept in the store, created on first use (shared by every worker and restart)."""
    with Session(engine) as session:
        row = session.get(SecretRow, name)
        if row is not None:
            return row.value
    try:
        with Session(engine) as session, session.begin():
            session.add(SecretRow(name=name, value=secrets.token_urlsafe(48)))
    except IntegrityError:
        pass  # another worker created it first
    with Session(engine) as session:
        stored = session.get(SecretRow, name)
        assert stored is not None
        return stored.value
