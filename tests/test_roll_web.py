"""The removal-from-roll and enquiry pages: GOV.UK errors with nothing changed, 404 out of scope, and who
may open which page."""

import datetime as dt

import pytest
from django.urls import reverse

from onroll.children.models import EnrolmentStatus
from onroll.roll import services
from onroll.roll.models import DeletionGround, DeletionProposal, Enquiry, EnquiryKind, ProposalStatus

from .test_permission_matrix import LA_990, PERSONAS

D = dt.date


@pytest.fixture
def frozen(monkeypatch):
    monkeypatch.setattr("onroll.web.views.roll.today", lambda: D(2026, 1, 20))


def make_proposal(world, code="9(1)(k)"):
    return services.propose_deletion(
        world.users.school_dsl,
        world.child,
        {"ground": DeletionGround.objects.get(code_2024=code), "proposed_date": D(2026, 1, 20)},
        today=D(2026, 1, 20),
        case=world.case,
    )


def date_fields(name, date):
    return {f"{name}_0": date.day, f"{name}_1": date.month, f"{name}_2": date.year}


def test_the_case_page_shows_the_checklist_and_what_is_missing(world, login):
    html = login(world.users.cme_officer).get(reverse("web:case", args=[world.case.pk])).content.decode()
    assert "Reasonable enquiries" in html
    assert "Joint reasonable enquiries are not complete." in html
    assert "At least one enquiry made by the school" in html
    assert "Search school2school (s2s) and the Lost Pupil Database" in html
    assert reverse("web:record_enquiry", args=[world.case.pk]) in html
    school_html = (
        login(world.users.school_dsl).get(reverse("web:case", args=[world.case.pk])).content.decode()
    )
    assert reverse("web:propose_removal", args=[world.child.pk]) in school_html


def test_recording_an_enquiry_through_the_page(world, login, frozen):
    kind = EnquiryKind.objects.get(la__isnull=True, code="home_visit")
    response = login(world.users.school_dsl).post(
        reverse("web:record_enquiry", args=[world.case.pk]),
        {
            "kind": kind.pk,
            **date_fields("made_on", D(2026, 1, 19)),
            "method": "home_visit",
            "outcome": "not_found",
            "evidence": "No one at home; neighbour says they left in December",
        },
    )
    assert response.status_code == 302
    enquiry = Enquiry.objects.get()
    assert enquiry.side == "school" and enquiry.created_by == world.users.school_dsl


