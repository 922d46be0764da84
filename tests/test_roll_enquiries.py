"""Joint reasonable enquiries: derived from the log by one pure rule, never ticked; and the log on a case."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onroll.roll import queries, services
from onroll.roll.data_files import copy_default_list, load
from onroll.roll.enquiries import LA, SCHOOL, ListEntry, LoggedEnquiry, joint_enquiries
from onroll.roll.models import EnquiryKind, EnquiryMethod, EnquiryOutcome, Side

D = dt.date
LIST = [
    ListEntry("parents", "Phone the parents", True),
    ListEntry("home_visit", "Home visit", True),
    ListEntry("police", "Ask the police", False),
    ListEntry("mod", "MoD advice", False, "service_child"),
]


def log(*rows):
    return [LoggedEnquiry(code, side, outcome, D(2026, 1, 5)) for code, side, outcome in rows]


def test_required_done_by_both_sides_and_not_found_is_joint_enquiries_made():
    result = joint_enquiries(
        LIST, log(("parents", SCHOOL, "not_found"), ("home_visit", LA, "no_information"))
    )
    assert result.made and result.made_and_not_found and result.still_needed() == []


def test_one_side_alone_is_not_joint():
    result = joint_enquiries(LIST, log(("parents", SCHOOL, "not_found"), ("home_visit", SCHOOL, "not_found")))
    assert not result.made
    assert result.still_needed() == ["At least one enquiry made by the LA"]


def test_a_required_enquiry_missing_or_still_waiting_is_named():
    result = joint_enquiries(LIST, log(("parents", SCHOOL, "not_found"), ("home_visit", LA, "awaiting")))
    assert not result.made and [e.code for e in result.missing] == ["home_visit"]
    assert result.still_needed() == ["Home visit", "At least one enquiry made by the LA"]


def test_a_flag_makes_an_enquiry_required_for_that_child():
    rows = log(("parents", SCHOOL, "not_found"), ("home_visit", LA, "not_found"))
    assert joint_enquiries(LIST, rows).made
    result = joint_enquiries(LIST, rows, ["service_child"])
    assert not result.made and [e.code for e in result.missing] == ["mod"]


def test_found_by_any_enquiry_means_not_made_and_not_found():
    rows = log(("parents", SCHOOL, "not_found"), ("home_visit", LA, "not_found"), ("police", LA, "found"))
    result = joint_enquiries(LIST, rows)
    assert result.made and result.child_found and not result.made_and_not_found


# --- the log on a case ---------------------------------------------------------------------------------


@pytest.fixture
def kinds(world):
    return {k.code: k for k in queries.enquiry_list(world.la)}


def enquiry(user, world, kind, outcome=EnquiryOutcome.NOT_FOUND, on=None):
    return services.record_enquiry(
        user,
        world.case,
        {
            "kind": kind,
            "made_on": on or D(2026, 1, 5),
            "method": EnquiryMethod.PHONE,
            "outcome": outcome,
            "evidence": "Rang",
        },
        today=D(2026, 1, 6),
    )


def test_the_default_list_is_loaded_from_the_data_file(world, kinds):
    assert "s2s_lost_pupil_search" in kinds and kinds["mod_ceas"].required_if_flag == "service_child"
    assert not kinds["ukvi_border_force"].verified  # marked K in the file
    assert load() == 0  # loading again adds nothing and keeps edits


def test_who_made_an_enquiry_follows_from_the_users_organisation(world, kinds):
    by_school = enquiry(world.users.school_dsl, world, kinds["home_visit"])
    by_la = enquiry(world.users.cme_officer, world, kinds["police"])
    assert (by_school.side, by_la.side) == (Side.SCHOOL, Side.LA)
    assert by_school.organisation == world.school.organisation
    with pytest.raises(services.NotAllowed):
        enquiry(world.users.partner, world, kinds["health"])


def test_the_case_log_shows_what_is_still_missing(world, kinds):
    for code in ("parents_all_numbers", "letter_last_address", "home_visit", "siblings_schools"):
        enquiry(world.users.school_dsl, world, kinds[code])
    verdict = queries.enquiry_log(world.case).verdict
    assert not verdict.made
    assert "At least one enquiry made by the LA" in verdict.still_needed()
    for code in ("local_databases", "housing", "health", "social_care", "s2s_lost_pupil_search"):
        enquiry(world.users.cme_officer, world, kinds[code])
    assert queries.enquiry_log(world.case).verdict.made_and_not_found


@pytest.mark.parametrize(
    "change, field",
    [
        ({"made_on": D(2026, 1, 7)}, "made_on"),
        ({"made_on": None}, "made_on"),
        ({"evidence": "  "}, "evidence"),
        ({"kind": None}, "kind"),
    ],
)
def test_bad_enquiries_are_refused_and_nothing_is_written(world, kinds, change, field):
    data = {
        "kind": kinds["home_visit"],
        "made_on": D(2026, 1, 5),
        "method": EnquiryMethod.HOME_VISIT,
        "outcome": EnquiryOutcome.NOT_FOUND,
        "evidence": "No answer",
        **change,
    }
    with pytest.raises(ValidationError) as error:
        services.record_enquiry(world.users.school_dsl, world.case, data, today=D(2026, 1, 6))
    assert field in error.value.message_dict
    assert not world.case.enquiries.exists()


def test_an_la_with_its_own_list_uses_only_that(world):
    assert copy_default_list(world.la) > 0
    assert copy_default_list(world.la) == 0
    EnquiryKind.objects.filter(la=world.la, code="police").update(required=True)
    own = queries.enquiry_list(world.la)
    assert all(k.la_id == world.la.pk for k in own)
    assert own.get(code="police").required
    assert not queries.enquiry_list(world.other_la).get(code="police").required


def test_an_administrator_corrects_a_ground_but_not_into_nonsense(world, client):
    from django.urls import reverse

    from onroll.roll.models import DeletionGround

    client.force_login(world.users.system_admin)
    ground = DeletionGround.objects.get(code_2024="9(1)(k)")
    url = reverse("admin:roll_deletionground_change", args=[ground.pk])
    form = {
        "code_2006": ground.code_2006,
        "short_name": ground.short_name,
        "label": "Pupil has died",
        "requires_la_notification": ground.requires_la_notification,
        "source": ground.source,
        "verified": "on",
        "active": "on",
        "order": ground.order,
    }
    response = client.post(url, {**form, "conditions": "pupil_died=="})
    assert response.status_code == 200 and "expected more" in response.content.decode()
    client.post(url, {**form, "conditions": "pupil_died==true;death_certificate_seen==true"})
    ground.refresh_from_db()
    assert ground.conditions.endswith("death_certificate_seen==true")
    assert load() == 0  # reloading the files keeps the correction
    ground.refresh_from_db()
    assert "death_certificate_seen" in ground.conditions
