"""Common Transfer Files and children moving across LA boundaries: one function per business action."""

import datetime as dt

from onroll.accounts.models import Role
from onroll.core.dates import long_date
from onroll.procedures.models import Task
from onroll.procedures.services import open_case_task
from onroll.schools.calendar import CalendarNotCovered, nth_school_day_after
from onroll.schools.queries import NoCalendar, calendar_for

CTF_DUE_SCHOOL_DAYS = 15  # Education (Pupil Information) (England) Regulations 2005: reference/ctf.md
SEND_CTF_TITLE = "Send the CTF"


def send_ctf_step_id(enrolment) -> str:
    """One "Send the CTF" task per enrolment that ended (a case may see more than one school's deletion)."""
    return f"send_ctf:{enrolment.pk}"


def open_ctf_deadline(user, enrolment, case, left_on: dt.date) -> Task:
    """Open the school's task "Send the CTF", due 15 school days after `left_on` on the school's calendar and
    escalated to the LA's CME officer on the first school day it is overdue. Safe to call again: the task
    already open for this enrolment is returned.

    When the school's calendar does not cover those dates (or there is none) the task still opens, with no
    due date and a note saying why, so a deletion is never blocked and the duty is never lost silently."""
    school = enrolment.school
    due_on = escalate_on = None
    due_note = ""
    try:
        days = calendar_for(school)
        due_on = nth_school_day_after(days, left_on, CTF_DUE_SCHOOL_DAYS)
        escalate_on = nth_school_day_after(days, due_on, 1)
    except (NoCalendar, CalendarNotCovered) as exc:
        due_note = (
            f"Due {CTF_DUE_SCHOOL_DAYS} school days after {long_date(left_on)}, when the pupil left; "
            f"the date cannot be counted yet: {exc}"
        )
    return open_case_task(
        user,
        case,
        step_id=send_ctf_step_id(enrolment),
        title=SEND_CTF_TITLE,
        role=Role.SCHOOL_LEAD,
        school=school,
        opened_on=left_on,
        due_on=due_on,
        due_note=due_note,
        evidence_required=(
            "The CTF's file name and the date it was uploaded to School to School (s2s); to the new school, "
            "or to XXXXXXX (Lost Pupil Database) when the destination is unknown"
        ),
        escalate_on=escalate_on,
        escalate_to=Role.CME_OFFICER,
    )