def test_a_bad_enquiry_shows_the_govuk_errors_and_saves_nothing(world, login, frozen):
    response = login(world.users.cme_officer).post(
        reverse("web:record_enquiry", args=[world.case.pk]),
        {**date_fields("made_on", D(2026, 1, 21)), "method": "phone", "outcome": "not_found", "evidence": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "Select the enquiry made" in html and "Enter the evidence note" in html
    assert not Enquiry.objects.exists()


def test_proposing_through_the_page_shows_each_condition(world, login, frozen):
    client = login(world.users.school_dsl)
    ground = DeletionGround.objects.get(code_2024="9(1)(i)")
    page = client.get(reverse("web:propose_removal", args=[world.child.pk]) + f"?case={world.case.pk}")
    assert (
        "9(1)(i): Continuously absent for 20 school days (G N or O) (2006: 8(1)(h))" in page.content.decode()
    )
    assert "Certified medically unfit" in page.content.decode()  # the 2006-only ground, for history
    response = client.post(
        reverse("web:propose_removal", args=[world.child.pk]) + f"?case={world.case.pk}",
        {"ground": ground.pk, **date_fields("proposed_date", D(2026, 1, 20))},
    )
    proposal = DeletionProposal.objects.get()
    assert response.status_code == 302 and response.url == reverse("web:removal", args=[proposal.pk])
    html = client.get(response.url).content.decode()
    assert "School days of continuous absence: at least 20" in html
    assert "Not met" in html and "Needs a declaration" in html
    assert "The pupil cannot be deleted yet." in html
    assert reverse("web:delete_from_roll", args=[proposal.pk]) not in html


def test_a_proposal_before_the_enrolment_shows_an_error_and_saves_nothing(world, login, frozen):
    ground = DeletionGround.objects.get(code_2024="9(1)(k)")
    response = login(world.users.school_dsl).post(
        reverse("web:propose_removal", args=[world.child.pk]),
        {"ground": ground.pk, **date_fields("proposed_date", D(2019, 1, 1))},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in html
    assert "The deletion date must be on or after 4 September 2019" in html
    assert not DeletionProposal.objects.exists()


def test_a_pupil_no_longer_on_the_roll_shows_an_error(world, login, frozen):
    enrolment = world.child.enrolments.get()
    enrolment.status, enrolment.leaving_date = EnrolmentStatus.LEFT, D(2025, 7, 18)
    enrolment.save()
    ground = DeletionGround.objects.get(code_2024="9(1)(k)")
    response = login(world.users.school_dsl).post(
        reverse("web:propose_removal", args=[world.child.pk]),
        {"ground": ground.pk, **date_fields("proposed_date", D(2026, 1, 20))},
    )
    assert "Amara Okafor is not on Hillside Primary School&#x27;s roll" in response.content.decode()
    assert not DeletionProposal.objects.exists()


def test_declare_then_delete_through_the_pages(world, login, frozen):
    proposal = make_proposal(world)
    client = login(world.users.school_dsl)
    page = client.get(reverse("web:declare_removal", args=[proposal.pk]))
    assert "The pupil has died" in page.content.decode()
    client.post(
        reverse("web:declare_removal", args=[proposal.pk]),
        {"fact_0": "yes", "statement": "Letter from the family, 18 January"},
    )
    html = client.get(reverse("web:removal", args=[proposal.pk])).content.decode()
    assert "Declared" in html and "the pupil may be deleted" in html
    response = client.post(
        reverse("web:delete_from_roll", args=[proposal.pk]),
        {**date_fields("deleted_on", D(2026, 1, 20)), **date_fields("return_sent_on", D(2026, 1, 21))},
    )
    assert "The deletion return must be sent no later than the deletion date" in response.content.decode()
    assert world.child.enrolments.get().status == EnrolmentStatus.ON_ROLL
    response = client.post(
        reverse("web:delete_from_roll", args=[proposal.pk]),
        {**date_fields("deleted_on", D(2026, 1, 20)), **date_fields("return_sent_on", D(2026, 1, 20))},
    )
    assert response.url == reverse("web:deletion_return", args=[proposal.pk])
    html = client.get(response.url).content.decode()
    assert "(g) Ground for deletion" in html and "Regulation 9(1)(k) (2006: 8(1)(j)): Pupil has died" in html
    assert "Grace Okafor" in html and "07700 900123" in html
    assert world.child.enrolments.get().status == EnrolmentStatus.LEFT


def test_deleting_with_unmet_conditions_through_the_page_shows_why(world, login, frozen):
    proposal = make_proposal(world, "9(1)(i)")
    response = login(world.users.school_dsl).post(
        reverse("web:delete_from_roll", args=[proposal.pk]),
        {**date_fields("deleted_on", D(2026, 1, 20)), **date_fields("return_sent_on", D(2026, 1, 20))},
    )
    html = response.content.decode()
    assert "There is a problem" in html and "The pupil cannot be deleted yet." in html
    assert "Condition not met: School days of continuous absence: at least 20" in html
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PROPOSED


def test_the_la_decides_through_the_page(world, login, frozen):
    proposal = make_proposal(world)
    client = login(world.users.cme_officer)
    response = client.post(reverse("web:decide_removal", args=[proposal.pk]), {"decision": "granted"})
    assert "Enter the reasons for the decision" in response.content.decode()
    client.post(
        reverse("web:decide_removal", args=[proposal.pk]), {"decision": "refused", "reasons": "Found"}
    )
    proposal.refresh_from_db()
    assert proposal.decision == "refused" and proposal.decided_by == world.users.cme_officer


# --- permission-matrix rows for pages about one proposal (the shared MATRIX holds child and case ones) ---

SCHOOL = {"school_dsl"}
REMOVAL_MATRIX = [
    ("web:removal", SCHOOL | LA_990),
    ("web:deletion_return", SCHOOL | LA_990),
    ("web:declare_removal", SCHOOL),
    ("web:delete_from_roll", SCHOOL),
    ("web:withdraw_removal", SCHOOL),
    ("web:decide_removal", {"cme_officer"}),
]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name, allowed", REMOVAL_MATRIX, ids=[m[0] for m in REMOVAL_MATRIX])
def test_removal_permission_matrix(client, world, persona, name, allowed):
    proposal = make_proposal(world)
    if persona != "anonymous":
        client.force_login(getattr(world.users, persona))
    response = client.get(reverse(name, args=[proposal.pk]))
    expected = 302 if persona == "anonymous" else (200 if persona in allowed else 404)
    assert response.status_code == expected, f"{persona} on {name}"


@pytest.mark.parametrize("persona", ["other_school_dsl", "other_la_officer", "partner", "spa_officer"])
def test_posting_a_decision_or_deletion_out_of_reach_is_404_and_changes_nothing(client, world, persona):
    proposal = make_proposal(world)
    client.force_login(getattr(world.users, persona))
    for name, data in (
        ("web:decide_removal", {"decision": "granted", "reasons": "x"}),
        ("web:delete_from_roll", {**date_fields("deleted_on", D(2026, 1, 20))}),
    ):
        assert client.post(reverse(name, args=[proposal.pk]), data).status_code == 404
    proposal.refresh_from_db()
    assert proposal.decision == "" and proposal.status == ProposalStatus.PROPOSED


def test_the_school_withdraws_a_refused_proposal_and_may_propose_again(world, login, frozen):
    proposal = make_proposal(world)
    services.decide(
        world.users.cme_officer, proposal, "refused", "The child has been seen", today=D(2026, 1, 20)
    )
    client = login(world.users.school_dsl)
    response = client.post(reverse("web:withdraw_removal", args=[proposal.pk]), {"reason": ""})
    assert "Enter why the proposal is withdrawn" in response.content.decode()
    client.post(reverse("web:withdraw_removal", args=[proposal.pk]), {"reason": "Back at school"})
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.WITHDRAWN
    assert make_proposal(world).status == ProposalStatus.PROPOSED
    assert world.child.enrolments.get().status == EnrolmentStatus.ON_ROLL


def test_the_removals_list_shows_open_proposals_and_deletions_in_scope(world, login, frozen):
    proposal = make_proposal(world)
    services.declare(world.users.school_dsl, proposal, {"pupil_died": True}, "Letter")
    services.delete_from_roll(
        world.users.school_dsl, proposal, D(2026, 1, 20), D(2026, 1, 20), today=D(2026, 1, 20)
    )
    html = login(world.users.cme_officer).get(reverse("web:removals")).content.decode()
    assert "Amara Okafor" in html and "Sent 20 Jan 2026" in html and "No open proposals." in html
    assert reverse("web:removals") in html  # in the navigation
    other = login(world.users.other_school_dsl).get(reverse("web:removals")).content.decode()
    assert "Amara Okafor" not in other and "No deletions yet." in other
    assert (
        "Amara Okafor"
        not in login(world.users.other_la_officer).get(reverse("web:removals")).content.decode()
    )


def test_after_a_home_education_deletion_the_la_is_offered_the_ehe_register(world, login, frozen):
    proposal = services.propose_deletion(
        world.users.school_dsl,
        world.child,
        {
            "ground": DeletionGround.objects.get(code_2024="9(1)(f)"),
            "proposed_date": D(2026, 1, 20),
            "ehe_notice_received_on": D(2026, 1, 5),
            "ehe_last_day": D(2026, 1, 16),
        },
        today=D(2026, 1, 20),
        case=world.case,
    )
    services.declare(world.users.school_dsl, proposal, {"sao_naming_this_school_in_force": False}, "No SAO")
    services.delete_from_roll(
        world.users.school_dsl, proposal, D(2026, 1, 20), D(2026, 1, 20), today=D(2026, 1, 20)
    )
    add_ehe = reverse("web:add_ehe", args=[world.child.pk])
    page = reverse("web:deletion_return", args=[proposal.pk])
    assert add_ehe in login(world.users.cme_officer).get(page).content.decode()
    assert add_ehe not in login(world.users.school_dsl).get(page).content.decode()
