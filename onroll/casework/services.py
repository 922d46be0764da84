"""Business actions on the register. Each runs in a transaction, locks the case, checks its current
state, changes it and writes the audit event."""

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction

from onroll.accounts.models import Role
from onroll.audit.models import Action
from onroll.audit.services import changed_fields, record
from onroll.children.models import EnrolmentStatus
from onroll.children.services import add_enrolment
from onroll.core.concurrency import lock_unchanged
from onroll.core.dates import long_date
from onroll.registers.services import add_ehe_from_case, settings_for

from .models import (
    CSA_CATEGORIES,
    Case,
    CaseNote,
    CaseOutcome,
    Category,
    ContactAttempt,
    Outcome,
    StatusChange,
)
from .outcomes import check_details

# Which category a case may move to from each category. Closing goes through close_case, which needs an
# outcome; a closed case can be reopened into any open category.
ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Category.AT_RISK: {
        Category.MISSING_LOCATED,
        Category.MISSING_NOT_LOCATED,
        Category.NOT_SUITABLE,
        Category.EHE,
    },
    Category.MISSING_NOT_LOCATED: {
        Category.MISSING_LOCATED,
        Category.AT_RISK,
        Category.NOT_SUITABLE,
        Category.EHE,
    },
    Category.MISSING_LOCATED: {
        Category.MISSING_NOT_LOCATED,
        Category.AT_RISK,
        Category.NOT_SUITABLE,
        Category.EHE,
    },
    Category.NOT_SUITABLE: {
        Category.AT_RISK,
        Category.MISSING_LOCATED,
        Category.MISSING_NOT_LOCATED,
        Category.EHE,
    },
    Category.EHE: {
        Category.NOT_SUITABLE,
        Category.AT_RISK,
        Category.MISSING_LOCATED,
        Category.MISSING_NOT_LOCATED,
    },
    Category.CLOSED: {
        Category.AT_RISK,
        Category.MISSING_LOCATED,
        Category.MISSING_NOT_LOCATED,
        Category.NOT_SUITABLE,
        Category.EHE,
    },
}

CASE_FIELDS = (
    "category",
    "primary_reason",
    "provision_type",
    "hours_per_week",
    "responsible_org",
    "lead_professional",
    "referral_source",
    "referred_by_org",
    "date_identified",
)


def new_reference() -> str:
    # Random rather than sequential so references reveal nothing about volumes.
    alphabet = "ABCDEFGHJKLMNPQRTUVWXYZ2346789"
    while True:
        reference = "C-" + "".join(secrets.choice(alphabet) for _ in range(8))
        if not Case.objects.filter(reference=reference).exists():
            return reference


def check_category_fits_child(category: str, child, on: dt.date):
    if category in CSA_CATEGORIES and not child.is_compulsory_school_age(on):
        raise ValidationError(
            {
                "category": f"{child.full_name} is not of compulsory school age on {long_date(on)}, "
                f"so cannot be "
                f"recorded as {Category(category).label.lower()}"
            }
        )


@transaction.atomic
def open_case(user, child, data: dict, *, vulnerabilities=(), shared_with=()) -> Case:
    category = data.get("category", Category.AT_RISK)
    if category == Category.CLOSED:
        raise ValidationError({"category": "A new case cannot start closed"})
    check_category_fits_child(category, child, data["date_identified"])
    case = Case(
        child=child,
        la=child.la,
        reference=new_reference(),
        **{k: v for k, v in data.items() if k in CASE_FIELDS},
    )
    case.stamp(user)
    case.full_clean(exclude=["reference"])
    case.save()
    case.vulnerabilities.set(vulnerabilities)
    case.shared_with.set(shared_with)
    StatusChange.objects.create(
        case=case,
        from_category="",
        to_category=case.category,
        reason="Case opened",
        created_by=user,
        modified_by=user,
    )
    record(
        user,
        Action.CREATE,
        case,
        child_id=child.pk,
        summary=f"Opened case {case.reference}: {case.get_category_display()}",
    )
    return case


