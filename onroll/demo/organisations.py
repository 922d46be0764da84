"""The synthetic LA's teams, partner agencies, schools and demo users."""

import random

from django.contrib.auth.hashers import make_password

from onroll.accounts.models import Organisation, OrganisationKind, Role, TeamFunction, User
from onroll.casework.models import ReferralSource
from onroll.schools.models import LocalAuthority, Phase, School, SchoolType

from .pools import SAINTS, Pools
from .world import SchoolPlan, Staff

TEAMS = (
    (TeamFunction.SPA, "Single Point of Access"),
    (TeamFunction.EDUCATION_WELFARE, "Education Welfare Service"),
    (TeamFunction.CME, "Children Missing Education Team"),
    (TeamFunction.BUSINESS_SUPPORT, "Education Business Support"),
    (TeamFunction.PANEL, "Inclusion Panel"),
)
AGENCIES = (
    (ReferralSource.HEALTH, "Community Health"),
    (ReferralSource.POLICE, "Police Safeguarding"),
    (ReferralSource.HOUSING, "Housing"),
)

# (username, role, where they work, job title). "school" is fixed up once the cases exist.
DEMO_USERS = (
    ("school.lead", Role.SCHOOL_LEAD, "school", "Attendance and safeguarding lead"),
    ("spa.officer", Role.SPA_OFFICER, TeamFunction.SPA, "Single point of access officer"),
    ("cme.officer", Role.CME_OFFICER, TeamFunction.CME, "Children missing education officer"),
    ("ewo.officer", Role.CME_OFFICER, TeamFunction.EDUCATION_WELFARE, "Education welfare officer"),
    ("business.support", Role.BUSINESS_SUPPORT, TeamFunction.BUSINESS_SUPPORT, "Business support officer"),
    ("panel.chair", Role.PANEL_CHAIR, TeamFunction.PANEL, "Head of inclusion and panel chair"),
    ("partner.health", Role.PARTNER, ReferralSource.HEALTH, "Safeguarding nurse"),
    ("senior.leader", Role.SENIOR_LEADER, TeamFunction.CME, "Head of education services"),
    ("admin", Role.SYSTEM_ADMIN, TeamFunction.BUSINESS_SUPPORT, "System administrator"),
)
DEMO_USERNAMES = tuple(u[0] for u in DEMO_USERS)

# track -> (school type choices with weights, phase, NC years, relative size). Sixth-form secondaries are
# decided per school below.
TRACKS = {
    "primary": (
        {SchoolType.MAINTAINED: 55, SchoolType.ACADEMY: 38, SchoolType.FREE: 4, SchoolType.INDEPENDENT: 3},
        Phase.PRIMARY,
        (0, 6),
        1.0,
    ),
    "secondary": (
        {SchoolType.ACADEMY: 75, SchoolType.MAINTAINED: 12, SchoolType.FREE: 8, SchoolType.INDEPENDENT: 5},
        Phase.SECONDARY,
        (7, 11),
        4.0,
    ),
    "all_through": ({SchoolType.ACADEMY: 80, SchoolType.INDEPENDENT: 20}, Phase.ALL_THROUGH, (-1, 13), 3.0),
    "sixth": ({SchoolType.MAINTAINED: 50, SchoolType.ACADEMY: 50}, Phase.SIXTEEN_PLUS, (12, 13), 3.0),
    "special": (
        {SchoolType.SPECIAL: 80, SchoolType.NON_MAINTAINED_SPECIAL: 20},
        Phase.NOT_APPLICABLE,
        (0, 13),
        0.5,
    ),
    "pru": ({SchoolType.PRU: 100}, Phase.NOT_APPLICABLE, (1, 11), 0.3),
    "nursery": ({SchoolType.MAINTAINED: 100}, Phase.NURSERY, (-2, -1), 0.6),
}
ESTAB_BASE = {
    "nursery": 1000,
    "pru": 1100,
    "primary": 2000,
    "all_through": 4700,
    "secondary": 4000,
    "sixth": 4800,
    "special": 7000,
}
INDEPENDENT_ESTAB_BASE = 6000


