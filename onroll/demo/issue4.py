"""Removal from roll, transfers, outcomes and registers in the demo, so that their pages are not empty.

Run once after the demo's first daily run (`demo_data`). Everything goes through the apps' own service
functions, as the demo users would through the web pages, so the tasks, audit events and derived states are
the real ones: reasonable enquiries on a few cases (one with joint enquiries made and the child not found),
deletion proposals in each state (waiting for the LA's consent, granted and deleted with its deletion return
and the "Send the CTF" task, refused, and a deletion the school makes alone followed by its CTF), a lost CTF,
moves to a neighbouring LA (one waiting for confirmation, one confirmed), notifications from that LA,
cases closed with each outcome's details, a permanent exclusion and a long suspension with their provision
tasks, the EHE register with reviews (one overdue) and the register of children not in school switched on.

A handful of each, chosen with an RNG seeded from the LA code, so the same demo gets the same story.
"""

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from onroll.accounts.models import User
from onroll.casework import exclusions
from onroll.casework.models import Case, Category, ExclusionKind, Outcome, Reason
from onroll.casework.models import ConfirmedHow as OutcomeConfirmedHow
from onroll.casework.services import close_case
from onroll.children.models import Enrolment, EnrolmentStatus
from onroll.children.services import update_child
from onroll.procedures.run import escalate_case_tasks, run_user
from onroll.registers import services as registers
from onroll.registers.models import LASettings, NoticeKind, ReviewOutcome
from onroll.roll import evidence as roll_evidence
from onroll.roll import queries as roll_queries
from onroll.roll import services as roll
from onroll.roll.models import (
    Decision,
    DeletionGround,
    EnquiryGroup,
    EnquiryMethod,
    EnquiryOutcome,
)
from onroll.schools.calendar import CalendarNotCovered, school_days_in
from onroll.schools.models import LocalAuthority
from onroll.schools.queries import NoCalendar, calendar_for
from onroll.transfers import services as transfers
from onroll.transfers.models import ConfirmedHow as MoveConfirmedHow
from onroll.transfers.models import DestinationKind, MoveDestination

from .world import weekday_on_or_before

# A neighbouring authority for moves, CTFs and notifications. Not a real LA number (real ones stop in the
# 900s below 970; the demo LA is 990 and the tests use 98x and 991).
NEIGHBOUR_CODE, NEIGHBOUR_NAME = "970", "Eastmere"
OPEN = [c for c in Category.values if c != Category.CLOSED]
SCHOOL_GROUPS = {EnquiryGroup.FAMILY, EnquiryGroup.SCHOOLS}
# What the school declares in the demo's deletions (facts Onroll cannot know from its records).
DECLARED = {
    "sao_naming_this_school_in_force": False,
    "no_longer_normally_lives_reasonable_distance": True,
    "reasonable_grounds_pupil_will_attend_again": False,
    "boarder": False,
}
EVIDENCE = {
    "parents_all_numbers": "Called both parents' mobiles and the home number: no answer, no voicemail.",
    "letter_last_address": "Letter sent first class to the last known address; nothing back yet.",
    "home_visit": "Home visit by the attendance officer: curtains drawn, post piled up inside the door.",
    "siblings_schools": "Checked with the schools of the two younger siblings: neither has attended either.",
    "relatives": "Spoke to the aunt named on the contact sheet; she has not heard from the family.",
    "local_databases": "Searched the LA's education, social care and council tax records: no newer address.",
    "housing": "Housing say the tenancy was ended by the landlord; no forwarding address given.",
    "health": "Health visitor and GP surgery: no new registration recorded.",
    "social_care": "Children's social care: not known to the service, no open referral.",
    "s2s_lost_pupil_search": "Searched the Lost Pupil Database on School to School: no match.",
    "police": "Police safeguarding hub: no information held about the family.",
    "admissions": "Admissions: no in-year application received for the child.",
}


@dataclass
class Issue4Report:
    counts: Counter = field(default_factory=Counter)

    def summary(self) -> str:
        c = self.counts
        return (
            f"Removals, transfers and registers: {c['enquiries']} reasonable enquiries on "
            f"{c['enquiry_cases']} cases, {c['proposals']} deletion proposals ({c['deleted']} deleted), "
            f"{c['ctfs']} CTFs produced, {c['moves']} moves, {c['arrivals']} notifications from another LA, "
            f"{c['closed']} cases closed with outcomes, {c['exclusions']} exclusions, {c['ehe']} on the EHE "
            f"register, {c['cnis']} on the register of children not in school."
        )


