"""Recording a suspension or a permanent exclusion, and opening the duty to provide education it brings.

The duty (reference/cme_guidance.md section 3; Achieving for Children section 9: "basic provision should
begin from the sixth day"): after a permanent exclusion the LA must arrange full-time education from the
sixth school day; during a suspension of more than five school days the school must provide it from the
sixth. The days are the school's own (its calendar, or its LA's default).
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from onroll.accounts.models import Role
from onroll.accounts.permissions import is_school_staff
from onroll.audit.models import Action
from onroll.audit.services import record
from onroll.children.models import Enrolment
from onroll.core.dates import long_date
from onroll.procedures.services import open_case_task
from onroll.schools.calendar import (
    CalendarNotCovered,
    is_school_day,
    nth_school_day_after,
    school_days_between,
)
from onroll.schools.queries import NoCalendar, calendar_for

from .models import Case, Category, Exclusion, ExclusionKind, Reason, ReferralSource
from .services import open_case

PROVISION_TITLE = "Arrange full-time provision from the sixth school day"
SUSPENSION_DAYS_WITHOUT_DUTY = 5


def sixth_school_day(days, first_day: dt.date) -> dt.date:
    """The sixth school day of an exclusion starting on `first_day` (which counts when it is a school day)."""
    return nth_school_day_after(days, first_day, 5 if is_school_day(days, first_day) else 6)


def _check(user, child, data: dict) -> dict:
    errors = {}
    school, kind = data.get("school"), data.get("kind")
    first, last = data.get("first_day"), data.get("last_day")
    if school is None:
        errors["school"] = "Select the school"
    elif is_school_staff(user) and school.organisation_id != user.organisation_id:
        errors["school"] = "You can only record an exclusion from your own school"
    if kind not in ExclusionKind.values:
        errors["kind"] = "Select the type of exclusion"
    if first is None:
        errors["first_day"] = "Enter the first day of the exclusion"
    if kind == ExclusionKind.SUSPENSION:
        if last is None:
            errors["last_day"] = "Enter the last day of the suspension"
        elif first and last < first:
            errors["last_day"] = "The last day of the suspension must be on or after the first day"
    elif kind == ExclusionKind.PERMANENT and last is not None:
        errors["last_day"] = "A permanent exclusion has no last day: leave it blank"
    if school is not None and first is not None and "school" not in errors:
        on_roll = Enrolment.objects.filter(child=child, school=school, entry_date__lte=first).exclude(
            leaving_date__lt=first
        )
        if not on_roll.exists():
            errors["first_day"] = f"{child.full_name} is not on {school}'s roll on {long_date(first)}"
    return errors


def _case_for(user, child, school, kind: str, today: dt.date) -> Case:
    """The child's open case, or a new at-risk case for the exclusion."""
    case = (
        Case.objects.filter(child=child, la_id=child.la_id)
        .exclude(category=Category.CLOSED)
        .order_by("-date_identified")
        .first()
    )
    if case is not None:
        return case
    reason = "permanent_exclusion" if kind == ExclusionKind.PERMANENT else "exclusion_or_withdrawal"
    return open_case(
        user,
        child,
        {
            "category": Category.AT_RISK,
            "primary_reason": Reason.objects.get(code=reason),
            "referral_source": ReferralSource.SCHOOL,
            "referred_by_org": school.organisation,
            "responsible_org": school.organisation,
            "date_identified": today,
        },
    )


@transaction.atomic
def record_exclusion(user, child, data: dict, *, today: dt.date) -> Exclusion:
    """Record a suspension (first and last day) or a permanent exclusion (first day) from a school the
    child is on the roll of, and open the provision task when the exclusion calls for one."""
    errors = _check(user, child, data)
    if errors:
        raise ValidationError(errors)
    school, kind, first, last = data["school"], data["kind"], data["first_day"], data.get("last_day")
    days = due_on = None
    note = ""
    try:
        days = calendar_for(school)
        school_days = school_days_between(days, first, last) if kind == ExclusionKind.SUSPENSION else None
        due_on = sixth_school_day(days, first)
    except (NoCalendar, CalendarNotCovered) as exc:
        school_days = None
        note = f"The sixth school day from {long_date(first)} cannot be counted yet: {exc}"
    case = _case_for(user, child, school, kind, today)
    exclusion = Exclusion(
        child=child,
        school=school,
        kind=kind,
        first_day=first,
        last_day=last if kind == ExclusionKind.SUSPENSION else None,
        school_days=school_days,
        reason=(data.get("reason") or "").strip(),
        case=case,
    )
    exclusion.stamp(user)
    exclusion.save()
    record(
        user,
        Action.CREATE,
        exclusion,
        child_id=child.pk,
        summary=f"Recorded {exclusion.get_kind_display().lower()} from {school} from {long_date(first)}"
        + (f" to {long_date(last)}" if last else ""),
    )
    # A suspension whose length cannot be counted still opens the duty, with the note saying why.
    needs_provision = kind == ExclusionKind.PERMANENT or school_days is None or school_days > 5
    if needs_provision:
        exclusion.provision_task = _open_provision_task(user, exclusion, case, days, due_on, note, today)
        exclusion.save(update_fields=["provision_task"])
    return exclusion


def _open_provision_task(user, exclusion: Exclusion, case: Case, days, due_on, note: str, today: dt.date):
    permanent = exclusion.kind == ExclusionKind.PERMANENT
    escalate_on = None
    if due_on is not None:
        try:
            escalate_on = nth_school_day_after(days, due_on, 1)
        except CalendarNotCovered:
            escalate_on = None
    who = "The LA" if permanent else exclusion.school.name
    return open_case_task(
        user,
        case,
        step_id=f"exclusion_provision:{exclusion.pk}",
        title=PROVISION_TITLE,
        role=Role.CME_OFFICER if permanent else Role.SCHOOL_LEAD,
        school=None if permanent else exclusion.school,
        opened_on=today,
        due_on=due_on,
        due_note=note
        or f"{who} must provide full-time education from the sixth school day of the "
        f"{exclusion.get_kind_display().lower()} from {exclusion.school} ({long_date(exclusion.first_day)})",
        evidence_required="Where the child is educated full time from the sixth school day, and from when",
        escalate_on=escalate_on,
        escalate_to=Role.PANEL_CHAIR if permanent else Role.CME_OFFICER,
    )
