"""Every URL for every persona: 200 where they may see it, 302 to sign in when anonymous, 404 otherwise."""

import pytest
from django.urls import reverse

PERSONAS = [
    "anonymous",
    "school_dsl",
    "other_school_dsl",
    "spa_officer",
    "cme_officer",
    "business_support",
    "panel_chair",
    "partner",
    "other_partner",
    "senior_leader",
    "system_admin",
    "other_la_officer",
]
LA_990 = {"spa_officer", "cme_officer", "business_support", "panel_chair", "senior_leader"}
ALL_STAFF = LA_990 | {"school_dsl", "other_school_dsl", "partner", "other_partner", "other_la_officer"}
SEES_AMARA = LA_990 | {"school_dsl", "partner"}  # on Hillside's roll; case shared with the health agency

# (url name, which object, personas answered 200)
MATRIX = [
    ("web:register", None, ALL_STAFF),
    ("web:my_cases", None, ALL_STAFF),
    ("web:new_referral", None, ALL_STAFF - {"senior_leader"}),
    ("web:duplicates", None, {"business_support"}),
    ("web:find_child", None, ALL_STAFF),
    ("web:import_attendance", None, {"school_dsl", "other_school_dsl", "business_support"}),
    ("web:child", "child", SEES_AMARA),
    ("web:child_audit", "child", {"business_support", "panel_chair", "senior_leader"}),
    ("web:case", "case", SEES_AMARA),
    ("web:add_note", "case", SEES_AMARA - {"senior_leader"}),
    ("web:record_contact", "case", SEES_AMARA - {"senior_leader", "partner"}),
    ("web:change_status", "case", {"spa_officer", "cme_officer", "panel_chair"}),
    ("web:close_case", "case", {"cme_officer", "panel_chair"}),
    ("web:edit_child", "child", {"spa_officer", "cme_officer", "business_support"}),
    ("web:add_enrolment", "child", {"spa_officer", "cme_officer", "business_support"}),
    ("web:add_address", "child", {"spa_officer", "cme_officer", "business_support"}),
    ("web:add_contact", "child", {"spa_officer", "cme_officer", "business_support"}),
    ("web:edit_case", "case", {"spa_officer", "cme_officer", "panel_chair"}),
    # CTFs and moves between LAs (pages about one file, move or notice: tests/test_transfers_permissions.py).
    (
        "web:import_ctf",
        None,
        {"school_dsl", "other_school_dsl", "cme_officer", "business_support", "other_la_officer"},
    ),
    ("web:child_ctf", "child", {"school_dsl", "cme_officer", "business_support"}),
    ("web:child_ctf", "other_child", {"other_la_officer"}),
    ("web:case_moves", "case", {"spa_officer", "cme_officer", "business_support"}),
    ("web:record_move", "case", {"spa_officer", "cme_officer", "business_support"}),
    ("web:arrivals", None, {"spa_officer", "cme_officer", "business_support", "other_la_officer"}),
    ("web:new_arrival", None, {"spa_officer", "cme_officer", "business_support", "other_la_officer"}),
    ("web:child", "other_child", {"other_la_officer"}),
    ("web:edit_child", "other_child", {"other_la_officer"}),
    ("web:case", "other_case", {"other_la_officer"}),
    # Exclusions and the registers (onroll/registers); "cnis_on": Northmere has switched that register on.
    ("web:record_exclusion", "child", {"school_dsl", "spa_officer", "cme_officer", "business_support"}),
    ("web:add_ehe", "child", {"cme_officer", "business_support"}),
    ("web:ehe_register", None, LA_990 | {"other_la_officer"}),
    ("web:ehe_entry", "ehe", LA_990),
    ("web:edit_ehe", "ehe", {"cme_officer", "business_support"}),
    ("web:record_review", "ehe", {"cme_officer", "business_support"}),
    ("web:cnis_register", None, set()),  # off by default
    ("web:cnis_register", "cnis_on", LA_990),
    ("web:add_cnis", "child_cnis_on", {"cme_officer", "business_support"}),
    ("web:cnis_entry", "cnis", LA_990),
    ("web:edit_cnis", "cnis", {"cme_officer", "business_support"}),
    # Removal from roll (pages about one proposal: tests/test_roll_web.py REMOVAL_MATRIX).
    ("web:record_enquiry", "case", {"school_dsl", "spa_officer", "cme_officer", "business_support"}),
    ("web:propose_removal", "child", {"school_dsl"}),
    ("web:removals", None, LA_990 | {"school_dsl", "other_school_dsl", "other_la_officer"}),
    # New pupil returns (onroll/newpupils): schools make them; LA SPA, CME and business support read them.
    (
        "web:new_pupil_returns",
        None,
        {
            "school_dsl",
            "other_school_dsl",
            "spa_officer",
            "cme_officer",
            "business_support",
            "other_la_officer",
        },
    ),
    ("web:new_pupil_return_new", None, {"school_dsl", "other_school_dsl"}),
    (
        "web:new_pupil_return",
        "new_pupil_return",
        {"school_dsl", "spa_officer", "cme_officer", "business_support"},
    ),
]