def _locked(case: Case, expected_modified_at=None) -> Case:
    return lock_unchanged(Case, case.pk, expected_modified_at, "case")


@transaction.atomic
def add_note(user, case: Case, text: str) -> CaseNote:
    if not text.strip():
        raise ValidationError({"text": "Enter the note"})
    note = CaseNote(case=case, text=text.strip())
    note.stamp(user)
    note.save()
    record(user, Action.CREATE, note, child_id=case.child_id, summary=f"Added a note to {case.reference}")
    return note


@transaction.atomic
def record_contact_attempt(user, case: Case, data: dict, *, today: dt.date) -> ContactAttempt:
    if data.get("made_on") and data["made_on"] > today:
        raise ValidationError({"made_on": "Date of attempt must be today or in the past"})
    attempt = ContactAttempt(case=case, **data)
    attempt.stamp(user)
    attempt.full_clean()
    attempt.save()
    record(
        user,
        Action.CREATE,
        attempt,
        child_id=case.child_id,
        summary=f"Recorded contact attempt on {case.reference}: {attempt.get_method_display()}, "
        f"{attempt.get_outcome_display()}",
    )
    return attempt


@transaction.atomic
def change_category(
    user, case: Case, to_category: str, reason: str, *, today: dt.date, expected_modified_at=None
) -> Case:
    case = _locked(case, expected_modified_at)
    if to_category == Category.CLOSED:
        raise ValidationError({"to_category": "Close the case with an outcome instead"})
    if to_category not in ALLOWED_TRANSITIONS[case.category]:
        raise ValidationError(
            {
                "to_category": f"A case that is {case.get_category_display().lower()} cannot "
                f"move to {Category(to_category).label.lower()}"
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the status is changing"})
    check_category_fits_child(to_category, case.child, today)
    return _move(user, case, to_category, reason, Action.STATUS_CHANGE, {"outcome": "", "date_closed": None})


@transaction.atomic
def close_case(
    user,
    case: Case,
    outcome: str,
    date_closed: dt.date,
    reason: str,
    *,
    today: dt.date,
    details: dict | None = None,
    expected_modified_at=None,
) -> Case:
    """Close a case with its outcome and the details that outcome needs (casework.outcomes): nothing is
    written unless all are there. An EHE outcome puts the child on the EHE register; a school attendance
    order opens the legal-team referral task where the LA has that switched on (Hampshire)."""
    case = _locked(case, expected_modified_at)
    errors = {}
    if not case.is_open:
        errors["outcome"] = "This case is already closed"
    if outcome not in Outcome.values:
        errors["outcome"] = "Select the outcome"
    if date_closed is None:
        errors["date_closed"] = "Enter the date the case closed"
    elif date_closed > today:
        errors["date_closed"] = "Date closed must be today or in the past"
    elif date_closed < case.date_identified:
        errors["date_closed"] = "Date closed must be on or after the date the child was identified"
    kept = {}
    if outcome in Outcome.values:
        kept, detail_errors = check_details(
            outcome, details or {}, case=case, date_closed=date_closed, today=today
        )
        errors.update({k: v for k, v in detail_errors.items() if k not in errors})
    if errors:
        raise ValidationError(errors)
    closing = CaseOutcome(case=case, outcome=outcome, closed_on=date_closed, **kept)
    closing.stamp(user)
    closing.save()
    summary = reason.strip() or f"Closed: {Outcome(outcome).label}"
    case = _move(
        user,
        case,
        Category.CLOSED,
        summary,
        Action.CLOSE,
        {"outcome": outcome, "date_closed": date_closed},
        details={k: v for k, v in kept.items() if v not in (None, "")},
    )
    if outcome == Outcome.BACK_ON_ROLL:
        _put_on_roll(user, case.child, kept["school"], kept["on_roll_from"])
    if outcome == Outcome.EHE:
        add_ehe_from_case(user, case, started_on=date_closed, review_due=kept["review_due"])
    if outcome == Outcome.SAO:
        _open_legal_referral(user, case, kept["sao_served_on"], date_closed)
    return case


def _put_on_roll(user, child, school, on_roll_from: dt.date):
    """The roll history shows the school the case closed with, unless it already shows the child there."""
    if not child.enrolments.filter(school=school, status=EnrolmentStatus.ON_ROLL).exists():
        add_enrolment(user, child, {"school": school, "entry_date": on_roll_from})


# How long parents have to answer a school attendance order notice before the LA acts (15 days today;
# the 2026 Act's "preliminary notice" may change it: reference/cwsa_2026.md).
SAO_RESPONSE_DAYS = 15


def _open_legal_referral(user, case: Case, served_on: dt.date, opened_on: dt.date):
    settings = settings_for(case.la)
    if not settings.sao_legal_referral:
        return None
    # Imported here: procedures' daily run opens cases through this module, so a module-level import
    # would be circular; casework sits above procedures, so the dependency itself is the right way round.
    from onroll.procedures.services import open_case_task

    team = settings.legal_team_name or "legal team"
    due_on = served_on + dt.timedelta(days=SAO_RESPONSE_DAYS)
    return open_case_task(
        user,
        case,
        step_id="sao_legal_referral",
        title=f"Refer the case to the {team} if the parents do not engage with the school attendance order",
        role=Role.CME_OFFICER,
        opened_on=opened_on,
        due_on=due_on,
        due_note=f"{SAO_RESPONSE_DAYS} days after the order was served on {long_date(served_on)}",
        evidence_required=f"The referral to the {team}, or how the parents engaged",
        escalate_on=due_on + dt.timedelta(days=1),
        escalate_to=Role.PANEL_CHAIR,
    )


def _move(
    user, case: Case, to_category: str, reason: str, action: Action, fields: dict, details: dict | None = None
) -> Case:
    from_category = case.category
    case.category = to_category
    for name, value in fields.items():
        setattr(case, name, value)
    case.stamp(user)
    case.save()
    StatusChange.objects.create(
        case=case,
        from_category=from_category,
        to_category=to_category,
        reason=reason.strip(),
        created_by=user,
        modified_by=user,
    )
    record(
        user,
        action,
        case,
        child_id=case.child_id,
        summary=f"{case.reference}: {reason.strip()}"[:300],
        changes={
            "category": [from_category, to_category],
            **{k: [None, str(v)] for k, v in {**fields, **(details or {})}.items()},
        },
    )
    return case


EDITABLE_CASE_FIELDS = (
    "primary_reason",
    "provision_type",
    "hours_per_week",
    "responsible_org",
    "lead_professional",
    "safeguarding_concern",
    "whereabouts_unknown",
    "parents_not_engaging",
)


@transaction.atomic
def update_case(user, case: Case, data: dict, *, vulnerabilities=None, expected_modified_at=None) -> Case:
    """Change the register entry: reason, provision and hours, who is responsible, and vulnerabilities."""
    case = _locked(case, expected_modified_at)
    hours = data.get("hours_per_week")
    if hours is not None and not 0 <= hours <= 60:
        raise ValidationError({"hours_per_week": "Hours a week must be between 0 and 60"})
    before = {k: getattr(case, k) for k in EDITABLE_CASE_FIELDS if k in data}
    for name in before:
        setattr(case, name, data[name])
    case.stamp(user)
    case.full_clean(exclude=["reference"])
    case.save()
    changes = changed_fields(before, {k: getattr(case, k) for k in before})
    if vulnerabilities is not None:
        old = set(case.vulnerabilities.values_list("code", flat=True))
        new = {v.code for v in vulnerabilities}
        if old != new:
            case.vulnerabilities.set(vulnerabilities)
            changes["vulnerabilities"] = [", ".join(sorted(old)), ", ".join(sorted(new))]
    record(
        user,
        Action.UPDATE,
        case,
        child_id=case.child_id,
        summary=f"{case.reference}: changed {', '.join(changes) or 'nothing'}",
        changes=changes,
    )
    return case
