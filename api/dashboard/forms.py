"""Dashboard forms (POST, CSRF-checked): login, logout, triage decisions, allow-list entries."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.exc import IntegrityError

from api.auth import same_secret
from api.dashboard.access import PageAnalyst, PageViewer, check_csrf, local_path
from api.dashboard.render import seg
from api.deps import DB, get_sessions
from hydrawatch.store.allowlists import AllowlistError, AllowlistRow, add_entry
from hydrawatch.store.auth import find_token
from hydrawatch.store.triage import TriageError, triage_campaign

router = APIRouter(include_in_schema=False)
CSRF = Annotated[str | None, Form(alias="csrf_token")]


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    return _login_form(request, next)


@router.post("/login")
def login(
    request: Request,
    db: DB,
    token: Annotated[str, Form(max_length=500)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
    csrf: CSRF = None,
) -> Response:
    sessions = get_sessions(request)
    if not same_secret(sessions.read_login_nonce(request) or "", csrf):
        return _login_form(request, next, "The login form expired: please try again.", 403)
    row = find_token(db, token.strip())
    if row is None:
        return _login_form(request, next, "That token is not valid.", 401)
    redirect = RedirectResponse(local_path(next), status_code=303)
    sessions.start(redirect, row)
    return redirect


def _login_form(request: Request, next_path: str, error: str = "", status_code: int = 200) -> Response:
    sessions = get_sessions(request)
    nonce = sessions.login_nonce(request)
    page: Response = request.app.state.renderer.page(
        request, "login.html", status_code=status_code, nonce=nonce, next=local_path(next_path), error=error
    )
    sessions.keep_login_nonce(page, nonce)
    return page


@router.post("/logout")
def logout(request: Request, principal: PageViewer, csrf: CSRF = None) -> Response:
    check_csrf(principal, csrf)
    response = RedirectResponse("/login", status_code=303)
    get_sessions(request).end(response)
    return response


def _check_form(principal: PageAnalyst, csrf: str | None, comment: str) -> None:
    """The form's CSRF token, and a comment without NUL characters (422)."""
    check_csrf(principal, csrf)
    if "\x00" in comment:
        raise HTTPException(422, "the comment must not contain NUL characters")


@router.post("/campaigns/{campaign_id}/triage")
def triage(
    campaign_id: str,
    principal: PageAnalyst,
    db: DB,
    action: Annotated[str, Form(max_length=20)] = "",
    comment: Annotated[str, Form(max_length=10_000)] = "",
    csrf: CSRF = None,
) -> Response:
    _check_form(principal, csrf, comment)
    try:
        triage_campaign(db, campaign_id, action, comment, principal.actor)
    except TriageError as exc:
        raise HTTPException(422, str(exc)) from None
    except KeyError:
        raise HTTPException(404, "no such campaign") from None
    db.commit()
    return RedirectResponse(f"/campaigns/{seg(campaign_id)}#triage", status_code=303)


@router.post("/allowlists")
def allowlist_add(
    principal: PageAnalyst,
    db: DB,
    kind: Annotated[str, Form(max_length=40)] = "",
    value: Annotated[str, Form(max_length=500)] = "",
    comment: Annotated[str, Form(max_length=2_000)] = "",
    csrf: CSRF = None,
) -> Response:
    _check_form(principal, csrf, comment)
    try:
        add_entry(db, kind, value, comment, principal.actor)
        db.commit()
    except AllowlistError as exc:
        raise HTTPException(422, str(exc)) from None
    except IntegrityError:
        raise HTTPException(409, "this entry is already on the allow-list") from None
    return RedirectResponse("/allowlists", status_code=303)


@router.post("/allowlists/{entry_id}/delete")
def allowlist_delete(entry_id: int, principal: PageAnalyst, db: DB, csrf: CSRF = None) -> Response:
    check_csrf(principal, csrf)
    row = db.get(AllowlistRow, entry_id) if 0 < entry_id < 2**31 else None
    if row is None:
        raise HTTPException(404, "no such allow-list entry")
    db.delete(row)
    db.commit()
    return RedirectResponse("/allowlists", status_code=303)
