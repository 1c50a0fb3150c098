"""Request bodies (validated) and response shapes (documented in OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_no_nul), Field(json_schema_extra={"pattern": "^[^\\u0000]*$"})]  # documented


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TriageIn(Body):
    action: Literal["confirm", "dismiss", "reopen"]
    comment: Text = Field("", max_length=10_000, description="Why (kept in the audit trail).")


class AllowlistIn(Body):
    kind: Literal["accounts", "orgs", "payment_fingerprints", "ips"]
    value: Text = Field(..., min_length=1, max_length=500, description="IPs may be CIDR networks.")
    comment: Text = Field("", max_length=2_000)


class AllowlistPatch(Body):
    value: Text | None = Field(None, min_length=1, max_length=500)
    comment: Text | None = Field(None, max_length=2_000)


class TokenIn(Body):
    role: Literal["viewer", "analyst", "admin"]
    name: Text = Field("", max_length=200)


class CampaignSummary(BaseModel):
    campaign_id: str
    version: int
    severity: str
    score: float
    status: str
    size: int
    first_seen: str
    detected_at: str
    summary: str
    shadow: bool


class PageOut(BaseModel):
    total: int
    limit: int
    offset: int


class CampaignPage(PageOut):
    items: list[CampaignSummary]


class AlertVersion(BaseModel):
    alert_id: str
    version: int
    severity: str
    score: float
    detected_at: str


class TriageEvent(BaseModel):
    id: int
    campaign_id: str
    action: str
    status_before: str
    status_after: str
    version: int
    size: int
    comment: str
    actor: str
    at: str


class TriagePage(PageOut):
    items: list[TriageEvent]


class CampaignDetail(CampaignSummary):
    signals: list[dict[str, Any]] = Field(description="name, weight, value, evidence")
    sample_prompts: list[str]
    infrastructure: dict[str, Any]
    timeline: list[list[Any]] = Field(description="[[hour, requests], ...] from the latest alert")
    related: list[dict[str, Any]] = Field(
        description="campaigns its accounts are linked to, from the latest alert's related_campaigns"
    )
    absorbed: list[str] = Field(
        description="small campaigns merged into this one once a group held them whole (absorbed_campaigns)"
    )
    members: dict[str, Any] = Field(description="a page of members: items, total, limit, offset")
    alerts: list[AlertVersion]
    triage: list[TriageEvent]


class Timeline(BaseModel):
    x: list[int] = Field(description="hour starts, Unix seconds")
    total: list[int | None] = Field(description="requests per hour from the alert")
    models: list[dict[str, Any]] = Field(description="[{model, counts}] from account_activity")


class AccountSummary(BaseModel):
    account_id: str
    first_alerted_at: str
    last_alerted_at: str
    alert_versions: int
    campaigns: int
    max_score: float
    max_severity: str


class AccountPage(PageOut):
    items: list[AccountSummary]


class AllowlistEntry(BaseModel):
    id: int
    kind: str
    value: str
    comment: str
    created_by: str
    created_at: str


class TokenOut(BaseModel):
    id: int
    name: str
    role: str
    created_at: str
    created_by: str
    revoked_at: str | None


class NewToken(TokenOut):
    token: str = Field(description="shown once; only its hash is stored")


class AllowlistList(BaseModel):
    items: list[AllowlistEntry]


class TokenList(BaseModel):
    items: list[TokenOut]


class AlertVersionList(BaseModel):
    campaign_id: str
    items: list[dict[str, Any]] = Field(description="alert_id, version, severity, score, detected_at, ... (and "
                                        "payload, the alert as emitted, with payloads=true)")


class ValidationIssue(BaseModel):
    loc: list[str | int] = Field(description="where: path, query or body, then the field")
    msg: str
    type: str


class ErrorOut(BaseModel):
    """Every error of the API: ``detail`` says what went wrong; a request that fails validation lists each
    problem in ``errors``."""

    detail: str
    errors: list[ValidationIssue] | None = None


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


API_ERRORS: dict[int | str, dict[str, Any]] = {  # any route under /api/v1 may answer these
    400: _error("a value the database refuses (too long, malformed or out of range), or a body that is not UTF-8"),
    401: _error("no valid bearer token (or signed-in session)"),
    403: _error("the token's role is too low for this route"),
    413: _error("request body too large"),
    422: _error("the request is invalid: each problem is listed in errors"),
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: _error("no such object")}
CONFLICT: dict[int | str, dict[str, Any]] = {409: _error("conflicts with existing data")}


def doc(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that returns plain JSON shaped like ``model`` (documented only)."""
    return {200: {"model": model}}
