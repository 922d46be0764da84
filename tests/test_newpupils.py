"""The new pupil return: a school records a pupil it has admitted, searching the LA's children first; the
LA reads the returns, late ones marked, and children it was looking for are found."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from onroll.audit.models import AuditEvent
from onroll.casework.models import Category
from onroll.children.models import Child, Enrolment, EnrolmentStatus
from onroll.matching.models import Decision, Door, MatchDecision
from onroll.newpupils.models import NewPupilReturn
from onroll.procedures.models import Task

from . import factories as f

NEW_URL = reverse("web:new_pupil_return_new")
LIST_URL = reverse("web:new_pupil_returns")
KACPER_DOB = dt.date(2016, 5, 9)


def _date(prefix: str, day: dt.date) -> dict:
    return {f"{prefix}_0": day.day, f"{prefix}_1": day.month, f"{prefix}_2": day.year}


def _form(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "legal_first_name": "Zofia",
        "legal_last_name": "Wiśniewska-Thorne",
        "sex": "F",
        "year_group": "4",
        "address_line_1": "3 Quarry Row",
        "town": "Northmere",
        "postcode": "NM4 7QR",
        "parent_1_name": "Ewa Wiśniewska",
        "parent_1_phone": "07700 900456",
        **_date("date_of_birth", dt.date(2017, 1, 22)),
        **_date("entered_on", today),
        **_date("first_attendance", today),
    }
    data.update(overrides)
    return data


@pytest.fixture
def kacper(world):
    """A child the LA is looking for: missing, not located, on no roll, so Hillside cannot see him."""
    child = f.ChildFactory(
        legal_first_name="Kacper", legal_last_name="Nowak", sex="M", la=world.la, date_of_birth=KACPER_DOB
    )
    f.AddressFactory(child=child, line_1="41 Tannery Street", postcode="NM3 8LT")
    f.ContactFactory(child=child, name="Marta Nowak", phone="07700 900789")
    case = f.CaseFactory(child=child, la=world.la, category=Category.MISSING_NOT_LOCATED)
    return child, case


def _kacper_form(**overrides) -> dict:
    # The school has him as "Kasper" (a spelling), at his old address, with his mother's phone.
    return _form(
        legal_first_name="Kasper",
        legal_last_name="Nowak",
        sex="M",
        address_line_1="41 Tannery Street",
        postcode="NM3 8LT",
        parent_1_name="Marta Nowak",
        parent_1_phone="07700 900789",
        **_date("date_of_birth", KACPER_DOB),
        **overrides,
    )


def _counts():
    return (
        Child.objects.count(),
        Enrolment.objects.count(),
        NewPupilReturn.objects.count(),
        MatchDecision.objects.count(),
        Task.objects.count(),
    )


def test_a_return_for_a_new_child_creates_the_child_on_the_roll(world, login):
    client = login(world.users.school_dsl)
    response = client.post(NEW_URL, _form())
    the_return = NewPupilReturn.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("web:new_pupil_return", args=[the_return.pk])
    child = the_return.child
    assert (child.legal_first_name, child.legal_last_name, child.la) == (
        "Zofia",
        "Wiśniewska-Thorne",
        world.la,
    )
    assert child.addresses.get().postcode == "NM4 7QR"
    assert child.contacts.get().phone == "07700 900456"
    enrolment = child.enrolments.get()
    assert (enrolment.school, enrolment.entry_date, enrolment.status) == (
        world.school,
        timezone.localdate(),
        EnrolmentStatus.ON_ROLL,
    )
    assert the_return.enrolment == enrolment and not the_return.late and not the_return.known_child
    assert the_return.due_on == timezone.localdate() + dt.timedelta(days=5)
    decision = the_return.decision
    assert (decision.door, decision.decision, decision.child) == (Door.NEW_PUPIL, Decision.NEW, child)
    summaries = list(AuditEvent.objects.filter(child_id=child.pk).values_list("summary", flat=True))
    assert any(s.startswith("New pupil return from Hillside Primary School") for s in summaries)
    assert any("Confirmed as a new child" in s for s in summaries)
    # The school now sees its new pupil, and the return, from its own list.
    assert client.get(reverse("web:child", args=[child.pk])).status_code == 200
    assert "Zofia Wiśniewska-Thorne" in client.get(LIST_URL).content.decode()


def test_a_known_child_found_by_the_search_is_linked_not_duplicated(world, login, kacper):
    child, case = kacper
    client = login(world.users.school_dsl)
    before = _counts()
    shown = client.post(NEW_URL, _kacper_form())
    page = shown.content.decode()
    assert shown.status_code == 200 and "Is this pupil already known to the local authority?" in page
    assert "Kacper Nowak" in page and "9 May 2016" in page
    assert _counts() == before  # nothing is written until the school chooses
    response = client.post(NEW_URL, _kacper_form(match_choice=str(child.pk)))
    assert response.status_code == 302
    the_return = NewPupilReturn.objects.get()
    assert the_return.child == child and the_return.known_child
    assert Child.objects.count() == before[0]
    assert child.enrolments.get().school == world.school
    assert the_return.decision.decision == Decision.LINKED
    assert the_return.reported["name"] == "Kasper Nowak"  # the school's spelling is kept on the return


def test_a_known_child_with_an_open_case_is_found_and_the_la_gets_a_task(world, login, kacper):
    child, case = kacper
    client = login(world.users.school_dsl)
    client.post(NEW_URL, _kacper_form(match_choice=str(child.pk)))
    the_return = NewPupilReturn.objects.get()
    task = Task.objects.get(case=case, step_id=f"new_pupil_return:{the_return.pk}")
    assert (the_return.found_case, the_return.review_task) == (case, task)
    assert task.role == "cme_officer" and task.school is None and task.due_on > timezone.localdate()
    assert task.escalate_to == "panel_chair" and "close case" in task.title
    la = login(world.users.cme_officer)
    listing = la.get(LIST_URL).content.decode()
    assert "Children found" in listing and "Child found" in listing and case.reference in listing
    detail = la.get(reverse("web:new_pupil_return", args=[the_return.pk])).content.decode()
    assert "Child found" in detail and reverse("web:task", args=[task.pk]) in detail
    # The task is in the CME officer's list of tasks.
    assert the_return.child.full_name in la.get(reverse("web:my_tasks")).content.decode()


def test_a_return_sent_after_the_fifth_day_is_marked_late(world, login):
    entered = timezone.localdate() - dt.timedelta(days=6)
    login(world.users.school_dsl).post(
        NEW_URL, _form(**_date("entered_on", entered), **_date("first_attendance", entered))
    )
    the_return = NewPupilReturn.objects.get()
    assert the_return.late and the_return.due_on == entered + dt.timedelta(days=5)
    listing = login(world.users.business_support).get(LIST_URL).content.decode()
    assert "Late" in listing


def test_a_return_on_the_fifth_day_is_on_time(world, login):
    entered = timezone.localdate() - dt.timedelta(days=5)
    login(world.users.school_dsl).post(
        NEW_URL, _form(**_date("entered_on", entered), **_date("first_attendance", entered))
    )
    assert not NewPupilReturn.objects.get().late


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"legal_first_name": ""}, "Enter the pupil&#x27;s legal first name"),
        (
            _date("entered_on", timezone.localdate() + dt.timedelta(days=1)),
            "must be today or in the past",
        ),
        (
            _date("first_attendance", timezone.localdate() - dt.timedelta(days=3)),
            "The first day of attendance",
        ),
        ({"upn": "not a upn"}, "UPN"),
        ({"parent_2_name": "Adam Nowak"}, "Enter a phone number for the second parent"),
    ],
)
def test_bad_input_shows_the_error_summary_and_writes_nothing(world, login, overrides, message):
    before = _counts()
    response = login(world.users.school_dsl).post(NEW_URL, _form(**overrides))
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page and message in page
    assert _counts() == before


def test_choosing_a_child_the_search_did_not_show_is_refused(world, login, kacper):
    child, _ = kacper
    before = _counts()
    response = login(world.users.school_dsl).post(
        NEW_URL, _kacper_form(match_choice=str(world.other_child.pk))
    )
    assert "Select one of the children shown" in response.content.decode()
    assert _counts() == before


def test_a_child_already_on_the_schools_roll_is_not_entered_twice(world, login):
    amara = world.child  # on Hillside's roll already
    data = _form(
        legal_first_name="Amara",
        legal_last_name="Okafor",
        upn=amara.upn,
        **_date("date_of_birth", amara.date_of_birth),
        match_choice=str(amara.pk),
    )
    before = _counts()
    response = login(world.users.school_dsl).post(NEW_URL, data)
    assert "already on Hillside Primary School" in response.content.decode()
    assert _counts() == before


def test_another_schools_return_answers_404(world, login):
    login(world.users.school_dsl).post(NEW_URL, _form())
    url = reverse("web:new_pupil_return", args=[NewPupilReturn.objects.get().pk])
    for persona in ("other_school_dsl", "other_la_officer", "partner", "panel_chair"):
        assert login(getattr(world.users, persona)).get(url).status_code == 404, persona
    assert login(world.users.spa_officer).get(url).status_code == 200
    assert "Zofia" not in login(world.users.other_school_dsl).get(LIST_URL).content.decode()


def test_the_school_sees_only_name_birth_date_and_reasons_of_a_child_it_may_not_see(world, login, kacper):
    child, case = kacper
    client = login(world.users.school_dsl)
    page = client.post(NEW_URL, _kacper_form()).content.decode()
    assert "Kacper Nowak" in page and "same date of birth" in page
    child_url = reverse("web:child", args=[child.pk])
    assert (
        child_url not in page and case.reference not in page and "Tannery" not in page.split("<h2 class")[1]
    )
    assert client.get(child_url).status_code == 404
    assert client.get(reverse("web:case", args=[case.pk])).status_code == 404


def test_only_school_staff_make_returns(world, login):
    for persona in ("cme_officer", "spa_officer", "partner"):
        before = _counts()
        response = login(getattr(world.users, persona)).post(NEW_URL, _form())
        assert response.status_code == 404 and _counts() == before, persona


def test_sending_the_candidates_back_without_a_choice_asks_for_one(world, login, kacper):
    before = _counts()
    response = login(world.users.school_dsl).post(NEW_URL, _kacper_form(candidates_shown="1"))
    assert "Select one of the children shown, or that this is a new pupil" in response.content.decode()
    assert _counts() == before


def test_a_school_may_say_none_of_the_candidates_is_its_pupil(world, login, kacper):
    child, case = kacper
    login(world.users.school_dsl).post(NEW_URL, _kacper_form(match_choice="new"))
    the_return = NewPupilReturn.objects.get()
    assert the_return.child != child and not the_return.known_child and the_return.found_case is None
    assert the_return.decision.decision == Decision.NEW
    assert [c["child"] for c in the_return.decision.shown] == [str(child.pk)]
    assert not Task.objects.filter(case=case).exists()


def test_the_la_is_told_when_the_pupil_is_still_on_another_schools_roll(world, login, kacper):
    child, _ = kacper
    f.EnrolmentFactory(child=child, school=world.other_school)
    login(world.users.school_dsl).post(NEW_URL, _kacper_form(match_choice=str(child.pk)))
    url = reverse("web:new_pupil_return", args=[NewPupilReturn.objects.get().pk])
    assert (
        "is still on the roll of Riverside Primary School"
        in login(world.users.cme_officer).get(url).content.decode()
    )
    assert "Riverside" not in login(world.users.school_dsl).get(url).content.decode()


def test_without_the_matching_model_the_search_falls_back_to_exact_details(world, login, kacper, monkeypatch):
    from onroll.matching import scoring

    def broken():
        raise scoring.ModelError("The matching model file was trained for comparisons version 'x'")

    monkeypatch.setattr(scoring, "current", broken)
    child, _ = kacper
    client = login(world.users.school_dsl)
    exact = {**_kacper_form(), "legal_first_name": "Kacper"}
    page = client.post(NEW_URL, exact).content.decode()
    assert (
        "only exact matches on UPN, or on name and date of birth, are shown" in page
        and "Kacper Nowak" in page
    )
    client.post(NEW_URL, {**exact, "match_choice": str(child.pk)})
    assert NewPupilReturn.objects.get().child == child
    # A spelling the exact search cannot see goes through as a new pupil, and the school is told why.
    response = client.post(NEW_URL, _form(), follow=True)
    assert "only exact matches" in response.content.decode()
    assert NewPupilReturn.objects.count() == 2
