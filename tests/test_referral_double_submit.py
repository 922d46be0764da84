"""A referral sent twice with the same one-time submission key makes one child, one case and one referral:
the second call is given the first referral instead.

These drive `make_referral` directly. The referral page itself lives in the web app
(onroll/web/views/referrals.py, web/referral.html), which does not yet hand out or pass on the key."""

import uuid

import pytest
from django.utils import timezone

from onroll.casework.models import Case
from onroll.children.models import Child
from onroll.core import submissions
from onroll.core.submissions import AlreadySaved
from onroll.matching.models import MatchDecision
from onroll.referrals.models import Referral
from onroll.referrals.services import make_referral
from onroll.web.forms import ReferralForm

from .test_referral_and_bad_input import _valid


def _counts():
    return (
        Child.objects.count(),
        Case.objects.count(),
        Referral.objects.count(),
        MatchDecision.objects.count(),
    )


def _data(**overrides) -> dict:
    form = ReferralForm(_valid(**overrides))
    assert form.is_valid(), form.errors
    return form.to_service_data()


def _refer(user, key: str, **overrides) -> Referral:
    return make_referral(
        user, _data(**overrides), today=timezone.localdate(), candidates=[], submission_key=key
    )


def test_the_same_referral_sent_twice_makes_one_child_and_points_to_the_first(world):
    before = _counts()
    key = str(uuid.uuid4())
    first = _refer(world.users.school_dsl, key)
    with pytest.raises(AlreadySaved) as again:
        _refer(world.users.school_dsl, key)
    assert again.value.record == first and first.submission_key == key
    assert _counts() == tuple(n + 1 for n in before)


def test_a_second_referral_with_a_new_key_is_still_saved(world):
    for first_name in ("Zofia", "Maja"):
        _refer(world.users.school_dsl, str(uuid.uuid4()), first_name=first_name)
    assert Referral.objects.count() == 2


def test_another_user_with_the_same_key_makes_their_own_referral(world):
    key = str(uuid.uuid4())
    mine = _refer(world.users.school_dsl, key)
    theirs = _refer(world.users.other_school_dsl, key)
    assert mine != theirs and Referral.objects.count() == 2


def test_without_a_key_there_is_no_guard_as_before(world):
    for _ in range(2):
        _refer(world.users.school_dsl, "")
    assert Referral.objects.count() == 2


def test_two_calls_at_once_leave_one_referral_and_nothing_half_written(world, monkeypatch):
    """Both calls pass the look-up before either has committed; the unique key stops the later one at its
    insert, and its child, address, case and decision are rolled back with it."""
    key = str(uuid.uuid4())
    first = _refer(world.users.school_dsl, key)
    before = _counts()
    real = submissions.saved_with
    calls = []

    def not_yet_committed(model, user, key):
        calls.append(key)
        return None if len(calls) == 1 else real(model, user, key)

    monkeypatch.setattr(submissions, "saved_with", not_yet_committed)
    with pytest.raises(AlreadySaved) as again:
        _refer(world.users.school_dsl, key)
    assert len(calls) == 2 and again.value.record == first
    assert _counts() == before
