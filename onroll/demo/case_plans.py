"""Deciding a demo case before its child's roll history is built, so the two agree: a child missing
education has left their school, a child at risk is still on a roll, a closed case ended in a way that fits.
"""

import datetime as dt
from dataclasses import dataclass, field

from onroll.casework.models import CSA_CATEGORIES, Category, Outcome
from onroll.core import school_age

from .world import World, random_day

CATEGORY_WEIGHTS = {
    Category.AT_RISK: 30,
    Category.MISSING_LOCATED: 12,
    Category.MISSING_NOT_LOCATED: 10,
    Category.NOT_SUITABLE: 10,
    Category.EHE: 13,
    Category.CLOSED: 25,
}
OPEN_WEIGHTS = {c: w for c, w in CATEGORY_WEIGHTS.items() if c != Category.CLOSED}

REASONS = {  # reference/case_reasons.csv codes that fit each category; repeats make a reason commoner
    Category.AT_RISK: tuple(
        "absent_5_days_unexplained absent_10_days_unexplained frequent_absence frequent_absence "
        "poor_attendance_additional_needs school_cannot_meet_needs sen_escalation care_placement_change "
        "in_year_admission_instability permanent_exclusion medical_needs bullying family_breakdown "
        "youth_offending on_roll_missing_out mid_year_transfer failed_transition homelessness_or_refuge "
        "family_mobility".split()
    ),
    Category.MISSING_LOCATED: tuple(
        "not_on_roll not_taken_up_place no_place_after_moving_in awaiting_application_outcome "
        "failed_to_register_at_5 withdrawn_by_parents exclusion_or_withdrawal homelessness_or_refuge "
        "between_placements".split()
    ),
    Category.MISSING_NOT_LOCATED: tuple(
        "left_destination_unknown absent_20_days_unauthorised absent_10_days_after_leave "
        "believed_moved_abroad moved_out_of_la family_mobility".split()
    ),
    Category.NOT_SUITABLE: tuple(
        "out_of_provision_4_weeks medical_needs permanent_exclusion exclusion_or_withdrawal "
        "between_placements on_roll_missing_out school_cannot_meet_needs".split()
    ),
    Category.EHE: ("unsuitable_ehe", "parents_not_engaging", "withdrawn_by_parents", "bullying"),
}
# Reasons whose child was never on a roll here.
NEVER_ENROLLED = {"no_place_after_moving_in", "awaiting_application_outcome", "failed_to_register_at_5"}
# Not-suitable reasons where the child is still on a roll, on a part-time timetable or tuition.
ON_ROLL_NOT_SUITABLE = {"medical_needs", "on_roll_missing_out", "school_cannot_meet_needs"}
LEAVING_REASONS = {
    "absent_20_days_unauthorised": "Deleted: 20 school days' unauthorised absence after reasonable enquiries",
    "absent_10_days_after_leave": "Deleted: did not return within 10 school days of agreed leave",
    "left_destination_unknown": "Left: destination unknown",
    "believed_moved_abroad": "Believed to have moved abroad",
    "moved_out_of_la": "Moved out of the area",
    "family_mobility": "Moved away",
    "withdrawn_by_parents": "Withdrawn by parents",
    "exclusion_or_withdrawal": "Withdrawn",
    "permanent_exclusion": "Permanently excluded",
    "homelessness_or_refuge": "Family moved into temporary accommodation",
    "between_placements": "Care placement ended",
    "out_of_provision_4_weeks": "Withdrawn",
}
OUTCOMES = {
    Category.AT_RISK: (
        Outcome.RISK_REDUCED,
        Outcome.RISK_REDUCED,
        Outcome.BACK_ON_ROLL,
        Outcome.ALTERNATIVE_PROVISION,
    ),
    Category.MISSING_LOCATED: (Outcome.BACK_ON_ROLL, Outcome.BACK_ON_ROLL, Outcome.EHE, Outcome.SAO),
    Category.MISSING_NOT_LOCATED: (
        Outcome.MOVED_LA,
        Outcome.MOVED_ABROAD,
        Outcome.LOST_CTF,
        Outcome.BACK_ON_ROLL,
    ),
    Category.NOT_SUITABLE: (Outcome.BACK_ON_ROLL, Outcome.ALTERNATIVE_PROVISION),
    Category.EHE: (Outcome.BACK_ON_ROLL, Outcome.SAO),
}
# Outcomes after which the child is on a school roll today.
ON_ROLL_OUTCOMES = {Outcome.BACK_ON_ROLL, Outcome.RISK_REDUCED, Outcome.ALTERNATIVE_PROVISION, Outcome.SAO}
VULNERABILITY_WEIGHTS = {
    "domestic_abuse": 6,
    "homeless": 5,
    "high_mobility": 4,
    "immigration": 4,
    "refugee_asylum": 3,
    "mental_health": 8,
    "parental_mental_health": 6,
    "send": 8,
    "bullying_discrimination": 4,
    "criminal_exploitation": 3,
    "substance_misuse": 2,
    "youth_justice": 2,
    "young_carer": 3,
    "troubled_family": 4,
    "disadvantaged": 6,
    "child_protection": 3,
    "long_term_medical": 4,
    "reduced_timetable": 3,
    "permanently_excluded": 2,
    "runaway": 1,
    "sexual_exploitation": 1,
}


