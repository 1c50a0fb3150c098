"""Request bodies (validated) and response shapes (documented in OpenAPI)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field


def _no_nul(value: str) -> str:
    if "\x00" in value:
        raise ValueError("NUL characters are not allowed")
    return value


Text = Annotated[str, AfterValidator(_no_nul)]


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


def doc(model: type[BaseModel]) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route that returns plain JSON shaped like ``model`` (documented only)."""
    return {200: {"model": model}}
