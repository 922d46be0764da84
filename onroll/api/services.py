"""The API's door into matching and children: search before create, then link or create, in one
transaction with the decision recorded. The same services as the referral form, called the same way."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from onroll.accounts.permissions import Perm, can
from onroll.children import services as children
from onroll.children.models import Child
from onroll.children.queries import visible_children
from onroll.core import upn as upn_rules
from onroll.matching.models import Decision, Door, MatchDecision
from onroll.matching.profiles import make_profile
from onroll.matching.services import SearchResult, check_search_input, record_decision, search
from onroll.referrals.services import add_what_is_new
from onroll.schools.models import LocalAuthority

from .models import CreateRequest
from .schemas import ChildDetailsIn

# The API's field names for the child's model fields, so service errors point at what the client sent.
API_FIELD = {
    "legal_first_name": "first_name",
    "legal_middle_names": "middle_names",
    "legal_last_name": "last_name",
    "__all__": "request",
}


class NotAllowed(Exception):
    """The user's role does not allow this (403)."""


class NeedsDecision(Exception):
    """Candidates were found and the client said neither which child it is nor that it is a new one."""

    def __init__(self, found: SearchResult):
        super().__init__("a decision is needed")
        self.found = found


@dataclass
class Outcome:
    child: Child
    decision: MatchDecision
    created: bool
    replayed: bool = False  # the answer to an earlier request with the same Idempotency-Key


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A service's ValidationError as {API field: [messages]}."""
    if not hasattr(exc, "error_dict"):
        return {"request": list(exc.messages)}
    return {
        API_FIELD.get(name, name): ValidationError(errs).messages for name, errs in exc.error_dict.items()
    }


def require(user, perm: Perm):
    if not can(user, perm):
        raise NotAllowed


def search_for(user, details: ChildDetailsIn, *, today: dt.date) -> SearchResult:
    """Children the user may see who may be this child; ValidationError for empty or absurd input."""
    require(user, Perm.VIEW_CHILD)
    errors = {}
    try:
        upn = check_search_input(
            first_name=details.first_name,
            last_name=details.last_name,
            date_of_birth=details.date_of_birth,
            upn=details.upn,
            today=today,
        )["upn"]
    except ValidationError as exc:
        errors, upn = exc.error_dict, ""
    former_upn = ""
    if details.former_upn.strip():
        try:
            former_upn = upn_rules.validate(details.former_upn)
        except upn_rules.UPNError as exc:
            errors["former_upn"] = [str(exc)]
    if errors:
        raise ValidationError(errors)
    return search(profile_of(details, upns=(upn, former_upn)), within=visible_children(user))


def profile_of(details: ChildDetailsIn, *, upns=()):
    address = details.address
    return make_profile(
        first_name=details.first_name,
        last_name=details.last_name,
        date_of_birth=details.date_of_birth,
        sex=details.sex,
        middle_names=details.middle_names,
        preferred_first_name=details.preferred_first_name,
        preferred_last_name=details.preferred_last_name,
        former_names=tuple((n.first_name, n.last_name) for n in details.former_names),
        upns=upns,
        addresses=[(address.line_1, address.postcode, True)] if address else (),
        parents=[(p.name, p.phone) for p in details.parents],
    )


def _searched(details: ChildDetailsIn) -> dict:
    """What the decision record keeps of the search: the child's own details, not the parents'."""
    keep = ("first_name", "middle_names", "last_name", "preferred_first_name", "preferred_last_name")
    out = {k: getattr(details, k) for k in keep if getattr(details, k)}
    out |= {
        k: getattr(details, k) for k in ("date_of_birth", "sex", "upn", "former_upn") if getattr(details, k)
    }
    if details.address and details.address.postcode:
        out["postcode"] = details.address.postcode
    return out


def create_or_link(
    user, details: ChildDetailsIn, *, link_to=None, confirm_new=False, today: dt.date, idempotency_key=""
) -> Outcome:
    """Search, then link to the chosen candidate or create the child, and record the decision.

    Child.DoesNotExist when `link_to` is not a child the user may see; NeedsDecision when neither
    `link_to` nor `confirm_new` was given and the search found candidates. A request with an
    `idempotency_key` already answered gets that answer again, so a retry never makes a second child."""
    require(user, Perm.EDIT_CHILD)
    key = (idempotency_key or "").strip()
    if len(key) > 100:
        raise ValidationError({"Idempotency-Key": "The Idempotency-Key must be 100 characters or fewer"})
    if key and (earlier := _earlier_answer(user, key, details)):
        return earlier
    try:
        return _create_or_link(user, details, link_to, confirm_new, today, key)
    except IntegrityError:
        # The same key arrived twice at once and the other request won: answer as it did.
        if key and (earlier := _earlier_answer(user, key, details)):
            return earlier
        raise


