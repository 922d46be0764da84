"""Exclusions: a permanent exclusion opens the LA's task to arrange full-time provision from the sixth school
day; a suspension of more than five school days opens the same duty for the school."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onroll.accounts.models import Role
from onroll.audit.models import Action, AuditEvent
from onroll.casework import services as case_services
from onroll.casework.exclusions import PROVISION_TITLE, record_exclusion
from onroll.casework.models import Case, Category, Exclusion, Outcome
from onroll.procedures.models import Task
from onroll.procedures.queries import my_tasks

from . import factories as f

D = dt.date
TODAY = D(2026, 11, 20)


def exclude(world, user=None, **data):
    data.setdefault("school", world.school)
    return record_exclusion(user or world.users.school_dsl, world.child, data, today=TODAY)


def test_permanent_exclusion_opens_the_las_task_due_on_the_sixth_school_day(afc):
    exclusion = exclude(afc, kind="permanent", first_day=D(2026, 11, 2))
    task = exclusion.provision_task
    assert task.title == PROVISION_TITLE
    assert (task.role, task.school, task.due_on) == (Role.CME_OFFICER, None, D(2026, 11, 9))
    assert task.escalate_to == Role.PANEL_CHAIR and task.escalate_on == D(2026, 11, 10)
    assert task.case == afc.case  # Amara's open case
    assert my_tasks(afc.users.cme_officer, TODAY).overdue == [task]
    assert my_tasks(afc.users.school_dsl, TODAY).due == []


def test_the_sixth_school_day_skips_half_term(afc):
    # Thursday 22 and Friday 23 October, half term, then 2, 3, 4 November: the sixth is 5 November.
    exclusion = exclude(afc, kind="permanent", first_day=D(2026, 10, 22))
    assert exclusion.provision_task.due_on == D(2026, 11, 5)


def test_a_suspension_of_five_school_days_opens_no_task(afc):
    exclusion = exclude(afc, kind="suspension", first_day=D(2026, 11, 2), last_day=D(2026, 11, 6))
    assert exclusion.school_days == 5 and exclusion.provision_task is None
    assert not Task.objects.exists()


def test_a_suspension_of_more_than_five_school_days_opens_the_schools_task(afc):
    # Friday 6 November to Friday 13 November: six school days (the weekend does not count).
    exclusion = exclude(afc, kind="suspension", first_day=D(2026, 11, 6), last_day=D(2026, 11, 13))
    task = exclusion.provision_task
    assert exclusion.school_days == 6
    assert (task.role, task.school, task.due_on) == (Role.SCHOOL_LEAD, afc.school, D(2026, 11, 13))
    assert task.escalate_to == Role.CME_OFFICER
    assert my_tasks(afc.users.school_dsl, D(2026, 11, 9)).due == [task]
    assert my_tasks(afc.users.other_school_dsl, D(2026, 11, 9)).due == []


def test_each_exclusion_has_its_own_task(afc):
    first = exclude(afc, kind="permanent", first_day=D(2026, 11, 2))
    second = exclude(afc, kind="permanent", first_day=D(2026, 11, 16))
    assert first.provision_task != second.provision_task


def test_without_term_dates_the_task_opens_with_a_note(world):
    exclusion = exclude(world, kind="permanent", first_day=D(2026, 11, 2))
    task = exclusion.provision_task
    assert task.due_on is None and "cannot be counted yet" in task.due_note


def test_a_child_with_no_open_case_gets_an_at_risk_case(afc):
    case_services.close_case(afc.users.cme_officer, afc.case, Outcome.RISK_REDUCED, TODAY, "", today=TODAY)
    exclusion = exclude(afc, kind="permanent", first_day=D(2026, 11, 2))
    case = exclusion.case
    assert case != afc.case and case.category == Category.AT_RISK
    assert case.primary_reason_id == "permanent_exclusion" and case.responsible_org == afc.school.organisation


def test_recording_is_audited(afc):
    exclusion = exclude(afc, kind="permanent", first_day=D(2026, 11, 2))
    event = AuditEvent.objects.get(action=Action.CREATE, object_id=exclusion.pk)
    assert event.child_id == afc.child.pk and "permanent exclusion" in event.summary


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"kind": "suspension", "first_day": D(2026, 11, 2)}, "last_day", "Enter the last day"),
        (
            {"kind": "suspension", "first_day": D(2026, 11, 2), "last_day": D(2026, 11, 1)},
            "last_day",
            "on or after the first day",
        ),
        (
            {"kind": "permanent", "first_day": D(2026, 11, 2), "last_day": D(2026, 11, 3)},
            "last_day",
            "no last day",
        ),
        ({"kind": "permanent"}, "first_day", "Enter the first day"),
        ({"first_day": D(2026, 11, 2)}, "kind", "Select the type"),
        ({"kind": "permanent", "first_day": D(2019, 9, 1)}, "first_day", "is not on Hillside"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(afc, data, field, message):
    cases = Case.objects.count()
    with pytest.raises(ValidationError) as caught:
        exclude(afc, **data)
    assert message in caught.value.error_dict[field][0].message
    assert not Exclusion.objects.exists() and not Task.objects.exists() and Case.objects.count() == cases


def test_school_staff_record_only_for_their_own_school(afc):
    f.EnrolmentFactory(child=afc.child, school=afc.other_school)
    with pytest.raises(ValidationError, match="your own school"):
        exclude(afc, school=afc.other_school, kind="permanent", first_day=D(2026, 11, 2))
    # The LA may record it for any school the child is on the roll of.
    exclude(afc, afc.users.cme_officer, school=afc.other_school, kind="permanent", first_day=D(2026, 11, 2))


# --- The child page ---------------------------------------------------------------------------------------


def _post(client, world, **data):
    return client.post(reverse("web:record_exclusion", args=[world.child.pk]), data)


def test_school_staff_record_a_suspension_on_the_child_page(afc, login):
    client = login(afc.users.school_dsl)
    page = client.get(reverse("web:child", args=[afc.child.pk])).content.decode()
    assert "Record an exclusion" in page
    response = _post(
        client,
        afc,
        school=str(afc.school.pk),
        kind="suspension",
        first_day_0="6",
        first_day_1="11",
        first_day_2="2026",
        last_day_0="13",
        last_day_1="11",
        last_day_2="2026",
    )
    assert response.status_code == 302
    page = client.get(reverse("web:child", args=[afc.child.pk])).content.decode()
    assert "Suspension (fixed period)" in page and "6 school days" in page and "School task" in page


def test_the_form_shows_errors_and_saves_nothing(afc, login):
    client = login(afc.users.cme_officer)
    response = _post(client, afc, school=str(afc.school.pk), kind="suspension", first_day_0="6")
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert "must include a month and year" in page
    assert not Exclusion.objects.exists()


def test_the_form_offers_school_staff_their_own_school_only(afc, login):
    f.EnrolmentFactory(child=afc.child, school=afc.other_school)
    page = login(afc.users.school_dsl).get(reverse("web:record_exclusion", args=[afc.child.pk])).content
    assert b"Hillside Primary School" in page and b"Riverside Primary School" not in page