@dataclass
class CasePlan:
    category: str
    opened_as: str
    reason: str
    date_identified: dt.date
    date_closed: dt.date | None = None
    outcome: str = ""
    on_roll: bool = True  # the child has a current enrolment today
    left_on: dt.date | None = None  # the day the child's last school spell ended
    leaving_reason: str = ""
    never_enrolled: bool = False
    rejoin_on: dt.date | None = None  # back on a roll after being off one
    to_pru: bool = False
    vulnerabilities: list[str] = field(default_factory=list)


def _csa(dob: dt.date, *days: dt.date) -> bool:
    return all(school_age.is_compulsory_school_age(dob, d) for d in days)


def _category(world: World, dob: dt.date, identified: dt.date) -> str:
    """The first few cases go round every category so even a tiny demo shows them all."""
    cycle = list(CATEGORY_WEIGHTS)
    wanted = cycle[world.cases_made % len(cycle)] if world.cases_made < 2 * len(cycle) else None
    wanted = wanted or world.rng.choices(cycle, weights=list(CATEGORY_WEIGHTS.values()))[0]
    if wanted in CSA_CATEGORIES and not _csa(dob, identified, world.today):
        return world.rng.choice((Category.AT_RISK, Category.CLOSED))
    return wanted


def _reason(world: World, category: str, nc_now: int) -> str:
    options = [
        r for r in REASONS[category] if r in world.reasons and (r != "failed_to_register_at_5" or nc_now <= 1)
    ]
    if world.rng.random() < 0.03 and "other" in world.reasons:
        return "other"
    # Until every reason has appeared, prefer one not used yet, so the demo shows them all.
    unused = [r for r in options if r not in world.reasons_used]
    reason = world.rng.choice(unused or options or sorted(world.reasons))
    world.reasons_used.add(reason)
    return reason


def _vulnerabilities(world: World, flags: dict) -> list[str]:
    rng = world.rng
    known = [v for v in VULNERABILITY_WEIGHTS if v in world.vulnerabilities]
    chosen = set(
        rng.choices(known, weights=[VULNERABILITY_WEIGHTS[v] for v in known], k=rng.choice((0, 1, 1, 2, 3)))
    )
    from_flags = {
        "looked_after": "looked_after",
        "young_carer": "young_carer",
        "ehcp": "send",
        "child_protection_plan": "child_protection",
        "gypsy_roma_traveller": "gypsy_roma_traveller",
        "service_child": "service_child",
    }
    chosen |= {v for f, v in from_flags.items() if flags.get(f) and v in world.vulnerabilities}
    return sorted(chosen)


