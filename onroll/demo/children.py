"""Families of synthetic children: names, flags, one shared address, parents or carers, roll histories.

Children come in families (siblings share a surname, address and parents) because telling siblings
apart is the hard case for matching, and a demo without them would hide it.
"""

import datetime as dt

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
from onroll.core import school_age
from onroll.core.upn import check_letter

from . import pools as p
from .case_plans import CasePlan, plan_case
from .cases import add_case
from .roll import Spell, cut_at, history, join
from .world import Batch, World, random_day

# (ethnicity, weight, name pool for the family surname, pool for first names)
ETHNIC_MIX = (
    (Ethnicity.WBRI, 680, "gb", "gb"),
    (Ethnicity.WIRI, 10, "ie", "ie"),
    (Ethnicity.WIRT, 3, "ie", "ie"),
    (Ethnicity.WROM, 5, "ro", "ro"),
    (Ethnicity.WOTH, 70, "eu", "eu"),
    (Ethnicity.MWBC, 15, "gb", "gb"),
    (Ethnicity.MWBA, 10, "ng", "gb"),
    (Ethnicity.MWAS, 15, "in", "gb"),
    (Ethnicity.MOTH, 20, "gb", "gb"),
    (Ethnicity.AIND, 30, "in", "in"),
    (Ethnicity.APKN, 40, "pk", "pk"),
    (Ethnicity.ABAN, 15, "pk", "pk"),
    (Ethnicity.AOTH, 15, "in", "in"),
    (Ethnicity.BCRB, 10, "gb", "gb"),
    (Ethnicity.BAFR, 30, "ng", "ng"),
    (Ethnicity.BOTH, 5, "ng", "gb"),
    (Ethnicity.CHNE, 5, "cn", "cn"),
    (Ethnicity.OOTH, 12, "tr", "tr"),
    (Ethnicity.REFU, 5, "gb", "gb"),
    (Ethnicity.NOBT, 15, "gb", "gb"),
)
ETHNIC_WEIGHTS = [row[1] for row in ETHNIC_MIX]
FAMILY_SIZES, FAMILY_WEIGHTS = (1, 2, 3, 4), (45, 35, 15, 5)
# Rough English rates; children with a case are several times likelier to carry each flag.
FLAG_RATES = {
    "ehcp": (0.048, 3),
    "sen_support": (0.13, 1.5),
    "child_in_need": (0.03, 5),
    "child_protection_plan": (0.004, 8),
    "looked_after": (0.007, 5),
    "service_child": (0.007, 1),
    "young_carer": (0.01, 3),
}
DAYS_A_YEAR = 365.25


def _dob(world: World, sibling: dt.date | None, lowest: float, highest: float) -> dt.date:
    """A birth date giving an age from `lowest` up to (not including) `highest` years today."""
    rng, today = world.rng, world.today
    earliest = today - dt.timedelta(days=int(highest * DAYS_A_YEAR) - 2)
    latest = today - dt.timedelta(days=int(lowest * DAYS_A_YEAR) + 2)
    if sibling is not None:
        day = sibling + dt.timedelta(days=rng.choice((-1, 1)) * rng.randint(400, 2200))
        if earliest <= day <= latest:
            return day
    return earliest + dt.timedelta(days=rng.randrange((latest - earliest).days + 1))


def _flags(world: World, ethnicity: str, boosted: bool) -> dict:
    rng = world.rng
    flags = {f: rng.random() < rate * (boost if boosted else 1) for f, (rate, boost) in FLAG_RATES.items()}
    flags["sen_support"] = flags["sen_support"] and not flags["ehcp"]
    flags["gypsy_roma_traveller"] = ethnicity in (Ethnicity.WIRT, Ethnicity.WROM) or rng.random() < 0.002
    return flags


def _upn(world: World, spells: list[Spell]) -> str:
    if not spells or world.rng.random() < 0.02:
        return ""
    first = spells[0]
    key = (first.plan.school.estab_number, first.entry.year % 100)
    serial = world.upn_serials.get(key, 0)
    if serial > 999:
        return ""  # this school ran out of serials for the year; rare, and a missing UPN is realistic
    world.upn_serials[key] = serial + 1
    body = f"{world.la.code}{key[0]}{key[1]:02d}{serial:03d}"
    return check_letter(body) + body


