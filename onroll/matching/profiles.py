"""A person as matching compares them: folded names of every kind, date of birth, sex, UPNs, addresses and
contacts. Built from children in the register (in bulk) or from what someone typed into a form."""

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.models import DateField, Value

from onroll.children.models import Address, Child, ChildName, Contact, NameKind
from onroll.children.names import search_key

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


def postcode_key(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (value or "").upper())


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
        streets=frozenset(s for line, _, _ in addresses if (s := search_key(line))),
        parents=frozenset(k for name, _ in parents if (k := search_key(name))),
        phones=frozenset(k for _, phone in parents if (k := phone_key(phone))),
        family_names=frozenset(
            k for name, _ in parents if len(name.split()) > 1 and (k := search_key(name.split()[-1]))
        ),
        child_id=child_id,
    )


def profiles_for(child_ids) -> dict:
    """Profiles of these children from the register, in two queries whatever their number."""
    ids = list(child_ids)
    if not ids:
        return {}
    children = (
        Child.objects.filter(pk__in=ids)
        .order_by()
        .values(
            "id",
            "legal_first_name",
            "legal_middle_names",
            "legal_last_name",
            "preferred_first_name",
            "preferred_last_name",
            "date_of_birth",
            "sex",
            "upn",
            "former_upn",
        )
    )
    former, addresses, contacts = {}, {}, {}
    for tag, child_id, text, other, until in _details(ids):
        if tag == "name":
            former.setdefault(child_id, []).append((text, other))
        elif tag == "address":
            addresses.setdefault(child_id, []).append((text, other, until is None))
        else:
            contacts.setdefault(child_id, []).append((text, other))
    out = {}
    for c in children:
        out[c["id"]] = make_profile(
            first_name=c["legal_first_name"],
            last_name=c["legal_last_name"],
            date_of_birth=c["date_of_birth"],
            sex=c["sex"],
            middle_names=c["legal_middle_names"],
            preferred_first_name=c["preferred_first_name"],
            preferred_last_name=c["preferred_last_name"],
            former_names=tuple(former.get(c["id"], ())),
            upns=(c["upn"], c["former_upn"]),
            addresses=addresses.get(c["id"], ()),
            parents=contacts.get(c["id"], ()),
            child_id=c["id"],
        )
    return out


def _details(ids):
    """Former names, addresses and contacts of these children in one round trip (a look-up waits for every
    round trip, and on a busy server each costs more than the query): (tag, child id, text, text, date)."""
    no_date = Value(None, output_field=DateField())
    names = (
        ChildName.objects.filter(child_id__in=ids, kind=NameKind.FORMER)
        .order_by()
        .annotate(tag=Value("name"), until_=no_date)
        .values_list("tag", "child_id", "first_name", "last_name", "until_")
    )
    addresses = (
        Address.objects.filter(child_id__in=ids)
        .order_by()
        .annotate(tag=Value("address"))
        .values_list("tag", "child_id", "line_1", "postcode", "to_date")
    )
    contacts = (
        Contact.objects.filter(child_id__in=ids)
        .order_by()
        .annotate(tag=Value("contact"), until_=no_date)
        .values_list("tag", "child_id", "name", "phone", "until_")
    )
    return names.union(addresses, contacts, all=True)
