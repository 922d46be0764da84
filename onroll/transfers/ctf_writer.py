"""Writing a Common Transfer File from the same pupil records the reader produces, so a file Onroll writes
reads back to the same facts (tests/test_ctf_round_trip.py). Pure: no database, no clock."""

import datetime as dt
from xml.etree.ElementTree import Element, SubElement, indent, tostring

from .ctf_reader import RELATIONSHIPS, Header, PupilData

CTF_VERSION = "25.0"
CODE_OF = {label.lower(): code for code, label in RELATIONSHIPS.items()}
PARENT_WORDS = {"mother", "father", "parent", "mum", "dad"}


def file_name(source: str, destination: str, sequence: int) -> str:
    """`<SourceLA><SourceEstab>_CTF_<DestLA><DestEstab>_<nnn>.XML` (reference/ctf.md)."""
    return f"{source}_CTF_{destination}_{sequence % 1000:03d}.XML"


def relation_code(relationship: str) -> str:
    text = relationship.strip().lower()
    if text in PARENT_WORDS:
        return "PAR"
    return CODE_OF.get(text, "OTH")


def _add(parent: Element, tag: str, text: str | None = None) -> Element:
    el = SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def write_ctf(header: Header, pupils: list[PupilData], *, written_at: dt.datetime) -> bytes:
    root = Element("CTfile")
    head = _add(root, "Header")
    _add(head, "DocumentName", "Common Transfer File")
    _add(head, "CTFversion", CTF_VERSION)
    _add(head, "DateTime", written_at.replace(microsecond=0, tzinfo=None).isoformat())
    _add(head, "DocumentQualifier", "full")
    _add(head, "SupplierID", "Onroll")
    source = _add(head, "SourceSchool")
    _add(source, "LEA", header.source_la)
    _add(source, "Estab", header.source_estab)
    if header.source_name:
        _add(source, "SchoolName", header.source_name)
    dest = _add(head, "DestSchool")
    _add(dest, "LEA", header.dest_la)
    _add(dest, "Estab", header.dest_estab)
    data = _add(root, "CTFpupilData")
    for pupil in pupils:
        _pupil(_add(data, "Pupil"), pupil)
    indent(root)
    return tostring(root, encoding="utf-8", xml_declaration=True)


def _pupil(el: Element, pupil: PupilData):
    _add(el, "UPN", pupil.upn)
    _add(el, "Surname", pupil.surname)
    _add(el, "Forename", pupil.forename)
    _add(el, "DOB", _date(pupil.dob))
    _add(el, "Sex", pupil.sex)
    basic = _add(el, "BasicDetails")
    if pupil.former_upn:
        _add(basic, "FormerUPN", pupil.former_upn)
    if pupil.preferred_surname:
        _add(basic, "PreferredSurname", pupil.preferred_surname)
    if pupil.preferred_forename:
        _add(basic, "PreferredForename", pupil.preferred_forename)
    for forename, surname in pupil.former_names:
        _add(basic, "FormerSurname", surname)
        _add(basic, "FormerForename", forename)
    if pupil.middle_names:
        _add(basic, "MiddleNames", pupil.middle_names)
    if pupil.ethnicity:
        _add(basic, "Ethnicity", pupil.ethnicity)
    if pupil.address:
        address = _add(el, "Address")
        lines = _add(address, "AddressLines")
        _add(lines, "AddressLine1", pupil.address.line_1)
        if pupil.address.line_2:
            _add(lines, "AddressLine2", pupil.address.line_2)
        if pupil.address.town:
            _add(lines, "AddressLine3", pupil.address.town)
        if pupil.address.postcode:
            _add(address, "PostCode", pupil.address.postcode)
    if pupil.contacts:
        contacts = _add(el, "Contacts")
        for order, contact in enumerate(pupil.contacts, start=1):
            c = _add(contacts, "Contact")
            _add(c, "Order", str(order))
            *first, last = contact.name.split() or [""]
            _add(c, "Surname", last)
            _add(c, "Forename", " ".join(first))
            _add(c, "RelationCode", relation_code(contact.relationship))
            _add(c, "Responsibility", "true" if contact.parental_responsibility else "false")
            if contact.email:
                _add(c, "Email", contact.email)
            if contact.phones:
                phones = _add(c, "Phones")
                for number in contact.phones:
                    phone = _add(phones, "Phone")
                    _add(phone, "PhoneNo", number)
    if pupil.attendance:
        attendance = _add(el, "Attendance")
        for year in pupil.attendance:
            y = _add(attendance, "YearData")
            _add(y, "Year", year["year"])
            laestab = year.get("laestab", "")
            if len(laestab) == 7:
                _add(y, "LEA", laestab[:3])
                _add(y, "Estab", laestab[3:])
            for name in ("SessionsPossible", "SessionsAuthorised", "SessionsUnauthorised"):
                _add(y, name, str(year.get(name, 0)))
    if pupil.schools:
        history = _add(el, "SchoolHistory")
        for spell in pupil.schools:
            s = _add(history, "School")
            _add(s, "LEA", spell.la)
            _add(s, "Estab", spell.estab)
            if spell.name:
                _add(s, "SchoolName", spell.name)
            _add(s, "EntryDate", _date(spell.entry_date))
            if spell.leaving_date:
                _add(s, "LeavingDate", _date(spell.leaving_date))
            if spell.leaving_reason:
                _add(s, "LeavingReason", spell.leaving_reason)
