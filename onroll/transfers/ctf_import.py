"""Importing a CTF: check the whole file, then apply it set-based in one transaction, or not at all.

A pupil is matched to an existing child by UPN (or by the file's former UPN). Any other pupil is first looked
for among the children the user may see (`known.search_pupils`); if one may be a known child, a person chooses
"this child" or "a new child" before anything is written (`result.review`), and the choice is recorded as a
matching decision. Pupils with no candidates become new children.

For a matched or linked child nothing the LA holds is overwritten: blanks are filled (UPN, middle and
preferred names, former UPN, sex and ethnicity when not known) and what is missing is added (former names,
the address, contacts, spells at schools Onroll holds). So the same file twice, or a file Onroll wrote from
the same child, changes nothing. Everything is read with a few queries per 2,000 pupils and written with bulk
inserts, so a 5,000-pupil file takes seconds (bench/ctf_import.py).
"""

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from onroll.accounts.permissions import Perm, can, is_la_staff, is_school_staff
from onroll.audit.models import Action, AuditEvent
from onroll.children.models import (
    Address,
    Child,
    ChildName,
    Contact,
    Enrolment,
    EnrolmentStatus,
    Ethnicity,
    NameKind,
    Sex,
)
from onroll.children.names import search_key
from onroll.core.dates import long_date
from onroll.schools.models import LocalAuthority, School

from .ctf_reader import Known, Problem, PupilData, read_ctf
from .known import PupilReview, record_ctf_decisions, resolve_choices, search_pupils
from .models import LA_ESTAB, CtfFile, CtfPupil, Direction

CHUNK = 2000
ETHNICITIES = set(Ethnicity.values)


@dataclass
class ImportResult:
    file_name: str
    problems: list[Problem] = field(default_factory=list)
    pupils: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    already_imported_on: dt.date | None = None
    ctf: CtfFile | None = None
    review: list[PupilReview] = field(default_factory=list)  # pupils who may be known children, to decide

    @property
    def refused(self) -> bool:
        return bool(self.problems)


def known_from_database() -> tuple[Known, dict[str, School]]:
    schools = {s.laestab: s for s in School.objects.select_related("la")}
    estabs = defaultdict(set)
    for school in schools.values():
        estabs[school.la.code].add(school.estab_number)
    known = Known(
        las=frozenset(LocalAuthority.objects.values_list("code", flat=True)),
        estabs={la: frozenset(e) for la, e in estabs.items()},
    )
    return known, schools


def _chunks(items: list, size: int = CHUNK):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _receiver(
    user, destination: str, schools: dict[str, School]
) -> tuple[LocalAuthority | None, School | None, str]:
    """The LA and school a file is imported for, or why this user may not import it."""
    org = user.organisation
    school = schools.get(destination)
    if is_school_staff(user):
        if school is None or school.organisation_id != org.pk:
            return (
                None,
                None,
                (
                    f"This CTF is addressed to {destination}, not to your school: only the school or LA "
                    "it is addressed to can import it"
                ),
            )
        return school.la, school, ""
    if is_la_staff(user):
        la = LocalAuthority.objects.filter(code=org.la_code).first()
        if la is None:
            return None, None, "Your team's LA is not set up in Onroll"
        if school is not None and school.la_id == la.pk:
            return la, school, ""
        # An LA imports files addressed to it (LLLL) and files it fetched from the Lost Pupil Database.
        if destination in (f"{la.code}{LA_ESTAB}", "XXXXXXX", "MMMMMMM"):
            return la, None, ""
        return None, None, f"This CTF is addressed to {destination}, not to {la} or one of its schools"
    return None, None, "Only school or LA staff can import a CTF"


