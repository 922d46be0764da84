"""Changing children and their records. Each function validates, writes and audits in one transaction."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from onroll.audit.models import Action
from onroll.audit.services import changed_fields, record
from onroll.core import upn as upn_rules
from onroll.core.concurrency import lock_unchanged
from onroll.core.dates import past_date_problem

from .models import (
    VULNERABILITY_FLAGS,
    Address,
    Child,
    ChildName,
    Contact,
    Enrolment,
    EnrolmentStatus,
    NameKind,
)

CHILD_FIELDS = (
    "legal_first_name",
    "legal_middle_names",
    "legal_last_name",
    "preferred_first_name",
    "preferred_last_name",
    "date_of_birth",
    "sex",
    "upn",
    "former_upn",
    "ethnicity",
    "la",
    *(flag for flag, _ in VULNERABILITY_FLAGS),
)


def check_child_facts(data: dict, today: dt.date) -> dict:
    """Field-by-field errors for a child's identity; returns cleaned UPNs. Raises ValidationError."""
    errors = {}
    dob = data.get("date_of_birth")
    if problem := past_date_problem(dob, today, "date of birth", required=False):
        errors["date_of_birth"] = problem
    elif dob and dob < dt.date(today.year - 25, 1, 1):
        errors["date_of_birth"] = "Date of birth must be within the last 25 years"
    cleaned = {}
    for field in ("upn", "former_upn"):
        value = data.get(field) or ""
        if value:
            try:
                cleaned[field] = upn_rules.validate(value)
            except upn_rules.UPNError as exc:
                errors[field] = str(exc)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _sync_names(child: Child):
    """Keep the legal and preferred rows of the name index in step with the child."""
    child.names.filter(kind__in=[NameKind.LEGAL, NameKind.PREFERRED]).delete()
    ChildName(
        child=child, kind=NameKind.LEGAL, first_name=child.legal_first_name, last_name=child.legal_last_name
    ).save()
    if child.preferred_first_name or child.preferred_last_name:
        ChildName(
            child=child,
            kind=NameKind.PREFERRED,
            first_name=child.preferred_first_name or child.legal_first_name,
            last_name=child.preferred_last_name or child.legal_last_name,
        ).save()


@transaction.atomic
def create_child(user, data: dict, *, today: dt.date) -> Child:
    cleaned = check_child_facts(data, today)
    child = Child(**{k: v for k, v in data.items() if k in CHILD_FIELDS}, **cleaned)
    child.stamp(user)
    child.full_clean()
    child.save()
    _sync_names(child)
    record(
        user, Action.CREATE, child, child_id=child.pk, summary=f"Created child record for {child.full_name}"
    )
    return child


@transaction.atomic
def add_former_name(user, child: Child, first_name: str, last_name: str, until: dt.date | None = None):
    name = ChildName(
        child=child, kind=NameKind.FORMER, first_name=first_name, last_name=last_name, until=until
    )
    name.save()
    record(
        user, Action.CREATE, child, child_id=child.pk, summary=f"Added former name {first_name} {last_name}"
    )
    return name


@transaction.atomic
def add_address(user, child: Child, data: dict) -> Address:
    address = Address(child=child, **data)
    address.stamp(user)
    address.full_clean()
    address.save()
    record(
        user,
        Action.CREATE,
        address,
        child_id=child.pk,
        summary="Added a confidential address" if address.confidential else "Added an address",
    )
    return address


@transaction.atomic
def add_contact(user, child: Child, data: dict) -> Contact:
    contact = Contact(child=child, **data)
    contact.stamp(user)
    contact.full_clean()
    contact.save()
    record(user, Action.CREATE, contact, child_id=child.pk, summary=f"Added contact {contact}")
    return contact


@transaction.atomic
def add_enrolment(user, child: Child, data: dict) -> Enrolment:
    entry, leaving = data.get("entry_date"), data.get("leaving_date")
    if entry and leaving and leaving < entry:
        raise ValidationError({"leaving_date": "Leaving date must be the same as or after the entry date"})
    enrolment = Enrolment(child=child, **data)
    enrolment.status = EnrolmentStatus.LEFT if leaving else EnrolmentStatus.ON_ROLL
    enrolment.stamp(user)
    enrolment.full_clean()
    enrolment.save()
    record(user, Action.CREATE, enrolment, child_id=child.pk, summary=f"Added roll history: {enrolment}")
    return enrolment


@transaction.atomic
def update_child(user, child: Child, data: dict, *, today: dt.date, expected_modified_at=None) -> Child:
    """Change a child's identity and flags. A changed legal name is kept as a former name."""
    locked = lock_unchanged(Child, child.pk, expected_modified_at, "child's record")
    cleaned = check_child_facts(data, today)
    before = {k: getattr(locked, k) for k in data if k in CHILD_FIELDS}
    old_name = (locked.legal_first_name, locked.legal_last_name)
    for name, value in {**data, **cleaned}.items():
        if name in CHILD_FIELDS and name != "la":
            setattr(locked, name, value)
    locked.stamp(user)
    locked.full_clean()
    locked.save()
    if old_name != (locked.legal_first_name, locked.legal_last_name):
        ChildName(
            child=locked, kind=NameKind.FORMER, first_name=old_name[0], last_name=old_name[1], until=today
        ).save()
    _sync_names(locked)
    changes = changed_fields(before, {k: getattr(locked, k) for k in before})
    record(
        user,
        Action.UPDATE,
        locked,
        child_id=locked.pk,
        summary=f"Changed {', '.join(changes) or 'nothing'}",
        changes=changes,
    )
    return locked
