"""Each child's stored matching row (stored_profiles.py): written by database triggers whenever the child,
a name, an address or a contact changes, by any path, and read by look-ups and the duplicates job."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from onroll.children.models import Address, Child, ChildName, Contact, NameKind
from onroll.matching import stored_profiles
from onroll.matching.models import MatchProfile
from onroll.matching.profiles import make_profile, profiles_for

from . import factories as f

pytestmark = pytest.mark.django_db


def stored(child):
    return profiles_for([child.pk])[child.pk]


def from_records(child):
    """The profile built straight from the child's records, as the rows must say."""
    return make_profile(
        first_name=child.legal_first_name,
        last_name=child.legal_last_name,
        date_of_birth=child.date_of_birth,
        sex=child.sex,
        middle_names=child.legal_middle_names,
        preferred_first_name=child.preferred_first_name,
        preferred_last_name=child.preferred_last_name,
        former_names=[(n.first_name, n.last_name) for n in child.names.filter(kind=NameKind.FORMER)],
        upns=(child.upn, child.former_upn),
        addresses=[(a.line_1, a.postcode, a.to_date is None) for a in child.addresses.all()],
        parents=[(c.name, c.phone) for c in child.contacts.all()],
        child_id=child.pk,
    )


def test_every_trigger_is_installed():
    """Rebuilding a table on SQLite (some schema changes do) drops its triggers: this catches it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'matching_profile_%%'")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        installed = {name for (name,) in cursor.fetchall()}
    assert set(stored_profiles.trigger_names(connection.vendor)) <= installed
    assert len(stored_profiles.trigger_names(connection.vendor)) == 12


def test_the_row_follows_every_change_to_the_child_and_its_records():
    child = f.ChildFactory(
        legal_first_name="Amara", legal_last_name="Okafor", date_of_birth=dt.date(2015, 3, 4)
    )
    assert stored(child) == from_records(child)
    home = f.AddressFactory(child=child, line_1="12 Mill Lane", postcode="NM1 2AB")
    f.ContactFactory(child=child, name="Grace Okafor", phone="07700 900123")
    ChildName.objects.create(child=child, kind=NameKind.FORMER, first_name="Amara", last_name="Bello")
    child.preferred_first_name = "Mara"
    child.upn = "A123456789012"
    child.save()
    profile = stored(child)
    assert profile == from_records(child)
    assert "NM12AB" in profile.current_postcodes and "graceokafor" in profile.parents
    assert "bello" in {key for key, _ in profile.last} and "mara" in {key for key, _ in profile.first}

    home.to_date = dt.date(2026, 9, 1)
    home.save()
    child.contacts.all().delete()
    assert stored(child).current_postcodes == frozenset() and stored(child).parents == frozenset()
    assert stored(child) == from_records(child)


def test_bulk_writes_and_moves_between_children_refresh_both_rows():
    """Imports write in bulk and merges move records with UPDATE: neither calls save()."""
    a, b = f.ChildFactory(), f.ChildFactory()
    Address.objects.bulk_create(
        [
            Address(child=a, line_1="1 Quay Street", postcode="NM3 4CD"),
            Address(child=b, line_1="2 Quay Street"),
        ]
    )
    Contact.objects.bulk_create([Contact(child=a, name="Sam Reid", phone="01234 567890")])
    assert stored(a) == from_records(a) and stored(b) == from_records(b)
    Address.objects.filter(child=a).update(child=b)
    Contact.objects.filter(child=a).update(child=b)
    assert stored(a).postcodes == frozenset() and stored(a).phones == frozenset()
    assert "NM34CD" in stored(b).postcodes and stored(b) == from_records(b)


def test_deleting_a_child_deletes_its_row():
    child = f.ChildFactory()
    f.AddressFactory(child=child)
    f.ContactFactory(child=child)
    child.delete()
    assert not MatchProfile.objects.filter(child_id=child.pk).exists()


def test_rebuilding_writes_the_same_rows(capsys):
    child = f.ChildFactory()
    f.AddressFactory(child=child, postcode="NM1 2AB")
    before = dict(MatchProfile.objects.values_list("child_id", "facts"))
    MatchProfile.objects.all().delete()
    call_command("matching_rebuild_profiles")
    assert dict(MatchProfile.objects.values_list("child_id", "facts")) == before
    assert f"{Child.objects.count():,} children" in capsys.readouterr().out
