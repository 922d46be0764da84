"""The state one generation run carries around: the LA, its schools and staff, the RNG and the rows waiting
to be written. Kept apart from the builders so children.py and cases.py can share it without cycles."""

import datetime as dt
import itertools
import random
import uuid
from dataclasses import dataclass, field

from onroll.accounts.models import Organisation, User
from onroll.schools.models import LocalAuthority, School

from .pools import Pools


@dataclass
class SchoolPlan:
    """A school with the national curriculum years it teaches and how many pupils it tends to take."""

    school: School
    org: Organisation
    track: str  # primary, secondary, sixth, all_through, special, pru, nursery
    min_nc: int
    max_nc: int
    weight: float

    def teaches(self, nc: int) -> bool:
        return self.min_nc <= nc <= self.max_nc


@dataclass
class Staff:
    """The demo users, keyed by their username without any prefix ("cme.officer")."""

    users: dict[str, User]

    def __getitem__(self, name: str) -> User:
        return self.users[name]


@dataclass
class World:
    la: LocalAuthority
    today: dt.date
    rng: random.Random
    pools: Pools
    schools: list[SchoolPlan]
    teams: dict[str, Organisation]  # keyed by TeamFunction value
    agencies: dict[str, Organisation]  # keyed by ReferralSource value: health, police, housing
    staff: Staff
    reasons: set[str]
    vulnerabilities: list[str]
    upn_serials: dict[tuple[str, int], int] = field(default_factory=dict)
    references: set[str] = field(default_factory=set)
    cases_made: int = 0
    reasons_used: set[str] = field(default_factory=set)
    _choices: dict = field(default_factory=dict)

    def uuid(self) -> uuid.UUID:
        """Ids drawn from the seeded RNG, so a rebuilt demo keeps the same URLs."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def choose(self, tracks: tuple[str, ...], nc: int) -> SchoolPlan | None:
        """A school of one of `tracks` teaching NC year `nc`, likelier the bigger it is.

        The candidates are worked out once per (tracks, year): an LA of a thousand schools would
        otherwise scan them all for every child.
        """
        key = (tracks, nc)
        if key not in self._choices:
            found = [s for s in self.schools if s.track in tracks and s.teaches(nc)]
            self._choices[key] = (found, list(itertools.accumulate(s.weight for s in found)))
        found, cumulative = self._choices[key]
        return self.rng.choices(found, cum_weights=cumulative)[0] if found else None


@dataclass
class Batch:
    """Rows for one slice of children, written together with bulk_create and then dropped."""

    children: list = field(default_factory=list)
    names: list = field(default_factory=list)
    addresses: list = field(default_factory=list)
    contacts: list = field(default_factory=list)
    enrolments: list = field(default_factory=list)
    cases: list = field(default_factory=list)
    case_vulnerabilities: list = field(default_factory=list)
    case_shares: list = field(default_factory=list)
    status_changes: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    attempts: list = field(default_factory=list)
    referrals: list = field(default_factory=list)


def weekday_on_or_after(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def weekday_on_or_before(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day -= dt.timedelta(days=1)
    return day


def term_start(year: int) -> dt.date:
    """First day of the autumn term starting in `year` (a weekday in early September)."""
    return weekday_on_or_after(dt.date(year, 9, 3))


def summer_end(year: int) -> dt.date:
    """Last day of the summer term ending in `year`."""
    return weekday_on_or_before(dt.date(year, 7, 21))


def random_day(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A day between start and end inclusive, moved back off a weekend where that stays in range."""
    if end <= start:
        return start
    day = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
    weekday = weekday_on_or_before(day)
    return weekday if weekday >= start else day
