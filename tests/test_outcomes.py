"""Closing a case needs an outcome and the details that outcome needs; nothing is written without them."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onroll.accounts.models import Role
from onroll.audit.models import Action, AuditEvent
from onroll.casework import services
from onroll.casework.models import CaseOutcome, Category, ConfirmedHow, Outcome
from onroll.procedures.models import Task
from onroll.registers.models import EHERegistration, LASettings

TODAY = dt.date(2026, 11, 20)
D = dt.date


def close(world, outcome, details=None, date_closed=TODAY):
    return services.close_case(
        world.users.cme_officer, world.case, outcome, date_closed, "", today=TODAY, details=details or {}
    )


def good_details(world):
    return {
        Outcome.BACK_ON_ROLL: {"school": world.other_school, "on_roll_from": D(2026, 11, 16)},
        Outcome.EHE: {"review_due": D(2027, 2, 1)},
        Outcome.MOVED_LA: {
            "other_la": world.other_la,
            "confirmed_how": ConfirmedHow.OTHER_LA,
            "confirmed_on": D(2026, 11, 18),
        },
        Outcome.MOVED_ABROAD: {"country": "", "confirmed_how": ConfirmedHow.BORDER_FORCE},
        Outcome.LOST_CTF: {"ctf_uploaded_on": D(2026, 11, 19)},
        Outcome.SAO: {"sao_served_on": D(2026, 11, 19)},
        Outcome.ALTERNATIVE_PROVISION: {
            "provision": "Northmere Tuition Centre",
            "hours_per_week": Decimal("15"),
        },
        Outcome.DIED: {"died_on": D(2026, 11, 1)},
        Outcome.RISK_REDUCED: {},
        Outcome.NOT_CSA: {},
    }


REQUIRED = {
    Outcome.BACK_ON_ROLL: {"school", "on_roll_from"},
    Outcome.EHE: {"review_due"},
    Outcome.MOVED_LA: {"other_la", "confirmed_how", "confirmed_on"},
    Outcome.MOVED_ABROAD: {"confirmed_how"},
    Outcome.LOST_CTF: {"ctf_uploaded_on"},
    Outcome.SAO: {"sao_served_on"},
    Outcome.ALTERNATIVE_PROVISION: {"provision", "hours_per_week"},
    Outcome.DIED: {"died_on"},
}


@pytest.mark.parametrize("outcome", list(REQUIRED))
def test_each_outcome_needs_its_details_and_nothing_is_written_without_them(world, outcome):
    with pytest.raises(ValidationError) as caught:
        close(world, outcome, {})
    assert set(caught.value.error_dict) == REQUIRED[outcome]
    world.case.refresh_from_db()
    assert world.case.is_open and world.case.outcome == ""
    assert not CaseOutcome.objects.exists() and not EHERegistration.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.CLOSE).exists()


@pytest.mark.parametrize("outcome", list(Outcome))
def test_each_outcome_closes_with_its_details_kept(world, outcome):
    details = good_details(world)[outcome]
    case = close(world, outcome, details)
    assert case.category == Category.CLOSED and case.outcome == outcome
    kept = CaseOutcome.objects.get(case=case)
    for name, value in details.items():
        assert getattr(kept, name) == value
    event = AuditEvent.objects.get(action=Action.CLOSE, object_id=case.pk)
    assert event.changes["outcome"][1] == outcome


def test_details_of_other_outcomes_are_dropped(world):
    close(world, Outcome.LOST_CTF, {"ctf_uploaded_on": TODAY, "died_on": TODAY, "school": world.school})
    kept = CaseOutcome.objects.get()
    assert kept.ctf_uploaded_on == TODAY and kept.died_on is None and kept.school is None


@pytest.mark.parametrize(
    "outcome, details, field, message",
    [
        (Outcome.LOST_CTF, {"ctf_uploaded_on": D(2026, 11, 21)}, "ctf_uploaded_on", "today or in the past"),
        (Outcome.EHE, {"review_due": TODAY}, "review_due", "after the case closes"),
        (
            Outcome.ALTERNATIVE_PROVISION,
            {"provision": "AP", "hours_per_week": Decimal(0)},
            "hours_per_week",
            "more than 0",
        ),
        (Outcome.DIED, {"died_on": D(2027, 1, 1)}, "died_on", "today or in the past"),
    ],
)
def test_detail_values_are_checked(world, outcome, details, field, message):
    with pytest.raises(ValidationError) as caught:
        close(world, outcome, details)
    assert message in caught.value.error_dict[field][0].message


def test_moved_to_another_la_must_name_another_la(world):
    details = {**good_details(world)[Outcome.MOVED_LA], "other_la": world.la}
    with pytest.raises(ValidationError, match="other than Northmere"):
        close(world, Outcome.MOVED_LA, details)


def test_ehe_outcome_puts_the_child_on_the_ehe_register_with_the_review(world):
    close(world, Outcome.EHE, {"review_due": D(2027, 2, 1)})
    registration = EHERegistration.objects.get(child=world.child)
    assert registration.started_on == TODAY and registration.case == world.case and registration.is_active
    assert [r.due_on for r in registration.reviews.all()] == [D(2027, 2, 1)]


def test_ehe_outcome_for_a_child_already_on_the_register_adds_the_review_only(world):
    close(world, Outcome.EHE, {"review_due": D(2027, 2, 1)})
    services.change_category(world.users.cme_officer, world.case, Category.EHE, "Reopened", today=TODAY)
    close(world, Outcome.EHE, {"review_due": D(2027, 3, 1)})
    registration = EHERegistration.objects.get(child=world.child)
    assert [r.due_on for r in registration.reviews.all()] == [D(2027, 2, 1), D(2027, 3, 1)]


def test_sao_opens_no_task_unless_the_la_refers_to_its_legal_team(world):
    close(world, Outcome.SAO, {"sao_served_on": D(2026, 11, 19)})
    assert not Task.objects.filter(case=world.case).exists()


def test_sao_opens_the_legal_team_referral_task_where_switched_on(world):
    LASettings.objects.create(la=world.la, sao_legal_referral=True)
    close(world, Outcome.SAO, {"sao_served_on": D(2026, 11, 19)})
    task = Task.objects.get(case=world.case, step_id="sao_legal_referral")
    assert "Legal Intervention Team" in task.title and "do not engage" in task.title
    assert task.role == Role.CME_OFFICER and task.school is None
    assert task.due_on == D(2026, 12, 4)  # 15 days after the order was served


# --- The page ---------------------------------------------------------------------------------------------


def _post(client, world, data):
    base = {
        "version": world.case.modified_at.isoformat(),
        "date_closed_0": "20",
        "date_closed_1": "11",
        "date_closed_2": "2026",
        "reason": "",
    }
    return client.post(reverse("web:close_case", args=[world.case.pk]), {**base, **data})


def test_the_page_shows_conditional_radios_with_each_outcomes_details(world, login):
    page = (
        login(world.users.cme_officer).get(reverse("web:close_case", args=[world.case.pk])).content.decode()
    )
    assert 'data-aria-controls="conditional-id_outcome_0"' in page
    assert (
        'class="govuk-radios__conditional govuk-radios__conditional--hidden" id="conditional-id_outcome_0"'
        in page
    )
    for name in (
        "school",
        "on_roll_from",
        "review_due",
        "other_la",
        "la_confirmed_how",
        "abroad_confirmed_how",
        "ctf_uploaded_on",
        "sao_served_on",
        "provision",
        "hours_per_week",
        "died_on",
    ):
        assert f'name="{name}' in page
    # The case's own LA is not offered as the LA the child moved to.
    assert "Southdale" in page and "Northmere (990)</option>" not in page


def test_a_missing_detail_shows_its_error_under_the_outcome_and_saves_nothing(world, login, settings):
    client = login(world.users.cme_officer)
    response = _post(client, world, {"outcome": "moved_la", "la_confirmed_how": "parent"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Select the local authority the child moved to" in page
    assert "Enter the date the move was confirmed" in page
    assert 'href="#id_la_confirmed_on_0"' in page
    # The chosen outcome's details stay revealed after the error.
    assert 'class="govuk-radios__conditional" id="conditional-id_outcome_2"' in page
    world.case.refresh_from_db()
    assert world.case.is_open and not CaseOutcome.objects.exists()


def test_half_typed_dates_under_other_outcomes_are_ignored(world, login):
    client = login(world.users.cme_officer)
    response = _post(
        client,
        world,
        {
            "outcome": "lost_ctf",
            "ctf_uploaded_on_0": "19",
            "ctf_uploaded_on_1": "11",
            "ctf_uploaded_on_2": "2026",
            "died_on_0": "3",
        },
    )
    assert response.status_code == 302
    assert CaseOutcome.objects.get().ctf_uploaded_on == D(2026, 11, 19)


def test_closing_as_moved_abroad_from_the_page(world, login):
    client = login(world.users.cme_officer)
    response = _post(
        client, world, {"outcome": "moved_abroad", "country": "Portugal", "abroad_confirmed_how": "relative"}
    )
    assert response.status_code == 302
    kept = CaseOutcome.objects.get()
    assert (kept.country, kept.confirmed_how) == ("Portugal", "relative")


def test_the_case_page_shows_the_outcomes_details(world, login):
    close(world, Outcome.MOVED_LA, good_details(world)[Outcome.MOVED_LA])
    page = login(world.users.cme_officer).get(reverse("web:case", args=[world.case.pk])).content.decode()
    assert "Southdale (991)" in page and "The other local authority confirmed it" in page
    assert "18 November 2026" in page


def test_back_on_a_roll_adds_the_school_to_the_roll_history_once(world):
    close(world, Outcome.BACK_ON_ROLL, {"school": world.other_school, "on_roll_from": D(2026, 11, 16)})
    enrolment = world.child.enrolments.get(school=world.other_school)
    assert enrolment.entry_date == D(2026, 11, 16) and enrolment.status == "on_roll"
    services.change_category(world.users.cme_officer, world.case, Category.AT_RISK, "Again", today=TODAY)
    close(world, Outcome.BACK_ON_ROLL, {"school": world.other_school, "on_roll_from": D(2026, 11, 18)})
    assert world.child.enrolments.filter(school=world.other_school).count() == 1
    # Already on Hillside's roll: nothing added.
    services.change_category(world.users.cme_officer, world.case, Category.AT_RISK, "Again", today=TODAY)
    close(world, Outcome.BACK_ON_ROLL, {"school": world.school, "on_roll_from": D(2026, 11, 18)})
    assert world.child.enrolments.filter(school=world.school).count() == 1
