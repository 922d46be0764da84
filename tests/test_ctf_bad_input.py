"""A malformed or wrong CTF is refused with every problem named by pupil and element; nothing changes."""

import datetime as dt

import pytest

from onroll.children.models import Address, Child, ChildName, Contact, Enrolment
from onroll.transfers.ctf_import import import_ctf
from onroll.transfers.models import CtfFile
from onroll.transfers.synthetic import make_upn, synthetic_ctf

D = dt.date
TODAY = D(2026, 1, 15)


def counts():
    return tuple(m.objects.count() for m in (Child, ChildName, Address, Contact, Enrolment, CtfFile))


def refused(world, data: bytes, user="school_dsl", **kwargs):
    before = counts()
    result = import_ctf(getattr(world.users, user), data, "bad.xml", today=TODAY, **kwargs)
    assert result.refused
    assert counts() == before, "a refused file must change nothing"
    return result.problems


def good(world, pupils=2, **kwargs) -> str:
    kwargs.setdefault("history", [("991", "3001")])
    return synthetic_ctf(pupils, source="9913001", destination=world.school.laestab, **kwargs).decode()


def test_not_xml_at_all(world):
    [problem] = refused(world, b"upn,laestab,date\nB801200005001,9901234,2026-01-05\n")
    assert problem.pupil == "File" and "not well-formed XML" in problem.message


def test_an_entity_expansion_bomb_is_not_read(world):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
        b"<CTfile><Header>&lol2;</Header></CTfile>"
    )
    [problem] = refused(world, bomb)
    assert "DTD or entities" in problem.message


def test_an_external_entity_is_not_read(world):
    xxe = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><CTfile>&e;</CTfile>'
    [problem] = refused(world, xxe)
    assert "DTD or entities" in problem.message


def test_another_xml_document(world):
    [problem] = refused(world, b"<ATfile><Header/></ATfile>")
    assert "first element should be CTfile" in problem.message


def test_every_problem_is_reported_with_its_pupil_and_element(world):
    text = good(world, pupils=3)
    upn1, upn2 = make_upn("991", "3001", 1), make_upn("991", "3001", 2)
    wrong_letter = ("A" if upn2[0] != "A" else "B") + upn2[1:]
    text = text.replace(f"<UPN>{upn2}</UPN>", f"<UPN>{wrong_letter}</UPN>")
    text = text.replace("<DOB>", "<DOB>20x", 1)  # pupil 1's date of birth is no longer a date
    text = text.replace("<CTFversion>25.0</CTFversion>", "")
    problems = refused(world, text.encode())
    found = {(p.pupil.split(" (")[0], p.element) for p in problems}
    assert ("Header", "CTFversion") in found
    assert ("Pupil 1", "DOB") in found
    assert ("Pupil 2", "UPN") in found
    upn_problem = next(p for p in problems if p.element == "UPN")
    assert "check letter" in upn_problem.message and wrong_letter in upn_problem.pupil
    assert upn1 not in {p.pupil for p in problems if p.pupil.startswith("Pupil 2")}


def test_missing_required_elements(world):
    text = good(world, pupils=1)
    text = text.replace("<Surname>", "<Nickname>", 1).replace("</Surname>", "</Nickname>", 1)
    text = text.replace("<Sex>M</Sex>", "<Sex>Q</Sex>").replace("<Sex>F</Sex>", "<Sex>Q</Sex>")
    problems = refused(world, text.encode())
    assert {"Surname", "Sex"} <= {p.element for p in problems}


@pytest.mark.parametrize(
    "lea, expected", [("977", "LA number 977 is not known"), ("9X", "is not an LA number")]
)
def test_an_unknown_source_la(world, lea, expected):
    text = synthetic_ctf(1, source="9913001", destination=world.school.laestab, history=[]).decode()
    problems = refused(world, text.replace("<LEA>991</LEA>", f"<LEA>{lea}</LEA>", 1).encode())
    assert any(p.element == "Header/SourceSchool" and expected in p.message for p in problems)


def test_an_unknown_establishment_in_an_la_whose_schools_onroll_holds(world):
    problems = refused(world, good(world, history=[("990", "7777")]).encode())
    assert any("no establishment 990/7777" in p.message and "SchoolHistory" in p.element for p in problems)


def test_a_leaving_date_before_the_entry_date(world):
    text = good(world, pupils=1, history=[("991", "3001"), ("991", "3002")])
    # The first spell's leaving date becomes a day in 2010, before the pupil entered.
    start = text.index("<LeavingDate>") + len("<LeavingDate>")
    text = text[:start] + "2010-01-01" + text[start + 10 :]
    problems = refused(world, text.encode())
    assert any(p.element.endswith("LeavingDate") and "before the entry date" in p.message for p in problems)


def test_joining_the_school_before_a_spell_in_the_file(world):
    problems = refused(world, good(world).encode(), joined_on=D(2015, 1, 5))
    assert any("after the date they joined your school" in p.message for p in problems)


def test_two_pupils_with_one_upn(world):
    text = good(world, pupils=2)
    text = text.replace(make_upn("991", "3001", 2), make_upn("991", "3001", 1))
    problems = refused(world, text.encode())
    assert any("the same UPN as pupil 1" in p.message for p in problems)


def test_a_lost_pupil_file_holds_one_pupil(world):
    data = synthetic_ctf(2, source="9913001", destination="XXXXXXX")
    problems = refused(world, data, user="cme_officer")
    assert any("one pupil only" in p.message for p in problems)


def test_the_upload_page_shows_the_error_summary_and_the_problems(world, login):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = login(world.users.school_dsl)
    text = good(world, pupils=1).replace("<DOB>", "<DOB>20x", 1)
    response = client.post(
        "/ctf/import/",
        {
            "file": SimpleUploadedFile("bad.xml", text.encode(), "application/xml"),
            "joined_on_0": "12",
            "joined_on_1": "1",
            "joined_on_2": "2026",
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body and "Nothing was imported" in body
    assert "Pupil 1" in body and "DOB" in body
    assert not Child.objects.filter(upn=make_upn("991", "3001", 1)).exists()


def test_two_pupils_who_are_one_child_in_onroll(world):
    text = good(world, pupils=2)
    # Pupil 1 has Amara's UPN; pupil 2 gives Amara's UPN as its former UPN: both would be Amara.
    text = text.replace(f"<UPN>{make_upn('991', '3001', 1)}</UPN>", "<UPN>B801200005001</UPN>")
    second = text.index("<BasicDetails>", text.index(make_upn("991", "3001", 2)))
    text = text[:second] + "<BasicDetails><FormerUPN>B801200005001</FormerUPN>" + text[second + 14 :]
    problems = refused(world, text.encode())
    assert any("pupil 1 are the same child in Onroll" in p.message for p in problems), problems
