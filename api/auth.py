"""Who is calling: bearer tokens for the API, signed session cookies (+ CSRF secret) for pages."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from hydrawatch.store.auth import ApiTokenRow, find_token, live_token, role_at_least

SESSION_COOKIE = "hw_session"
LOGIN_COOKIE = "hw_login"


@dataclass(frozen=True)
class Principal:
    """An authenticated caller."""

    token_id: int
    name: str
    role: str
    csrf: str = ""

    @property
    def actor(self) -> str:
        """How the caller appears in audit trails."""
        return f"{self.name} (token {self.token_id})"

    def can(self, role: str) -> bool:
        return role_at_least(self.role, role)


def principal_of(row: ApiTokenRow, csrf: str = "") -> Principal:
    return Principal(token_id=row.id, name=row.name, role=row.role, csrf=csrf)


def bearer_principal(request: Request, session: Session) -> Principal | None:
    """The caller named by ``Authorization: Bearer <token>``; None when absent or not valid."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    row = find_token(session, token.strip())
    return principal_of(row) if row is not None else None


class Sessions:
    """Signs and reads the dashboard's session cookie: {token id, CSRF secret}, expiring after ``max_age``."""

    def __init__(self, secret: str, max_age: int, secure: bool) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="hydrawatch-session")
        self.login_serializer = URLSafeTimedSerializer(secret, salt="hydrawatch-login")
        self.max_age = max_age
        self.secure = secure

    def start(self, response: Response, row: ApiTokenRow) -> None:
        value = self.serializer.dumps({"t": row.id, "c": secrets.token_urlsafe(24)})
        response.set_cookie(
            SESSION_COOKIE,
            value,
            max_age=self.max_age,
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/",
        )

    def end(self, response: Response) -> None:
        response.delete_cookie(SESSION_COOKIE, path="/")

    def read(self, request: Request, session: Session) -> Principal | None:
        value = request.cookies.get(SESSION_COOKIE)
        if not value:
            return None
        try:
            data = self.serializer.loads(value, max_age=self.max_age)
            token_id, csrf = int(data["t"]), str(data["c"])
        except (BadSignature, KeyError, TypeError, ValueError):
            return None
        row = live_token(session, token_id)
        return principal_of(row, csrf) if row is not None else None

    def login_nonce(self, request: Request) -> str:
        """The CSRF nonce of the login form: the one in the browser's login cookie, or a new one."""
        return self.read_login_nonce(request) or secrets.token_urlsafe(24)

    def keep_login_nonce(self, response: Response, nonce: str) -> None:
        response.set_cookie(
            LOGIN_COOKIE,
            self.login_serializer.dumps(nonce),
            max_age=3600,
            httponly=True,
            samesite="strict",
            secure=self.secure,
            path="/login",
        )

    def read_login_nonce(self, request: Request) -> str | None:
        try:
            return str(self.login_serializer.loads(request.cookies.get(LOGIN_COOKIE, ""), max_age=3600))
        except BadSignature:
            return None


def same_secret(expected: str, presented: str | None) -> bool:
    """Constant-time comparison of CSRF secrets."""
    return (
        bool(expected)
        and presented is not None
        and hmac.compare_digest(expected.encode(), presented.encode())
    )
