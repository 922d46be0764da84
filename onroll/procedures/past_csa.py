"""Open cases of children past compulsory school age. The LA's children-missing-education duty ends at the
end of compulsory school age (the last Friday in June of Year 11); a case left open after that keeps a
young person on the register when post-16 support is the right route. The daily run opens one task per
such case for the CME officer: close the case as *No longer of compulsory school age*, or record why it
stays open."""

import datetime as dt

from django.db import transaction

from onroll.accounts.models import Role
from onroll.casework.models import Case, Category
from onroll.core.dates import long_date
from onroll.schools.calendar import nth_working_day_after
from onroll.schools.models import LocalAuthority

from . import services  # the module, not its names: services imports run, which imports this

STEP_ID = "past_compulsory_school_age"
REVIEW_WORKING_DAYS = 5
# Compulsory school age never ends before the age of 15 years and 9 months (a child born on 31 August
# leaves in late June, two months before turning 16): only children born this many days before are read.
YOUNGEST_PAST_CSA_DAYS = 365 * 15


@transaction.atomic
def review_cases_past_csa(la: LocalAuthority, on: dt.date, user) -> int:
    """Open the review task for each of the LA's open cases whose child was past compulsory school age on
    `on`, once per case (a rerun opens none). Returns how many were opened."""
    cases = (
        Case.objects.filter(la=la, child__date_of_birth__lte=on - dt.timedelta(days=YOUNGEST_PAST_CSA_DAYS))
        .exclude(category=Category.CLOSED)
        .exclude(tasks__step_id=STEP_ID)  # reviewed already (the task may be done)
        .select_related("child")
    )
    opened = 0
    for case in cases:
        ended = case.child.csa_end()
        if ended >= on:
            continue
        due = nth_working_day_after(on, REVIEW_WORKING_DAYS)
        services.open_case_task(
            user,
            case,
            step_id=STEP_ID,
            title=f"{case.child.full_name} was no longer of compulsory school age after {long_date(ended)}: "
            f"close case {case.reference} (no longer of compulsory school age), or record why it stays open",
            role=Role.CME_OFFICER,
            opened_on=on,
            due_on=due,
            evidence_required="The case's outcome, or why it stays open (post-16 support arranged, say)",
            escalate_on=nth_working_day_after(due, 1),
            escalate_to=Role.PANEL_CHAIR,
        )
        opened += 1
    return opened