@dataclass
class Checked:
    """A file read, checked, and its pupils matched on UPN and searched for: nothing written yet."""

    result: ImportResult
    read: object = None
    la: LocalAuthority | None = None
    school: School | None = None
    schools: dict = field(default_factory=dict)
    joined_on: dt.date | None = None
    sha: str = ""
    matches: dict = field(default_factory=dict)  # pupil number → child with the pupil's UPN
    found: dict = field(default_factory=dict)  # pupil number → search result, for pupils not matched

    @property
    def done(self) -> bool:
        """Refused, or imported before: nothing more to decide or apply."""
        return self.result.refused or self.result.already_imported_on is not None


def check_ctf(user, data: bytes, file_name: str, *, today: dt.date, joined_on: dt.date | None = None):
    """Read and check one CTF, match its pupils on UPN and look for the others among the children the user
    may see. Writes nothing."""
    if not can(user, Perm.IMPORT_CTF):
        raise PermissionDenied("Not allowed to import CTFs")
    result = ImportResult(file_name=file_name)
    checked = Checked(result, joined_on=joined_on)
    known, checked.schools = known_from_database()
    read = checked.read = read_ctf(data, known, today=today)
    result.problems = list(read.problems)
    result.pupils = len(read.pupils)
    if result.problems:
        return checked
    la, school, why_not = _receiver(user, read.header.destination, checked.schools)
    if why_not:
        result.problems.append(Problem("Header", "DestSchool", why_not))
        return checked
    checked.la, checked.school = la, school if joined_on else None
    if joined_on and school is not None:
        _check_joined_on(read.pupils, joined_on, today, result.problems)
    checked.sha = hashlib.sha256(data).hexdigest()
    earlier = CtfFile.objects.filter(la=la, direction=Direction.RECEIVED, sha256=checked.sha).first()
    if earlier is not None:
        result.already_imported_on = earlier.created_at.date()
        result.unchanged = len(read.pupils)
        return checked
    checked.matches = _match(read.pupils, result.problems)
    if not result.problems:
        checked.found = search_pupils(user, read.pupils, checked.matches)
    return checked


def import_ctf(
    user,
    data: bytes,
    file_name: str,
    *,
    today: dt.date,
    joined_on: dt.date | None = None,
    choices: dict[int, str] | None = None,
):
    """Check and import one CTF file. `joined_on`, for a file addressed to a school, is the day the pupils
    joined it: each is then put on its roll from that day (a date before a spell in the file is refused).

    A pupil not matched on UPN who may be a child Onroll knows needs a person's choice: `choices` maps the
    pupil's number to a candidate child's id or `known.NEW_CHILD`. Until every such pupil has a valid
    choice nothing is written and `result.review` lists them."""
    checked = check_ctf(user, data, file_name, today=today, joined_on=joined_on)
    return apply_ctf(user, checked, choices=choices)


def apply_ctf(user, checked: Checked, *, choices: dict[int, str] | None):
    """Import a checked file with these choices, in one transaction; or, while a pupil who may be a known
    child has no good choice, write nothing and list them in `result.review`."""
    result = checked.result
    if checked.done:
        return result
    pupils = checked.read.pupils
    links, result.review = resolve_choices(pupils, checked.found, checked.matches, choices)
    if result.review:
        return result
    with transaction.atomic():
        apply = _Apply(user, checked.la, checked.school, checked.joined_on, checked.schools, result)
        apply.run(checked.read, {**checked.matches, **links}, checked.sha)
        record_ctf_decisions(user, pupils, apply.children, checked.found, result.file_name)
    return result


def _check_joined_on(pupils: list[PupilData], joined_on: dt.date, today: dt.date, problems: list[Problem]):
    if joined_on > today:
        problems.append(
            Problem("Upload", "Date joined", "The date the pupils joined must be today or earlier")
        )
        return
    for pupil in pupils:
        for spell in pupil.schools:
            if spell.entry_date and spell.entry_date > joined_on:
                problems.append(
                    Problem(
                        pupil.label,
                        "SchoolHistory/School/EntryDate",
                        f"the pupil joined {spell.name or spell.laestab} on {long_date(spell.entry_date)}, "
                        f"after the date they joined your school ({long_date(joined_on)})",
                    )
                )


