"""The bodies of requests and answers, as pydantic models: the OpenAPI document
describes them exactly (http-api.md). A request model forbids keys it does not
know: a misspelt key is a 422 that names it, never dropped."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ActionRequest", "BundleAnswer", "CaseList", "CaseListItem", "CaseObject",
           "CaseRequest", "ErrorAnswer", "ErrorObject", "FormStateRequest", "Health",
           "IntakeMaterialIn", "MaterialIn",
           "MatterDocument", "MatterSummary", "MonitorAnswer", "PrecheckRequest",
           "TokenAnswer", "TokenRequest"]

Lang = Literal["zh", "en"]
ACTIONS = ("accept", "request_supplement", "resubmit", "refuse", "start_review",
           "sign_off", "approve", "deny", "issue", "suspend", "resume", "extend", "supply",
           "terminate", "withdraw")
Action = Literal["accept", "request_supplement", "resubmit", "refuse", "start_review",
                 "sign_off", "approve", "deny", "issue", "suspend", "resume", "extend",
                 "supply", "terminate", "withdraw"]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid")


# ---------------------------------------------------------------------- errors


class ErrorItem(_Answer):
    """One bad part of a request: where (``field``: ``body.materials[0].copies``)
    and what."""

    kind: str
    message: str
    code: str
    field: str


class ErrorObject(_Answer):
    """The error object of cli.md; ``errors`` lists each bad part of a request."""

    kind: Literal["syntax", "name", "type", "evaluation", "limit", "definition", "io"]
    message: str
    code: str
    file: str | None = None
    line: int | None = None
    column: int | None = None
    hint: str | None = None
    errors: list[ErrorItem] | None = None


class ErrorAnswer(_Answer):
    """Every error answer."""

    error: ErrorObject


# ---------------------------------------------------------------------- sign-in


class TokenRequest(_Request):
    user: str = Field(min_length=1, max_length=256)
    password: str = Field(min_length=1, max_length=1024)


class TokenAnswer(_Answer):
    token: str
    expires_at: dt.datetime = Field(description="when the token stops working (UTC)")


class Health(_Answer):
    ok: bool
    matters: int
    store: Literal["tinydb", "postgresql"]


# ---------------------------------------------------------------------- matters


class MatterSummary(_Answer):
    code: str
    name: str = Field(description="the matter's name, in Chinese")
    department: str
    kind: str
    channels: list[str]
    time_limit: dict[str, Any]


class MatterDocument(_Answer):
    code: str
    version: str = Field(description="the digest of the matter's content (its version)")
    matter: dict[str, Any] = Field(description="the matter's YAML as JSON")


class GuideAnswer(_Answer):
    """The 办事指南 of a matter as data; ``text`` is the printable one as plain text."""

    code: str
    title: str
    name: str
    department: str
    kind: str
    basis: list[str]
    time_limit: dict[str, Any]
    fee: int | float | None = None
    fee_expression: str | None = None
    fees: list[dict[str, Any]] | None = None
    channels: list[str]
    materials: list[dict[str, Any]]
    guide: dict[str, Any] | None = None
    text: str


class MaterialIn(_Request):
    """A material handed in (precheck's data file)."""

    id: str = Field(min_length=1, max_length=200)
    form: Literal["original", "copy", "original_and_copy", "commitment"] | None = None
    copies: int | None = Field(default=None, ge=0, le=1000)


class IntakeMaterialIn(MaterialIn):
    """A material handed in to a pre-check or a new case: for a bundle's code
    (高效办成一件事, formkit's addition) ``matter`` names the member matter whose own
    material it is (none for a ``materials_once`` material); a matter's code takes no
    ``matter`` (a 422 that names it)."""

    matter: str | None = Field(default=None, min_length=1, max_length=64)


class FormStateRequest(_Request):
    fields: dict[str, Any] = Field(default_factory=dict)
    lang: Lang = "zh"
    today: dt.date | None = None


class PrecheckRequest(_Request):
    fields: dict[str, Any] = Field(default_factory=dict)
    materials: list[IntakeMaterialIn] = Field(default_factory=list, max_length=1000)
    today: dt.date | None = None
    lang: Lang = "zh"
    explain: bool = False


# ---------------------------------------------------------------------- cases


class CaseRequest(_Request):
    matter: str = Field(min_length=1, max_length=64, description="a matter's code, or a "
                        "bundle's (formkit's addition: one linked case per member)")
    fields: dict[str, Any] = Field(default_factory=dict)
    materials: list[IntakeMaterialIn] = Field(default_factory=list, max_length=1000)
    channel: Literal["window", "online"] = "window"


class ActionRequest(_Request):
    action: Action
    comment: str = Field(default="", max_length=4000)
    procedure: str | None = Field(default=None, max_length=200)
    days: int | None = Field(default=None, ge=0, le=3650)
    material: str | None = Field(default=None, max_length=200)
    fields: dict[str, Any] | None = None
    materials: list[MaterialIn] | None = Field(default=None, max_length=1000)
    unit: str | None = Field(default=None, max_length=200)
    approver: str | None = Field(default=None, max_length=200)


class CaseObject(BaseModel):
    """The case object of cli.md (the project may add keys)."""

    model_config = ConfigDict(extra="allow")

    number: str
    matter: str
    version: str
    state: Literal["received", "supplement", "refused", "accepted", "in_review",
                   "approved", "denied", "issued", "terminated", "withdrawn"]
    received_on: dt.date
    accepted_on: dt.date | None = None
    decided_on: dt.date | None = None
    issued_on: dt.date | None = None
    committed_deadline: dt.date | None = None
    statutory_deadline: dt.date | None = None
    effective_committed_deadline: dt.date | None = None
    effective_statutory_deadline: dt.date | None = None
    pauses: list[dict[str, Any]]
    extensions: list[dict[str, Any]]
    tolerated: list[dict[str, Any]]
    calendar_provisional: bool
    history: list[dict[str, Any]]


class BundleAnswer(_Answer):
    """``POST /api/v1/cases`` with a bundle's code (formkit's addition, docs/api.md):
    the bundle's pre-check and one case object per member matter that applies."""

    bundle: str = Field(description="the bundle's code")
    number: str = Field(description="the bundle's number: its first case's")
    precheck: dict[str, Any] = Field(description="as POST /matters/{bundle}/precheck")
    cases: list[CaseObject]


class CaseListItem(_Answer):
    number: str
    matter: str
    department: str
    state: str
    applicant: str
    received_on: dt.date
    committed_deadline: dt.date | None = None
    statutory_deadline: dt.date | None = None


class CaseList(_Answer):
    cases: list[CaseListItem]
    next_cursor: str | None = Field(description="give it as cursor= for the next page; "
                                                "null on the last")


class MonitorFlag(_Answer):
    number: str
    matter: str
    flag: str
    due: dt.date | None = None
    days: int


class MonitorAnswer(_Answer):
    today: dt.date
    open_cases: int
    flags: list[MonitorFlag]