class _Demo:
    def __init__(self, la: LocalAuthority, today: dt.date, user_prefix: str, seed: int):
        self.la, self.today = la, today
        self.rng = random.Random(f"{seed}:{la.code}:issue4")
        names = ("school.lead", "spa.officer", "cme.officer", "business.support")
        users = {u.username: u for u in User.objects.filter(username__in=[user_prefix + n for n in names])}
        self.lead, self.spa, self.cme, self.support = (users[user_prefix + n] for n in names)
        self.school = self.lead.organisation.school
        self.report = Issue4Report()
        # Pupils on roll since before this date: every date in the story falls after they joined.
        self.settled = today - dt.timedelta(days=90)
        self.used: set = set()  # children already given a part in the story
        self.neighbour, _ = LocalAuthority.objects.get_or_create(
            code=NEIGHBOUR_CODE, defaults={"name": NEIGHBOUR_NAME}
        )

    # --- picking ------------------------------------------------------------------------------------------

    def school_days_back(self, n: int) -> dt.date:
        """The nth school day before today at the lead's school (weekdays when the calendar runs out)."""
        try:
            days = school_days_in(calendar_for(self.school), self.today - dt.timedelta(days=120), self.today)
        except (NoCalendar, CalendarNotCovered):
            days = ()
        days = [d for d in days if d < self.today]
        if len(days) >= n:
            return days[-n]
        return weekday_on_or_before(self.today - dt.timedelta(days=n * 7 // 5 + 1))

    def pick(self, queryset, n: int) -> list:
        rows = [row for row in queryset.order_by("pk") if self._child_id(row) not in self.used]
        chosen = self.rng.sample(rows, min(n, len(rows)))
        self.used.update(self._child_id(row) for row in chosen)
        return chosen

    @staticmethod
    def _child_id(row):
        return row.child_id if hasattr(row, "child_id") else row.pk

    def cases(self, *categories, at_school: bool = False, with_upn: bool = False):
        cases = Case.objects.filter(la=self.la, category__in=categories).select_related("child")
        if at_school:
            cases = cases.filter(
                child__enrolments__school=self.school,
                child__enrolments__status=EnrolmentStatus.ON_ROLL,
                child__enrolments__entry_date__lte=self.settled,
            )
        if with_upn:
            cases = cases.exclude(child__upn="")
        return cases.distinct()

    def on_roll_without_case(self):
        return Enrolment.objects.filter(
            school=self.school, status=EnrolmentStatus.ON_ROLL, entry_date__lte=self.settled
        ).exclude(child__cases__category__in=OPEN)

    # --- reasonable enquiries ----------------------------------------------------------------------------

    def enquiry(self, user, case, kind, outcome, days_back: int, evidence: str = ""):
        roll.record_enquiry(
            user,
            case,
            {
                "kind": kind,
                "made_on": self.school_days_back(days_back),
                "method": self.rng.choice(
                    [EnquiryMethod.PHONE, EnquiryMethod.EMAIL, EnquiryMethod.INFORMATION_REQUEST]
                )
                if kind.code not in ("home_visit", "letter_last_address", "local_databases")
                else {
                    "home_visit": EnquiryMethod.HOME_VISIT,
                    "letter_last_address": EnquiryMethod.LETTER,
                    "local_databases": EnquiryMethod.DATABASE,
                }[kind.code],
                "outcome": outcome,
                "evidence": evidence or EVIDENCE.get(kind.code, f"{kind.label}: nothing known."),
            },
            today=self.today,
        )
        self.report.counts["enquiries"] += 1

    def enquiries(self):
        kinds = list(roll_queries.enquiry_list(self.la))
        required = [k for k in kinds if k.required]
        by_school = [k for k in required if k.group in SCHOOL_GROUPS]
        by_la = [k for k in required if k.group not in SCHOOL_GROUPS]
        extra = {k.code: k for k in kinds if not k.required}
        at_school = self.pick(self.cases(Category.AT_RISK, at_school=True), 2)
        # Joint enquiries made, and nobody found the child: the ground for deletion (h) or (i) can rest on it.
        if at_school:
            case = at_school[0]
            for i, kind in enumerate(by_school):
                self.enquiry(self.lead, case, kind, EnquiryOutcome.NOT_FOUND, 12 - i)
            if "relatives" in extra:
                self.enquiry(self.lead, case, extra["relatives"], EnquiryOutcome.NO_INFORMATION, 7)
            for i, kind in enumerate(by_la):
                user = self.spa if i % 2 else self.cme
                self.enquiry(user, case, kind, EnquiryOutcome.NOT_FOUND, 8 - i % 6)
            self.report.counts["enquiry_cases"] += 1
        # Under way: the school has done most of its part, the LA is waiting for replies.
        if len(at_school) > 1:
            case = at_school[1]
            for i, kind in enumerate(by_school[:-1]):
                self.enquiry(self.lead, case, kind, EnquiryOutcome.NOT_FOUND, 6 - i)
            if by_la:
                self.enquiry(self.cme, case, by_la[0], EnquiryOutcome.NOT_FOUND, 3)
            for kind in by_la[1:3]:
                self.enquiry(
                    self.spa,
                    case,
                    kind,
                    EnquiryOutcome.AWAITING,
                    2,
                    f"Asked {kind.label.lower()}; no reply yet.",
                )
            self.report.counts["enquiry_cases"] += 1
        # A child missing and not located: the LA's own checks so far.
        for case in self.pick(self.cases(Category.MISSING_NOT_LOCATED), 1):
            for kind in by_la[:2]:
                self.enquiry(self.spa, case, kind, EnquiryOutcome.NOT_FOUND, 5)
            if "police" in extra:
                self.enquiry(
                    self.cme, case, extra["police"], EnquiryOutcome.AWAITING, 1, "Request sent to the hub."
                )
            self.report.counts["enquiry_cases"] += 1

    # --- removal from roll -------------------------------------------------------------------------------

    def propose(self, child, code: str, proposed: dt.date, **extra):
        proposal = roll.propose_deletion(
            self.lead,
            child,
            {"ground": DeletionGround.objects.get(code_2024=code), "proposed_date": proposed, **extra},
            today=self.today,
        )
        self.report.counts["proposals"] += 1
        return proposal

    def declare(self, proposal, statement: str):
        """The school declares what only it can know, with the answers that let the ground be met."""
        allowed = roll_evidence.declarable_now(proposal, self.today)
        answers = {fact: DECLARED[fact] for fact in allowed if fact in DECLARED}
        if answers:
            roll.declare(self.lead, proposal, answers, statement, on=self.today)
        proposal.refresh_from_db()
        return proposal

    def ehe_proposal(self, enrolment, notice_back: int, last_back: int):
        """A parent's written notice of home education; for a child on a child protection plan the LA must
        consent (CWSA 2026 s37), so the CME officer gets the task to decide."""
        child = enrolment.child
        if not child.child_protection_plan:
            child = update_child(self.cme, child, {"child_protection_plan": True}, today=self.today)
        last_day = self.school_days_back(last_back)
        return self.propose(
            child,
            "9(1)(f)",
            self.today,
            ehe_notice_received_on=self.school_days_back(notice_back),
            ehe_last_day=last_day,
        )

    def removals(self):
        pool = self.on_roll_without_case().select_related("child")
        preferred = pool.filter(child__child_protection_plan=True)
        chosen = self.pick(preferred, 3)
        chosen += self.pick(pool, 3 - len(chosen))
        if len(chosen) < 3:
            return
        waiting, granted, refused = chosen
        # 1. Waiting for the LA's consent: a task in the CME officer's My tasks.
        self.ehe_proposal(waiting, notice_back=3, last_back=1)
        # 2. Consent granted, deleted, with its deletion return; the school's "Send the CTF" task is open.
        deleted_on = self.school_days_back(2)
        proposal = self.ehe_proposal(granted, notice_back=12, last_back=5)
        roll.decide(
            self.cme,
            proposal,
            Decision.GRANTED,
            "Spoke to the social worker and the parents: the home education plan is in place and the "
            "child protection plan allows for it. Consent given.",
            today=self.today,
        )
        proposal = self.declare(proposal, "The parents' letter of 4 pages describing the home education")
        roll.delete_from_roll(self.lead, proposal, deleted_on, deleted_on, today=self.today)
        self.report.counts["deleted"] += 1
        self.ehe(
            proposal.child,
            case=proposal.case,
            started=deleted_on,
            review_due=self.today + dt.timedelta(days=42),
            notice=NoticeKind.WRITTEN_TO_SCHOOL,
            notice_on=proposal.ehe_notice_received_on,
        )
        # 3. Refused: the pupil stays on roll; the school may withdraw the proposal.
        proposal = self.ehe_proposal(refused, notice_back=6, last_back=2)
        roll.decide(
            self.cme,
            proposal,
            Decision.REFUSED,
            "The child protection conference advised against home education while the plan is in place. "
            "Consent refused: the pupil stays on the school's roll.",
            today=self.today,
        )
        # 4. A deletion the school makes alone (moved away), then the CTF to the new school.
        for case in self.pick(self.cases(Category.AT_RISK, at_school=True, with_upn=True), 1):
            self.moved_away(case)

    def moved_away(self, case):
        moved = self.school_days_back(6)
        proposal = self.propose(
            case.child,
            "9(1)(g)",
            self.school_days_back(1),
            new_address="14 Harbour Road, Eastmere, EM4 2QT",
            new_address_from=moved,
            new_carer="Mother",
            destination_school="Eastmere Park Academy",
            destination_start=self.school_days_back(3),
        )
        proposal = self.declare(
            proposal, "Mother's email of the move and the new school's confirmation of a place"
        )
        if roll_evidence.check(proposal, self.today).permission_reasons:
            roll.decide(self.cme, proposal, Decision.GRANTED, "Moved out of the area", today=self.today)
            proposal.refresh_from_db()
        deleted_on = self.school_days_back(1)
        roll.delete_from_roll(self.lead, proposal, deleted_on, deleted_on, today=self.today)
        self.report.counts["deleted"] += 1
        transfers.produce_ctf(
            self.lead,
            case.child,
            DestinationKind.SCHOOL,
            self.neighbour.code,
            "4002",
            now=_at(self.today),
        )
        self.report.counts["ctfs"] += 1

    # --- CTFs, moves and notifications -------------------------------------------------------------------

    def lost_ctf(self):
        for case in self.pick(self.cases(Category.MISSING_NOT_LOCATED, with_upn=True), 1):
            transfers.produce_ctf(self.cme, case.child, DestinationKind.UNKNOWN, now=_at(self.today))
            self.report.counts["ctfs"] += 1
            self.close(
                case,
                Outcome.LOST_CTF,
                "Whereabouts still unknown after joint enquiries; CTF uploaded to the Lost Pupil Database.",
                ctf_uploaded_on=self.today,
            )

    def moves(self):
        cases = self.pick(self.cases(Category.MISSING_LOCATED), 2)
        data = {
            "destination": MoveDestination.OTHER_LA,
            "to_la": self.neighbour,
            "new_address": "3 Quay Street, Eastmere, EM2 7LB",
            "how_known": "The GP surgery says the family registered with a practice in Eastmere; mother "
            "confirmed the move by phone.",
        }
        if cases:
            move = transfers.record_move(
                self.cme, cases[0], {**data, "moved_on": self.school_days_back(9)}, today=self.today
            )
            transfers.record_notified(self.cme, move, self.school_days_back(1), today=self.today)
            self.report.counts["moves"] += 1
        if len(cases) > 1:
            case = cases[1]
            move = transfers.record_move(
                self.cme,
                case,
                {
                    **data,
                    "moved_on": self.school_days_back(25),
                    "new_address": "8 Mill Rise, Eastmere, EM1 4DF",
                },
                today=self.today,
            )
            transfers.record_notified(self.cme, move, self.school_days_back(24), today=self.today)
            confirmed_on = self.school_days_back(2)
            transfers.confirm_move(
                self.cme,
                move,
                {
                    "confirmed_how": MoveConfirmedHow.ON_ROLL,
                    "confirmed_on": confirmed_on,
                    "confirmed_by_name": "Pupil tracking officer, Eastmere Council",
                    "confirmed_school": "Eastmere Park Academy",
                    "confirmation_evidence": "Email from Eastmere's CME team: on roll and attending since "
                    "the start of the month.",
                },
                today=self.today,
            )
            self.report.counts["moves"] += 1
            self.close(
                case,
                Outcome.MOVED_LA,
                "Confirmed on roll at a school in Eastmere.",
                other_la=self.neighbour,
                confirmed_how=OutcomeConfirmedHow.OTHER_LA,
                confirmed_on=confirmed_on,
            )

    def arrivals(self):
        base = {
            "from_la": self.neighbour,
            "sender": "Pupil tracking officer, Eastmere Council, cme@eastmere.example",
            "sex": "F",
        }
        transfers.record_arrival(
            self.support,
            {
                **base,
                "received_on": self.school_days_back(1),
                "first_name": "Lacey",
                "last_name": "Hartwell",
                "date_of_birth": _years_ago(self.today, 9, 140),
                "address": "27 Orchard Close, Northmere, NM3 8RP",
                "previous_school": "Eastmere Primary School",
                "details": "Left Eastmere Primary School without a destination; the family told a neighbour "
                "they were moving to Northmere.",
            },
            today=self.today,
        )
        notice = transfers.record_arrival(
            self.support,
            {
                **base,
                "sex": "M",
                "received_on": self.school_days_back(7),
                "first_name": "Corey",
                "last_name": "Blackwood",
                "date_of_birth": _years_ago(self.today, 13, 60),
                "address": "Flat 2, 41 Station Road, Northmere, NM1 2AB",
                "previous_school": "Eastmere High School",
                "details": "Deleted from Eastmere High School's roll after moving; no application for a "
                "school place in Northmere yet.",
            },
            today=self.today,
        )
        self.report.counts["arrivals"] += 2
        notice = transfers.link_arrival(self.support, notice, today=self.today)
        transfers.open_case_for_arrival(
            self.cme,
            notice,
            {
                "category": Category.MISSING_LOCATED,
                "primary_reason": Reason.objects.get(code="no_place_after_moving_in"),
            },
            today=self.today,
        )

    # --- outcomes, exclusions, registers ---------------------------------------------------------------

    def close(self, case, outcome: str, reason: str, **details):
        close_case(self.cme, case, outcome, self.today, reason, today=self.today, details=details)
        self.report.counts["closed"] += 1

    def outcomes(self):
        for case in self.pick(self.cases(Category.MISSING_LOCATED), 1):
            last = case.child.enrolments.order_by("-entry_date").first()
            if last is not None:
                self.close(
                    case,
                    Outcome.BACK_ON_ROLL,
                    "Offered a place through in-year admissions and started this week.",
                    school=last.school,
                    on_roll_from=self.school_days_back(3),
                )
        for case in self.pick(self.cases(Category.NOT_SUITABLE), 1):
            self.close(
                case,
                Outcome.ALTERNATIVE_PROVISION,
                "Full-time place agreed at the tuition centre from next week.",
                provision="Northmere Tuition Centre",
                hours_per_week=Decimal("25"),
            )
        for case in self.pick(self.cases(Category.MISSING_LOCATED), 1):
            self.close(
                case,
                Outcome.SAO,
                "Parents did not apply for a place after two letters; school attendance order served.",
                sao_served_on=self.school_days_back(4),
            )
        for case in self.pick(self.cases(Category.EHE), 1):
            self.close(
                case,
                Outcome.EHE,
                "Parents confirmed home education in writing; first suitability review booked.",
                review_due=self.today + dt.timedelta(days=56),
            )
            self.report.counts["ehe"] += 1

    def exclusions(self):
        pool = self.on_roll_without_case().select_related("child")
        chosen = self.pick(pool, 2)
        if chosen:
            # Permanent: the LA's provision from the sixth school day, already overdue and so escalated.
            exclusions.record_exclusion(
                self.lead,
                chosen[0].child,
                {
                    "school": self.school,
                    "kind": ExclusionKind.PERMANENT,
                    "first_day": self.school_days_back(9),
                    "reason": "Persistent disruptive behaviour after a managed move was tried.",
                },
                today=self.today,
            )
            self.report.counts["exclusions"] += 1
        if len(chosen) > 1:
            first = self.school_days_back(2)
            try:
                last = school_days_in(calendar_for(self.school), first, first + dt.timedelta(days=14))[6]
            except (NoCalendar, CalendarNotCovered, IndexError):
                last = first + dt.timedelta(days=9)
            exclusions.record_exclusion(
                self.lead,
                chosen[1].child,
                {
                    "school": self.school,
                    "kind": ExclusionKind.SUSPENSION,
                    "first_day": first,
                    "last_day": last,
                    "reason": "Assault on a member of staff.",
                },
                today=self.today,
            )
            self.report.counts["exclusions"] += 1

    def ehe(self, child, *, case, started, review_due, notice=NoticeKind.WRITTEN_TO_LA, notice_on=None):
        registration = registers.add_ehe_registration(
            self.cme,
            child,
            {
                "started_on": started,
                "notice_kind": notice,
                "notice_received_on": notice_on or started,
                "review_due": review_due,
            },
            today=self.today,
            case=case,
        )
        self.report.counts["ehe"] += 1
        return registration

    def registers(self):
        today = self.today
        on_register = []
        plans = (
            (150, -14, False),  # review overdue by two weeks
            (60, 10, False),  # review due soon
            (300, -200, True),  # reviewed (suitable), next review in the spring
        )
        for case, (started, due, reviewed) in zip(
            self.pick(self.cases(Category.EHE), 3), plans, strict=False
        ):
            registration = self.ehe(
                case.child,
                case=case,
                started=weekday_on_or_before(today - dt.timedelta(days=started)),
                review_due=today + dt.timedelta(days=due),
            )
            if reviewed:
                registers.record_review(
                    self.cme,
                    registration,
                    {
                        "done_on": weekday_on_or_before(today - dt.timedelta(days=190)),
                        "outcome": ReviewOutcome.SUITABLE,
                        "next_due": today + dt.timedelta(days=120),
                        "notes": "Home visit: a broad curriculum, work seen in English, maths and science.",
                    },
                    today=today,
                )
            on_register.append(case.child)
        # The register of children not in school: an LA setting, kept off until the duty is commenced.
        LASettings.objects.update_or_create(la=self.la, defaults={"cnis_register_enabled": True})
        for i, child in enumerate(on_register):
            self.cnis(child, i)

    def cnis(self, child, i: int):
        address = next((a for a in child.addresses.all() if a.is_current), None)
        parent = next(iter(child.contacts.all()), None)
        where = str(address) if address else "Not known"
        data = {
            "eligibility": "not_registered",
            "child_name": child.full_name,
            "child_date_of_birth": child.date_of_birth,
            "child_address": where,
            "parent_1_name": parent.name if parent else "Not known",
            "parent_1_address": where,
            "parent_1_educates": "yes",
            "hours_by_parents": str(15 + 5 * i),
        }
        if i == 1:
            data.update(
                provider_1_name="Northmere Maths Tutors",
                provider_1_address="5 Market Place, Northmere, NM1 1AA",
                provider_1_type="Tutor",
                provider_1_place="At the tutor's premises",
                provider_1_hours="4",
                provider_1_hours_unaccompanied="4",
                hours_by_others="4",
            )
        registered = self.school_days_back(5 + 3 * i)
        registers.add_cnis_entry(self.cme, child, registered, data, today=self.today)
        self.report.counts["cnis"] += 1


def _at(day: dt.date) -> dt.datetime:
    from django.utils import timezone

    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 30)))


def _years_ago(today: dt.date, years: int, days: int) -> dt.date:
    return dt.date(today.year - years, 1, 1) + dt.timedelta(days=days)


def add_issue4(
    la: LocalAuthority, today: dt.date, *, user_prefix: str = "", seed: int = 2026
) -> Issue4Report:
    """Add the story to the demo LA `la` (after its first daily run). Raises if it is there already."""
    with transaction.atomic():
        demo = _Demo(la, today, user_prefix, seed)
        demo.enquiries()
        demo.removals()
        demo.lost_ctf()
        demo.moves()
        demo.arrivals()
        demo.outcomes()
        demo.exclusions()
        demo.registers()
        # Tasks already overdue (the exclusion's sixth day has passed) reach the panel chair today.
        escalate_case_tasks(la, today, run_user())
    return demo.report
