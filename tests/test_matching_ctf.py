"""Search before create at the CTF import: a pupil whose UPN Onroll does not know but who is clearly a known
child holds the import for the importer's choice; linking fills that child's record, "new child" creates
one; every choice is a recorded decision; nothing half-written; nobody else may finish a held file."""

import dataclasses
import datetime as dt
import random

import pytest
from django.core.management import call_command
from django.urls import reverse

from onroll.audit.models import AuditEvent
from onroll.children.models import Child
from onroll.matching.models import Decision, MatchDecision
from onroll.transfers.ctf_import import import_ctf
from onroll.transfers.ctf_reader import Address, ContactData, Header
from onroll.transfers.ctf_writer import write_ctf
from onroll.transfers.models import CtfFile, HeldCtf
from onroll.transfers.synthetic import make_upn, synthetic_pupil

D = dt.date
TODAY = D(2026, 1, 15)
AMARA_UPN = make_upn("991", "3001", 7)  # a UPN Onroll has never seen


def amara_ctf(world, *, others: int = 1, destination: str = "990LLLL") -> bytes:
    """A CTF from Southdale: pupil 1 is Amara Okafor, whom Onroll knows (with another UPN) by the name she
    goes by: the file has her legal name Amarachi and "Amara" as her preferred name, the same birthday and
    the same home. The others are strangers."""
    rng = random.Random(5)
    strangers = [
        synthetic_pupil(n, rng, la="991", estab="3001", history=[("991", "3001")])
        for n in range(2, others + 2)
    ]
    amara = dataclasses.replace(
        strangers[0] if strangers else synthetic_pupil(1, rng, la="991", estab="3001", history=[]),
        number=1,
        upn=AMARA_UPN,
        forename="Amarachi",
        surname="Okafor",
        middle_names="",
        preferred_forename="Amara",
        preferred_surname="",
        former_names=[],
        dob=D(2015, 3, 14),
        sex="F",
        address=Address("12 Mill Lane", "", "Northmere", "NM1 2AB"),
        contacts=[ContactData("Grace Okafor", "Parent", True, ["07700 900999"], "")],
    )
    header = Header(source_la="991", source_estab="3001", dest_la=destination[:3], dest_estab=destination[3:])
    return write_ctf(header, [amara, *strangers], written_at=dt.datetime(2026, 1, 12, 9, 30))


def counts():
    return (Child.objects.count(), CtfFile.objects.count(), MatchDecision.objects.count())


