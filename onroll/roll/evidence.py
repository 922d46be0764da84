"""The evidence a deletion proposal's conditions are checked against, and whether the LA must decide.

`evidence_for` gathers every fact Onroll holds about a proposal as of a date (the G/N/O run and the leave of
absence from the marks, with the attendance measures; joint enquiries from the enquiry log; the parent's
written notice; the LA's consent; the school's type; what its records show) plus the school's
declarations; `check` runs the ground's conditions over it (`conditions.evaluate`) and adds what else holds
a deletion back: the LA's permission and an open investigation.
"""

import datetime as dt
import functools
from dataclasses import dataclass

from django.conf import settings

from onroll.attendance.measures import CodeIndex
from onroll.attendance.queries import attendance_for
from onroll.casework.models import Case, Exclusion, ExclusionKind, Outcome
from onroll.children.models import Enrolment, EnrolmentStatus
from onroll.core.dates import long_date
from onroll.procedures.models import ProcedurePackVersion, Task, TaskStatus
from onroll.schools.calendar import CalendarNotCovered, nth_school_day_after
from onroll.schools.models import SchoolType
from onroll.schools.queries import NoCalendar, calendar_for

from . import conditions as c
from .models import Decision, DeletionProposal
from .queries import enquiry_log

# Steps of the seeded procedure packs where the LA tells the school it may delete the pupil (Achieving for
# Children's day-20 permission; Portsmouth's written outcome of the investigation).
PERMISSION_STEP_IDS = ("permission_to_remove", "written_outcome")
# Steps that are the LA's investigation: while one is open the child stays on roll (Portsmouth 2.4).
INVESTIGATION_STEP_IDS = ("joint_enquiries", "ews_enquiries")
SPECIAL_TYPES = {SchoolType.SPECIAL, SchoolType.NON_MAINTAINED_SPECIAL}
# Regulation 9(1)(m)/(n) "LA-maintained or an Academy": free schools are academies; PRUs and (maintained)
# special schools are LA-maintained.
SCHOOL_TYPE_GROUPS = {
    "la_maintained": {SchoolType.MAINTAINED, SchoolType.PRU, SchoolType.SPECIAL},
    "academy": {SchoolType.ACADEMY, SchoolType.FREE},
}
LEAVE_RETURN_SCHOOL_DAYS = 10  # (h): the school days after a leave ends within which the pupil must attend


def permission_step(school):
    """(pack name, step) of the permission step in the pack that applies to the school, or None."""
    pack_id = school.procedure_pack or school.la.procedure_pack
    if not pack_id:
        return None
    version = ProcedurePackVersion.objects.filter(pack_id=pack_id).order_by("-version").first()
    if version is None:
        return None
    for step in version.content.get("steps", []):
        if step.get("id") in PERMISSION_STEP_IDS:
            return version.name, step
    return None


def investigation_open(case) -> bool:
    if case is None:
        return False
    return Task.objects.filter(case=case, step_id__in=INVESTIGATION_STEP_IDS, status=TaskStatus.OPEN).exists()


def cwsa_relevant_child(child, school) -> list[str]:
    """Why the child is a "relevant child" under CWSA 2026 s37 (new EA 1996 s434A), if they are."""
    reasons = []
    if school.school_type in SPECIAL_TYPES and child.ehcp:
        reasons.append("placed at a special school (Condition A)")
    if child.child_protection_plan:
        reasons.append("child protection plan: s47 enquiries or action (Condition B)")
    return reasons


def procedure_permission(proposal: DeletionProposal) -> str | None:
    """The pack step under which the LA gives permission for this ground, in words, or None."""
    if not proposal.ground.needs_joint_enquiries:
        return None
    found = permission_step(proposal.school)
    if not found:
        return None
    name, step = found
    return f"{name}: {step.get('title', step.get('id'))}"


def consent_reasons(proposal: DeletionProposal) -> list[str]:
    """Why the law needs the LA's consent to this deletion (regulation 9(2); CWSA 2026 s37)."""
    reasons = []
    ground, school = proposal.ground, proposal.school
    if "special_school_consent_ok" in ground.conditions and school.school_type in SPECIAL_TYPES:
        reasons.append("Regulation 9(2): a pupil at a special school needs the LA's consent")
    if "cwsa_s37_consent_ok" in ground.conditions and settings.ONROLL_CWSA_S37_CONSENT:
        for why in cwsa_relevant_child(proposal.child, school):
            reasons.append(f"Children's Wellbeing and Schools Act 2026 s37: the LA must consent ({why})")
    return reasons


def permission_reasons(proposal: DeletionProposal) -> list[str]:
    """Why the LA must decide before this deletion; empty when the school may go ahead alone."""
    procedure = procedure_permission(proposal)
    return ([procedure] if procedure else []) + consent_reasons(proposal)


def decision_step_id(proposal: DeletionProposal) -> str:
    """The LA's task to decide, opened when no procedure step asks for the decision already."""
    return f"decide_removal:{proposal.pk}"


