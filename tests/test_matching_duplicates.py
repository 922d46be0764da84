"""Likely duplicates: the batch job, the business-support page, merge, undo and 'not the same child'."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse

from onroll.audit.models import AuditEvent
from onroll.casework.models import Case
from onroll.children.models import Child, ChildName
from onroll.matching.duplicates import find_duplicates
from onroll.matching.models import DuplicatePair, Merge, PairStatus

from . import factories as f

AMARA_DOB = dt.date(2015, 3, 14)


@pytest.fixture
def twice(world):
    """Amara recorded a second time with her surname misspelt, with her own case; and her twin sister."""
    again = f.ChildFactory(
        legal_first_name="Amara", legal_last_name="Okafur", la=world.la, date_of_birth=AMARA_DOB
    )
    f.AddressFactory(child=again, line_1="12 Mill Lane", postcode="NM1 2AB")
    f.ContactFactory(child=again, name="Grace Okafor")
    case = f.CaseFactory(child=again, la=world.la)
    twin = f.ChildFactory(
        legal_first_name="Zara", legal_last_name="Okafor", la=world.la, date_of_birth=AMARA_DOB
    )
    f.AddressFactory(child=twin, line_1="12 Mill Lane", postcode="NM1 2AB")
    f.ContactFactory(child=twin, name="Grace Okafor")
    world.again, world.again_case, world.twin = again, case, twin
    return world


def test_the_batch_job_finds_the_duplicate_not_the_twin_and_is_idempotent(twice):
    report = find_duplicates(twice.la)
    pair = DuplicatePair.objects.get()
    assert {pair.child_a_id, pair.child_b_id} == {twice.child.pk, twice.again.pk}
    assert "same date of birth" in pair.reasons and pair.probability >= 0.9
    assert report.found == 1 and report.new == 1
    assert find_duplicates(twice.la).new == 0 and DuplicatePair.objects.count() == 1


def test_the_command_runs_for_one_la(twice, capsys):
    call_command("matching_duplicates", "--la", "990")
    assert "1 likely duplicates (1 new)" in capsys.readouterr().out


def _pair(world):
    find_duplicates(world.la)
    pair = DuplicatePair.objects.get()
    keep = "keep_a" if pair.child_a_id == world.child.pk else "keep_b"
    return pair, keep


def test_business_support_merges_and_undoes(login, twice):
    client = login(twice.users.business_support)
    pair, keep = _pair(twice)
    page = client.get(reverse("web:duplicates")).content.decode()
    assert "Amara Okafur" in page and "surname sounds the same" in page
    response = client.post(reverse("web:decide_duplicate", args=[pair.pk]), {"action": keep})
    assert response.status_code == 302
    assert not Child.objects.filter(pk=twice.again.pk).exists()
    # Her second case, address and contact are now on the surviving record; both names are kept.
    assert Case.objects.get(pk=twice.again_case.pk).child_id == twice.child.pk
    assert twice.child.addresses.filter(line_1="12 Mill Lane").count() == 2
    assert ChildName.objects.filter(child=twice.child, kind="former", last_key="okafur").exists()
    assert ChildName.objects.filter(child=twice.child, kind="legal", last_key="okafor").exists()
    assert DuplicatePair.objects.get().status == PairStatus.MERGED
    merge = Merge.objects.get()
    assert AuditEvent.objects.filter(
        object_id=merge.pk, child_id=twice.child.pk, summary__startswith="Merged"
    ).exists()

    response = client.post(reverse("web:undo_merge", args=[merge.pk]))
    assert response.status_code == 302
    again = Child.objects.get(pk=twice.again.pk)
    assert again.legal_last_name == "Okafur" and Case.objects.get(pk=twice.again_case.pk).child_id == again.pk
    assert ChildName.objects.filter(child=again, kind="legal", last_key="okafur").exists()
    assert twice.child.addresses.count() == 2  # her own two: the home and the confidential one
    assert DuplicatePair.objects.get().status == PairStatus.OPEN
    assert Merge.objects.get().undone_at is not None


def test_a_merge_cannot_be_undone_once_something_new_was_added(login, twice):
    client = login(twice.users.business_support)
    pair, keep = _pair(twice)
    client.post(reverse("web:decide_duplicate", args=[pair.pk]), {"action": keep})
    f.AddressFactory(child=twice.child, line_1="3 New Road", postcode="NM2 1AA")
    merge = Merge.objects.get()
    response = client.post(reverse("web:undo_merge", args=[merge.pk]), follow=True)
    assert "was added to the record after the merge" in response.content.decode()
    assert not Child.objects.filter(pk=twice.again.pk).exists()


def test_not_the_same_child_is_not_suggested_again(login, twice):
    client = login(twice.users.business_support)
    pair, _ = _pair(twice)
    client.post(reverse("web:decide_duplicate", args=[pair.pk]), {"action": "not_same"})
    assert DuplicatePair.objects.get().status == PairStatus.NOT_SAME
    find_duplicates(twice.la)
    assert DuplicatePair.objects.get().status == PairStatus.NOT_SAME
    assert "Amara Okafur" not in client.get(reverse("web:duplicates")).content.decode()


def test_no_choice_and_other_las_and_roles(login, twice):
    pair, _ = _pair(twice)
    client = login(twice.users.business_support)
    response = client.post(reverse("web:decide_duplicate", args=[pair.pk]), {}, follow=True)
    assert "Select which record to keep" in response.content.decode()
    assert DuplicatePair.objects.get().status == PairStatus.OPEN
    for user in (twice.users.other_la_officer, twice.users.cme_officer):
        response = login(user).post(reverse("web:decide_duplicate", args=[pair.pk]), {"action": "not_same"})
        assert response.status_code == 404
    assert DuplicatePair.objects.get().status == PairStatus.OPEN
