"""API tokens: the caller's identity (any role); listing, issuing and revoking tokens (admin)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from api.deps import DB, Admin, Viewer
from api.queries.common import iso
from api.responses import SafeJSONResponse
from api.schemas import NOT_FOUND, NewToken, TokenIn, TokenList
from hydrawatch.store.auth import ApiTokenRow, create_token, list_tokens, revoke_token

router = APIRouter(tags=["tokens"])


def token_dict(row: ApiTokenRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "created_at": iso(row.created_at),
        "created_by": row.created_by,
        "revoked_at": iso(row.revoked_at),
    }


@router.get("/me", summary="Who the token belongs to")
def me(principal: Viewer) -> SafeJSONResponse:
    return SafeJSONResponse({"token_id": principal.token_id, "name": principal.name, "role": principal.role})


@router.get("/tokens", summary="All tokens (never their values)", responses={200: {"model": TokenList}})
def tokens(_: Admin, db: DB) -> SafeJSONResponse:
    return SafeJSONResponse({"items": [token_dict(r) for r in list_tokens(db)]})


@router.post("/tokens", status_code=201, summary="Issue a token", responses={201: {"model": NewToken}})
def issue(body: TokenIn, principal: Admin, db: DB) -> SafeJSONResponse:
    token, row = create_token(db, body.role, body.name, principal.actor)
    db.commit()
    return SafeJSONResponse({**token_dict(row), "token": token}, status_code=201)


@router.delete("/tokens/{token_id}", status_code=204, summary="Revoke a token", responses=NOT_FOUND)
def revoke(token_id: int, _: Admin, db: DB) -> None:
    if not (0 < token_id < 2**31) or not revoke_token(db, token_id):
        raise HTTPException(404, "no such live token")
    db.commit()