def _family_contacts(world: World, pool: p.NamePool, surname: str) -> list[dict]:
    rng = world.rng
    lead = rng.choices(("Mother", "Father", "Grandmother"), weights=(85, 12, 3))[0]
    first = rng.choice(pool.male if lead == "Father" else pool.female)
    contacts = [
        {
            "name": f"{first} {surname if rng.random() < 0.85 else rng.choice(pool.last)}",
            "relationship": lead,
            "parental_responsibility": True,
            "lives_with_child": True,
            "phone": p.mobile(rng),
            "phone_other": p.landline(rng) if rng.random() < 0.2 else "",
            "email": p.email(rng, first, surname) if rng.random() < 0.6 else "",
        }
    ]
    if rng.random() < 0.55:
        second = {"Mother": ("Father", "Stepfather"), "Father": ("Mother", "Stepmother")}.get(
            lead, ("Grandfather",)
        )
        relationship = rng.choice(second)
        first = rng.choice(
            pool.female if relationship.endswith("mother") or relationship == "Mother" else pool.male
        )
        contacts.append(
            {
                "name": f"{first} {surname if rng.random() < 0.7 else rng.choice(pool.last)}",
                "relationship": relationship,
                "parental_responsibility": not relationship.startswith("Step"),
                "lives_with_child": rng.random() < 0.7,
                "phone": p.mobile(rng),
            }
        )
    return contacts


def _family_address(world: World) -> dict:
    rng = world.rng
    line_1, line_2 = p.street_address(rng, world.pools)
    town = world.pools.towns[min(int(rng.expovariate(0.25)), len(world.pools.towns) - 1)]
    return {
        "line_1": line_1,
        "line_2": line_2,
        "town": town,
        "postcode": p.postcode(rng, world.pools.postcode_area),
        "from_date": world.today - dt.timedelta(days=rng.randrange(30, 15 * 365)),
        "confidential": rng.random() < 0.006,
    }


def _names(world: World, pool: p.NamePool, surname: str, sex: str, taken: set[str]) -> dict:
    rng = world.rng
    firsts = pool.given(sex, child=True)
    first = rng.choice(firsts)
    for _ in range(5):
        if first not in taken:
            break
        first = rng.choice(firsts)
    taken.add(first)
    middle = " ".join(rng.choice(firsts) for _ in range(rng.choices((0, 1, 2), weights=(50, 42, 8))[0]))
    return {
        "legal_first_name": first,
        "legal_middle_names": middle,
        "legal_last_name": surname,
        "preferred_first_name": rng.choice(firsts) if rng.random() < 0.04 else "",
        "preferred_last_name": rng.choice(pool.last) if rng.random() < 0.02 else "",
    }


def _name_rows(world: World, child: Child) -> list[ChildName]:
    def row(kind, first, last, until=None):
        return ChildName(
            child_id=child.id,
            kind=kind,
            first_name=first,
            last_name=last,
            first_key=search_key(first),
            last_key=search_key(last),
            until=until,
        )

    rows = [row(NameKind.LEGAL, child.legal_first_name, child.legal_last_name)]
    if child.preferred_first_name or child.preferred_last_name:
        rows.append(
            row(
                NameKind.PREFERRED,
                child.preferred_first_name or child.legal_first_name,
                child.preferred_last_name or child.legal_last_name,
            )
        )
    if world.rng.random() < 0.03:
        until = random_day(world.rng, child.date_of_birth, world.today)
        rows.append(
            row(
                NameKind.FORMER, child.legal_first_name, world.rng.choice(world.pools.names["gb"].last), until
            )
        )
    return rows


