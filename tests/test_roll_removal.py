"""Removal from roll end to end: the evidence Onroll holds decides each condition; the LA's permission where
its procedure requires; the deletion closes the enrolment, produces the return and opens the CTF task."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onroll.children.models import EnrolmentStatus
from onroll.procedures.models import Procedure, StandDown, Task, TaskStatus
from onroll.procedures.run import daily_run
from onroll.procedures.services import complete_task, load_packs
from onroll.roll import conditions as c
from onroll.roll import evidence, queries, services
from onroll.roll.models import (
    Decision,
    DeletionGround,
    DeletionProposal,
    EnquiryMethod,
    EnquiryOutcome,
    ProposalStatus,
)
from onroll.schools.calendar import school_days_in
from onroll.schools.models import SchoolType
from onroll.schools.queries import calendar_for
from onroll.transfers.models import DestinationKind
from onroll.transfers.services import produce_ctf

from .test_child_attendance import add_marks

D = dt.date
REQUIRED_BY_SCHOOL = ("parents_all_numbers", "letter_last_address", "home_visit", "siblings_schools")
REQUIRED_BY_LA = ("local_databases", "housing", "health", "social_care", "s2s_lost_pupil_search")
REASONABLE_GROUNDS = "reasonable_grounds_unable_to_attend_sickness_or_unavoidable_cause"


def ground(code):
    return DeletionGround.objects.get(code_2024=code)


def marks(child, school, until, codes):
    """Present from the start of term, then `codes` (one (am, pm) pair a school day) up to `until`."""
    days = school_days_in(calendar_for(school), D(2025, 9, 1), until)
    add_marks(child, school, days, [("/", "\\")] * (len(days) - len(codes)) + codes)
    return days


def log_joint_enquiries(world, on, outcome=EnquiryOutcome.NOT_FOUND):
    kinds = {k.code: k for k in queries.enquiry_list(world.la)}
    for user, codes in (
        (world.users.school_dsl, REQUIRED_BY_SCHOOL),
        (world.users.cme_officer, REQUIRED_BY_LA),
    ):
        for code in codes:
            services.record_enquiry(
                user,
                world.case,
                {
                    "kind": kinds[code],
                    "made_on": on,
                    "method": EnquiryMethod.PHONE,
                    "outcome": outcome,
                    "evidence": f"{code}: no trace of the family",
                },
                today=on,
            )


def propose(world, code, on, **extra):
    return services.propose_deletion(
        world.users.school_dsl,
        world.child,
        {"ground": ground(code), "proposed_date": on, **extra},
        today=on,
        case=world.case,
    )


def statuses(proposal, on):
    return [r.status for r in evidence.check(proposal, on).results]


def task(world, step_id):
    return Task.objects.get(case=world.case, step_id=step_id)


# --- Achieving for Children: day 20, permission, deletion under (i) -----------------------------------------


def test_achieving_for_children_day_20_path_to_deletion_under_i(afc):
    days = marks(
        afc.child, afc.school, D(2025, 12, 5), [("N", "N")] * 5 + [("O", "O")] * 10 + [("G", "G")] * 5
    )
    day_5, day_20 = days[-16], days[-1]
    daily_run(day_5)
    complete_task(afc.users.school_dsl, task(afc, "refer_to_spa"), day_5, "SPA referral 123", today=day_5)
    assert task(afc, "ews_enquiries").status == TaskStatus.OPEN
    log_joint_enquiries(afc, days[-10])
    complete_task(afc.users.cme_officer, task(afc, "ews_enquiries"), days[-2], "Not located", today=days[-2])
    daily_run(day_20)
    permission = task(afc, "permission_to_remove")
    assert permission.status == TaskStatus.OPEN and permission.due_on == day_20

    proposal = propose(afc, "9(1)(i)", day_20)
    check = evidence.check(proposal, day_20)
    assert [r.status for r in check.results] == [
        c.Status.MET,  # 20 school days
        c.Status.MET,  # all G, N or O
        c.Status.NEEDS_DECLARATION,  # sickness or unavoidable cause: only the school knows
        c.Status.MET,  # joint enquiries, from the log
        c.Status.MET,  # not located
        c.Status.MET,  # not a special school
    ]
    assert check.permission_reasons == (
        "Achieving for Children children missing education procedure: If the whereabouts are still unknown "
        "and there are no immediate safeguarding concerns, give the school permission to remove the child "
        "from roll",
    )
    with pytest.raises(ValidationError, match="Needs a declaration"):
        services.delete_from_roll(afc.users.school_dsl, proposal, day_20, day_20, today=day_20)

    services.declare(
        afc.users.school_dsl, proposal, {REASONABLE_GROUNDS: False}, "No contact, no medical note"
    )
    assert statuses(proposal, day_20)[2] == c.Status.DECLARED
    with pytest.raises(ValidationError, match="not given permission"):
        services.delete_from_roll(afc.users.school_dsl, proposal, day_20, day_20, today=day_20)

    services.decide(afc.users.cme_officer, proposal, Decision.GRANTED, "Whereabouts unknown", today=day_20)
    permission.refresh_from_db()
    assert permission.status == TaskStatus.DONE and "Whereabouts unknown" in permission.evidence

    services.delete_from_roll(afc.users.school_dsl, proposal, day_20, day_20, today=day_20)
    enrolment = afc.child.enrolments.get(school=afc.school)
    assert enrolment.status == EnrolmentStatus.LEFT and enrolment.leaving_date == day_20
    assert enrolment.leaving_reason.startswith("Deleted under regulation 9(1)(i)")
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DELETED and proposal.return_sent_on == day_20
    assert proposal.return_content["ground"].startswith("Regulation 9(1)(i) (2006: 8(1)(h))")
    assert proposal.return_content["full_name"] == "Amara Okafor"
    assert proposal.return_content["address"].startswith("12 Mill Lane")
    assert "Refuge" not in str(proposal.return_content)
    ctf = Task.objects.get(case=afc.case, step_id__startswith="send_ctf")
    assert ctf.school == afc.school and ctf.status == TaskStatus.OPEN and ctf.opened_on == day_20

    daily_run(days[-1] + dt.timedelta(days=3))
    assert Procedure.objects.get(child=afc.child).stand_down_reason == StandDown.REMOVED


# --- Portsmouth: destination not verified, deletion under (h) -----------------------------------------------


@pytest.fixture
def portsmouth(world):
    from onroll.demo.calendars import create_default_calendar

    load_packs()
    create_default_calendar(world.la)
    world.la.procedure_pack = "portsmouth"
    world.la.save()
    return world


def test_portsmouth_destination_not_verified_path_to_deletion_under_h(portsmouth):
    w = portsmouth
    # Leave of absence for a week, then 10 school days without returning.
    days = marks(w.child, w.school, D(2025, 11, 28), [("C", "C")] * 5 + [("O", "O")] * 10)
    day_10 = days[-1]
    daily_run(day_10)  # the daily run opens the procedure and the referral
    referral = task(w, "refer_to_sat_after_leave")
    assert referral.opened_on == day_10 and referral.role == "school_lead"
    complete_task(w.users.school_dsl, referral, day_10, "Online CME referral sent", today=day_10)
    investigation = task(w, "joint_enquiries")
    assert investigation.status == TaskStatus.OPEN

    proposal = propose(w, "9(1)(h)", day_10)
    assert statuses(proposal, day_10)[:3] == [
        c.Status.MET,
        c.Status.MET,
        c.Status.MET,
    ]  # leave given, ended, not back
    assert statuses(proposal, day_10)[4] == c.Status.UNMET  # no joint enquiries yet
    blockers = evidence.check(proposal, day_10).blockers(proposal)
    assert "The LA's investigation is still open: the child stays on roll until it ends" in blockers

    log_joint_enquiries(w, day_10)
    assert statuses(proposal, day_10)[4:6] == [c.Status.MET, c.Status.MET]
    with pytest.raises(ValidationError, match="investigation is still open"):
        services.decide(w.users.cme_officer, proposal, Decision.GRANTED, "Not found", today=day_10)
    complete_task(
        w.users.cme_officer, investigation, day_10, "Home visit, Housing, Health: not located", today=day_10
    )
    outcome = task(w, "written_outcome")
    assert outcome.status == TaskStatus.OPEN
    services.decide(
        w.users.cme_officer, proposal, Decision.GRANTED, "Not located after joint enquiries", today=day_10
    )
    outcome.refresh_from_db()
    assert outcome.status == TaskStatus.DONE

    services.declare(w.users.school_dsl, proposal, {REASONABLE_GROUNDS: False}, "No explanation received")
    services.delete_from_roll(w.users.school_dsl, proposal, day_10, day_10, today=day_10)
    enrolment = w.child.enrolments.get(school=w.school)
    assert enrolment.status == EnrolmentStatus.LEFT
    assert "9(1)(h)" in enrolment.leaving_reason
    ctf_task = Task.objects.get(case=w.case, step_id__startswith="send_ctf")
    assert ctf_task.status == TaskStatus.OPEN

    # Destination unknown (limb (aa)): the lost CTF to the Lost Pupil Database closes the CTF task.
    ctf = produce_ctf(
        w.users.school_dsl, w.child, DestinationKind.UNKNOWN, now=dt.datetime(2025, 11, 28, 15, tzinfo=dt.UTC)
    )
    assert ctf.destination == "XXXXXXX" and ctf.file_name.startswith(w.school.laestab)
    ctf_task.refresh_from_db()
    assert ctf_task.status == TaskStatus.DONE


def test_ground_h_is_not_met_before_the_tenth_school_day_after_the_leave(portsmouth):
    w = portsmouth
    days = marks(w.child, w.school, D(2025, 11, 27), [("C", "C")] * 5 + [("O", "O")] * 9)
    proposal = propose(w, "9(1)(h)", days[-1])
    result = evidence.check(proposal, days[-1]).results[2]
    assert result.status == c.Status.UNMET
    assert any("only 9 of the 10 school days" in note for note in result.notes)


# --- evidence and bad input ---------------------------------------------------------------------------------


def test_ground_i_is_unmet_with_19_days_and_when_the_run_is_broken(afc):
    days = marks(afc.child, afc.school, D(2025, 12, 5), [("N", "N")] * 19)
    proposal = propose(afc, "9(1)(i)", days[-1])
    assert statuses(proposal, days[-1])[:2] == [c.Status.UNMET, c.Status.UNMET]


def test_ground_i_broken_by_an_illness_session(afc):
    codes = [("N", "N")] * 10 + [("N", "I")] + [("N", "N")] * 10
    days = marks(afc.child, afc.school, D(2025, 12, 5), codes)
    proposal = propose(afc, "9(1)(i)", days[-1])
    result = evidence.check(proposal, days[-1]).results[0]
    assert result.status == c.Status.UNMET and "10 school days in a row" in result.notes[0]


def test_ground_f_needs_the_written_notice_and_its_day_to_have_passed(world):
    proposal = propose(world, "9(1)(f)", D(2026, 1, 20))
    assert statuses(proposal, D(2026, 1, 20))[:2] == [c.Status.UNMET, c.Status.UNMET]
    proposal.status = ProposalStatus.WITHDRAWN
    proposal.save()
    with_notice = propose(
        world, "9(1)(f)", D(2026, 1, 20), ehe_notice_received_on=D(2026, 1, 5), ehe_last_day=D(2026, 1, 16)
    )
    assert statuses(with_notice, D(2026, 1, 20))[:2] == [c.Status.MET, c.Status.MET]
    assert statuses(with_notice, D(2026, 1, 16))[1] == c.Status.UNMET  # that day has not passed yet


def test_cwsa_consent_for_a_child_on_a_child_protection_plan(world, settings):
    world.child.child_protection_plan = True
    world.child.save()
    proposal = propose(
        world, "9(1)(f)", D(2026, 1, 20), ehe_notice_received_on=D(2026, 1, 5), ehe_last_day=D(2026, 1, 16)
    )
    check = evidence.check(proposal, D(2026, 1, 20))
    assert check.results[-1].status == c.Status.UNMET
    assert any("s37" in why for why in check.permission_reasons)
    services.decide(
        world.users.cme_officer, proposal, Decision.GRANTED, "Consent: EHE plan seen", today=D(2026, 1, 20)
    )
    proposal.refresh_from_db()
    assert evidence.check(proposal, D(2026, 1, 20)).results[-1].status == c.Status.MET
    settings.ONROLL_CWSA_S37_CONSENT = False
    proposal.decision = ""
    assert evidence.check(proposal, D(2026, 1, 20)).results[-1].status == c.Status.MET


def test_a_special_school_placement_needs_the_las_consent(world):
    world.school.school_type = SchoolType.SPECIAL
    world.school.save()
    proposal = propose(world, "9(1)(g)", D(2026, 1, 20))
    check = evidence.check(proposal, D(2026, 1, 20))
    assert check.results[-1].status == c.Status.UNMET
    assert "Regulation 9(2): a pupil at a special school needs the LA's consent" in check.permission_reasons


def test_a_declared_ground_can_be_deleted_without_the_la(world):
    proposal = propose(world, "9(1)(k)", D(2026, 1, 20))
    services.declare(world.users.school_dsl, proposal, {"pupil_died": True}, "Letter from the family")
    services.delete_from_roll(
        world.users.school_dsl, proposal, D(2026, 1, 20), D(2026, 1, 19), today=D(2026, 1, 21)
    )
    assert world.child.enrolments.get().status == EnrolmentStatus.LEFT


def test_deletion_with_unmet_conditions_changes_nothing(world):
    proposal = propose(world, "9(1)(i)", D(2026, 1, 20))
    with pytest.raises(ValidationError) as error:
        services.delete_from_roll(
            world.users.school_dsl, proposal, D(2026, 1, 20), D(2026, 1, 20), today=D(2026, 1, 20)
        )
    assert "The pupil cannot be deleted yet." in error.value.messages
    assert world.child.enrolments.get().status == EnrolmentStatus.ON_ROLL
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED and not Task.objects.filter(
        step_id__startswith="send_ctf"
    )


@pytest.mark.parametrize(
    "deleted_on, sent_on, field",
    [
        (D(2019, 9, 3), D(2019, 9, 3), "deleted_on"),  # before the pupil joined the roll
        (D(2026, 1, 22), D(2026, 1, 20), "deleted_on"),  # in the future
        (D(2026, 1, 19), D(2026, 1, 20), "return_sent_on"),  # return after the deletion
    ],
)
def test_bad_deletion_dates_change_nothing(world, deleted_on, sent_on, field):
    proposal = propose(world, "9(1)(k)", D(2026, 1, 20))
    services.declare(world.users.school_dsl, proposal, {"pupil_died": True}, "Letter")
    with pytest.raises(ValidationError) as error:
        services.delete_from_roll(world.users.school_dsl, proposal, deleted_on, sent_on, today=D(2026, 1, 21))
    assert field in error.value.message_dict
    assert world.child.enrolments.get().status == EnrolmentStatus.ON_ROLL


def test_a_proposal_before_the_enrolment_started_is_refused(world):
    with pytest.raises(ValidationError) as error:
        propose(world, "9(1)(i)", D(2019, 9, 1))
    assert "on or after 4 September 2019" in error.value.message_dict["proposed_date"][0]
    assert not DeletionProposal.objects.exists()


def test_a_pupil_not_on_the_schools_roll_cannot_be_proposed(world):
    with pytest.raises(ValidationError, match="is not on Riverside Primary School's roll"):
        services.propose_deletion(
            world.users.other_school_dsl,
            world.child,
            {"ground": ground("9(1)(i)"), "proposed_date": D(2026, 1, 20)},
            today=D(2026, 1, 20),
        )
    assert not DeletionProposal.objects.exists()


def test_only_the_school_declares_and_deletes_and_only_the_la_decides(world):
    proposal = propose(world, "9(1)(k)", D(2026, 1, 20))
    with pytest.raises(services.NotAllowed):
        services.declare(world.users.other_school_dsl, proposal, {"pupil_died": True}, "x")
    with pytest.raises(services.NotAllowed):
        services.decide(world.users.school_dsl, proposal, Decision.GRANTED, "x", today=D(2026, 1, 20))
    with pytest.raises(services.NotAllowed):
        services.decide(world.users.other_la_officer, proposal, Decision.GRANTED, "x", today=D(2026, 1, 20))
    with pytest.raises(ValidationError, match="cannot be declared"):
        services.declare(world.users.school_dsl, proposal, {"joint_reasonable_efforts_made": True}, "x")


def test_a_second_open_proposal_for_the_same_spell_is_refused(world):
    propose(world, "9(1)(k)", D(2026, 1, 20))
    with pytest.raises(ValidationError, match="already a proposal"):
        propose(world, "9(1)(i)", D(2026, 1, 20))


def test_consent_without_a_procedure_step_asks_the_la_with_a_task_and_a_case(world):
    from onroll.casework.models import Case
    from onroll.procedures.queries import my_tasks

    from . import factories as f

    child = f.ChildFactory(la=world.la, legal_first_name="Ben", child_protection_plan=True)
    f.EnrolmentFactory(child=child, school=world.school)
    proposal = services.propose_deletion(
        world.users.school_dsl,
        child,
        {
            "ground": ground("9(1)(f)"),
            "proposed_date": D(2026, 1, 20),
            "ehe_notice_received_on": D(2026, 1, 5),
            "ehe_last_day": D(2026, 1, 16),
        },
        today=D(2026, 1, 20),
    )
    case = Case.objects.get(child=child)
    assert proposal.case == case and case.primary_reason_id == "withdrawn_by_parents"
    decide = Task.objects.get(case=case, step_id=f"decide_removal:{proposal.pk}")
    assert decide in my_tasks(world.users.cme_officer, D(2026, 1, 20)).due
    services.decide(
        world.users.cme_officer, proposal, Decision.REFUSED, "Not in his interests", today=D(2026, 1, 20)
    )
    decide.refresh_from_db()
    assert decide.status == TaskStatus.DONE and "Permission refused" in decide.evidence
    proposal.refresh_from_db()
    with pytest.raises(ValidationError, match="The LA has refused permission"):
        services.delete_from_roll(
            world.users.school_dsl, proposal, D(2026, 1, 20), D(2026, 1, 20), today=D(2026, 1, 20)
        )
    assert child.enrolments.get().status == EnrolmentStatus.ON_ROLL


def test_no_task_when_the_school_may_go_ahead_alone(world):
    proposal = propose(world, "9(1)(k)", D(2026, 1, 20))
    assert not Task.objects.filter(step_id=f"decide_removal:{proposal.pk}").exists()


def test_what_onroll_records_is_evidence_not_a_declaration(afc):
    from onroll.casework.models import Exclusion, ExclusionKind

    Exclusion.objects.create(
        child=afc.child,
        school=afc.school,
        kind=ExclusionKind.PERMANENT,
        first_day=D(2025, 11, 3),
        case=afc.case,
    )
    proposal = propose(afc, "9(1)(o)", D(2025, 12, 5))
    first = evidence.check(proposal, D(2025, 12, 5)).results[0]
    assert (
        first.status == c.Status.MET and "permanent exclusion recorded from 3 November 2025" in first.notes[0]
    )
    assert "permanently_excluded" not in evidence.declarable_now(proposal, D(2025, 12, 5))
    with pytest.raises(ValidationError, match="cannot be declared"):
        services.declare(afc.users.school_dsl, proposal, {"permanently_excluded": False}, "No")


@pytest.mark.parametrize("born, expected", [(D(2010, 5, 1), c.Status.MET), (D(2012, 5, 1), c.Status.UNMET)])
def test_ground_l_reads_the_end_of_compulsory_school_age_from_the_date_of_birth(afc, born, expected):
    afc.child.date_of_birth = born
    afc.child.save()
    proposal = propose(afc, "9(1)(l)", D(2026, 7, 22))  # last day of the summer term 2026
    assert evidence.check(proposal, D(2026, 7, 22)).results[0].status == expected


def test_ground_a_reads_the_other_schools_roll(world):
    from . import factories as f

    f.EnrolmentFactory(child=world.child, school=world.other_school, entry_date=D(2026, 1, 12))
    proposal = propose(world, "9(1)(a)", D(2026, 1, 20))
    first = evidence.check(proposal, D(2026, 1, 20)).results[0]
    assert (
        first.status == c.Status.MET
        and "on Riverside Primary School's roll from 12 January 2026" in first.notes[0]
    )
    assert "pupil_registered_at_other_school" not in evidence.declarable_now(proposal, D(2026, 1, 20))


def test_a_deletion_with_no_case_closes_the_enrolment_and_opens_no_task(world):
    from . import factories as f

    child = f.ChildFactory(la=world.la, legal_first_name="Cara")
    f.EnrolmentFactory(child=child, school=world.school)
    proposal = services.propose_deletion(
        world.users.school_dsl,
        child,
        {"ground": ground("9(1)(k)"), "proposed_date": D(2026, 1, 20)},
        today=D(2026, 1, 20),
    )
    assert proposal.case is None
    services.declare(world.users.school_dsl, proposal, {"pupil_died": True}, "Letter from the family")
    services.delete_from_roll(
        world.users.school_dsl, proposal, D(2026, 1, 20), D(2026, 1, 20), today=D(2026, 1, 20)
    )
    assert child.enrolments.get().status == EnrolmentStatus.LEFT
    assert not Task.objects.filter(step_id__startswith="send_ctf").exists()
