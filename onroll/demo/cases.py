"""The rows of one demo case: the case, its vulnerabilities and sharing, status changes, notes, contact
attempts and the referral that started it, dated through the case's life."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from onroll.casework.models import (
    Case,
    CaseNote,
    Category,
    ContactAttempt,
    ContactMethod,
    ContactOutcome,
    Outcome,
    ProvisionType,
    ReferralSource,
    StatusChange,
)
from onroll.referrals.models import Referral

from . import pools as p
from .case_plans import CasePlan
from .roll import Spell
from .world import Batch, World, random_day

SOURCES = {
    Category.AT_RISK: {
        "school": 60,
        "ews": 10,
        "social_care": 8,
        "health": 8,
        "police": 4,
        "youth_justice": 4,
        "spa": 6,
    },
    Category.MISSING_LOCATED: {
        "admissions": 20,
        "school": 20,
        "housing": 15,
        "health": 15,
        "spa": 10,
        "public": 5,
        "other_la": 10,
        "police": 5,
    },
    Category.MISSING_NOT_LOCATED: {
        "school": 60,
        "ews": 10,
        "other_la": 10,
        "police": 5,
        "housing": 10,
        "spa": 5,
    },
    Category.NOT_SUITABLE: {"school": 40, "ews": 20, "health": 20, "social_care": 10, "spa": 10},
    Category.EHE: {"school": 70, "spa": 10, "public": 10, "health": 10},
}
NOTES = {
    Category.AT_RISK: (
        "Attendance is {rate}% this term. Spoke to {contact}, who says {first} is anxious about school.",
        "Attendance support meeting held at {school}; agreed a plan with {contact} and review in four weeks.",
        "Discussed at the ROME panel; actions agreed for school and the education welfare service.",
        "School reports {first} has attended every day this week. Keep monitoring.",
    ),
    Category.MISSING_LOCATED: (
        "Family located at a new address in {town}. {contact} says an application has been made.",
        "Checked the admissions system: no application received for {first}. Sent the in-year form.",
        "Spoke to {contact}; they are waiting for a place and will attend the appointment on Monday.",
    ),
    Category.MISSING_NOT_LOCATED: (
        "Home visit: no answer and the curtains were closed. A neighbour thinks the family moved away.",
        "Checked with the health agency and housing: no new address on record.",
        "Searched the Lost Pupil Database: no match for {first}.",
        "Letter sent to the last known address asking the family to contact the CME team.",
    ),
    Category.NOT_SUITABLE: (
        "{first} is receiving {hours} hours a week of tuition. Review at panel next month.",
        "Reduced timetable agreed by {school} for six weeks, with a plan to increase hours.",
        "Spoke to {contact} about a return to full-time education.",
    ),
    Category.EHE: (
        "{contact} confirmed in writing that they are home educating. EHE adviser informed.",
        "EHE adviser visited; the education described is not yet suitable. Follow-up in six weeks.",
        "Asked {contact} for information about the education provided; no reply yet.",
    ),
}
ATTEMPTS = {
    Category.MISSING_NOT_LOCATED: (
        (ContactMethod.PHONE, ContactOutcome.NUMBER_NOT_IN_USE),
        (ContactMethod.HOME_VISIT, ContactOutcome.NO_ONE_HOME),
        (ContactMethod.LETTER, ContactOutcome.RETURNED),
        (ContactMethod.HOME_VISIT, ContactOutcome.FAMILY_MOVED),
        (ContactMethod.PHONE, ContactOutcome.NO_ANSWER),
    ),
}
USUAL_ATTEMPTS = (
    (ContactMethod.PHONE, ContactOutcome.SPOKE_TO_PARENT),
    (ContactMethod.PHONE, ContactOutcome.NO_ANSWER),
    (ContactMethod.TEXT, ContactOutcome.MESSAGE_LEFT),
    (ContactMethod.EMAIL, ContactOutcome.OTHER),
    (ContactMethod.HOME_VISIT, ContactOutcome.SPOKE_TO_CHILD),
    (ContactMethod.LETTER, ContactOutcome.OTHER),
)
ATTEMPT_DETAILS = {
    ContactOutcome.SPOKE_TO_PARENT: "Parent agreed to meet the school this week.",
    ContactOutcome.SPOKE_TO_CHILD: "Child seen and spoken to; appeared well.",
    ContactOutcome.MESSAGE_LEFT: "Asked them to call the team back.",
    ContactOutcome.NUMBER_NOT_IN_USE: "Tried both numbers on record.",
    ContactOutcome.FAMILY_MOVED: "New occupants say the family moved out last month.",
    ContactOutcome.RETURNED: "Returned marked 'not known at this address'.",
}
FULL_TIME = Decimal("32.5")
# The same alphabet as casework.services.new_reference, drawn from the seeded RNG (the service uses
# `secrets`, so its references cannot be reproduced).
REFERENCE_ALPHABET = "ABCDEFGHJKLMNPQRTUVWXYZ2346789"


def at(world: World, day: dt.date) -> dt.datetime:
    """A time in the working day on `day`, in the project's time zone."""
    minutes = world.rng.randrange(9 * 60, 17 * 60)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60)))


