"""Status transitions, concurrent edits, and the confidential address rule."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from onroll.casework import services
from onroll.casework.models import Category
from onroll.casework.services import ALLOWED_TRANSITIONS
from onroll.core.concurrency import StaleRecord

TODAY = dt.date(2026, 11, 20)


def test_every_category_has_a_transition_row():
    assert set(ALLOWED_TRANSITIONS) == set(Category.values)
    assert all(Category.CLOSED not in targets for targets in ALLOWED_TRANSITIONS.values())


def test_allowed_transition_records_who_when_why(world):
    user = world.users.cme_officer
    case = services.change_category(
        user, world.case, Category.MISSING_NOT_LOCATED, "Not at address", today=TODAY
    )
    change = case.status_changes.order_by("-created_at").first()
    assert (change.from_category, change.to_category, change.reason, change.created_by) == (
        Category.AT_RISK,
        Category.MISSING_NOT_LOCATED,
        "Not at address",
        user,
    )


def test_closing_by_status_change_is_refused(world):
    with pytest.raises(ValidationError, match="Close the case with an outcome"):
        services.change_category(world.users.cme_officer, world.case, Category.CLOSED, "x", today=TODAY)


def test_reason_is_required(world):
    with pytest.raises(ValidationError, match="Enter why"):
        services.change_category(world.users.cme_officer, world.case, Category.EHE, "  ", today=TODAY)


def test_closed_case_can_be_reopened_and_outcome_cleared(world):
    user = world.users.cme_officer
    services.close_case(
        user,
        world.case,
        "back_on_roll",
        TODAY,
        "",
        today=TODAY,
        details={"school": world.other_school, "on_roll_from": TODAY},
    )
    case = services.change_category(
        user, world.case, Category.AT_RISK, "Stopped attending again", today=TODAY
    )
    assert case.is_open and case.outcome == "" and case.date_closed is None


def test_stale_form_does_not_overwrite_a_newer_change(world):
    user = world.users.cme_officer
    opened_at = world.case.modified_at
    services.change_category(user, world.case, Category.MISSING_LOCATED, "Found at aunt's", today=TODAY)
    with pytest.raises(StaleRecord):
        services.change_category(
            user, world.case, Category.EHE, "Parent letter", today=TODAY, expected_modified_at=opened_at
        )
    world.case.refresh_from_db()
    assert world.case.category == Category.MISSING_LOCATED


def test_stale_form_in_the_web_shows_an_error(login, world):
    client = login(world.users.cme_officer)
    old_version = world.case.modified_at.isoformat()
    services.change_category(
        world.users.spa_officer, world.case, Category.MISSING_LOCATED, "Found", today=TODAY
    )
    response = client.post(
        reverse("web:change_status", args=[world.case.pk]),
        {"to_category": "ehe", "reason": "letter", "version": old_version},
    )
    assert "Someone else changed this case" in response.content.decode()


def test_csa_category_refused_for_child_not_of_school_age(world):
    world.child.date_of_birth = dt.date(2023, 1, 1)
    world.child.save()
    with pytest.raises(ValidationError, match="not of compulsory school age"):
        services.change_category(
            world.users.cme_officer, world.case, Category.MISSING_LOCATED, "x", today=TODAY
        )


def test_close_date_cannot_precede_identification(world):
    with pytest.raises(ValidationError, match="on or after the date"):
        services.close_case(world.users.cme_officer, world.case, "ehe", dt.date(2020, 1, 1), "", today=TODAY)


@pytest.mark.parametrize(
    "persona, sees_refuge",
    [("cme_officer", True), ("panel_chair", True), ("school_dsl", False), ("spa_officer", False)],
)
def test_confidential_address_only_for_named_roles(login, world, persona, sees_refuge):
    page = (
        login(getattr(world.users, persona)).get(reverse("web:child", args=[world.child.pk])).content.decode()
    )
    assert "12 Mill Lane" in page
    assert ("Refuge address" in page) is sees_refuge
