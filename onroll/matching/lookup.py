"""Blocking for one look-up: indexed queries find the children worth scoring, so a look-up never compares
against everyone. Children with the same or day/month-swapped date of birth, the same UPN, the same surname
(or the first name as a surname, for swapped names) born within a year, or a date of birth one digit off
(or a day either side) with the same first name or one of its short forms."""

import datetime as dt

from django.db.models import Q

from onroll.children.models import Child, ChildName

from .comparisons import dob_digits
from .names import short_forms_of
from .profiles import Profile


def dob_variants(dob: dt.date) -> set[dt.date]:
    """Dates one digit away in DDMMYYYY, plus the day before and after."""
    text = dob_digits(dob)
    out = {dob - dt.timedelta(days=1), dob + dt.timedelta(days=1)}
    for i in range(8):
        for digit in "0123456789":
            if digit == text[i]:
                continue
            other = text[:i] + digit + text[i + 1 :]
            try:
                out.add(dt.date(int(other[4:]), int(other[2:4]), int(other[:2])))
            except ValueError:  # not a date (31 February, month 13, year 0)
                pass
    out.discard(dob)
    return {d for d in out if abs(d.year - dob.year) <= 10}


def swapped(dob: dt.date) -> dt.date | None:
    if dob.day <= 12 and dob.day != dob.month:
        return dob.replace(day=dob.month, month=dob.day)
    return None


def _first_variants(profile: Profile, *, middle: bool = True) -> set[str]:
    """The profile's first names (and middle names, unless `middle` is False) and their short forms."""
    keys = {k for k, kind in profile.first if kind != "part" and (middle or kind != "middle")}
    return set().union(keys, *(short_forms_of(key) for key in keys))


def candidate_ids(profile: Profile, within):
    """A query for the ids of children in `within` worth scoring against this profile, or None when the
    profile has nothing to block on. One indexed query per rule, each small, rather than one query OR-ing
    them all (which the planner answers with a scan); `within` applies once, to their UNION."""
    lasts = [k for k, kind in profile.last]
    # Middle names agree only exactly and only with a first name (comparisons._name_level), so they widen
    # the first letters looked for, but are not tried as surnames or with a date one digit off.
    firsts = [k for k, kind in profile.first if kind not in ("part", "middle")]
    children, names = [], []  # Child and ChildName queries, by rule
    if profile.upns:
        children.append(Child.objects.filter(Q(upn__in=profile.upns) | Q(former_upn__in=profile.upns)))
    variants = _first_variants(profile)
    # A first name starting with one of these letters: the child's first names and their short forms, and
    # the surnames (for swapped names). Typos and transliterations rarely change the first letter; at a
    # million children this keeps a look-up to a hundred or so candidates instead of a thousand.
    initials = Q()
    for letter in sorted({k[0] for k in variants | set(lasts) if k}):
        initials |= Q(first_key__startswith=letter)
    if profile.dob:
        dobs = {profile.dob} | ({s} if (s := swapped(profile.dob)) else set())
        if initials.children:
            names.append(ChildName.objects.filter(initials, child__date_of_birth__in=dobs))
        else:
            children.append(Child.objects.filter(date_of_birth__in=dobs))
        near = (dt.date(profile.dob.year - 1, 1, 1), dt.date(profile.dob.year + 1, 12, 31))
        surnames = lasts + firsts  # a first name used as a surname finds swapped names
        if surnames:
            born_near = ChildName.objects.filter(child__date_of_birth__range=near)
            names.append(born_near.filter(initials, last_key__in=surnames))
        if firsts:
            names.append(
                ChildName.objects.filter(
                    first_key__in=_first_variants(profile, middle=False),
                    child__date_of_birth__in=dob_variants(profile.dob),
                )
            )
    elif lasts and firsts:
        names.append(ChildName.objects.filter(last_key__in=lasts, first_key__in=firsts))
    parts = [q.order_by().values_list("pk", flat=True) for q in children]
    parts += [q.order_by().values_list("child_id", flat=True) for q in names]
    if not parts:
        return None
    found = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    return within.filter(pk__in=found).order_by().values_list("pk", flat=True)