def _reference(world: World) -> str:
    while True:
        ref = "C-" + "".join(world.rng.choice(REFERENCE_ALPHABET) for _ in range(8))
        if ref not in world.references:
            world.references.add(ref)
            return ref


def _provision(world: World, plan: CasePlan, current: Spell | None) -> tuple[str, Decimal | None]:
    rng, category = world.rng, plan.opened_as
    if plan.category == Category.CLOSED:
        return {
            Outcome.ALTERNATIVE_PROVISION: (ProvisionType.ALTERNATIVE, Decimal(25)),
            Outcome.EHE: (ProvisionType.HOME_EDUCATION, None),
        }.get(plan.outcome, _on_roll_provision(current) if plan.on_roll else (ProvisionType.NONE, None))
    if category == Category.AT_RISK:
        if current and rng.random() < 0.15:
            return ProvisionType.REDUCED_TIMETABLE, Decimal(rng.randint(10, 20))
        return _on_roll_provision(current)
    if category == Category.NOT_SUITABLE:
        kind = rng.choice(
            (ProvisionType.REDUCED_TIMETABLE, ProvisionType.TUITION)
            if current
            else (ProvisionType.TUITION, ProvisionType.ALTERNATIVE, ProvisionType.NONE)
        )
        return kind, Decimal(0) if kind == ProvisionType.NONE else Decimal(rng.randint(4, 40)) / 2
    if category == Category.EHE:
        return ProvisionType.HOME_EDUCATION, None
    return ProvisionType.NONE, None


def _on_roll_provision(current: Spell | None) -> tuple[str, Decimal | None]:
    if current is None:
        return ProvisionType.NONE, None
    kind = {"special": ProvisionType.SPECIAL, "pru": ProvisionType.PRU}.get(
        current.plan.track, ProvisionType.MAINSTREAM
    )
    return kind, FULL_TIME


def _lead(world: World, plan: CasePlan):
    weights = (60, 30, 10) if plan.opened_as == Category.AT_RISK else (15, 75, 10)
    if plan.category == Category.CLOSED:
        weights = (50, 50, 0)
    name = world.rng.choices(("ewo.officer", "cme.officer", None), weights=weights)[0]
    return world.staff[name] if name else None


def _referrer(world: World, source: str, school_spell: Spell | None):
    if source == ReferralSource.SCHOOL:
        return school_spell.plan.org if school_spell else world.rng.choice(world.schools).org
    if source in world.agencies:
        return world.agencies[source]
    return {"spa": world.teams.get("spa"), "ews": world.teams.get("ews")}.get(source)


def _responsible(world: World, plan: CasePlan, current: Spell | None):
    on_roll_case = (
        plan.opened_as in (Category.AT_RISK, Category.NOT_SUITABLE) or plan.category == Category.CLOSED
    )
    if current and on_roll_case and world.rng.random() < 0.75:
        return current.plan.org
    return world.teams["ews" if plan.opened_as == Category.AT_RISK else "cme"]


def add_case(world: World, batch: Batch, child, plan: CasePlan, spells: list[Spell], contacts: list):
    rng = world.rng
    current = next((s for s in spells if s.leaving is None), None)
    weights = SOURCES[plan.opened_as]
    source = rng.choices(list(weights), weights=list(weights.values()))[0]
    referrer = _referrer(world, source, current or (spells[-1] if spells else None))
    provision, hours = _provision(world, plan, current)
    lead = _lead(world, plan)
    author = lead or world.staff["spa.officer"]
    end = plan.date_closed or world.today
    case = Case(
        id=world.uuid(),
        reference=_reference(world),
        child=child,
        la=world.la,
        category=plan.category,
        primary_reason_id=plan.reason,
        provision_type=provision,
        hours_per_week=hours,
        responsible_org=_responsible(world, plan, current),
        lead_professional=lead,
        referral_source=source,
        referred_by_org=referrer,
        date_identified=plan.date_identified,
        outcome=plan.outcome,
        date_closed=plan.date_closed,
        created_by=author,
        modified_by=author,
        created_at=at(world, plan.date_identified),
        modified_at=at(world, end),
    )
    batch.cases.append(case)
    batch.case_vulnerabilities.extend(
        Case.vulnerabilities.through(case_id=case.id, vulnerability_id=v) for v in plan.vulnerabilities
    )
    shared = {referrer} if referrer is not None and referrer.kind == "agency" else set()
    if world.cases_made <= 3 or rng.random() < 0.08:
        shared.add(world.agencies["health"])
    batch.case_shares.extend(Case.shared_with.through(case_id=case.id, organisation_id=o.id) for o in shared)
    _timeline(world, batch, case, plan, author)
    _activity(world, batch, case, plan, author, contacts, current)
    if referrer is not None and referrer.kind in ("school", "agency") and rng.random() < 0.85:
        batch.referrals.append(_referral(world, case, child, referrer))