# --- evidence ----------------------------------------------------------------------------------------------


@functools.cache
def _codes() -> CodeIndex:
    return CodeIndex.from_table()


def _is_leave(code: str) -> bool:
    index = _codes()
    return bool(code) and code in index.number and bool(index.leave[index.number[code]])


def attendance_facts(child, school, on: dt.date) -> dict[str, c.Fact]:
    attendance = attendance_for(child, school, on)
    names = (
        "continuous_absence_school_days",
        "all_sessions_in_period_coded_in(G,N,O)",
        "leave_of_absence_given",
        "leave_period_ended",
        "attended_within_10_school_days_after_leave_end",
    )
    if not attendance.recorded:
        return {name: c.Fact(None, attendance.reason) for name in names}
    m, as_of = attendance.measures, attendance.as_of
    run = m.gno_run_days
    facts = {
        "continuous_absence_school_days": c.Fact(
            run, f"{run} school days in a row with every session G, N or O, up to {long_date(as_of)}"
        ),
        "all_sessions_in_period_coded_in(G,N,O)": c.Fact(
            run >= 20,
            f"the last {run} school days to {long_date(as_of)} are all G, N or O"
            if run
            else f"{long_date(as_of)} is not coded G, N or O",
        ),
    }
    leave_days = [d.date for d in attendance.days if _is_leave(d.am_code) or _is_leave(d.pm_code)]
    if not leave_days:
        note = "no leave-of-absence mark this school year"
        facts["leave_of_absence_given"] = c.Fact(False, note)
        facts["leave_period_ended"] = c.Fact(None, note)
        facts["attended_within_10_school_days_after_leave_end"] = c.Fact(None, note)
        return facts
    last = max(leave_days)
    facts["leave_of_absence_given"] = c.Fact(True, f"leave of absence marked, last day {long_date(last)}")
    ended = last < as_of
    facts["leave_period_ended"] = c.Fact(
        ended, f"the leave ended on {long_date(last)}" if ended else f"the leave runs to {long_date(last)}"
    )
    since = m.days_since_leave_unreturned
    if not ended:
        attended = c.Fact(None, "the leave has not ended")
    elif since >= LEAVE_RETURN_SCHOOL_DAYS:
        attended = c.Fact(False, f"no attendance in the {since} school days since the leave ended")
    elif since == 0:
        attended = c.Fact(True, "the pupil attended after the leave ended")
    else:
        attended = c.Fact(
            None, f"only {since} of the {LEAVE_RETURN_SCHOOL_DAYS} school days after the leave have passed"
        )
    facts["attended_within_10_school_days_after_leave_end"] = attended
    return facts


def enquiry_facts(case) -> dict[str, c.Fact]:
    if case is None:
        note = "no case: enquiries are recorded on the child's case"
        return {"joint_reasonable_efforts_made": c.Fact(None, note), "pupil_located": c.Fact(None, note)}
    verdict = enquiry_log(case).verdict
    if verdict.made:
        made = c.Fact(True, "every required enquiry done, by the school and the LA")
    else:
        made = c.Fact(False, "still needed: " + "; ".join(verdict.still_needed()))
    if verdict.child_found:
        located = c.Fact(True, "an enquiry found the child")
    elif verdict.made:
        located = c.Fact(False, "joint enquiries made and the child not found")
    else:
        located = c.Fact(None, "joint enquiries are not complete")
    return {"joint_reasonable_efforts_made": made, "pupil_located": located}


def _consent(granted: str, why: str) -> c.Fact:
    if granted == Decision.GRANTED:
        return c.Fact(True, f"{why}: the LA consented")
    if granted == Decision.REFUSED:
        return c.Fact(False, f"{why}: the LA refused")
    return c.Fact(None, f"{why}: needs the LA's consent")


