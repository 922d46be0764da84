"""The referral page hands out a one-time key; the same form posted twice makes one child and one referral."""

import re
import uuid

from django.urls import reverse

from onroll.casework.models import Case
from onroll.children.models import Child
from onroll.referrals.models import Referral

from .test_referral_and_bad_input import _valid

URL = reverse("web:new_referral")


def _key_on(page: str) -> str:
    return re.search(r'name="submission_key" value="([^"]+)"', page).group(1)


def test_the_page_carries_a_fresh_key_and_a_double_click_guard(world, login):
    client = login(world.users.school_dsl)
    first, second = (client.get(URL).content.decode() for _ in range(2))
    assert _key_on(first) != _key_on(second) and uuid.UUID(_key_on(first))
    assert 'data-prevent-double-click="true"' in first


def test_the_same_referral_posted_twice_makes_one_child_and_points_to_the_first(world, login):
    client = login(world.users.school_dsl)
    before = (Child.objects.count(), Case.objects.count())
    form = _valid(submission_key=_key_on(client.get(URL).content.decode()))
    first = client.post(URL, form)
    again = client.post(URL, form)
    referral = Referral.objects.get()
    assert first.status_code == again.status_code == 302
    assert again.url == first.url == reverse("web:case", args=[referral.case_id])
    assert (Child.objects.count(), Case.objects.count()) == (before[0] + 1, before[1] + 1)
    assert "This referral was already saved" in client.get(again.url).content.decode()