def _url(world, name, obj):
    if obj is None:
        return reverse(name)
    if obj in REGISTER_OBJECTS:
        return _register_url(world, name, obj)
    if obj == "new_pupil_return":
        return _new_pupil_return_url(world, name)
    target = getattr(world, obj)
    key = "child_id" if obj in ("child", "other_child") else "case_id"
    return reverse(name, kwargs={key: target.pk})


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name, obj, allowed", MATRIX, ids=[f"{m[0]}:{m[1]}" for m in MATRIX])
def test_permission_matrix(client, world, persona, name, obj, allowed):
    if persona != "anonymous":
        client.force_login(getattr(world.users, persona))
    response = client.get(_url(world, name, obj))
    if persona == "anonymous":
        expected = 302
    else:
        expected = 200 if persona in allowed else 404
    assert response.status_code == expected, f"{persona} on {name}"


@pytest.mark.parametrize(
    "persona, expected", [("system_admin", 200), ("cme_officer", 302), ("anonymous", 302)]
)
def test_admin_site_only_for_administrators(client, world, persona, expected):
    if persona != "anonymous":
        client.force_login(getattr(world.users, persona))
    assert client.get("/admin/").status_code == expected


def test_sign_in_page_is_public(client, db):
    assert client.get(reverse("web:login")).status_code == 200


def test_unknown_case_id_is_404_not_500(client, world):
    client.force_login(world.users.cme_officer)
    assert client.get("/cases/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_home_sends_everyone_somewhere(client, world, persona):
    if persona != "anonymous":
        client.force_login(getattr(world.users, persona))
    assert client.get(reverse("web:home")).status_code == 302


@pytest.mark.parametrize(
    "persona", ["other_la_officer", "other_school_dsl", "other_partner", "senior_leader"]
)
def test_posting_to_a_case_out_of_reach_is_404_and_changes_nothing(client, world, persona):
    client.force_login(getattr(world.users, persona))
    response = client.post(reverse("web:add_note", args=[world.case.pk]), {"text": "probe"})
    assert response.status_code == 404
    assert not world.case.notes.exists()


def test_sign_out_is_a_post_that_ends_the_session(client, world):
    client.force_login(world.users.cme_officer)
    assert client.post(reverse("web:logout")).status_code == 302
    assert client.get(reverse("web:register")).status_code == 302


def test_not_found_page_is_in_the_service_style(client, world, settings):
    settings.DEBUG = False
    client.force_login(world.users.cme_officer)
    response = client.get("/cases/00000000-0000-0000-0000-000000000000/")
    assert response.status_code == 404 and b"Page not found" in response.content
    assert b"govuk-heading-l" in response.content


def test_expired_form_gets_a_plain_message(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users.cme_officer)
    response = client.post(f"/cases/{world.case.pk}/notes/new/", {"text": "x"})
    assert response.status_code == 403 and b"Your form has expired" in response.content
    assert not world.case.notes.exists()


REGISTER_OBJECTS = {"ehe", "cnis", "cnis_on", "child_cnis_on"}


def _register_url(world, name, obj):
    """Amara on Northmere's EHE register, or Northmere keeping the register of children not in school."""
    import datetime as dt

    from onroll.registers.models import CNISEntry, EHERegistration, LASettings

    if obj == "ehe":
        started = dt.date(2026, 10, 1)
        entry = EHERegistration.objects.create(child=world.child, la=world.la, started_on=started)
        return reverse(name, kwargs={"registration_id": entry.pk})
    LASettings.objects.create(la=world.la, cnis_register_enabled=True)
    if obj == "cnis":
        entry = CNISEntry.objects.create(child=world.child, la=world.la, registered_on=dt.date(2026, 10, 1))
        return reverse(name, kwargs={"entry_id": entry.pk})
    if obj == "child_cnis_on":
        return reverse(name, kwargs={"child_id": world.child.pk})
    return reverse(name)


def _new_pupil_return_url(world, name):
    """Hillside's return for Amara."""
    import datetime as dt

    from onroll.newpupils.models import NewPupilReturn

    entered = dt.date(2026, 10, 1)
    the_return = NewPupilReturn.objects.create(
        school=world.school,
        child=world.child,
        entered_on=entered,
        first_attendance=entered,
        year_group="6",
        reported={"name": "Amara Okafor", "date_of_birth": "2015-03-14", "parents": []},
        received_on=entered,
        due_on=entered + dt.timedelta(days=5),
    )
    return reverse(name, kwargs={"return_id": the_return.pk})