def _stamped(world: World, model, author, day: dt.date, **fields):
    when = at(world, day)
    return model(created_by=author, modified_by=author, created_at=when, modified_at=when, **fields)


def _timeline(world: World, batch: Batch, case: Case, plan: CasePlan, author):
    batch.status_changes.append(
        _stamped(
            world,
            StatusChange,
            author,
            plan.date_identified,
            case=case,
            from_category="",
            to_category=plan.opened_as,
            reason="Case opened",
        )
    )
    if plan.category not in (plan.opened_as, Category.CLOSED):
        day = random_day(world.rng, plan.date_identified, world.today)
        batch.status_changes.append(
            _stamped(
                world,
                StatusChange,
                author,
                day,
                case=case,
                from_category=plan.opened_as,
                to_category=plan.category,
                reason="Family located at a new address; enquiries continue",
            )
        )
    if plan.category == Category.CLOSED:
        batch.status_changes.append(
            _stamped(
                world,
                StatusChange,
                author,
                plan.date_closed,
                case=case,
                from_category=plan.opened_as,
                to_category=Category.CLOSED,
                reason=f"Closed: {Outcome(plan.outcome).label}",
            )
        )


def _activity(
    world: World, batch: Batch, case: Case, plan: CasePlan, author, contacts: list, current: Spell | None
):
    rng = world.rng
    end = plan.date_closed or world.today
    contact = contacts[0]
    words = {
        "first": case.child.known_as.split(" ")[0],
        "contact": contact.name,
        "rate": rng.randint(55, 88),
        "school": current.plan.school.name if current else "the school",
        "hours": case.hours_per_week or 0,
        "town": rng.choice(world.pools.towns),
    }
    for template in rng.sample(NOTES[plan.opened_as], k=rng.randint(1, min(3, len(NOTES[plan.opened_as])))):
        batch.notes.append(
            _stamped(
                world,
                CaseNote,
                author,
                random_day(rng, plan.date_identified, end),
                case=case,
                text=template.format(**words),
            )
        )
    choices = ATTEMPTS.get(plan.opened_as, USUAL_ATTEMPTS)
    for _ in range(rng.randint(1, 4)):
        method, outcome = rng.choice(choices)
        who = contact.name if method != ContactMethod.HOME_VISIT else f"{contact.name} at home"
        day = random_day(rng, plan.date_identified, end)
        batch.attempts.append(
            _stamped(
                world,
                ContactAttempt,
                author,
                day,
                case=case,
                made_on=day,
                method=method,
                outcome=outcome,
                contacted=f"{who} ({contact.relationship.lower()})",
                details=ATTEMPT_DETAILS.get(outcome, ""),
            )
        )


def _referral(world: World, case: Case, child, org) -> Referral:
    rng = world.rng
    gb = world.pools.names["gb"]
    first, last = rng.choice(gb.female if rng.random() < 0.6 else gb.male), rng.choice(gb.last)
    day = case.date_identified - dt.timedelta(days=rng.randint(0, 3))
    details = {
        Category.MISSING_NOT_LOCATED: "Not seen since the start of the month; phone number no longer works.",
        Category.MISSING_LOCATED: "Family have moved into the area and the child is not on any school roll.",
        Category.EHE: "Parent has written to say they will home educate from today.",
    }.get(case.category, "Attendance has fallen and the family are hard to reach.")
    return Referral(
        child=child,
        case=case,
        referrer_org=org,
        referrer_name=f"{first} {last}",
        referrer_contact=f"{p.mobile(rng)}, {p.email(rng, first, last)}",
        referral_date=day,
        date_received=case.date_identified,
        details=details,
        created_at=at(world, case.date_identified),
        modified_at=at(world, case.date_identified),
    )
