"""The demo shows issue 4's features: enquiries, removals, CTFs, moves, notifications, outcomes, exclusions
and the two registers, each made through its app's services and visible to the demo users who work on it."""

import datetime as dt

import pytest
from django.urls import reverse

from onroll.accounts.models import User
from onroll.casework.models import CaseOutcome, Exclusion, ExclusionKind, Outcome
from onroll.demo.generator import generate
from onroll.demo.issue4 import add_issue4
from onroll.demo.procedures import start_procedures
from onroll.procedures.models import Task, TaskStatus
from onroll.registers.models import CNISEntry, EHERegistration
from onroll.registers.services import cnis_enabled
from onroll.roll import queries as roll_queries
from onroll.roll.models import Decision, DeletionProposal, Enquiry, ProposalStatus
from onroll.transfers.models import LOST, ArrivalNotice, ArrivalStatus, CtfFile, Move, MoveStatus

SMALL = {
    "la_code": "986",
    "name": "Northmere",
    "n_children": 500,
    "n_cases": 90,
    "n_schools": 3,
    "seed": 5,
    "batch_size": 500,
}


def build(today):
    result = generate(**SMALL, today=today, attendance=False)
    start_procedures(result.la, today)
    return result.la, add_issue4(result.la, today, seed=SMALL["seed"])


def open_tasks(role, **filters):
    return Task.objects.filter(role=role, status=TaskStatus.OPEN, **filters)


# A mid-term Monday, and the first day of a school year before the autumn term has started.
@pytest.mark.parametrize("today", [dt.date(2026, 3, 16), dt.date(2026, 9, 1)], ids=["march", "1-september"])
def test_every_part_of_the_story_is_there(db, today):
    la, report = build(today)
    counts = report.counts
    assert counts["proposals"] == 4 and counts["deleted"] == 2
    assert counts["moves"] == 2 and counts["arrivals"] == 2 and counts["exclusions"] == 2
    assert counts["ctfs"] == 2 and counts["closed"] >= 5 and counts["cnis"] == 3

    # Enquiries: one case with joint enquiries made and the child not found, others under way.
    cases = {e.case for e in Enquiry.objects.filter(case__la=la).select_related("case", "case__child")}
    verdicts = [roll_queries.enquiry_log(case).verdict for case in cases]
    assert sum(v.made_and_not_found for v in verdicts) == 1
    assert sum(not v.made for v in verdicts) >= 1

    # Removals in each state, the deleted ones with their returns and the CTF tasks.
    proposals = DeletionProposal.objects.filter(school__la=la)
    states = sorted((p.ground.code_2024, p.status, p.decision) for p in proposals)
    assert states == [
        ("9(1)(f)", ProposalStatus.DELETED, Decision.GRANTED),
        ("9(1)(f)", ProposalStatus.PROPOSED, Decision.NONE),
        ("9(1)(f)", ProposalStatus.PROPOSED, Decision.REFUSED),
        ("9(1)(g)", ProposalStatus.DELETED, Decision.NONE),
    ]
    for deleted in proposals.filter(status=ProposalStatus.DELETED):
        assert deleted.return_content["full_name"] == deleted.child.full_name
        assert deleted.enrolment.leaving_date == deleted.deleted_on <= today
    assert open_tasks("cme_officer", la=la, step_id__startswith="decide_removal:").count() == 1
    ctf_tasks = Task.objects.filter(la=la, step_id__startswith="send_ctf:")
    assert sorted(ctf_tasks.values_list("status", flat=True)) == [TaskStatus.DONE, TaskStatus.OPEN]

    # CTFs: to a named school in the neighbouring LA, and the lost CTF.
    destinations = set(CtfFile.objects.filter(la=la).values_list("destination", flat=True))
    assert LOST in destinations and "9704002" in destinations

    # Moves, notifications and the closings with their details.
    moves = Move.objects.filter(case__la=la)
    assert sorted(moves.values_list("status", flat=True)) == [MoveStatus.AWAITING, MoveStatus.CONFIRMED]
    assert all(m.notified_on for m in moves)
    assert open_tasks("cme_officer", la=la, step_id__startswith="confirm_move:").count() == 1
    notices = ArrivalNotice.objects.filter(la=la)
    assert sorted(notices.values_list("status", flat=True)) == [ArrivalStatus.CASE_OPENED, ArrivalStatus.NEW]
    outcomes = {o.outcome: o for o in CaseOutcome.objects.filter(case__la=la)}
    assert {Outcome.LOST_CTF, Outcome.MOVED_LA, Outcome.ALTERNATIVE_PROVISION, Outcome.SAO} <= set(outcomes)
    assert outcomes[Outcome.MOVED_LA].other_la.code == "970"
    assert outcomes[Outcome.LOST_CTF].ctf_uploaded_on == today

    # A permanent exclusion whose provision task is overdue and escalated to the panel chair.
    permanent = Exclusion.objects.get(school__la=la, kind=ExclusionKind.PERMANENT)
    assert permanent.provision_task.escalated_on is not None
    assert permanent.provision_task.escalate_to == "panel_chair"
    assert Exclusion.objects.filter(school__la=la, kind=ExclusionKind.SUSPENSION).exists()

    # The registers: one review overdue, the register of children not in school switched on.
    registrations = EHERegistration.objects.filter(la=la)
    assert registrations.count() >= 4
    assert registrations.filter(reviews__done_on__isnull=True, reviews__due_on__lt=today).exists()
    assert registrations.filter(reviews__done_on__isnull=False).exists()
    assert cnis_enabled(la) and CNISEntry.objects.filter(la=la).count() == 3


def test_the_demo_users_see_it_on_their_pages(db, client):
    la, _ = build(dt.date(2026, 3, 16))
    lead_school = User.objects.get(username="school.lead").organisation.school
    pupil = DeletionProposal.objects.filter(school=lead_school, decision=Decision.NONE).first().child
    expected = {
        "school.lead": [
            ("web:my_tasks", "Send the CTF"),
            ("web:my_tasks", "Arrange full-time provision"),
            ("web:removals", pupil.full_name),
        ],
        "cme.officer": [
            ("web:my_tasks", "Decide whether to consent"),
            ("web:my_tasks", "is on a roll or in suitable education"),
            ("web:removals", "Permission refused"),
            ("web:ehe_register", "Overdue"),
            ("web:cnis_register", "3 children"),
        ],
        "panel.chair": [("web:my_tasks", "Arrange full-time provision")],
        "business.support": [("web:arrivals", "Eastmere"), ("web:ehe_register", "Overdue")],
        "spa.officer": [("web:arrivals", "Eastmere"), ("web:removals", pupil.full_name)],
    }
    for username, pages in expected.items():
        client.force_login(User.objects.get(username=username))
        for url, text in pages:
            response = client.get(reverse(url))
            assert response.status_code == 200, (username, url)
            assert text in response.content.decode(), (username, url, text)
    client.force_login(User.objects.get(username="cme.officer"))
    joint = next(
        e.case
        for e in Enquiry.objects.select_related("case")
        if roll_queries.enquiry_log(e.case).verdict.made
    )
    page = client.get(reverse("web:case", args=[joint.pk])).content.decode()
    assert "Joint reasonable enquiries made and child not found" in page
    assert la.code == "986"
