"""A new pupil return sent twice (a double click, the back button, a re-sent POST) makes one child and one
return: the form page's one-time submission key is recorded on the return and a second POST with it is
shown the first return instead."""

import re
import uuid

from django.urls import reverse

from onroll.children.models import Child, Enrolment
from onroll.core import submissions
from onroll.matching.models import MatchDecision
from onroll.newpupils import views
from onroll.newpupils.models import NewPupilReturn

from .test_newpupils import NEW_URL, _form

ALREADY_SAVED = "This return was already saved"


def _counts():
    return (
        Child.objects.count(),
        Enrolment.objects.count(),
        NewPupilReturn.objects.count(),
        MatchDecision.objects.count(),
    )


def _key_on(page: str) -> str:
    return re.search(r'name="submission_key" value="([^"]+)"', page).group(1)


def test_the_form_page_carries_a_fresh_key_and_a_double_click_guard(world, login):
    client = login(world.users.school_dsl)
    first, second = (client.get(NEW_URL).content.decode() for _ in range(2))
    assert _key_on(first) != _key_on(second)
    uuid.UUID(_key_on(first))
    assert 'data-prevent-double-click="true"' in first


def test_the_same_return_posted_twice_makes_one_child_and_points_to_the_first(world, login):
    client = login(world.users.school_dsl)
    before = _counts()
    form = _form(submission_key=_key_on(client.get(NEW_URL).content.decode()))
    first = client.post(NEW_URL, form)
    the_return = NewPupilReturn.objects.get()
    again = client.post(NEW_URL, form)
    assert first.status_code == again.status_code == 302
    assert again.url == first.url == reverse("web:new_pupil_return", args=[the_return.pk])
    assert _counts() == tuple(n + 1 for n in before)
    assert the_return.submission_key == form["submission_key"]
    page = client.get(again.url).content.decode()
    assert ALREADY_SAVED in page and "govuk-notification-banner" in page


def test_the_key_survives_the_candidates_step(world, login):
    """The page sent back with candidates keeps its key, so the POST that saves carries the page's key."""
    client = login(world.users.school_dsl)
    client.post(NEW_URL, _form(submission_key=str(uuid.uuid4())))  # Zofia, now known to the LA
    key = str(uuid.uuid4())
    shown = client.post(NEW_URL, _form(submission_key=key)).content.decode()
    assert "Is this pupil already known to the local authority?" in shown and _key_on(shown) == key
    saved = client.post(NEW_URL, _form(submission_key=key, match_choice="new"))
    again = client.post(NEW_URL, _form(submission_key=key, match_choice="new"))
    assert saved.url == again.url and NewPupilReturn.objects.count() == 2


def test_a_second_pupil_on_a_new_page_is_still_saved(world, login):
    client = login(world.users.school_dsl)
    for first_name in ("Zofia", "Maja"):
        key = _key_on(client.get(NEW_URL).content.decode())
        client.post(NEW_URL, _form(legal_first_name=first_name, submission_key=key, match_choice="new"))
    assert NewPupilReturn.objects.count() == 2


def test_another_user_with_the_same_key_is_not_shown_someone_elses_return(world, login):
    key = str(uuid.uuid4())
    login(world.users.school_dsl).post(NEW_URL, _form(submission_key=key))
    response = login(world.users.other_school_dsl).post(
        NEW_URL, _form(submission_key=key, match_choice="new")
    )
    mine = NewPupilReturn.objects.get(school=world.other_school)
    assert response.url == reverse("web:new_pupil_return", args=[mine.pk])


def test_a_post_without_a_key_works_as_before_and_is_given_a_key_for_its_next_step(world, login):
    client = login(world.users.school_dsl)
    shown = client.post(NEW_URL, _form(legal_first_name=""))
    assert "There is a problem" in shown.content.decode()
    uuid.UUID(_key_on(shown.content.decode()))
    assert client.post(NEW_URL, _form()).status_code == 302


def test_two_posts_at_once_leave_one_return_and_nothing_half_written(world, login, monkeypatch):
    """Both requests pass the look-up before either has committed; the unique key stops the later one at its
    insert, and its child, address, enrolment and decision are rolled back with it."""
    client = login(world.users.school_dsl)
    form = _form(submission_key=str(uuid.uuid4()), match_choice="new")
    client.post(NEW_URL, form)
    before = _counts()
    real = submissions.saved_with
    calls = []

    def not_yet_committed(model, user, key):
        # The first look-up (before the transaction) cannot see the other request's row yet.
        calls.append(key)
        return None if len(calls) == 1 else real(model, user, key)

    monkeypatch.setattr(views, "saved_with", lambda model, user, key: None)  # the view's look-up
    monkeypatch.setattr(submissions, "saved_with", not_yet_committed)
    response = client.post(NEW_URL, form)
    assert len(calls) == 2  # the later request did reach the insert and was turned back there
    assert response.status_code == 302
    assert response.url == reverse("web:new_pupil_return", args=[NewPupilReturn.objects.get().pk])
    assert _counts() == before
    assert ALREADY_SAVED in client.get(response.url).content.decode()
