"""Allow-lists in the store (accounts, orgs, payment fingerprints, IPs and CIDRs): CRUD for analysts."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Query
from sqlalchemy.exc import IntegrityError

from api.deps import DB, Analyst
from api.queries.common import iso
from api.responses import SafeJSONResponse
from api.schemas import CONFLICT, NOT_FOUND, AllowlistEntry, AllowlistIn, AllowlistList, AllowlistPatch
from hydrawatch.store.allowlists import AllowlistError, AllowlistRow, add_entry, list_entries, normalise

router = APIRouter(prefix="/allowlists", tags=["allow-lists"])


def entry_dict(row: AllowlistRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "value": row.value,
        "comment": row.comment,
        "created_by": row.created_by,
        "created_at": iso(row.created_at),
    }


@router.get("", summary="Allow-list entries", responses={200: {"model": AllowlistList}})
def entries(
    _: Analyst, db: DB, kind: Literal["accounts", "orgs", "payment_fingerprints", "ips"] | None = Query(None)
) -> SafeJSONResponse:
    return SafeJSONResponse({"items": [entry_dict(r) for r in list_entries(db, kind)]})


@router.post("", status_code=201, summary="Add an entry", responses={201: {"model": AllowlistEntry}, **CONFLICT})
def create(body: AllowlistIn, principal: Analyst, db: DB) -> SafeJSONResponse:
    try:
        row = add_entry(db, body.kind, body.value, body.comment, principal.actor)
        db.commit()
    except AllowlistError as exc:
        raise HTTPException(422, str(exc)) from None
    except IntegrityError:
        raise HTTPException(409, "this entry is already on the allow-list") from None
    return SafeJSONResponse(entry_dict(row), status_code=201)


@router.get("/{entry_id}", summary="One entry", responses={200: {"model": AllowlistEntry}, **NOT_FOUND})
def entry(entry_id: int, _: Analyst, db: DB) -> SafeJSONResponse:
    return SafeJSONResponse(entry_dict(_get(db, entry_id)))


@router.patch(
    "/{entry_id}", summary="Change an entry's value or comment",
    responses={200: {"model": AllowlistEntry}, **NOT_FOUND, **CONFLICT},
)
def update(entry_id: int, body: AllowlistPatch, _: Analyst, db: DB) -> SafeJSONResponse:
    row = _get(db, entry_id)
    try:
        if body.value is not None:
            row.value = normalise(row.kind, body.value)
        if body.comment is not None:
            row.comment = body.comment
        db.commit()
    except AllowlistError as exc:
        raise HTTPException(422, str(exc)) from None
    except IntegrityError:
        raise HTTPException(409, "this entry is already on the allow-list") from None
    return SafeJSONResponse(entry_dict(row))


@router.delete("/{entry_id}", status_code=204, summary="Remove an entry", responses=NOT_FOUND)
def delete(entry_id: int, _: Analyst, db: DB) -> None:
    db.delete(_get(db, entry_id))
    db.commit()


def _get(db: DB, entry_id: int) -> AllowlistRow:
    row = db.get(AllowlistRow, entry_id) if 0 < entry_id < 2**31 else None
    if row is None:
        raise HTTPException(404, "no such allow-list entry")
    return row