def _match(pupils: list[PupilData], problems: list[Problem]) -> dict[int, Child]:
    """pupil number → existing child, by UPN then former UPN; a UPN held by two children is a problem."""
    wanted = {p.upn for p in pupils} | {p.former_upn for p in pupils if p.former_upn}
    by_upn: dict[str, list[Child]] = defaultdict(list)
    for chunk in _chunks(sorted(wanted)):
        for child in Child.objects.filter(upn__in=chunk):
            by_upn[child.upn].append(child)
    matches = {}
    for pupil in pupils:
        found = by_upn.get(pupil.upn) or (by_upn.get(pupil.former_upn) if pupil.former_upn else None)
        if found and len(found) > 1:
            problems.append(
                Problem(
                    pupil.label, "UPN", f"{len(found)} children in Onroll have this UPN: merge them first"
                )
            )
        elif found:
            matches[pupil.number] = found[0]
    first_for: dict = {}
    for number, child in sorted(matches.items()):
        if child.pk in first_for:
            problems.append(
                Problem(
                    pupils[number - 1].label,
                    "BasicDetails/FormerUPN",
                    f"this pupil and pupil {first_for[child.pk]} are the same child in Onroll ({child.upn})",
                )
            )
        first_for.setdefault(child.pk, number)
    return matches


