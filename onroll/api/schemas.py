"""What the API reads and writes. Unknown fields are refused, so a misspelt field is an error, not ignored."""

import datetime as dt
import unicodedata
from typing import Annotated, Literal
from uuid import UUID

from ninja import Schema
from pydantic import AfterValidator, ConfigDict, Field


def _printable(value: str) -> str:
    # Control characters are never part of a name or an address, and PostgreSQL refuses NUL outright.
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("Must not contain control characters such as tabs, line breaks or NUL")
    return value


Text = Annotated[str, AfterValidator(_printable)]
Name = Field("", max_length=100)


class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class FormerNameIn(Strict):
    first_name: Text = Name
    last_name: Text = Name


class AddressIn(Strict):
    line_1: Text = Field("", max_length=200)
    line_2: Text = Field("", max_length=200)
    town: Text = Field("", max_length=100)
    postcode: Text = Field("", max_length=10)


class ParentIn(Strict):
    name: Text = Field(..., min_length=1, max_length=200)
    relationship: Text = Field("Parent or carer", max_length=60)
    phone: Text = Field("", max_length=40)


class ChildDetailsIn(Strict):
    """Everything matching can use to recognise a child. Search needs a surname and a date of birth or
    first name, or a UPN."""

    first_name: Text = Name
    middle_names: Text = Name
    last_name: Text = Name
    preferred_first_name: Text = Name
    preferred_last_name: Text = Name
    former_names: list[FormerNameIn] = Field(default_factory=list, max_length=10)
    date_of_birth: dt.date | None = None
    sex: Literal["F", "M", "U", ""] = ""
    upn: Text = Field("", max_length=20)
    former_upn: Text = Field("", max_length=20)
    address: AddressIn | None = None
    parents: list[ParentIn] = Field(default_factory=list, max_length=10)


class CreateChildIn(ChildDetailsIn):
    """The child's details and the decision: `link_to` one of the candidates, or `confirm_new`."""

    link_to: UUID | None = None
    confirm_new: bool = False


class CandidateOut(Schema):
    child_id: UUID
    full_name: str
    date_of_birth: dt.date
    probability: float
    suggested: bool = Field(description="at or above the model's threshold: very likely the same child")
    possible_sibling: bool = Field(description="looks like a brother, sister or twin, not the same child")
    reasons: list[str]
    url: str


class SearchOut(Schema):
    candidates: list[CandidateOut]
    notice: str = Field("", description="set when the matching model could not be used")
    model_version: str = ""


class AddressOut(Schema):
    line_1: str
    line_2: str
    town: str
    postcode: str
    from_date: dt.date | None
    to_date: dt.date | None
    current: bool


class ContactOut(Schema):
    name: str
    relationship: str
    parental_responsibility: bool
    phone: str


class EnrolmentOut(Schema):
    school: str
    urn: str
    entry_date: dt.date
    leaving_date: dt.date | None
    status: str


class ChildOut(Schema):
    id: UUID
    legal_first_name: str
    legal_middle_names: str
    legal_last_name: str
    preferred_first_name: str
    preferred_last_name: str
    former_names: list[FormerNameIn]
    date_of_birth: dt.date
    sex: str
    upn: str
    former_upn: str
    la_code: str
    flags: list[str]
    addresses: list[AddressOut]
    contacts: list[ContactOut]
    enrolments: list[EnrolmentOut]
    web_url: str


class DecisionOut(Schema):
    decision: Literal["linked", "new"]
    decision_id: UUID
    child: ChildOut


class ErrorOut(Schema):
    detail: str
    errors: dict[str, list[str]] = Field(
        default_factory=dict, description="field -> messages; 'request' for the request as a whole"
    )


class ConflictOut(Schema):
    detail: str
    candidates: list[CandidateOut]
    notice: str = ""
