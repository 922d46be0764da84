"""The CTF reader on its own (no database): other shapes a CTF may take, and the file name rule."""

import datetime as dt

from onroll.transfers.ctf_reader import Known, read_ctf
from onroll.transfers.ctf_writer import file_name, relation_code

KNOWN = Known(las=frozenset({"990", "991"}), estabs={"990": frozenset({"2001"})})
TODAY = dt.date(2026, 1, 15)

OLDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<CTfile xmlns="http://www.example.org/ctf">
  <Header>
    <DocumentName>Common Transfer File</DocumentName><CTFversion>19.0</CTFversion>
    <DateTime>2019-06-01T10:00:00</DateTime>
    <SourceSchool><LEA>991</LEA><Estab>3001</Estab><SchoolName>Quay Primary</SchoolName></SourceSchool>
    <DestSchool><LEA>990</LEA><Estab>2001</Estab></DestSchool>
  </Header>
  <CTFpupilData>
    <Pupil>
      <UPN>B801200005001</UPN><Surname>Okafor</Surname><Forename>Amara</Forename>
      <DOB>2015-03-14</DOB><Gender>F</Gender>
      <BasicDetails><FormerSurname>Bright</FormerSurname><FormerForename>Amara</FormerForename>
        <FormerSurname>Stone</FormerSurname><FormerForename>Ama</FormerForename></BasicDetails>
      <Address>
        <BS7666Address><SAON>Flat 2</SAON><PAON>12</PAON><Street>Mill Lane</Street>
          <Locality>Eastgate</Locality><PostTown>Northmere</PostTown></BS7666Address>
        <PostCode>nm1 2ab</PostCode>
      </Address>
      <Contacts><Contact><Forename>Grace</Forename><Surname>Okafor</Surname><RelationCode>PAR</RelationCode>
        <Responsibility>1</Responsibility><Phones><Phone><PhoneNo>07700 900123</PhoneNo></Phone></Phones>
      </Contact></Contacts>
    </Pupil>
  </CTFpupilData>
</CTfile>
"""


def test_an_older_namespaced_ctf_with_gender_and_a_bs7666_address():
    read = read_ctf(OLDER, KNOWN, today=TODAY)
    assert read.problems == []
    assert (read.header.source, read.header.destination, read.header.version) == (
        "9913001",
        "9902001",
        "19.0",
    )
    [pupil] = read.pupils
    assert (pupil.sex, pupil.dob) == ("F", dt.date(2015, 3, 14))
    assert pupil.former_names == [("Amara", "Bright"), ("Ama", "Stone")]
    a = pupil.address
    assert (a.line_1, a.line_2, a.town, a.postcode) == (
        "Flat 2 12 Mill Lane",
        "Eastgate",
        "Northmere",
        "NM1 2AB",
    )
    [contact] = pupil.contacts
    assert (contact.name, contact.relationship, contact.parental_responsibility) == (
        "Grace Okafor",
        "Parent",
        True,
    )
    assert contact.phones == ["07700 900123"]


def test_a_destination_code_must_be_one_of_the_special_ones():
    text = OLDER.replace(b"<LEA>990</LEA><Estab>2001</Estab>", b"<LEA>XXX</LEA><Estab>MMMM</Estab>")
    problems = read_ctf(text, KNOWN, today=TODAY).problems
    assert [p.element for p in problems] == ["Header/DestSchool"]
    assert "use XXXXXXX or MMMMMMM" in problems[0].message


def test_the_standard_file_name_and_relationship_codes():
    assert file_name("9902001", "XXXXXXX", 1) == "9902001_CTF_XXXXXXX_001.XML"
    assert file_name("990LLLL", "9912345", 12) == "990LLLL_CTF_9912345_012.XML"
    assert [relation_code(r) for r in ("Mother", "Foster carer", "Neighbour")] == ["PAR", "FOS", "OTH"]