def evidence_for(proposal: DeletionProposal, on: dt.date) -> c.Evidence:
    """Every fact about the proposal as of `on`: what Onroll holds, then what the school declared."""
    child, school = proposal.child, proposal.school
    facts = attendance_facts(child, school, on)
    facts.update(enquiry_facts(proposal.case))
    notice = proposal.ehe_notice_received_on
    facts["written_parent_notice_leaving_for_education_otherwise"] = c.Fact(
        notice is not None,
        f"written notice received on {long_date(notice)}" if notice else "no written notice recorded",
    )
    last = proposal.ehe_last_day
    facts["notified_last_day_of_attendance"] = c.Fact(last, long_date(last) if last else "not recorded")
    facts["today"] = c.Fact(on, long_date(on))
    if school.school_type in SPECIAL_TYPES:
        facts["special_school_consent_ok"] = _consent(proposal.decision, "a special school placement")
    else:
        facts["special_school_consent_ok"] = c.Fact(True, "not a special school")
    relevant = cwsa_relevant_child(child, school)
    if not settings.ONROLL_CWSA_S37_CONSENT:
        facts["cwsa_s37_consent_ok"] = c.Fact(True, "s37 consent is switched off in the settings")
    elif relevant:
        facts["cwsa_s37_consent_ok"] = _consent(proposal.decision, "; ".join(relevant))
    else:
        facts["cwsa_s37_consent_ok"] = c.Fact(
            True, "no special school placement and no child protection plan"
        )
    types = SCHOOL_TYPE_GROUPS["la_maintained"] | SCHOOL_TYPE_GROUPS["academy"]
    facts["school_type_in(la_maintained,academy)"] = c.Fact(
        school.school_type in types, f"{school.get_school_type_display().lower()} school"
    )
    facts.update(record_facts(child, school, on))
    for declaration in proposal.declarations.select_related("created_by"):
        if declaration.fact in c.EVIDENCE_FACTS or declaration.fact in facts:
            continue  # what Onroll holds wins over a declaration
        who = declaration.created_by.get_full_name() if declaration.created_by else "someone"
        said = f": {declaration.statement}" if declaration.statement else ""
        facts[declaration.fact] = c.Fact(
            declaration.value,
            f"{'yes' if declaration.value else 'no'}, declared by {who} on "
            f"{long_date(declaration.created_at.date())}{said}",
            declared=True,
        )
    return c.Evidence(facts=facts)


def record_facts(child, school, on: dt.date) -> dict[str, c.Fact]:
    """Facts a school could declare but Onroll already knows from its records, so none is asked for: a
    permanent exclusion recorded from this school, the pupil on another school's roll, a case closed because
    the child died, and the end of compulsory school age from the date of birth and the school's calendar
    (when its term dates reach the next school day). Only what the records show is set: their silence is
    not evidence, so the school may still declare."""
    facts = {}
    exclusion = (
        Exclusion.objects.filter(child=child, school=school, kind=ExclusionKind.PERMANENT, first_day__lte=on)
        .order_by("-first_day")
        .first()
    )
    if exclusion is not None:
        facts["permanently_excluded"] = c.Fact(
            True, f"permanent exclusion recorded from {long_date(exclusion.first_day)}"
        )
    elsewhere = (
        Enrolment.objects.filter(child=child, status=EnrolmentStatus.ON_ROLL, entry_date__lte=on)
        .exclude(school=school)
        .select_related("school")
        .order_by("-entry_date")
        .first()
    )
    if elsewhere is not None:
        note = f"on {elsewhere.school}'s roll from {long_date(elsewhere.entry_date)}"
        facts["pupil_registered_at_other_school"] = c.Fact(True, note)
        facts["registered_at_one_or_more_other_schools"] = c.Fact(True, note)
    died = Case.objects.filter(child=child, outcome=Outcome.DIED).order_by("-date_closed").first()
    if died is not None:
        facts["pupil_died"] = c.Fact(True, f"case {died.reference} closed: child died")
    try:
        next_day = nth_school_day_after(calendar_for(school), on, 1)
    except (NoCalendar, CalendarNotCovered):
        return facts
    end = child.csa_end()
    facts["will_be_over_csa_by_next_time_school_meets"] = c.Fact(
        end < next_day,
        f"compulsory school age ends {long_date(end)}; the school next meets {long_date(next_day)}",
    )
    return facts


def declarable_now(proposal: DeletionProposal, on: dt.date) -> list[str]:
    """The facts of the ground the school may still declare: those Onroll does not hold."""
    held = record_facts(proposal.child, proposal.school, on)
    return [fact for fact in c.declarable_facts(proposal.ground.conditions) if fact not in held]


@dataclass(frozen=True)
class Check:
    """Everything the proposal page and the deletion need to know."""

    on: dt.date
    results: tuple[c.ConditionResult, ...]
    permission_reasons: tuple[str, ...]
    investigation_open: bool

    @property
    def conditions_ok(self) -> bool:
        return c.all_satisfied(list(self.results))

    def blockers(self, proposal) -> list[str]:
        found = [f"Condition not met: {r.statement}" for r in self.results if r.status == c.Status.UNMET]
        found += [
            f"Needs a declaration: {r.statement}"
            for r in self.results
            if r.status == c.Status.NEEDS_DECLARATION
        ]
        if self.permission_reasons and proposal.decision != Decision.GRANTED:
            found.append(
                "The LA has refused permission"
                if proposal.decision == Decision.REFUSED
                else "The LA has not given permission yet"
            )
        if self.investigation_open:
            found.append("The LA's investigation is still open: the child stays on roll until it ends")
        return found


def check(proposal: DeletionProposal, on: dt.date) -> Check:
    return Check(
        on=on,
        results=tuple(c.evaluate(proposal.ground.conditions, evidence_for(proposal, on))),
        permission_reasons=tuple(permission_reasons(proposal)),
        investigation_open=investigation_open(proposal.case),
    )
