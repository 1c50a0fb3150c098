"""Dashboard access: the session's caller (or a redirect to the login page), roles and CSRF checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.auth import Principal, same_secret
from api.deps import DB, get_sessions


class LoginRequired(Exception):
    """No valid session: the handler redirects to /login?next=<the page>."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def local_path(value: str | None) -> str:
    """``value`` if it is a path on this site, else '/' (no open redirects)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value or "\n" in value:
        return "/"
    return value


def page_principal(request: Request, db: DB) -> Principal:
    principal = get_sessions(request).read(request, db)
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise LoginRequired(target if request.method == "GET" else "/")
    return principal


def page_role(role: str) -> Callable[..., Principal]:
    def dependency(principal: Annotated[Principal, Depends(page_principal)]) -> Principal:
        if not principal.can(role):
            raise HTTPException(
                403, f"this page needs the {role} role; you are signed in as {principal.role}"
            )
        return principal

    return dependency


def check_csrf(principal: Principal, presented: str | None) -> None:
    if not same_secret(principal.csrf, presented):
        raise HTTPException(403, "the form's CSRF token is missing or stale: reload the page and try again")


PageViewer = Annotated[Principal, Depends(page_role("viewer"))]
PageAnalyst = Annotated[Principal, Depends(page_role("analyst"))]
