"""A person as matching compares them: folded names of every kind, date of birth, sex, UPNs, addresses and
contacts. Built from children's stored rows (stored_profiles.py) or from what someone typed into a form."""

import datetime as dt
import functools
import json
import re
from dataclasses import dataclass, field

from onroll.children.names import search_key

from .models import MatchProfile
from .names import name_parts


@dataclass
class Profile:
    first: list[tuple[str, str]] = field(default_factory=list)  # (key, kind) legal first, preferred, middle
    last: list[tuple[str, str]] = field(default_factory=list)  # (key, kind) legal, preferred, former, parts
    dob: dt.date | None = None
    sex: str = ""  # "F", "M" or "" when not known
    upns: frozenset[str] = frozenset()
    postcodes: frozenset[str] = frozenset()  # every postcode the child has lived at
    current_postcodes: frozenset[str] = frozenset()
    streets: frozenset[str] = frozenset()  # folded first lines of every address
    parents: frozenset[str] = frozenset()  # folded parents' and carers' names
    phones: frozenset[str] = frozenset()  # last ten digits
    family_names: frozenset[str] = frozenset()  # folded surnames of the parents and carers
    child_id: object = None

    @property
    def first_key(self) -> str:
        return self.first[0][0] if self.first else ""

    @property
    def last_key(self) -> str:
        return self.last[0][0] if self.last else ""


# Cached: a register's streets, parents' names, postcodes and phones repeat, and every look-up folds
# those of a hundred or so candidates.
_fold = functools.lru_cache(maxsize=200_000)(search_key)


@functools.lru_cache(maxsize=200_000)
def postcode_key(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


@functools.lru_cache(maxsize=200_000)
def phone_key(value: str) -> str:
    digits = re.sub(r"\D", "", value or "")
    return digits[-10:] if len(digits) >= 9 else ""


def _names(pairs):
    """[(name, kind)] -> [(key, kind)], each word and hyphen part too, first occurrence wins."""
    out, seen = [], set()
    for name, kind in pairs:
        for i, key in enumerate(name_parts(name)):
            if key not in seen:
                seen.add(key)
                out.append((key, kind if i == 0 else "part"))
    return out


def make_profile(
    *,
    first_name: str,
    last_name: str,
    date_of_birth: dt.date | None = None,
    sex: str = "",
    middle_names: str = "",
    preferred_first_name: str = "",
    preferred_last_name: str = "",
    former_names: tuple = (),
    upns=(),
    addresses=(),  # (line_1, postcode, is_current)
    parents=(),  # (name, phone)
    child_id=None,
) -> Profile:
    firsts = [(first_name, "legal"), (preferred_first_name, "preferred")]
    firsts += [(m, "middle") for m in (middle_names or "").split()]
    firsts += [(f, "former") for f, _ in former_names]
    lasts = [(last_name, "legal"), (preferred_last_name, "preferred")]
    lasts += [(last, "former") for _, last in former_names]
    return Profile(
        first=_names(n for n in firsts if n[0]),
        last=_names(n for n in lasts if n[0]),
        dob=date_of_birth,
        sex=sex if sex in ("F", "M") else "",
        upns=frozenset(u.strip().upper() for u in upns if u and u.strip()),
        postcodes=frozenset(p for _, pc, _ in addresses if (p := postcode_key(pc))),
        current_postcodes=frozenset(p for _, pc, cur in addresses if cur and (p := postcode_key(pc))),
        streets=frozenset(s for line, _, _ in addresses if (s := _fold(line))),
        parents=frozenset(k for name, _ in parents if (k := _fold(name))),
        phones=frozenset(k for _, phone in parents if (k := phone_key(phone))),
        family_names=frozenset(
            k for name, _ in parents if len(name.split()) > 1 and (k := _fold(name.split()[-1]))
        ),
        child_id=child_id,
    )


def profiles_for(child_ids) -> dict:
    """Profiles of these children (ids, or a queryset of ids) from their stored rows, in one query."""
    rows = MatchProfile.objects.filter(child_id__in=child_ids).values_list("child_id", "facts")
    return {child_id: profile_from_facts(child_id, facts) for child_id, facts in rows}


def profile_from_facts(child_id, facts: str) -> Profile:
    """A profile from a child's stored row (the JSON array stored_profiles.py writes)."""
    (
        first,
        middle,
        last,
        preferred_first,
        preferred_last,
        dob,
        sex,
        upn,
        former_upn,
        former,
        addresses,
        contacts,
    ) = json.loads(facts)
    return make_profile(
        first_name=first,
        last_name=last,
        date_of_birth=dt.date.fromisoformat(dob) if dob else None,
        sex=sex,
        middle_names=middle,
        preferred_first_name=preferred_first,
        preferred_last_name=preferred_last,
        former_names=tuple(former),
        upns=(upn, former_upn),
        addresses=addresses,
        parents=contacts,
        child_id=child_id,
    )