def _spells(world: World, nc_now: int, dob: dt.date, plan: CasePlan | None, special: bool) -> list[Spell]:
    csa_now = school_age.is_compulsory_school_age(dob, world.today)
    must_attend = plan.on_roll if plan else csa_now
    spells = history(world, nc_now, must_attend=must_attend or bool(plan and plan.left_on), special=special)
    if plan is None:
        return spells
    if plan.never_enrolled:
        spells = []
    elif plan.left_on:
        spells = cut_at(spells, plan.left_on, plan.leaving_reason)
    if plan.to_pru:
        spells = join(
            world, spells, nc_now, plan.left_on + dt.timedelta(days=world.rng.randint(3, 20)), track="pru"
        )
    if plan.rejoin_on:
        spells = join(world, spells, nc_now, plan.rejoin_on)
    return spells


def _enrolments(child: Child, spells: list[Spell]) -> list[Enrolment]:
    return [
        Enrolment(
            child_id=child.id,
            school_id=s.plan.school.id,
            entry_date=s.entry,
            leaving_date=s.leaving,
            status=EnrolmentStatus.LEFT if s.leaving else EnrolmentStatus.ON_ROLL,
            leaving_reason=s.reason if s.leaving else "",
        )
        for s in spells
    ]


def add_family(world: World, batch: Batch, first_index: int, room: int, case_slots: set[int]) -> int:
    """Build one family of at most `room` children into `batch`; returns how many children it had."""
    rng = world.rng
    size = min(room, rng.choices(FAMILY_SIZES, weights=FAMILY_WEIGHTS)[0])
    ethnicity, _, surname_pool, first_pool = rng.choices(ETHNIC_MIX, weights=ETHNIC_WEIGHTS)[0]
    pool = world.pools.names[first_pool]
    surname_source = world.pools.names[surname_pool].last
    surname = rng.choice(surname_source)
    if rng.random() < 0.02:
        surname = f"{surname}-{rng.choice(surname_source)}"
    address, contacts = _family_address(world), _family_contacts(world, pool, surname)
    taken, sibling_dob = set(), None
    for index in range(first_index, first_index + size):
        has_case = index in case_slots
        # Most children with a case are of compulsory school age; a few are younger or post-16.
        oldest = 16.8 if has_case and rng.random() < 0.9 else 18
        dob = _dob(world, None if has_case else sibling_dob, 4.5 if has_case else 3, oldest)
        sibling_dob = dob
        nc_now = school_age.nc_year(dob, world.today)
        sex = rng.choices((Sex.FEMALE, Sex.MALE, Sex.UNKNOWN), weights=(490, 508, 2))[0]
        flags = _flags(world, ethnicity, has_case)
        plan = plan_case(world, dob, nc_now, flags) if has_case else None
        spells = _spells(world, nc_now, dob, plan, special=flags["ehcp"] and rng.random() < 0.45)
        child = Child(
            id=world.uuid(),
            la_id=world.la.id,
            date_of_birth=dob,
            sex=sex,
            ethnicity=ethnicity,
            upn=_upn(world, spells),
            **_names(world, pool, surname, sex, taken),
            **flags,
        )
        batch.children.append(child)
        batch.names.extend(_name_rows(world, child))
        confidential = address["confidential"] or bool(plan and "domestic_abuse" in plan.vulnerabilities)
        batch.addresses.append(
            Address(
                child_id=child.id,
                **{**address, "confidential": confidential, "from_date": max(address["from_date"], dob)},
            )
        )
        child_contacts = _contacts_for(world, child, contacts)
        batch.contacts.extend(child_contacts)
        batch.enrolments.extend(_enrolments(child, spells))
        if plan:
            add_case(world, batch, child, plan, spells, child_contacts)
    return size


def _contacts_for(world: World, child: Child, family: list[dict]) -> list[Contact]:
    if child.looked_after:
        rng, gb = world.rng, world.pools.names["gb"]
        carer = f"{rng.choice(gb.female)} {rng.choice(gb.last)}"
        family = [
            {
                "name": carer,
                "relationship": "Foster carer",
                "parental_responsibility": False,
                "lives_with_child": True,
                "phone": p.mobile(rng),
            },
            {**family[0], "lives_with_child": False},
        ]
    return [Contact(child_id=child.id, **c) for c in family]
