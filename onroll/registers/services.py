"""Business actions on the EHE register and the register of children not in school. Each runs in a
transaction, locks what it changes, checks the state, changes it and writes the audit event."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from onroll.audit.models import Action
from onroll.audit.services import changed_fields, record
from onroll.core.dates import long_date, past_date_problem

from . import cnis_fields
from .models import CNISEntry, EHERegistration, LASettings, NoticeKind, ReviewOutcome, SuitabilityReview

# Review outcomes after which the LA must look again, so a next review date is needed.
NEEDS_NEXT_REVIEW = {ReviewOutcome.SUITABLE, ReviewOutcome.NOT_YET_SHOWN}


def settings_for(la) -> LASettings:
    """The LA's switches, or the defaults (everything off) when it has not set any."""
    return LASettings.objects.filter(la=la).first() or LASettings(la=la)


def cnis_enabled(la) -> bool:
    return la is not None and settings_for(la).cnis_register_enabled


def _check_ehe_dates(data: dict, today: dt.date) -> dict:
    errors = {}
    started = data.get("started_on")
    if problem := past_date_problem(started, today, "the date home education started"):
        errors["started_on"] = problem
    notice_on, kind = data.get("notice_received_on"), data.get("notice_kind") or NoticeKind.NONE
    if kind != NoticeKind.NONE and notice_on is None:
        errors["notice_received_on"] = "Enter the date the notice was received"
    elif notice_on and notice_on > today:
        errors["notice_received_on"] = "The date the notice was received must be today or in the past"
    due = data.get("review_due")
    if due is None:
        errors["review_due"] = "Enter the date the suitability review is due"
    elif started and due <= started:
        errors["review_due"] = "The suitability review must be due after home education started"
    return errors


@transaction.atomic
def add_ehe_registration(user, child, data: dict, *, today: dt.date, case=None) -> EHERegistration:
    """Put a child on their LA's EHE register with the first suitability review due; refused while the
    child has an open EHE registration already."""
    errors = _check_ehe_dates(data, today)
    open_one = EHERegistration.objects.select_for_update().filter(
        child=child, la_id=child.la_id, ended_on__isnull=True
    )
    if open_one.exists():
        errors["started_on"] = f"{child.full_name} is already on the elective home education register"
    if errors:
        raise ValidationError(errors)
    registration = EHERegistration(
        child=child,
        la_id=child.la_id,
        case=case,
        started_on=data["started_on"],
        notice_kind=data.get("notice_kind") or NoticeKind.NONE,
        notice_received_on=data.get("notice_received_on"),
    )
    registration.stamp(user)
    registration.save()
    review = SuitabilityReview(registration=registration, due_on=data["review_due"])
    review.stamp(user)
    review.save()
    source = f" when case {case.reference} closed" if case is not None else ""
    record(
        user,
        Action.CREATE,
        registration,
        child_id=child.pk,
        summary=f"Added to the elective home education register{source}; suitability review due "
        f"{long_date(review.due_on)}",
    )
    return registration


def add_ehe_from_case(user, case, *, started_on: dt.date, review_due: dt.date) -> EHERegistration:
    """A case closed as electively home educated: the child goes on the EHE register, or, if already on
    it, the open registration gets the review date (the closing form asked for one)."""
    existing = (
        EHERegistration.objects.select_for_update()
        .filter(child_id=case.child_id, la_id=case.child.la_id, ended_on__isnull=True)
        .first()
    )
    if existing is None:
        return add_ehe_registration(
            user,
            case.child,
            {"started_on": started_on, "review_due": review_due, "notice_kind": NoticeKind.NONE},
            today=started_on,
            case=case,
        )
    if not existing.reviews.filter(done_on__isnull=True, due_on=review_due).exists():
        review = SuitabilityReview(registration=existing, due_on=review_due)
        review.stamp(user)
        review.save()
        record(
            user,
            Action.UPDATE,
            existing,
            child_id=case.child_id,
            summary=f"Suitability review due {long_date(review_due)} (case {case.reference} closed)",
        )
    return existing


def _locked_registration(registration) -> EHERegistration:
    return EHERegistration.objects.select_for_update().select_related("child").get(pk=registration.pk)


@transaction.atomic
def update_ehe_registration(user, registration, data: dict, *, today: dt.date) -> EHERegistration:
    """Correct the start and the notice, or end the registration (the child returned to school, moved)."""
    registration = _locked_registration(registration)
    errors = _check_ehe_dates({**data, "review_due": dt.date.max}, today)
    ended = data.get("ended_on")
    if ended and data.get("started_on") and ended < data["started_on"]:
        errors["ended_on"] = "The date home education ended must be on or after the date it started"
    elif ended and ended > today:
        errors["ended_on"] = "The date home education ended must be today or in the past"
    if ended and not (data.get("end_reason") or "").strip():
        errors["end_reason"] = "Enter why home education ended"
    if errors:
        raise ValidationError(errors)
    fields = ("started_on", "notice_kind", "notice_received_on", "ended_on", "end_reason")
    before = {name: getattr(registration, name) for name in fields}
    for name in fields:
        value = data.get(name)
        setattr(registration, name, value.strip() if isinstance(value, str) else value)
    registration.notice_kind = registration.notice_kind or NoticeKind.NONE
    registration.stamp(user)
    registration.save()
    changes = changed_fields(before, {name: getattr(registration, name) for name in fields})
    record(
        user,
        Action.UPDATE,
        registration,
        child_id=registration.child_id,
        summary=f"Elective home education: changed {', '.join(changes) or 'nothing'}",
        changes=changes,
    )
    return registration


