"""Editing a child's identity, roll history, addresses and contacts, and a case's register entry."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from onroll.audit.models import Action, AuditEvent


def _date(prefix, day):
    return {f"{prefix}_0": str(day.day), f"{prefix}_1": str(day.month), f"{prefix}_2": str(day.year)}


def _identity(child, **overrides):
    data = {
        "legal_first_name": child.legal_first_name,
        "legal_middle_names": "",
        "legal_last_name": child.legal_last_name,
        "preferred_first_name": "",
        "preferred_last_name": "",
        "sex": child.sex,
        "ethnicity": child.ethnicity,
        "upn": child.upn,
        "former_upn": "",
        "flags": ["young_carer"],
        "version": child.modified_at.isoformat(),
        **_date("date_of_birth", child.date_of_birth),
    }
    data.update(overrides)
    return data


def test_name_change_keeps_the_old_name_searchable(login, world):
    client = login(world.users.cme_officer)
    response = client.post(
        reverse("web:edit_child", args=[world.child.pk]), _identity(world.child, legal_last_name="Mensah")
    )
    assert response.status_code == 302
    world.child.refresh_from_db()
    assert world.child.legal_last_name == "Mensah" and world.child.young_carer
    assert world.child.names.filter(kind="former", last_key="okafor").exists()
    assert world.child.names.filter(kind="legal", last_key="mensah").exists()
    event = AuditEvent.objects.get(action=Action.UPDATE, child_id=world.child.pk)
    assert event.changes["legal_last_name"] == ["Okafor", "Mensah"]


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"upn": "A801200005001"}, "check letter of this UPN should be B"),
        (_date("date_of_birth", timezone.localdate() + dt.timedelta(days=3)), "today or in the past"),
        ({"legal_first_name": ""}, "Enter the child's legal first name"),
    ],
)
def test_bad_identity_is_refused_and_nothing_changes(login, world, overrides, message):
    response = login(world.users.cme_officer).post(
        reverse("web:edit_child", args=[world.child.pk]), _identity(world.child, **overrides)
    )
    assert "There is a problem" in response.content.decode() and escape(message) in response.content.decode()
    world.child.refresh_from_db()
    assert world.child.upn == "B801200005001" and world.child.legal_first_name == "Amara"
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_add_enrolment_and_refuse_leaving_before_entry(login, world):
    client = login(world.users.cme_officer)
    url = reverse("web:add_enrolment", args=[world.child.pk])
    bad = {
        "school": world.other_school.pk,
        **_date("entry_date", dt.date(2024, 9, 4)),
        **_date("leaving_date", dt.date(2024, 7, 1)),
    }
    response = client.post(url, bad)
    assert "Leaving date must be the same as or after the entry date" in response.content.decode()
    assert world.child.enrolments.count() == 1
    good = {**bad, **_date("leaving_date", dt.date(2025, 7, 18)), "leaving_reason": "Moved house"}
    assert client.post(url, good).status_code == 302
    enrolment = world.child.enrolments.get(school=world.other_school)
    assert enrolment.status == "left" and enrolment.leaving_reason == "Moved house"
    # The other school now sees the child: it was on their roll.
    assert (
        login(world.users.other_school_dsl).get(reverse("web:child", args=[world.child.pk])).status_code
        == 200
    )


def test_add_address_and_contact(login, world):
    client = login(world.users.spa_officer)
    client.post(
        reverse("web:add_address", args=[world.child.pk]),
        {"line_1": "3 Bridge Row", "postcode": "nm4 1aa", **_date("from_date", dt.date(2026, 10, 1))},
    )
    assert world.child.addresses.filter(line_1="3 Bridge Row", postcode="NM4 1AA").exists()
    response = client.post(
        reverse("web:add_contact", args=[world.child.pk]),
        {"name": "Kofi Okafor", "relationship": "Father", "email": "not-an-email"},
    )
    assert "Enter an email address like name@example.com" in response.content.decode()
    client.post(
        reverse("web:add_contact", args=[world.child.pk]),
        {"name": "Kofi Okafor", "relationship": "Father", "parental_responsibility": "on"},
    )
    assert world.child.contacts.get(name="Kofi Okafor").parental_responsibility


def test_edit_register_entry_allocates_a_lead(login, world):
    client = login(world.users.spa_officer)
    case = world.case
    data = {
        "primary_reason": "left_destination_unknown",
        "vulnerabilities": ["homeless", "young_carer"],
        "provision_type": "none",
        "hours_per_week": "",
        "responsible_org": world.team["cme"].pk,
        "lead_professional": world.users.cme_officer.pk,
        "version": case.modified_at.isoformat(),
    }
    assert client.post(reverse("web:edit_case", args=[case.pk]), data).status_code == 302
    case.refresh_from_db()
    assert case.primary_reason_id == "left_destination_unknown" and case.responsible_org == world.team["cme"]
    assert set(case.vulnerabilities.values_list("code", flat=True)) == {"homeless", "young_carer"}
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=case.pk)
    assert "vulnerabilities" in event.changes and "primary_reason" in event.changes
    response = client.post(
        reverse("web:edit_case", args=[case.pk]),
        {**data, "hours_per_week": "75", "version": case.modified_at.isoformat()},
    )
    assert "Hours a week must be between 0 and 60" in response.content.decode()
