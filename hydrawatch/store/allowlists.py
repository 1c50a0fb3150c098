"""Allow-list entries kept in the store (editable from the API), merged into ``settings.allowlist``."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

from sqlalchemy import DateTime, Integer, String, Text, UniqueConstraint, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, Session, mapped_column

from hydrawatch.settings import AllowList
from hydrawatch.store.models import Base

KINDS = ("accounts", "orgs", "payment_fingerprints", "ips")
MAX_VALUE = 500


class AllowlistRow(Base):
    __tablename__ = "allowlist_entries"
    __table_args__ = (UniqueConstraint("kind", "value", name="uq_allowlist_kind_value"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32), index=True)
    value: Mapped[str] = mapped_column(String(MAX_VALUE))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AllowlistError(ValueError):
    """An entry that is not valid for its kind."""


def normalise(kind: str, value: str) -> str:
    """The stored form of a value: trimmed; IPs and CIDRs canonical. Raises AllowlistError when invalid."""
    if kind not in KINDS:
        raise AllowlistError(f"kind must be one of {', '.join(KINDS)}")
    value = value.strip()
    if not value:
        raise AllowlistError("value must not be empty")
    if len(value) > MAX_VALUE:
        raise AllowlistError(f"value must be at most {MAX_VALUE} characters")
    if "\x00" in value:
        raise AllowlistError("value must not contain NUL characters")
    if kind == "ips":
        try:
            return (
                str(ipaddress.ip_network(value, strict=False))
                if "/" in value
                else str(ipaddress.ip_address(value))
            )
        except ValueError as exc:
            raise AllowlistError(f"not an IP address or CIDR network: {exc}") from None
    return value


def add_entry(session: Session, kind: str, value: str, comment: str = "", actor: str = "") -> AllowlistRow:
    """Insert an entry (AllowlistError if invalid; IntegrityError from the flush if it already exists)."""
    row = AllowlistRow(
        kind=kind,
        value=normalise(kind, value),
        comment=comment,
        created_by=actor,
        created_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row


def list_entries(session: Session, kind: str | None = None) -> list[AllowlistRow]:
    query = select(AllowlistRow).order_by(AllowlistRow.kind, AllowlistRow.value)
    if kind is not None:
        query = query.where(AllowlistRow.kind == kind)
    return list(session.scalars(query))


def load_allowlist(engine: Engine) -> AllowList:
    """The store's entries as a ``settings.AllowList``."""
    found: dict[str, list[str]] = {kind: [] for kind in KINDS}
    with Session(engine) as session:
        for kind, value in session.execute(select(AllowlistRow.kind, AllowlistRow.value)):
            if kind in found:
                found[kind].append(value)
    return AllowList(**found)


def merge_allowlists(base: AllowList, extra: AllowList) -> AllowList:
    """Union of two allow-lists (order kept, duplicates dropped)."""
    return AllowList(
        **{kind: list(dict.fromkeys([*getattr(base, kind), *getattr(extra, kind)])) for kind in KINDS}
    )
