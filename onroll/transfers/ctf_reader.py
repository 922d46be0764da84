"""Reading and checking a Common Transfer File (CTF) before anything is saved.

`read_ctf(data, known)` parses the XML safely (defusedxml: no DTD, no entities, no external references) and
checks its structure: the header, every pupil's required elements, UPN check letters (`core.upn`), dates,
LA and establishment numbers (against `Known`, built from the database once per file). It answers the
header, the pupils and EVERY problem found, each naming the pupil and the element it concerns; the service
saves only when there are none. Nothing here touches the database.

Element names follow reference/ctf.md (root `CTfile`, `Header`, `CTFpupilData/Pupil`); where the public
record did not show an element's inner structure (address lines, contacts, attendance year data) the names
are those the DfE specification uses as far as we know them, and docs/decisions/0008 says so.
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from onroll.core.upn import UPNError
from onroll.core.upn import validate as validate_upn

from .models import LA_ESTAB, LOST, OUTSIDE

SEXES = {"M": "M", "F": "F", "U": "U"}
_LA = re.compile(r"^\d{3}$")
_ESTAB = re.compile(r"^\d{4}$")
SPECIAL_LA = {LOST[:3], OUTSIDE[:3]}
SPECIAL_ESTAB = {LOST[3:], OUTSIDE[3:], LA_ESTAB}
MAX_AGE_YEARS = 25

# DfE relationship codes for contacts (common basic data set), as far as reference/ctf.md lets us know them.
RELATIONSHIPS = {
    "PAR": "Parent",
    "CAR": "Carer",
    "STP": "Step-parent",
    "FOS": "Foster carer",
    "REL": "Relative",
    "FAM": "Other family member",
    "CHM": "Childminder",
    "DOC": "Doctor",
    "SWR": "Social worker",
    "OTH": "Other",
}


@dataclass(frozen=True, slots=True)
class Problem:
    pupil: str  # "Header", "File" or "Pupil 3 (UPN ..., Surname, Forename)"
    element: str
    message: str

    def __str__(self):
        return f"{self.pupil}, {self.element}: {self.message}"


@dataclass(frozen=True)
class Known:
    """What the checks need from the database: LA numbers held, and the establishment numbers of the LAs
    whose schools Onroll holds (an LA with none held accepts any four-digit number)."""

    las: frozenset[str]
    estabs: dict[str, frozenset[str]]

    def laestab_problem(self, la: str, estab: str) -> str:
        if la in SPECIAL_LA:
            if estab != la + la[0]:
                return f"'{la}{estab}' is not a destination code: use {LOST} or {OUTSIDE}"
            return ""
        if not _LA.match(la):
            return f"'{la}' is not an LA number: an LA number is three digits"
        if la not in self.las:
            return f"LA number {la} is not known to Onroll (an administrator adds LAs in the admin)"
        if estab == LA_ESTAB:
            return ""
        if not _ESTAB.match(estab):
            return f"'{estab}' is not an establishment number: it is four digits (or LLLL for the LA)"
        held = self.estabs.get(la)
        if held and estab not in held:
            return f"There is no establishment {la}/{estab} in LA {la}"
        return ""


@dataclass
class Address:
    line_1: str
    line_2: str
    town: str
    postcode: str


@dataclass
class ContactData:
    name: str
    relationship: str
    parental_responsibility: bool
    phones: list[str]
    email: str


@dataclass
class SchoolSpell:
    la: str
    estab: str
    name: str
    entry_date: dt.date | None
    leaving_date: dt.date | None
    leaving_reason: str

    @property
    def laestab(self) -> str:
        return self.la + self.estab


@dataclass
class PupilData:
    number: int
    upn: str
    surname: str
    forename: str
    dob: dt.date | None
    sex: str
    former_upn: str = ""
    middle_names: str = ""
    preferred_surname: str = ""
    preferred_forename: str = ""
    former_names: list[tuple[str, str]] = field(default_factory=list)  # (forename, surname)
    ethnicity: str = ""
    address: Address | None = None
    contacts: list[ContactData] = field(default_factory=list)
    schools: list[SchoolSpell] = field(default_factory=list)
    attendance: list[dict] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"Pupil {self.number} ({self.upn or 'no UPN'}, {self.surname or '?'}, {self.forename or '?'})"


@dataclass
class Header:
    version: str = ""
    written_at: dt.datetime | None = None
    source_la: str = ""
    source_estab: str = ""
    source_name: str = ""
    dest_la: str = ""
    dest_estab: str = ""

    @property
    def source(self) -> str:
        return self.source_la + self.source_estab

    @property
    def destination(self) -> str:
        return self.dest_la + self.dest_estab


@dataclass
class ReadResult:
    header: Header
    pupils: list[PupilData]
    problems: list[Problem]


def _strip_namespaces(root: Element) -> Element:
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith("{"):
            el.tag = el.tag.split("}", 1)[1]
    return root


def _text(el: Element | None, path: str) -> str:
    found = el.find(path) if el is not None else None
    return (found.text or "").strip() if found is not None else ""


def parse(data: bytes) -> tuple[Element | None, Problem | None]:
    """The XML tree, or the one problem that stopped it being read (never resolves entities or DTDs)."""
    try:
        root = SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        return None, Problem(
            "File", "DOCTYPE", "The file declares a DTD or entities, which a CTF never does; it was not read"
        )
    except ParseError as exc:
        line, column = exc.position
        return None, Problem(
            "File", "XML", f"The file is not well-formed XML (line {line}, column {column}): is it a CTF?"
        )
    return _strip_namespaces(root), None


class _Reader:
    def __init__(self, known: Known, today: dt.date):
        self.known = known
        self.today = today
        self.problems: list[Problem] = []

    def problem(self, who: str, element: str, message: str):
        self.problems.append(Problem(who, element, message))

    def date(self, who: str, parent: Element, path: str, *, required: bool) -> dt.date | None:
        text = _text(parent, path)
        if not text:
            if required:
                self.problem(who, path, "is missing: enter the date as YYYY-MM-DD")
            return None
        try:
            return dt.date.fromisoformat(text[:10]) if len(text) in (10, 19) else dt.date.fromisoformat(text)
        except ValueError:
            self.problem(who, path, f"'{text}' is not a date: dates are written YYYY-MM-DD")
            return None

    def required(self, who: str, parent: Element, path: str) -> str:
        text = _text(parent, path)
        if not text:
            self.problem(who, path, "is missing or empty")
        return text

    def header(self, root: Element) -> Header:
        who = "Header"
        el = root.find("Header")
        if el is None:
            self.problem(who, "Header", "is missing: a CTF starts with a Header")
            return Header()
        if _text(el, "DocumentName") != "Common Transfer File":
            self.problem(who, "Header/DocumentName", "must be 'Common Transfer File'")
        header = Header(
            version=self.required(who, el, "CTFversion"),
            source_la=self.required(who, el, "SourceSchool/LEA"),
            source_estab=self.required(who, el, "SourceSchool/Estab"),
            source_name=_text(el, "SourceSchool/SchoolName"),
            dest_la=self.required(who, el, "DestSchool/LEA"),
            dest_estab=self.required(who, el, "DestSchool/Estab"),
        )
        written = self.required(who, el, "DateTime")
        if written:
            try:
                header.written_at = dt.datetime.fromisoformat(written)
            except ValueError:
                self.problem(
                    who, "Header/DateTime", f"'{written}' is not a date and time (YYYY-MM-DDThh:mm:ss)"
                )
        for role, la, estab in (
            ("SourceSchool", header.source_la, header.source_estab),
            ("DestSchool", header.dest_la, header.dest_estab),
        ):
            if la and estab and (message := self.known.laestab_problem(la, estab)):
                self.problem(who, f"Header/{role}", message)
        return header

    def pupil(self, number: int, el: Element) -> PupilData:
        pupil = PupilData(
            number=number,
            upn=_text(el, "UPN").upper(),
            surname=_text(el, "Surname"),
            forename=_text(el, "Forename"),
            dob=None,
            sex="",
        )
        who = pupil.label
        if not pupil.upn:
            self.problem(who, "UPN", "is missing: every pupil in a CTF needs a UPN")
        else:
            try:
                pupil.upn = validate_upn(pupil.upn)
            except UPNError as exc:
                self.problem(who, "UPN", str(exc))
        for name in ("Surname", "Forename"):
            if not _text(el, name):
                self.problem(who, name, "is missing or empty")
        pupil.dob = self.date(who, el, "DOB", required=True)
        if pupil.dob and pupil.dob > self.today:
            self.problem(who, "DOB", f"{pupil.dob:%Y-%m-%d} is in the future")
        elif pupil.dob and pupil.dob.year < self.today.year - MAX_AGE_YEARS:
            self.problem(who, "DOB", f"{pupil.dob:%Y-%m-%d} is more than {MAX_AGE_YEARS} years ago")
        sex = (_text(el, "Sex") or _text(el, "Gender")).upper()
        if sex not in SEXES:
            self.problem(who, "Sex", f"'{sex}' is not a sex code: use M or F" if sex else "is missing")
        pupil.sex = SEXES.get(sex, "U")
        basic = el.find("BasicDetails")
        if basic is not None:
            self.basic_details(pupil, basic)
        address = el.find("Address")
        if address is not None:
            pupil.address = self.address(address)
        for contact in el.findall("Contacts/Contact"):
            pupil.contacts.append(self.contact(who, contact))
        for i, school in enumerate(el.findall("SchoolHistory/School"), start=1):
            pupil.schools.append(self.school(who, i, school))
        for i, year in enumerate(el.findall("Attendance/YearData"), start=1):
            pupil.attendance.append(self.attendance(who, i, year))
        return pupil

    def basic_details(self, pupil: PupilData, basic: Element):
        former = _text(basic, "FormerUPN").upper()
        if former:
            try:
                pupil.former_upn = validate_upn(former)
            except UPNError as exc:
                self.problem(pupil.label, "BasicDetails/FormerUPN", str(exc))
        pupil.middle_names = _text(basic, "MiddleNames")
        pupil.preferred_surname = _text(basic, "PreferredSurname")
        pupil.preferred_forename = _text(basic, "PreferredForename")
        # Repeated FormerForename/FormerSurname pairs, in order: one pair per former name.
        forenames = [(e.text or "").strip() for e in basic.findall("FormerForename")]
        surnames = [(e.text or "").strip() for e in basic.findall("FormerSurname")]
        for i in range(max(len(forenames), len(surnames))):
            first = forenames[i] if i < len(forenames) else ""
            last = surnames[i] if i < len(surnames) else ""
            if first or last:
                pupil.former_names.append((first or pupil.forename, last or pupil.surname))
        pupil.ethnicity = _text(basic, "Ethnicity").upper()[:4]

    def address(self, el: Element) -> Address:
        lines = {}
        for line in el.findall("AddressLines/*"):
            if line.tag.startswith("AddressLine") and (line.text or "").strip():
                lines[line.tag] = line.text.strip()
        if not lines:
            bs = el.find("BS7666Address")
            if bs is not None:
                first = " ".join(p for p in (_text(bs, "SAON"), _text(bs, "PAON"), _text(bs, "Street")) if p)
                town = _text(bs, "Town") or _text(bs, "PostTown")
                return Address(
                    line_1=first,
                    line_2=_text(bs, "Locality"),
                    town=town,
                    postcode=_text(el, "PostCode").upper(),
                )
        # Onroll writes line 1, line 2 and the town as AddressLine3; a town is any last line from line 3 on.
        others = [lines[k] for k in sorted(lines)]
        line_1 = others.pop(0) if others else ""
        town = others.pop() if others and max(lines) >= "AddressLine3" else ""
        return Address(
            line_1=line_1, line_2=", ".join(others), town=town, postcode=_text(el, "PostCode").upper()
        )

    def contact(self, who: str, el: Element) -> ContactData:
        name = " ".join(p for p in (_text(el, "Forename"), _text(el, "Surname")) if p)
        if not name:
            self.problem(who, "Contacts/Contact/Surname", "a contact has no name")
        code = _text(el, "RelationCode").upper()
        phones = [_text(p, "PhoneNo") for p in el.findall("Phones/Phone") if _text(p, "PhoneNo")]
        return ContactData(
            name=name,
            relationship=RELATIONSHIPS.get(code, code.title() or "Not known"),
            parental_responsibility=_text(el, "Responsibility").lower() in ("true", "1", "yes"),
            phones=phones,
            email=_text(el, "Email"),
        )

    def school(self, who: str, i: int, el: Element) -> SchoolSpell:
        path = f"SchoolHistory/School[{i}]"
        spell = SchoolSpell(
            la=_text(el, "LEA"),
            estab=_text(el, "Estab"),
            name=_text(el, "SchoolName"),
            entry_date=self.date(who, el, "EntryDate", required=True),
            leaving_date=self.date(who, el, "LeavingDate", required=False),
            leaving_reason=_text(el, "LeavingReason"),
        )
        if not spell.la or not spell.estab:
            self.problem(who, f"{path}/LEA", "a school in the history needs its LEA and Estab")
        elif message := self.known.laestab_problem(spell.la, spell.estab):
            self.problem(who, path, message)
        if spell.entry_date and spell.leaving_date and spell.leaving_date < spell.entry_date:
            self.problem(
                who,
                f"{path}/LeavingDate",
                f"leaving date {spell.leaving_date:%Y-%m-%d} is before the entry date "
                f"{spell.entry_date:%Y-%m-%d}",
            )
        if spell.entry_date and spell.entry_date > self.today:
            self.problem(who, f"{path}/EntryDate", f"{spell.entry_date:%Y-%m-%d} is in the future")
        return spell

    def attendance(self, who: str, i: int, el: Element) -> dict:
        path = f"Attendance/YearData[{i}]"
        year = {"year": _text(el, "Year"), "laestab": _text(el, "LEA") + _text(el, "Estab")}
        if not year["year"]:
            self.problem(who, f"{path}/Year", "is missing")
        for name in ("SessionsPossible", "SessionsAuthorised", "SessionsUnauthorised"):
            text = _text(el, name) or "0"
            if not text.isdigit():
                self.problem(who, f"{path}/{name}", f"'{text}' is not a number of sessions")
                text = "0"
            year[name] = int(text)
        if year["SessionsAuthorised"] + year["SessionsUnauthorised"] > year["SessionsPossible"]:
            self.problem(who, path, "more sessions missed than possible")
        return year


def read_ctf(data: bytes, known: Known, *, today: dt.date) -> ReadResult:
    root, problem = parse(data)
    if problem:
        return ReadResult(Header(), [], [problem])
    reader = _Reader(known, today)
    if root.tag != "CTfile":
        reader.problem("File", root.tag, "the file is not a CTF: its first element should be CTfile")
        return ReadResult(Header(), [], reader.problems)
    header = reader.header(root)
    elements = root.findall("CTFpupilData/Pupil")
    if not elements:
        reader.problem("File", "CTFpupilData", "has no Pupil: the file holds no pupils")
    pupils = [reader.pupil(i, el) for i, el in enumerate(elements, start=1)]
    seen: dict[str, int] = {}
    for pupil in pupils:
        if pupil.upn and pupil.upn in seen:
            reader.problem(pupil.label, "UPN", f"the same UPN as pupil {seen[pupil.upn]}")
        seen.setdefault(pupil.upn, pupil.number)
    if header.destination == LOST and len(pupils) > 1:
        reader.problem("Header", "DestSchool", f"a CTF to {LOST} holds one pupil only")
    return ReadResult(header, pupils, reader.problems)
