"""The referral form creates the child and the case; bad input gets GOV.UK errors and saves nothing."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from onroll.casework.models import Case
from onroll.children.models import Address, Child, Contact
from onroll.referrals.models import Referral


def _valid(**overrides):
    today = timezone.localdate()
    dob = dt.date(today.year - 9, 5, 17)
    data = {
        "first_name": "Zofia",
        "last_name": "Kowalczyk",
        "date_of_birth_0": str(dob.day),
        "date_of_birth_1": str(dob.month),
        "date_of_birth_2": str(dob.year),
        "sex": "F",
        "ethnicity": "WOTH",
        "upn": "",
        "address_line_1": "4 Quay Street",
        "town": "Northmere",
        "postcode": "nm3 4qs",
        "parent_1_name": "Ewa Kowalczyk",
        "parent_1_phone": "07700 900456",
        "parent_2_name": "",
        "parent_2_phone": "",
        "other_address": "",
        "category": "missing_not_located",
        "primary_reason": "left_destination_unknown",
        "vulnerabilities": ["immigration"],
        "details": "Seen at the library in school hours; mother says no school place yet.",
        "referral_date_0": str(today.day),
        "referral_date_1": str(today.month),
        "referral_date_2": str(today.year),
        "referrer_name": "Pat Jones",
        "referrer_contact": "01234 567890, pat.jones@example.org",
    }
    data.update(overrides)
    return data


def _counts():
    return (
        Child.objects.count(),
        Case.objects.count(),
        Referral.objects.count(),
        Address.objects.count(),
        Contact.objects.count(),
    )


def test_referral_creates_child_case_and_referral(login, world):
    client = login(world.users.school_dsl)
    response = client.post(reverse("web:new_referral"), _valid())
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == reverse("web:case", args=[referral.case_id])
    child, case = referral.child, referral.case
    assert (child.legal_first_name, child.legal_last_name, child.la) == ("Zofia", "Kowalczyk", world.la)
    assert case.category == "missing_not_located" and case.primary_reason_id == "left_destination_unknown"
    assert case.referred_by_org == world.school.organisation and case.referral_source == "school"
    assert list(case.vulnerabilities.values_list("code", flat=True)) == ["immigration"]
    assert child.addresses.get().postcode == "NM3 4QS"
    assert child.contacts.get().name == "Ewa Kowalczyk"
    assert child.names.filter(kind="legal", last_key="kowalczyk").exists()
    # The school that referred can see the child it referred, though the child is not on its roll.
    assert client.get(reverse("web:child", args=[child.pk])).status_code == 200


def test_referring_school_colleague_elsewhere_cannot_see_it(login, world):
    login(world.users.school_dsl).post(reverse("web:new_referral"), _valid())
    case = Case.objects.get(referrals__isnull=False)
    other = login(world.users.other_school_dsl)
    assert other.get(reverse("web:case", args=[case.pk])).status_code == 404


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"upn": "A801200005001"}, "upn", "check letter of this UPN should be B"),
        ({"date_of_birth_2": str(timezone.localdate().year + 1)}, "date_of_birth", "today or in the past"),
        ({"date_of_birth_0": "31", "date_of_birth_1": "2"}, "date_of_birth", "must be a real date"),
        ({"date_of_birth_1": ""}, "date_of_birth", "must include a month"),
        ({"first_name": ""}, "first_name", "Enter the child's first name"),
        ({"address_line_1": ""}, "address_line_1", "Enter the first line"),
        ({"details": ""}, "details", "Enter the details"),
        ({"referrer_name": ""}, "referrer_name", "Enter your name"),
        ({"category": ""}, "category", "Select what your concern is"),
        ({"parent_1_name": ""}, "parent_1_name", "Enter the name of the parent"),
        ({"date_of_birth_2": str(timezone.localdate().year - 3)}, "category", "not of compulsory school age"),
    ],
)
def test_bad_referral_shows_errors_and_saves_nothing(login, world, overrides, field, message):
    before = _counts()
    response = login(world.users.school_dsl).post(reverse("web:new_referral"), _valid(**overrides))
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page and "govuk-error-summary" in page
    assert escape(message) in page
    assert f'href="#id_{field}' in page  # the summary links to the field
    assert _counts() == before


def test_contact_attempt_in_the_future_is_refused(login, world):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = login(world.users.cme_officer).post(
        reverse("web:record_contact", args=[world.case.pk]),
        {
            "made_on_0": tomorrow.day,
            "made_on_1": tomorrow.month,
            "made_on_2": tomorrow.year,
            "method": "phone",
            "contacted": "Mother",
            "outcome": "no_answer",
        },
    )
    assert "Date of attempt must be today or in the past" in response.content.decode()
    assert not world.case.contact_attempts.exists()


def test_closing_needs_an_outcome(login, world):
    response = login(world.users.cme_officer).post(
        reverse("web:close_case", args=[world.case.pk]),
        {
            "outcome": "",
            "date_closed_0": "1",
            "date_closed_1": "11",
            "date_closed_2": "2026",
            "version": world.case.modified_at.isoformat(),
        },
    )
    assert "Select the outcome" in response.content.decode()
    world.case.refresh_from_db()
    assert world.case.is_open


def test_sign_in_with_wrong_password_shows_error_summary(client, world):
    response = client.post(reverse("web:login"), {"username": "cme_officer", "password": "wrong"})
    assert "There is a problem" in response.content.decode()
