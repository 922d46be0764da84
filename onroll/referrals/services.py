"""Taking a referral: one transaction creates (or reuses) the child, their address and parents, the case
and the referral itself, or nothing at all."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from onroll.accounts.models import OrganisationKind
from onroll.audit.models import Action
from onroll.audit.services import record
from onroll.casework.models import ReferralSource
from onroll.casework.services import open_case
from onroll.children import services as children
from onroll.children.names import search_key
from onroll.core.submissions import once
from onroll.matching.models import Door
from onroll.matching.services import record_decision
from onroll.schools.models import LocalAuthority

from .models import Referral


def source_for(org) -> str:
    if org.kind == OrganisationKind.SCHOOL:
        return ReferralSource.SCHOOL
    if org.kind == OrganisationKind.LA_TEAM:
        return {"ews": ReferralSource.EDUCATION_WELFARE, "admissions": ReferralSource.ADMISSIONS}.get(
            org.team_function, ReferralSource.SPA
        )
    return ReferralSource.OTHER


def make_referral(
    user,
    data: dict,
    *,
    today: dt.date,
    link_to=None,
    candidates=None,
    model_version: str = "",
    submission_key: str = "",
) -> Referral:
    """`data` holds the cleaned referral form: the child, address, parents, concern and referrer.

    `candidates` are the children the search before create showed; `link_to` is the one the user chose
    (None: a new child). The choice is recorded as a matching decision. `submission_key` is the form page's
    one-time key: a second POST with it raises AlreadySaved instead of making a second child and case.
    Blank: no such guard."""
    return once(
        Referral,
        user,
        submission_key,
        lambda: _make_referral(user, data, today, link_to, candidates, model_version, submission_key),
    )


@transaction.atomic
def _make_referral(user, data, today, link_to, candidates, model_version, submission_key) -> Referral:
    org = user.organisation
    if data["referral_date"] > today:
        raise ValidationError({"referral_date": "Referral date must be today or in the past"})
    la = LocalAuthority.objects.filter(code=org.la_code).first()
    if la is None:
        raise ValidationError(f"Your organisation's LA number {org.la_code} is not set up in Onroll")
    if link_to is not None:
        if candidates is None or not any(c.child.pk == link_to.pk for c in candidates):
            raise ValidationError("Select one of the children shown, or that this is a new child")
        child = link_to
        add_what_is_new(user, child, data)
    else:
        child = children.create_child(user, {**data["child"], "la": la}, today=today)
        children.add_address(user, child, data["address"])
        if data.get("other_address"):
            children.add_address(user, child, data["other_address"])
        for parent in data.get("parents", []):
            children.add_contact(user, child, parent)
    if candidates is not None:
        record_decision(
            user,
            door=Door.REFERRAL,
            searched={k: v for k, v in data["child"].items() if k != "ethnicity"},
            candidates=candidates,
            child=child,
            model_version=model_version,
        )
    case = open_case(
        user,
        child,
        {
            "category": data["category"],
            "primary_reason": data["primary_reason"],
            "referral_source": data.get("referral_source") or source_for(org),
            "referred_by_org": org,
            "date_identified": data["referral_date"],
            "responsible_org": org if org.kind != OrganisationKind.AGENCY else None,
        },
        vulnerabilities=data.get("vulnerabilities", ()),
    )
    referral = Referral(
        child=child,
        case=case,
        referrer_org=org,
        referrer_user=user,
        referrer_name=data["referrer_name"],
        referrer_contact=data["referrer_contact"],
        referral_date=data["referral_date"],
        date_received=today,
        details=data["details"],
        submission_key=submission_key,
    )
    referral.stamp(user)
    referral.save()
    record(
        user,
        Action.CREATE,
        referral,
        child_id=child.pk,
        summary=f"Referral from {org} received; case {case.reference} opened",
    )
    return referral


def add_what_is_new(user, child, data: dict):
    """On linking a referral or a return to a known child, keep its address and parents where the record
    does not have them yet."""
    known = {(search_key(a.line_1), a.postcode.replace(" ", "")) for a in child.addresses.all()}
    address = data.get("address")  # the API may send none
    if address and (search_key(address["line_1"]), address["postcode"].replace(" ", "")) not in known:
        children.add_address(user, child, address)
    names = {search_key(c.name) for c in child.contacts.all()}
    for parent in data.get("parents", []):
        if search_key(parent["name"]) not in names:
            children.add_contact(user, child, parent)