@transaction.atomic
def record_review(user, registration, data: dict, *, today: dt.date) -> SuitabilityReview:
    """Record a suitability review: the earliest review still to do is marked done with its outcome, and
    the next one is scheduled when the outcome calls for one."""
    registration = _locked_registration(registration)
    errors = {}
    done_on, outcome, next_due = data.get("done_on"), data.get("outcome"), data.get("next_due")
    if not registration.is_active:
        errors["outcome"] = "This registration has ended; reviews are no longer due"
    if problem := past_date_problem(done_on, today, "the date of the review"):
        errors["done_on"] = problem
    elif done_on < registration.started_on:
        errors["done_on"] = (
            f"The date of the review must be on or after {long_date(registration.started_on)}, "
            "when home education started"
        )
    if outcome not in ReviewOutcome.values:
        errors["outcome"] = "Select the outcome of the review"
    elif outcome in NEEDS_NEXT_REVIEW and next_due is None:
        errors["next_due"] = "Enter when the next suitability review is due"
    if next_due and done_on and next_due <= done_on:
        errors["next_due"] = "The next review must be due after this review"
    if errors:
        raise ValidationError(errors)
    review = registration.reviews.filter(done_on__isnull=True).order_by("due_on").first()
    if review is None:
        review = SuitabilityReview(registration=registration, due_on=done_on)
    review.done_on, review.outcome, review.notes = done_on, outcome, (data.get("notes") or "").strip()
    review.stamp(user)
    review.save()
    summary = f"Suitability review on {long_date(done_on)}: {ReviewOutcome(outcome).label}"
    if next_due:
        following = SuitabilityReview(registration=registration, due_on=next_due)
        following.stamp(user)
        following.save()
        summary += f"; next review due {long_date(next_due)}"
    record(user, Action.UPDATE, registration, child_id=registration.child_id, summary=summary)
    return review


# --- The register of children not in school -------------------------------------------------------------


def _require_cnis(la):
    if not cnis_enabled(la):
        raise ValidationError("The register of children not in school is not switched on for this LA")


@transaction.atomic
def add_cnis_entry(user, child, registered_on: dt.date, data: dict, *, today: dt.date) -> CNISEntry:
    _require_cnis(child.la)
    errors = cnis_fields.check(data)
    if registered_on is None:
        errors["registered_on"] = "Enter the date the child was added to the register"
    elif registered_on > today:
        errors["registered_on"] = "The date added to the register must be today or in the past"
    if (
        CNISEntry.objects.select_for_update()
        .filter(child=child, la_id=child.la_id, ended_on__isnull=True)
        .exists()
    ):
        errors["registered_on"] = f"{child.full_name} is already on the register of children not in school"
    if errors:
        raise ValidationError(errors)
    entry = CNISEntry(
        child=child, la_id=child.la_id, registered_on=registered_on, data=cnis_fields.stored(data)
    )
    entry.stamp(user)
    entry.save()
    record(
        user,
        Action.CREATE,
        entry,
        child_id=child.pk,
        summary="Added to the register of children not in school",
    )
    return entry


@transaction.atomic
def update_cnis_entry(user, entry, data: dict, *, ended_on: dt.date | None, today: dt.date) -> CNISEntry:
    entry = CNISEntry.objects.select_for_update().get(pk=entry.pk)
    _require_cnis(entry.la)
    errors = cnis_fields.check(data)
    if ended_on and ended_on > today:
        errors["ended_on"] = "The date removed from the register must be today or in the past"
    elif ended_on and ended_on < entry.registered_on:
        errors["ended_on"] = (
            f"The date removed from the register must be on or after {long_date(entry.registered_on)}"
        )
    if errors:
        raise ValidationError(errors)
    new = cnis_fields.stored(data)
    # Only the names of changed fields go in the audit log: the values are personal data.
    changes = {
        name: ["", ""] for name in sorted(set(entry.data) | set(new)) if entry.data.get(name) != new.get(name)
    }
    if ended_on != entry.ended_on:
        changes["ended_on"] = [str(entry.ended_on or ""), str(ended_on or "")]
    entry.data, entry.ended_on = new, ended_on
    entry.stamp(user)
    entry.save()
    record(
        user,
        Action.UPDATE,
        entry,
        child_id=entry.child_id,
        summary=f"Register of children not in school: changed {', '.join(changes) or 'nothing'}",
        changes=changes,
    )
    return entry