def _shape_open(world: World, plan: CasePlan, category: str, dob: dt.date):
    """How the child's roll history looks for an open case of this category."""
    rng = world.rng
    if category == Category.AT_RISK:
        if plan.reason == "permanent_exclusion" and _csa(dob, plan.date_identified):
            plan.to_pru, plan.leaving_reason = True, LEAVING_REASONS["permanent_exclusion"]
            plan.left_on = random_day(rng, plan.date_identified - dt.timedelta(days=40), plan.date_identified)
        return
    if category == Category.NOT_SUITABLE and plan.reason in ON_ROLL_NOT_SUITABLE:
        return
    plan.on_roll = False
    plan.never_enrolled = plan.reason in NEVER_ENROLLED or (
        plan.reason == "not_on_roll" and rng.random() < 0.5
    )
    plan.left_on = random_day(rng, plan.date_identified - dt.timedelta(days=30), plan.date_identified)
    default = "Parent chose elective home education" if category == Category.EHE else "Left"
    plan.leaving_reason = LEAVING_REASONS.get(plan.reason, default)


def _close(world: World, plan: CasePlan, dob: dt.date):
    rng = world.rng
    plan.outcome = rng.choice(OUTCOMES[plan.opened_as])
    span = (world.today - plan.date_identified).days
    plan.date_closed = plan.date_identified + dt.timedelta(days=rng.randint(7, max(7, min(150, span))))
    leaves_csa = school_age.csa_end(dob)
    if plan.date_identified < leaves_csa < world.today and rng.random() < 0.5:
        plan.outcome = Outcome.NOT_CSA
        plan.date_closed = min(leaves_csa + dt.timedelta(days=rng.randint(1, 20)), world.today)
    now_on_roll = plan.outcome in ON_ROLL_OUTCOMES
    if now_on_roll and not plan.on_roll:
        plan.rejoin_on = random_day(rng, plan.date_closed - dt.timedelta(days=15), plan.date_closed)
        plan.rejoin_on = max(plan.rejoin_on, plan.left_on or plan.rejoin_on)
    elif not now_on_roll and plan.on_roll:
        plan.on_roll = False
        plan.left_on = random_day(rng, plan.date_identified, plan.date_closed)
        if plan.outcome == Outcome.NOT_CSA:
            plan.left_on = min(leaves_csa, plan.date_closed)
        plan.leaving_reason = {
            Outcome.MOVED_LA: "Moved to another local authority",
            Outcome.MOVED_ABROAD: "Moved abroad",
            Outcome.EHE: "Parent chose elective home education",
            Outcome.NOT_CSA: "Completed Year 11",
        }.get(plan.outcome, "Left")
    plan.on_roll = now_on_roll


def plan_case(world: World, dob: dt.date, nc_now: int, flags: dict) -> CasePlan:
    rng = world.rng
    closing = None
    identified = world.today - dt.timedelta(days=rng.randrange(365))
    category = _category(world, dob, identified)
    if category == Category.CLOSED:
        closing = True
        identified = world.today - dt.timedelta(days=rng.randrange(30, 365))
        opened_as = rng.choices(list(OPEN_WEIGHTS), weights=list(OPEN_WEIGHTS.values()))[0]
        if opened_as in CSA_CATEGORIES and not _csa(dob, identified):
            opened_as = Category.AT_RISK
    else:
        opened_as = category
        if category == Category.MISSING_LOCATED and rng.random() < 0.3:
            opened_as = Category.MISSING_NOT_LOCATED  # found later: a second status change
    plan = CasePlan(category, opened_as, _reason(world, opened_as, nc_now), identified)
    _shape_open(world, plan, opened_as, dob)
    if closing:
        _close(world, plan, dob)
    plan.vulnerabilities = _vulnerabilities(world, flags)
    world.cases_made += 1
    return plan
