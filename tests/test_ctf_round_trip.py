"""Producing CTFs, and the round trip: import -> export -> import gives the same child."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from onroll.audit.models import AuditEvent
from onroll.children.models import Child
from onroll.children.services import update_child
from onroll.procedures.models import TaskStatus
from onroll.transfers.ctf_import import import_ctf, known_from_database
from onroll.transfers.ctf_reader import read_ctf
from onroll.transfers.models import CtfFile
from onroll.transfers.services import open_ctf_deadline, produce_ctf
from onroll.transfers.synthetic import make_upn, synthetic_ctf

D = dt.date
TODAY = D(2026, 1, 15)
NOW = dt.datetime(2026, 1, 15, 10, 0)


def snapshot(child: Child) -> dict:
    child.refresh_from_db()
    return {
        "identity": (
            child.upn,
            child.former_upn,
            child.legal_first_name,
            child.legal_middle_names,
            child.legal_last_name,
            child.preferred_first_name,
            child.preferred_last_name,
            child.date_of_birth,
            child.sex,
            child.ethnicity,
            child.la_id,
        ),
        "names": sorted(child.names.values_list("kind", "first_name", "last_name")),
        "addresses": sorted(
            child.addresses.values_list("line_1", "line_2", "town", "postcode", "confidential")
        ),
        "contacts": sorted(
            child.contacts.values_list("name", "relationship", "parental_responsibility", "phone", "email")
        ),
        "roll": sorted(child.enrolments.values_list("school_id", "entry_date", "leaving_date", "status")),
        "elsewhere": sorted(
            {
                (s["laestab"], s["entry_date"], s["leaving_date"])
                for row in child.ctf_rows.all()
                for s in row.school_history
            }
        ),
        "attendance": sorted(
            {
                (y["year"], y["laestab"], y["SessionsPossible"])
                for row in child.ctf_rows.all()
                for y in row.attendance
            }
        ),
    }


def test_import_export_import_gives_the_same_child(world):
    data = synthetic_ctf(
        1,
        source="9913001",
        destination=world.school.laestab,
        history=[("991", "3001"), ("991", "3002")],
        seed=7,
    )
    first = import_ctf(world.users.school_dsl, data, "a.xml", today=TODAY, joined_on=D(2026, 1, 12))
    assert not first.refused, first.problems
    child = Child.objects.get(upn=make_upn("991", "3001", 1))
    # Something only Onroll knew, to travel in the export.
    update_child(world.users.cme_officer, child, {"preferred_first_name": "Bee"}, today=TODAY)
    before = snapshot(child)

    ctf = produce_ctf(world.users.cme_officer, child, "unknown", now=NOW)
    exported = ctf.content.encode()
    again = import_ctf(world.users.cme_officer, exported, ctf.file_name, today=TODAY)
    assert not again.refused, again.problems
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert snapshot(child) == before

    # On a fresh start (the child unknown), the exported file alone rebuilds the same child.
    child.delete()
    CtfFile.objects.filter(direction="received").delete()
    rebuilt = import_ctf(world.users.cme_officer, exported, ctf.file_name, today=TODAY)
    assert rebuilt.created == 1
    twin = Child.objects.get(upn=make_upn("991", "3001", 1))
    after = snapshot(twin)
    assert after["elsewhere"] == before["elsewhere"] and after["attendance"] == before["attendance"]
    for key in ("identity", "names", "addresses", "contacts", "roll"):
        assert after[key] == before[key], key


def test_the_school_produces_a_ctf_with_the_standard_name_and_the_task_is_done(afc):
    task = open_ctf_deadline(afc.users.school_dsl, afc.child.enrolments.get(), afc.case, D(2025, 10, 17))
    ctf = produce_ctf(afc.users.school_dsl, afc.child, "school", "991", "3005", now=NOW)
    assert ctf.file_name == f"{afc.school.laestab}_CTF_9913005_001.XML"
    assert produce_ctf(afc.users.school_dsl, afc.child, "school", "991", "3005", now=NOW).file_name.endswith(
        "_002.XML"
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and ctf.file_name in task.evidence
    assert AuditEvent.objects.filter(child_id=afc.child.pk, summary__startswith="Produced CTF").count() == 2
    known, _ = known_from_database()
    read = read_ctf(ctf.content.encode(), known, today=TODAY)
    assert not read.problems
    [pupil] = read.pupils
    assert (pupil.upn, pupil.surname, pupil.forename) == ("B801200005001", "Okafor", "Amara")
    assert pupil.address.line_1 == "12 Mill Lane"  # the refuge address never leaves in a CTF
    assert "Refuge" not in ctf.content


@pytest.mark.parametrize(
    "kind, la, estab, name",
    [
        ("unknown", "", "", "990LLLL_CTF_XXXXXXX_001.XML"),
        ("outside", "", "", "990LLLL_CTF_MMMMMMM_001.XML"),
        ("la", "991", "", "990LLLL_CTF_991LLLL_001.XML"),
    ],
)
def test_the_la_sends_to_each_kind_of_destination(world, kind, la, estab, name):
    assert produce_ctf(world.users.cme_officer, world.child, kind, la, estab, now=NOW).file_name == name


@pytest.mark.parametrize(
    "la, estab, field, words",
    [
        ("977", "3001", "la_number", "not known"),
        ("990", "9999", "estab_number", "no establishment 990/9999"),
        ("", "3001", "la_number", "Enter the LA number"),
        ("991", "", "estab_number", "Enter the school's establishment number"),
    ],
)
def test_a_wrong_destination_is_refused_and_nothing_is_produced(world, la, estab, field, words):
    with pytest.raises(ValidationError) as exc:
        produce_ctf(world.users.school_dsl, world.child, "school", la, estab, now=NOW)
    assert words in " ".join(exc.value.message_dict[field])
    assert not CtfFile.objects.exists()


def test_a_school_cannot_send_a_ctf_for_a_pupil_never_on_its_roll(world):
    with pytest.raises(ValidationError):
        produce_ctf(world.users.other_school_dsl, world.child, "unknown", now=NOW)
    assert not CtfFile.objects.exists()