def upload(client, data: bytes, name: str = "amara.XML"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(reverse("web:import_ctf"), {"file": SimpleUploadedFile(name, data, "application/xml")})


def held_upload(world, login, **kwargs):
    client = login(world.users.cme_officer)
    response = upload(client, amara_ctf(world, **kwargs))
    held = HeldCtf.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("web:ctf_review", args=[held.pk])
    return client, held


def test_a_known_child_without_a_known_upn_holds_the_import_and_is_shown_with_reasons(world, login):
    before = counts()
    client, held = held_upload(world, login)
    assert counts() == before  # nothing imported, nothing decided yet
    assert (held.created_by, held.pupils, held.to_decide, held.la) == (
        world.users.cme_officer,
        2,
        1,
        world.la,
    )
    page = client.get(reverse("web:ctf_review", args=[held.pk])).content.decode()
    assert "Are these pupils already known?" in page
    assert "Pupil 1: Amarachi Okafor" in page and "Amara Okafor" in page
    assert "Very likely the same child" in page and "% match:" in page
    assert (
        "same date of birth" in page and "same first name (preferred name)" in page and "same address" in page
    )
    assert "None of these: this is a new child" in page
    listing = client.get(reverse("web:import_ctf")).content.decode()
    assert "Waiting for your choices" in listing and "amara.XML" in listing


def test_linking_applies_the_file_onto_the_known_child(world, login):
    client, held = held_upload(world, login)
    children = Child.objects.count()
    response = client.post(reverse("web:ctf_review", args=[held.pk]), {"pupil-1": str(world.child.pk)})
    assert response.status_code == 302 and response["Location"] == reverse("web:import_ctf")
    assert Child.objects.count() == children + 1  # only the stranger is new
    assert not HeldCtf.objects.exists()
    world.child.refresh_from_db()
    assert world.child.legal_first_name == "Amara"  # what the LA holds is never overwritten
    assert world.child.ctf_rows.get().upn == AMARA_UPN
    assert world.child.contacts.filter(name="Grace Okafor").count() == 1  # already known: not added twice
    linked = MatchDecision.objects.get(decision=Decision.LINKED)
    assert (linked.door, linked.child, linked.created_by) == ("ctf", world.child, world.users.cme_officer)
    assert linked.shown[0]["child"] == str(world.child.pk) and linked.searched["first_name"] == "Amarachi"
    new = MatchDecision.objects.get(decision=Decision.NEW)
    assert new.door == "ctf" and new.shown == [] and new.child.upn == make_upn("991", "3001", 2)
    assert AuditEvent.objects.filter(
        object_id=linked.pk, summary__startswith="Linked to existing child"
    ).exists()


def test_this_is_a_new_child_creates_one_and_records_what_was_shown(world, login):
    client, held = held_upload(world, login)
    children = Child.objects.count()
    response = client.post(reverse("web:ctf_review", args=[held.pk]), {"pupil-1": "new"}, follow=True)
    assert "Imported 2 pupils from amara.XML: 2 new" in response.content.decode()
    assert Child.objects.count() == children + 2
    decision = MatchDecision.objects.get(searched__upn=AMARA_UPN)
    assert decision.decision == Decision.NEW and decision.door == "ctf"
    assert decision.shown[0]["child"] == str(world.child.pk) and decision.child.upn == AMARA_UPN
    assert world.child.ctf_rows.count() == 0


def test_a_missing_or_impossible_choice_shows_the_error_summary_and_changes_nothing(world, login):
    client, held = held_upload(world, login)
    before = counts()
    for posted in ({}, {"pupil-1": str(world.other_child.pk)}, {"pupil-1": "not-a-child"}):
        response = client.post(reverse("web:ctf_review", args=[held.pk]), posted)
        page = response.content.decode()
        assert response.status_code == 200 and "There is a problem" in page
        assert 'href="#pupil-1-1"' in page and "Select one of the children shown" in page
        assert counts() == before and HeldCtf.objects.filter(pk=held.pk).exists()


@pytest.mark.parametrize("who", ["business_support", "other_la_officer", "school_dsl"])
def test_someone_elses_held_import_answers_404(world, login, who):
    _, held = held_upload(world, login)
    other = login(getattr(world.users, who))
    assert other.get(reverse("web:ctf_review", args=[held.pk])).status_code == 404
    posted = other.post(reverse("web:ctf_review", args=[held.pk]), {"pupil-1": str(world.child.pk)})
    assert posted.status_code == 404
    assert other.post(reverse("web:ctf_abandon", args=[held.pk])).status_code == 404
    assert HeldCtf.objects.filter(pk=held.pk).exists() and not CtfFile.objects.exists()


def test_a_stale_review_answers_404_once_the_file_is_imported(world, login):
    client, held = held_upload(world, login)
    client.post(reverse("web:ctf_review", args=[held.pk]), {"pupil-1": "new"})
    before = counts()
    again = client.post(reverse("web:ctf_review", args=[held.pk]), {"pupil-1": str(world.child.pk)})
    assert again.status_code == 404 and counts() == before


def test_abandoning_a_held_import_changes_nothing(world, login):
    client, held = held_upload(world, login)
    before = counts()
    response = client.post(reverse("web:ctf_abandon", args=[held.pk]), follow=True)
    assert "was not imported: nothing changed" in response.content.decode() and counts() == before
    assert (
        not HeldCtf.objects.exists()
        and client.get(reverse("web:ctf_review", args=[held.pk])).status_code == 404
    )


def test_two_pupils_cannot_both_be_the_same_child(world, login):
    from onroll.transfers.known import resolve_choices

    result = import_ctf(world.users.cme_officer, amara_ctf(world), "a.XML", today=TODAY)
    review = result.review[0]
    twin = dataclasses.replace(review.pupil, number=2)
    found = {1: review.found, 2: review.found}
    choice = str(world.child.pk)
    links, still = resolve_choices([review.pupil, twin], found, {}, {1: choice, 2: choice})
    assert links == {1: world.child} and [r.pupil.number for r in still] == [1, 2]
    assert still[0].error == "" and still[0].choice == choice and "already pupil 1" in still[1].error


def test_a_ctf_with_no_candidates_applies_at_once_and_records_each_new_child(world, login):
    from onroll.transfers.synthetic import synthetic_ctf

    client = login(world.users.cme_officer)
    response = upload(client, synthetic_ctf(3, source="9913001", destination="990LLLL"), "in.XML")
    assert response.status_code == 302 and response["Location"] == reverse("web:import_ctf")
    assert not HeldCtf.objects.exists() and CtfFile.objects.count() == 1
    decisions = MatchDecision.objects.filter(door="ctf")
    assert decisions.count() == 3 and {d.decision for d in decisions} == {Decision.NEW}
    assert all(d.shown == [] and d.child is not None for d in decisions)
    audited = AuditEvent.objects.filter(object_id__in=[d.pk for d in decisions], action="create")
    assert audited.count() == 3 and all(e.summary.startswith("Confirmed as a new child") for e in audited)
    assert {e.child_id for e in audited} == {d.child_id for d in decisions}


def test_the_command_refuses_with_a_report_unless_told_to_make_new_children(world, tmp_path, capsys):
    path = tmp_path / "amara.XML"
    path.write_bytes(amara_ctf(world))
    before = counts()
    with pytest.raises(SystemExit):
        call_command("import_ctf", str(path), user="cme_officer")
    out = capsys.readouterr().out
    assert f"Pupil 1 ({AMARA_UPN}, Okafor, Amarachi)" in out and "Amara Okafor" in out
    assert "same date of birth" in out and "--new-children" in out and str(world.child.pk) in out
    assert counts() == before and not HeldCtf.objects.exists()
    call_command("import_ctf", str(path), user="cme_officer", new_children=True)
    assert Child.objects.filter(upn=AMARA_UPN).exists()
    decision = MatchDecision.objects.get(searched__upn=AMARA_UPN)
    assert decision.decision == Decision.NEW and decision.created_by == world.users.cme_officer
    assert decision.shown[0]["child"] == str(world.child.pk)


def test_a_good_choice_is_kept_when_another_pupils_is_missing(world, login):
    from onroll.transfers.ctf_reader import PupilData

    from .factories import AddressFactory, ChildFactory

    zara = ChildFactory(
        la=world.la, legal_first_name="Zara", legal_last_name="Quinn", date_of_birth=D(2014, 6, 1)
    )
    AddressFactory(child=zara, line_1="4 Brook Way", postcode="NM3 1AA")
    header = Header(source_la="991", source_estab="3001", dest_la="990", dest_estab="LLLL")
    amara = PupilData(
        number=1,
        upn=AMARA_UPN,
        surname="Okafor",
        forename="Amarachi",
        preferred_forename="Amara",
        dob=D(2015, 3, 14),
        sex="F",
        address=Address("12 Mill Lane", "", "Northmere", "NM1 2AB"),
    )
    zed = PupilData(
        number=2,
        upn=make_upn("991", "3001", 8),
        surname="Quinn",
        forename="Zara",
        dob=D(2014, 6, 1),
        sex="F",
        address=Address("4 Brook Way", "", "Northmere", "NM3 1AA"),
    )
    client = login(world.users.cme_officer)
    upload(client, write_ctf(header, [amara, zed], written_at=dt.datetime(2026, 1, 12, 9, 30)))
    held = HeldCtf.objects.get()
    assert held.to_decide == 2
    response = client.post(reverse("web:ctf_review", args=[held.pk]), {"pupil-1": str(world.child.pk)})
    page = response.content.decode()
    assert "Pupil 2, Zara Quinn: Select one of the children shown" in page
    assert f'value="{world.child.pk}" aria-describedby="pupil-1-1-hint" checked' in page
    assert not CtfFile.objects.exists()
    choices = {"pupil-1": str(world.child.pk), "pupil-2": str(zara.pk)}
    assert client.post(reverse("web:ctf_review", args=[held.pk]), choices).status_code == 302
    assert world.child.ctf_rows.exists() and zara.ctf_rows.exists()
    zara.refresh_from_db()
    assert zara.upn == make_upn("991", "3001", 8)  # a linked child without a UPN takes the file's


def test_an_expired_hold_answers_404_and_goes_when_the_next_file_is_held(world, login):
    from django.utils import timezone

    client, held = held_upload(world, login)
    HeldCtf.objects.filter(pk=held.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    assert client.get(reverse("web:ctf_review", args=[held.pk])).status_code == 404
    assert "Waiting for your choices" not in client.get(reverse("web:import_ctf")).content.decode()
    upload(client, amara_ctf(world), "again.XML")
    assert list(HeldCtf.objects.values_list("file_name", flat=True)) == ["again.XML"]
