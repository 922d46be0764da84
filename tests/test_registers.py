"""The elective home education register: entries from case outcomes or added by LA staff, suitability
reviews, and the list with overdue reviews first."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onroll.audit.models import Action, AuditEvent
from onroll.casework import services as case_services
from onroll.registers import queries, services
from onroll.registers.models import EHERegistration, NoticeKind, ReviewOutcome

from . import factories as f

D = dt.date
TODAY = D(2026, 11, 20)


def add(world, child=None, **data):
    data = {"started_on": D(2026, 9, 7), "review_due": D(2026, 12, 1), "notice_kind": NoticeKind.NONE, **data}
    return services.add_ehe_registration(world.users.cme_officer, child or world.child, data, today=TODAY)


def test_la_staff_add_a_child_with_the_first_review(world):
    registration = add(world, notice_kind=NoticeKind.WRITTEN_TO_SCHOOL, notice_received_on=D(2026, 9, 1))
    assert registration.is_active and registration.case is None
    assert [(r.due_on, r.done_on) for r in registration.reviews.all()] == [(D(2026, 12, 1), None)]
    assert AuditEvent.objects.filter(action=Action.CREATE, object_id=registration.pk).exists()


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"started_on": None}, "started_on", "Enter the date home education started"),
        ({"started_on": D(2026, 11, 21)}, "started_on", "today or in the past"),
        ({"notice_kind": NoticeKind.ORAL}, "notice_received_on", "Enter the date the notice was received"),
        ({"review_due": None}, "review_due", "Enter the date the suitability review is due"),
        ({"review_due": D(2026, 9, 7)}, "review_due", "after home education started"),
    ],
)
def test_bad_input_is_refused(world, data, field, message):
    with pytest.raises(ValidationError) as caught:
        add(world, **data)
    assert message in caught.value.error_dict[field][0].message
    assert not EHERegistration.objects.exists()


def test_a_child_cannot_be_on_the_register_twice(world):
    add(world)
    with pytest.raises(ValidationError, match="already on the elective home education register"):
        add(world)


def test_a_review_is_recorded_and_the_next_scheduled(world):
    registration = add(world)
    services.record_review(
        world.users.cme_officer,
        registration,
        {"done_on": D(2026, 11, 18), "outcome": ReviewOutcome.SUITABLE, "next_due": D(2027, 11, 18)},
        today=TODAY,
    )
    reviews = list(registration.reviews.all())
    assert [(r.due_on, r.done_on, r.outcome) for r in reviews] == [
        (D(2026, 12, 1), D(2026, 11, 18), ReviewOutcome.SUITABLE),
        (D(2027, 11, 18), None, ""),
    ]


def test_a_suitable_review_needs_the_next_review_date(world):
    registration = add(world)
    with pytest.raises(ValidationError, match="Enter when the next suitability review is due"):
        services.record_review(
            world.users.cme_officer,
            registration,
            {"done_on": D(2026, 11, 18), "outcome": ReviewOutcome.SUITABLE},
            today=TODAY,
        )
    assert not registration.reviews.filter(done_on__isnull=False).exists()


def test_ending_a_registration_needs_a_reason(world):
    registration = add(world)
    data = {"started_on": D(2026, 9, 7), "notice_kind": NoticeKind.NONE, "ended_on": D(2026, 11, 16)}
    with pytest.raises(ValidationError, match="Enter why home education ended"):
        services.update_ehe_registration(world.users.cme_officer, registration, data, today=TODAY)
    services.update_ehe_registration(
        world.users.cme_officer, registration, {**data, "end_reason": "Back at Hillside"}, today=TODAY
    )
    registration.refresh_from_db()
    assert not registration.is_active and registration.end_reason == "Back at Hillside"


def test_the_register_lists_overdue_reviews_first_and_filters(world):
    late = add(world, review_due=D(2026, 10, 1))
    soon_child = f.ChildFactory(la=world.la, legal_first_name="Bea", legal_last_name="Soon")
    soon = add(world, soon_child, review_due=D(2026, 12, 1))
    later_child = f.ChildFactory(la=world.la, legal_first_name="Cal", legal_last_name="Later")
    later = add(world, later_child, review_due=D(2027, 6, 1))
    f.ChildFactory(la=world.other_la)  # Southdale's children are not Northmere's register
    user = world.users.cme_officer
    assert queries.ehe_register(user, queries.EHEFilters(), TODAY) == [late, soon, later]
    assert queries.ehe_register(user, queries.EHEFilters(review="overdue"), TODAY) == [late]
    assert queries.ehe_register(user, queries.EHEFilters(review="due_soon"), TODAY) == [soon]
    assert queries.ehe_register(user, queries.EHEFilters(search="Cal"), TODAY) == [later]
    assert queries.ehe_register(world.users.other_la_officer, queries.EHEFilters(), TODAY) == []
    assert queries.ehe_register(world.users.school_dsl, queries.EHEFilters(), TODAY) == []


def test_a_case_closed_as_ehe_shows_on_the_register_page(world, login):
    case_services.close_case(
        world.users.cme_officer,
        world.case,
        "ehe",
        TODAY,
        "",
        today=TODAY,
        details={"review_due": D(2026, 11, 21)},
    )
    page = login(world.users.business_support).get(reverse("web:ehe_register")).content.decode()
    assert "Amara Okafor" in page and "21 Nov 2026" in page


def test_add_from_the_child_page_and_record_a_review(world, login):
    client = login(world.users.cme_officer)
    child_page = client.get(reverse("web:child", args=[world.child.pk])).content.decode()
    assert "add to the elective home education register" in child_page
    response = client.post(
        reverse("web:add_ehe", args=[world.child.pk]),
        {
            "started_on_0": "7",
            "started_on_1": "9",
            "started_on_2": "2026",
            "notice_kind": "written_la",
            "review_due_0": "1",
            "review_due_1": "10",
            "review_due_2": "2026",
        },
    )
    # A written notice needs its date: refused, with the error, and nothing written.
    assert response.status_code == 200
    assert "Enter the date the notice was received" in response.content.decode()
    assert not EHERegistration.objects.exists()
    response = client.post(
        reverse("web:add_ehe", args=[world.child.pk]),
        {
            "started_on_0": "7",
            "started_on_1": "9",
            "started_on_2": "2026",
            "notice_kind": "written_la",
            "notice_received_on_0": "1",
            "notice_received_on_1": "9",
            "notice_received_on_2": "2026",
            "review_due_0": "1",
            "review_due_1": "10",
            "review_due_2": "2026",
        },
    )
    registration = EHERegistration.objects.get(child=world.child)
    assert response.url == reverse("web:ehe_entry", args=[registration.pk])
    register = client.get(reverse("web:ehe_register")).content.decode()
    assert "Overdue" in register
    response = client.post(
        reverse("web:record_review", args=[registration.pk]),
        {
            "done_on_0": "2",
            "done_on_1": "10",
            "done_on_2": "2026",
            "outcome": "unsuitable",
            "notes": "No work",
        },
    )
    assert response.status_code == 302
    register = client.get(reverse("web:ehe_register")).content.decode()
    assert "2 Oct 2026: Education is not suitable" in register
    entry = client.get(reverse("web:ehe_entry", args=[registration.pk])).content.decode()
    assert "Education is not suitable" in entry
    assert AuditEvent.objects.filter(action=Action.VIEW, object_id=registration.pk).count() == 1