@transaction.atomic
def _create_or_link(user, details, link_to, confirm_new, today, key) -> Outcome:
    if link_to and confirm_new:
        raise ValidationError({"request": "Send either link_to or confirm_new, not both"})
    chosen = visible_children(user).get(pk=link_to) if link_to else None
    if confirm_new:
        _check_complete(details)
    found = search_for(user, details, today=today)
    if chosen is not None:
        if not any(c.child.pk == chosen.pk for c in found.candidates):
            raise ValidationError(
                {"link_to": "This child is not one of the candidates for these details: search again"}
            )
        # As on the referral form: the known record gains the address and parents it did not have.
        what_was_sent = {
            "address": details.address.model_dump() if details.address else None,
            "parents": [parent.model_dump() for parent in details.parents],
        }
        add_what_is_new(user, chosen, what_was_sent)
        outcome = Outcome(chosen, _decide(user, details, found, chosen), created=False)
    elif not confirm_new:
        if found.candidates:
            raise NeedsDecision(found)
        raise ValidationError({"confirm_new": "No child matched: send confirm_new: true to create the child"})
    else:
        child = _create(user, details, today=today)
        outcome = Outcome(child, _decide(user, details, found, child), created=True)
    if key:
        CreateRequest.objects.create(user=user, key=key, decision=outcome.decision)
    return outcome


def _earlier_answer(user, key: str, details: ChildDetailsIn) -> Outcome | None:
    done = CreateRequest.objects.filter(user=user, key=key).select_related("decision__child").first()
    if done is None:
        return None
    decision = done.decision
    if decision.searched != {k: str(v) for k, v in _searched(details).items()}:
        raise ValidationError(
            {"Idempotency-Key": "This key was already used for a request with other details"}
        )
    if decision.child is None:
        raise ValidationError({"Idempotency-Key": "The child this request was about has since been merged"})
    return Outcome(decision.child, decision, created=decision.decision == Decision.NEW, replayed=True)


def _decide(user, details, found: SearchResult, child) -> MatchDecision:
    return record_decision(
        user,
        door=Door.API,
        searched=_searched(details),
        candidates=found.candidates,
        child=child,
        model_version=found.model_version,
    )


def _check_complete(details: ChildDetailsIn):
    errors = {}
    if not details.first_name.strip():
        errors["first_name"] = "Enter the child's first name"
    if not details.last_name.strip():
        errors["last_name"] = "Enter the child's last name"
    if details.date_of_birth is None:
        errors["date_of_birth"] = "Enter the child's date of birth"
    if details.address and not details.address.line_1.strip():
        errors["address.line_1"] = "Enter the first line of the child's address"
    if errors:
        raise ValidationError(errors)


def _create(user, details: ChildDetailsIn, *, today: dt.date) -> Child:
    org = user.organisation
    la = LocalAuthority.objects.filter(code=getattr(org, "la_code", None)).first()
    if la is None:
        raise ValidationError("Your organisation's LA is not set up in Onroll, so it cannot hold the child")
    child = children.create_child(
        user,
        {
            "legal_first_name": details.first_name.strip(),
            "legal_middle_names": details.middle_names.strip(),
            "legal_last_name": details.last_name.strip(),
            "preferred_first_name": details.preferred_first_name.strip(),
            "preferred_last_name": details.preferred_last_name.strip(),
            "date_of_birth": details.date_of_birth,
            "sex": details.sex or "U",
            "upn": details.upn,
            "former_upn": details.former_upn,
            "la": la,
        },
        today=today,
    )
    for name in details.former_names:
        if name.first_name.strip() or name.last_name.strip():  # a changed surname often comes alone
            first, last = name.first_name.strip(), name.last_name.strip()
            children.add_former_name(
                user, child, first or child.legal_first_name, last or child.legal_last_name
            )
    if details.address:
        children.add_address(user, child, details.address.model_dump())
    for parent in details.parents:
        children.add_contact(user, child, parent.model_dump())
    return child
