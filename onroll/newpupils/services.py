"""Making a new pupil return: one transaction records the search-before-create decision, creates the child
if they are new, puts them on the school's roll from the day they were entered, saves the return and, when
the child has an open case, opens a task for the LA to review it. Or nothing at all."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from onroll.accounts.models import Role
from onroll.accounts.permissions import Perm, can
from onroll.audit.models import Action
from onroll.audit.services import record
from onroll.casework.models import Category
from onroll.children import services as children
from onroll.children.models import EnrolmentStatus
from onroll.core.dates import long_date, past_date_problem
from onroll.core.submissions import once
from onroll.matching.models import Door
from onroll.matching.services import record_decision
from onroll.procedures.services import open_case_task

# On linking, the school's address and parents are added where the record lacks them, as a referral does.
from onroll.referrals.services import add_what_is_new
from onroll.schools.calendar import nth_working_day_after

from .models import NewPupilReturn
from .queries import school_of

RETURN_DAYS = 5  # reg 13(1): by the end of the 5th day after the name is entered (calendar days)
REVIEW_WORKING_DAYS = 5  # how long the LA has to review an open case the return found


class NotAllowed(Exception):
    """The user may not make a new pupil return (the view answers 404)."""


def due_on(entered_on: dt.date) -> dt.date:
    return entered_on + dt.timedelta(days=RETURN_DAYS)


def check_return(data: dict, *, today: dt.date) -> dict:
    """Field-by-field errors for a return, before anything is searched or written; returns cleaned UPNs."""
    errors = {}
    try:
        cleaned = children.check_child_facts(data["child"], today)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        cleaned = {}
    entered, first = data.get("entered_on"), data.get("first_attendance")
    what = "the date the pupil's name was entered on the admission register"
    if problem := past_date_problem(entered, today, what):
        errors["entered_on"] = problem
    elif first is not None and first < entered:
        errors["first_attendance"] = (
            f"The first day of attendance must be the same as or after {long_date(entered)}, "
            "when the name was entered"
        )
    dob = data["child"].get("date_of_birth")
    if entered and dob and "date_of_birth" not in errors and dob >= entered:
        errors["date_of_birth"] = "Date of birth must be before the date the name was entered"
    if errors:
        raise ValidationError(errors)
    return cleaned


def make_return(
    user,
    data: dict,
    *,
    today: dt.date,
    candidates: list,
    link_to=None,
    model_version: str = "",
    submission_key: str = "",
) -> NewPupilReturn:
    """`candidates` are the children the search before create showed; `link_to` the one the school chose
    (None: a new child). `submission_key` is the form page's one-time key: a second POST with it raises
    AlreadySaved instead of making a second child and return. Blank: no such guard (the demo has no page)."""
    return once(
        NewPupilReturn,
        user,
        submission_key,
        lambda: _make_return(user, data, today, candidates, link_to, model_version, submission_key),
    )


@transaction.atomic
def _make_return(user, data, today, candidates, link_to, model_version, submission_key) -> NewPupilReturn:
    school = school_of(user)
    if not can(user, Perm.MAKE_NEW_PUPIL_RETURN) or school is None:
        raise NotAllowed("Only a school makes a new pupil return, for its own roll")
    cleaned = check_return(data, today=today)
    child_data = {**data["child"], **cleaned}
    if link_to is not None:
        if not any(c.child.pk == link_to.pk for c in candidates):
            raise ValidationError("Select one of the children shown, or that this is a new pupil")
        child = link_to
        if child.enrolments.filter(school=school, status=EnrolmentStatus.ON_ROLL).exists():
            raise ValidationError(f"{child.full_name} is already on {school}'s roll")
        add_what_is_new(user, child, data)
    else:
        child = children.create_child(user, {**child_data, "la": school.la}, today=today)
        children.add_address(user, child, data["address"])
        for parent in data["parents"]:
            children.add_contact(user, child, parent)
    decision = record_decision(
        user,
        door=Door.NEW_PUPIL,
        searched={k: v for k, v in child_data.items() if v not in ("", None)},
        candidates=candidates,
        child=child,
        model_version=model_version,
    )
    enrolment = children.add_enrolment(user, child, {"school": school, "entry_date": data["entered_on"]})
    the_return = NewPupilReturn(
        school=school,
        child=child,
        enrolment=enrolment,
        entered_on=data["entered_on"],
        first_attendance=data["first_attendance"],
        year_group=data["year_group"],
        previous_school=data.get("previous_school", ""),
        reported=_as_reported(child_data, data),
        received_on=today,
        due_on=due_on(data["entered_on"]),
        late=today > due_on(data["entered_on"]),
        decision=decision,
        known_child=link_to is not None,
        submission_key=submission_key,
    )
    the_return.stamp(user)
    the_return.save()
    _review_open_cases(user, the_return, today)
    record(user, Action.CREATE, the_return, child_id=child.pk, summary=_summary(the_return))
    return the_return


def _as_reported(child_data: dict, data: dict) -> dict:
    """What the school sent, as text, so the return reads the same whatever later happens to the record."""
    names = (child_data.get("legal_first_name"), child_data.get("legal_middle_names"))
    return {
        "name": " ".join(p for p in (*names, child_data.get("legal_last_name")) if p),
        "preferred_name": " ".join(
            p for p in (child_data.get("preferred_first_name"), child_data.get("preferred_last_name")) if p
        ),
        "date_of_birth": child_data["date_of_birth"].isoformat(),
        "sex": child_data.get("sex", ""),
        "upn": child_data.get("upn", ""),
        "former_upn": child_data.get("former_upn", ""),
        "address": ", ".join(v for v in data["address"].values() if isinstance(v, str) and v),
        "parents": [{"name": p["name"], "phone": p["phone"]} for p in data["parents"]],
    }


def _review_open_cases(user, the_return: NewPupilReturn, today: dt.date):
    """A child on the register turning up on a school roll is how a missing child is found: every open case
    gets a task for the CME officer to confirm the place and close the case (as back on a school roll)."""
    cases = the_return.child.cases.exclude(category=Category.CLOSED).order_by("-date_identified")
    due = nth_working_day_after(today, REVIEW_WORKING_DAYS)
    for case in cases:
        task = open_case_task(
            user,
            case,
            step_id=f"new_pupil_return:{the_return.pk}",
            title=f"{the_return.child.full_name} is on {the_return.school}'s roll from "
            f"{long_date(the_return.entered_on)} (new pupil return): confirm the place and close case "
            f"{case.reference} if the child is back in education",
            role=Role.CME_OFFICER,
            opened_on=today,
            due_on=due,
            evidence_required="How the place was confirmed (with the school, the family) and the case's "
            "outcome, or why the case stays open",
            escalate_on=nth_working_day_after(due, 1),
            escalate_to=Role.PANEL_CHAIR,
        )
        if the_return.found_case is None:
            the_return.found_case, the_return.review_task = case, task
    if the_return.found_case is not None:
        the_return.save(update_fields=["found_case", "review_task", "modified_at"])


def _summary(the_return: NewPupilReturn) -> str:
    summary = f"New pupil return from {the_return.school}: on roll from {long_date(the_return.entered_on)}"
    if the_return.late:
        summary += f" (late: due {long_date(the_return.due_on)})"
    if the_return.found_case is not None:
        summary += f"; child found with open case {the_return.found_case.reference}"
    return summary