class _Apply:
    def __init__(self, user, la, school, joined_on, schools, result: ImportResult):
        self.user, self.la, self.school, self.joined_on = user, la, school, joined_on
        self.schools, self.result = schools, result
        self.now_changes: dict = defaultdict(list)  # child id → what was added, for the audit

    def run(self, read, matches: dict[int, Child], sha: str):
        header = read.header
        ctf = CtfFile(
            direction=Direction.RECEIVED,
            la=self.la,
            school=self.school,
            file_name=self.result.file_name[:200],
            sha256=sha,
            source=header.source[:7],
            destination=header.destination[:7],
            ctf_version=header.version[:10],
            pupils=len(read.pupils),
        )
        ctf.stamp(self.user)
        ctf.save()
        self.result.ctf = ctf
        children = self.children = self._children(read.pupils, matches)
        ids = [c.pk for c in children.values()]
        self._names(read.pupils, children, ids)
        self._addresses(read.pupils, children, ids)
        self._contacts(read.pupils, children, ids)
        held_elsewhere = self._enrolments(read.pupils, children, ids)
        CtfPupil.objects.bulk_create(
            CtfPupil(
                ctf=ctf,
                child=children[p.number],
                upn=p.upn,
                school_history=held_elsewhere.get(p.number, []),
                attendance=p.attendance,
            )
            for p in read.pupils
        )
        self._audit(ctf, read.pupils, children, matches)

    def _stamp(self, obj):
        obj.created_by = obj.modified_by = self.user
        return obj

    def _children(self, pupils, matches) -> dict[int, Child]:
        children, new, changed = {}, [], []
        for p in pupils:
            child = matches.get(p.number)
            if child is None:
                child = self._stamp(
                    Child(
                        legal_first_name=p.forename[:100],
                        legal_middle_names=p.middle_names[:100],
                        legal_last_name=p.surname[:100],
                        preferred_first_name=p.preferred_forename[:100],
                        preferred_last_name=p.preferred_surname[:100],
                        date_of_birth=p.dob,
                        sex=p.sex,
                        upn=p.upn,
                        former_upn=p.former_upn,
                        ethnicity=p.ethnicity if p.ethnicity in ETHNICITIES else Ethnicity.NOBT,
                        la=self.la,
                    )
                )
                new.append(child)
            else:
                fills = {
                    "upn": p.upn,  # a child linked by a person's choice may have had no UPN
                    "legal_middle_names": p.middle_names[:100],
                    "preferred_first_name": p.preferred_forename[:100],
                    "preferred_last_name": p.preferred_surname[:100],
                    "former_upn": p.former_upn if p.former_upn != child.upn else "",
                }
                filled = [k for k, v in fills.items() if v and not getattr(child, k)]
                for k in filled:
                    setattr(child, k, fills[k])
                if child.sex == Sex.UNKNOWN and p.sex != Sex.UNKNOWN:
                    child.sex = p.sex
                    filled.append("sex")
                if child.ethnicity == Ethnicity.NOBT and p.ethnicity in ETHNICITIES - {Ethnicity.NOBT}:
                    child.ethnicity = p.ethnicity
                    filled.append("ethnicity")
                if filled:
                    child.modified_by, child.modified_at = self.user, timezone.now()
                    changed.append(child)
                    self.now_changes[child.pk].append(
                        "filled in " + ", ".join(f.replace("_", " ") for f in filled)
                    )
            children[p.number] = child
        Child.objects.bulk_create(new, batch_size=CHUNK)
        if changed:
            Child.objects.bulk_update(
                changed,
                [
                    "upn",
                    "legal_middle_names",
                    "preferred_first_name",
                    "preferred_last_name",
                    "former_upn",
                    "sex",
                    "ethnicity",
                    "modified_by",
                    "modified_at",
                ],
                batch_size=CHUNK,
            )
        self.new_ids = {c.pk for c in new}
        return children

    def _existing(self, model, ids, fields):
        rows = defaultdict(set)
        for chunk in _chunks(ids):
            for row in model.objects.filter(child_id__in=chunk).values_list("child_id", *fields):
                rows[row[0]].add(row[1:])
        return rows

    def _names(self, pupils, children, ids):
        held = self._existing(ChildName, ids, ("kind", "first_key", "last_key"))
        rows = []

        def add(child, kind, first, last):
            key = (kind, search_key(first), search_key(last))
            if key not in held[child.pk]:
                held[child.pk].add(key)
                rows.append(
                    ChildName(
                        child=child,
                        kind=kind,
                        first_name=first[:100],
                        last_name=last[:100],
                        first_key=key[1][:100],
                        last_key=key[2][:100],
                    )
                )
                return True
            return False

        for p in pupils:
            child = children[p.number]
            if child.pk in self.new_ids:
                add(child, NameKind.LEGAL, child.legal_first_name, child.legal_last_name)
                if child.preferred_first_name or child.preferred_last_name:
                    add(
                        child,
                        NameKind.PREFERRED,
                        child.preferred_first_name or child.legal_first_name,
                        child.preferred_last_name or child.legal_last_name,
                    )
            legal = (search_key(child.legal_first_name), search_key(child.legal_last_name))
            for first, last in p.former_names:
                if (search_key(first), search_key(last)) != legal and add(
                    child, NameKind.FORMER, first, last
                ):
                    if child.pk not in self.new_ids:
                        self.now_changes[child.pk].append(f"added former name {first} {last}")
        ChildName.objects.bulk_create(rows, batch_size=CHUNK)

    def _addresses(self, pupils, children, ids):
        held = self._existing(Address, ids, ("line_1", "postcode"))
        rows = []
        for p in pupils:
            a = p.address
            if a is None or not a.line_1:
                continue
            child = children[p.number]
            keys = {(line.strip().lower(), code.replace(" ", "").upper()) for line, code in held[child.pk]}
            if (a.line_1.strip().lower(), a.postcode.replace(" ", "").upper()) in keys:
                continue
            rows.append(
                self._stamp(
                    Address(
                        child=child,
                        line_1=a.line_1[:200],
                        line_2=a.line_2[:200],
                        town=a.town[:100],
                        postcode=a.postcode[:10],
                    )
                )
            )
            if child.pk not in self.new_ids:
                self.now_changes[child.pk].append("added an address")
        Address.objects.bulk_create(rows, batch_size=CHUNK)

    def _contacts(self, pupils, children, ids):
        held = self._existing(Contact, ids, ("name",))
        rows = []
        for p in pupils:
            child = children[p.number]
            names = {n.strip().lower() for (n,) in held[child.pk]}
            for c in p.contacts:
                if not c.name or c.name.strip().lower() in names:
                    continue
                names.add(c.name.strip().lower())
                rows.append(
                    self._stamp(
                        Contact(
                            child=child,
                            name=c.name[:200],
                            relationship=c.relationship[:60],
                            parental_responsibility=c.parental_responsibility,
                            phone=(c.phones[0] if c.phones else "")[:40],
                            phone_other=(c.phones[1] if len(c.phones) > 1 else "")[:40],
                            email=c.email[:254],
                        )
                    )
                )
                if child.pk not in self.new_ids:
                    self.now_changes[child.pk].append(f"added contact {c.name}")
        Contact.objects.bulk_create(rows, batch_size=CHUNK)

    def _enrolments(self, pupils, children, ids) -> dict[int, list[dict]]:
        """Spells at schools Onroll holds become roll history; the others are kept with the CTF row."""
        held = self._existing(Enrolment, ids, ("school_id", "entry_date"))
        rows, elsewhere = [], defaultdict(list)
        for p in pupils:
            child = children[p.number]
            spells = [
                (self.schools.get(s.laestab), s.entry_date, s.leaving_date, s.leaving_reason)
                for s in p.schools
            ]
            if self.school is not None and self.joined_on:
                spells.append((self.school, self.joined_on, None, ""))
            for s in p.schools:
                if s.laestab not in self.schools:
                    elsewhere[p.number].append(
                        {
                            "laestab": s.laestab,
                            "name": s.name,
                            "entry_date": s.entry_date.isoformat() if s.entry_date else "",
                            "leaving_date": s.leaving_date.isoformat() if s.leaving_date else "",
                            "leaving_reason": s.leaving_reason,
                        }
                    )
            for school, entry, leaving, reason in spells:
                if school is None or entry is None or (school.pk, entry) in held[child.pk]:
                    continue
                held[child.pk].add((school.pk, entry))
                rows.append(
                    self._stamp(
                        Enrolment(
                            child=child,
                            school=school,
                            entry_date=entry,
                            leaving_date=leaving,
                            status=EnrolmentStatus.LEFT if leaving else EnrolmentStatus.ON_ROLL,
                            leaving_reason=reason[:200],
                        )
                    )
                )
                if child.pk not in self.new_ids:
                    self.now_changes[child.pk].append(f"added roll history at {school}")
        Enrolment.objects.bulk_create(rows, batch_size=CHUNK)
        return elsewhere

    def _audit(self, ctf, pupils, children, matches):
        user, name = self.user, ctf.file_name
        events = []
        for p in pupils:
            child = children[p.number]
            if child.pk in self.new_ids:
                summary = f"Created from CTF {name}"
                self.result.created += 1
            elif self.now_changes.get(child.pk):
                summary = f"Updated from CTF {name}: " + "; ".join(self.now_changes[child.pk])
                self.result.updated += 1
            else:
                self.result.unchanged += 1
                continue
            events.append(
                AuditEvent(
                    user=user,
                    username=user.username,
                    action=Action.CREATE if child.pk in self.new_ids else Action.UPDATE,
                    object_type=child._meta.label_lower,
                    object_id=child.pk,
                    child_id=child.pk,
                    summary=summary[:300],
                )
            )
        events.append(
            AuditEvent(
                user=user,
                username=user.username,
                action=Action.CREATE,
                object_type=ctf._meta.label_lower,
                object_id=ctf.pk,
                summary=(
                    f"Imported CTF {name}: {len(pupils)} pupils, {self.result.created} created, "
                    f"{self.result.updated} updated, {self.result.unchanged} unchanged"
                )[:300],
            )
        )
        AuditEvent.objects.bulk_create(events, batch_size=CHUNK)