def school_mix(n: int) -> list[str]:
    """How many schools of each kind an LA of `n` schools has, roughly in English proportions."""
    small = {
        "secondary": max(1, round(n * 0.17)),
        "special": max(1, n // 20),
        "pru": 1 if n >= 6 else 0,
        "all_through": 1 if n >= 25 else 0,
        "sixth": n // 30,
        "nursery": n // 20,
    }
    primaries = max(1, n - sum(small.values()))
    return ["primary"] * primaries + [t for t, k in small.items() for _ in range(k)]


def la_domain(la: LocalAuthority) -> str:
    """An email domain under the reserved .example top-level domain."""
    return f"{''.join(c for c in la.name.lower() if c.isalnum()) or la.code}.example"


def create_organisations(la: LocalAuthority) -> tuple[dict, dict]:
    domain = la_domain(la)
    teams = {
        fn.value: Organisation(
            name=f"{la.name} {label}",
            kind=OrganisationKind.LA_TEAM,
            team_function=fn,
            la_code=la.code,
            email=f"{fn.value.replace('_', '.')}@{domain}",
        )
        for fn, label in TEAMS
    }
    agencies = {
        src.value: Organisation(
            name=f"{la.name} {label}",
            kind=OrganisationKind.AGENCY,
            la_code=la.code,
            email=f"{src.value}@{domain}",
        )
        for src, label in AGENCIES
    }
    Organisation.objects.bulk_create([*teams.values(), *agencies.values()])
    return teams, agencies


def _school_name(rng: random.Random, track: str, town: str, used: set[str]) -> str:
    styles = {
        "primary": (
            f"{town} Primary School",
            f"{town} Infant and Junior School",
            f"St {rng.choice(SAINTS)}'s C of E Primary School",
            f"{town} Community Primary School",
            f"St {rng.choice(SAINTS)}'s Catholic Primary School",
            f"{town} Park Primary Academy",
        ),
        "secondary": (
            f"{town} High School",
            f"{town} Academy",
            f"{town} Community College",
            f"St {rng.choice(SAINTS)}'s Catholic High School",
        ),
        "all_through": (f"{town} All-Through School", f"{town} College"),
        "sixth": (f"{town} Sixth Form College",),
        "special": (f"{town} Special School", f"{town} Park School", f"{town} Hill School"),
        "pru": (f"{town} Short Stay School", f"{town} Learning Centre"),
        "nursery": (f"{town} Nursery School",),
    }[track]
    for _ in range(20):
        name = rng.choice(styles)
        if name not in used:
            break
    else:
        name = f"{styles[0]} ({len(used)})"
    used.add(name)
    return name


def _estab(track: str, school_type: str, taken: set[int]) -> str:
    number = INDEPENDENT_ESTAB_BASE if school_type == SchoolType.INDEPENDENT else ESTAB_BASE[track]
    while number in taken:
        number += 1
    taken.add(number)
    return f"{number:04d}"


def create_schools(rng: random.Random, la: LocalAuthority, pools: Pools, n: int) -> list[SchoolPlan]:
    used_names, taken = set(), set()
    plans, orgs, schools = [], [], []
    for i, track in enumerate(school_mix(n)):
        types, phase, (low, high), size = TRACKS[track]
        school_type = rng.choices(list(types), weights=list(types.values()))[0]
        if track == "primary" and rng.random() < 0.5:
            low = -1  # a nursery class
        if track == "secondary" and rng.random() < 0.55:
            high = 13  # a sixth form
        name = _school_name(rng, track, pools.towns[i % len(pools.towns)], used_names)
        org = Organisation(
            name=name,
            kind=OrganisationKind.SCHOOL,
            la_code=la.code,
            email=f"office{i + 1}@schools.{la_domain(la)}",
        )
        school = School(
            urn=f"{la.code}{i + 1:03d}",
            la=la,
            estab_number=_estab(track, school_type, taken),
            name=name,
            school_type=school_type,
            phase=phase,
            organisation=org,
        )
        weight = size * (0.1 if school_type == SchoolType.INDEPENDENT else rng.uniform(0.6, 1.4))
        orgs.append(org)
        schools.append(school)
        plans.append(SchoolPlan(school, org, track, low, high, weight))
    Organisation.objects.bulk_create(orgs)
    School.objects.bulk_create(schools)
    return plans


def create_users(
    rng: random.Random,
    pools: Pools,
    la: LocalAuthority,
    teams: dict,
    agencies: dict,
    school_org: Organisation,
    prefix: str,
    password: str,
) -> Staff:
    """One user per demo persona. The password is hashed once: hashing is deliberately slow."""
    hashed = make_password(password)
    gb = pools.names["gb"]
    orgs = {**teams, **agencies, "school": school_org}
    users = {}
    for username, role, where, title in DEMO_USERS:
        first = rng.choice(gb.female if rng.random() < 0.6 else gb.male)
        last = rng.choice(gb.last)
        users[username] = User(
            username=f"{prefix}{username}",
            password=hashed,
            role=role,
            organisation=orgs[where],
            first_name=first,
            last_name=last,
            job_title=title,
            email=f"{prefix}{username}@{la_domain(la)}",
            is_staff=role == Role.SYSTEM_ADMIN,
            is_superuser=role == Role.SYSTEM_ADMIN,
        )
    User.objects.bulk_create(users.values())
    return Staff(users)
