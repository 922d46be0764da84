"""Importing a CTF: children, names, addresses, contacts and roll history; all or nothing; idempotent."""

import datetime as dt

import pytest

from onroll.audit.models import AuditEvent
from onroll.children.models import Address, Child, ChildName, Contact, Enrolment
from onroll.transfers.ctf_import import import_ctf
from onroll.transfers.models import CtfFile, CtfPupil
from onroll.transfers.synthetic import make_upn, synthetic_ctf

D = dt.date
TODAY = D(2026, 1, 15)


def counts():
    return tuple(
        m.objects.count() for m in (Child, ChildName, Address, Contact, Enrolment, CtfFile, CtfPupil)
    )


def ctf_to(world, pupils=3, **kwargs):
    kwargs.setdefault("history", [("991", "3001")])
    return synthetic_ctf(pupils, source="9913001", destination=world.school.laestab, **kwargs)


def test_a_ctf_creates_children_with_their_records_and_puts_them_on_the_roll(world):
    before = counts()
    result = import_ctf(
        world.users.school_dsl, ctf_to(world), "in.xml", today=TODAY, joined_on=D(2026, 1, 12)
    )
    assert not result.refused, result.problems
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    child = Child.objects.get(upn=make_upn("991", "3001", 1))
    assert child.la == world.la
    assert child.names.filter(kind="legal").exists()
    assert child.addresses.get().postcode == "NM1 2AB"
    assert child.contacts.count() == 2
    assert child.enrolments.get(school=world.school).entry_date == D(2026, 1, 12)
    row = CtfPupil.objects.get(child=child)
    assert row.school_history[0]["laestab"] == "9913001"  # a school Onroll does not hold
    assert row.attendance[0]["SessionsPossible"] == 300
    after = counts()
    assert after[0] - before[0] == 3 and after[5] - before[5] == 1
    assert AuditEvent.objects.filter(child_id=child.pk, summary__startswith="Created from CTF").exists()


def test_the_same_file_twice_changes_nothing(world):
    data = ctf_to(world)
    import_ctf(world.users.school_dsl, data, "in.xml", today=TODAY, joined_on=D(2026, 1, 12))
    before = counts()
    again = import_ctf(world.users.school_dsl, data, "in.xml", today=TODAY, joined_on=D(2026, 1, 12))
    assert not again.refused and again.already_imported_on is not None and again.unchanged == 3
    assert counts() == before


def test_a_pupil_already_known_by_upn_is_matched_not_duplicated(world):
    data = synthetic_ctf(1, source="9913001", destination=world.school.laestab, history=[("991", "3001")])
    upn = make_upn("991", "3001", 1)
    world.child.upn = upn
    world.child.save()
    result = import_ctf(world.users.school_dsl, data, "in.xml", today=TODAY)
    assert (result.created, result.updated) == (0, 1)
    assert Child.objects.filter(upn=upn).count() == 1
    world.child.refresh_from_db()
    assert world.child.legal_first_name == "Amara"  # what the LA holds is never overwritten
    assert world.child.contacts.count() == 3  # Grace Okafor plus the file's two


@pytest.mark.parametrize("user", ["other_school_dsl", "other_la_officer"])
def test_a_file_for_someone_else_is_refused(world, user):
    before = counts()
    result = import_ctf(getattr(world.users, user), ctf_to(world), "in.xml", today=TODAY)
    assert result.refused and "not to" in result.problems[0].message
    assert counts() == before


def test_the_la_imports_a_file_addressed_to_it(world):
    data = synthetic_ctf(2, source="9913001", destination="990LLLL")
    result = import_ctf(world.users.cme_officer, data, "la.xml", today=TODAY)
    assert not result.refused and result.created == 2
    assert Child.objects.filter(upn=make_upn("991", "3001", 2), la=world.la).exists()


def test_the_management_command_imports_and_refuses(world, tmp_path):
    from django.core.management import call_command

    good = tmp_path / "good.XML"
    good.write_bytes(synthetic_ctf(2, source="9913001", destination="990LLLL"))
    call_command("import_ctf", str(good), user="cme_officer")
    assert Child.objects.filter(upn=make_upn("991", "3001", 1)).exists()
    bad = tmp_path / "bad.XML"
    bad.write_bytes(b"<CTfile>")
    with pytest.raises(SystemExit):
        call_command("import_ctf", str(bad), user="cme_officer")
