"""Blocking for the whole register: which pairs are worth comparing at all. Records sharing any blocking
key (built from the date of birth with day and month in either order, how names sound, postcodes, phones
and UPNs) are paired; a key shared by too many records is skipped. Single look-ups block in lookup.py."""

from collections import defaultdict
from itertools import combinations

from .names import sound
from .profiles import Profile

MAX_BLOCK = 60  # a key shared by more records than this says little (a common name) and is skipped


def record_keys(p: Profile) -> set[tuple]:
    """Blocking keys of one profile for pairing the whole register."""
    keys = set()
    firsts = {sound(k) for k, kind in p.first if kind in ("legal", "preferred")}
    lasts = {sound(k) for k, kind in p.last if kind != "part"}
    for u in p.upns:
        keys.add(("upn", u))
    if p.dob:
        d = p.dob
        sym = (d.year, min(d.day, d.month), max(d.day, d.month))
        for f in firsts:
            keys.add(("dob-first", sym, f))
        for last in lasts:
            keys.add(("dob-last", sym, last))
        for f in firsts:
            for last in lasts:
                pair = tuple(sorted((f, last)))
                keys.add(("names-year", pair, d.year))
                keys.add(("names-daymonth", pair, d.month, d.day))
    for pc in p.postcodes:
        for f in firsts:
            keys.add(("postcode-first", pc, f))
        for last in lasts:
            keys.add(("postcode-last", pc, last))
    for street in p.streets:
        keys.add(("street", street))
    for ph in p.phones:
        for f in firsts:
            keys.add(("phone-first", ph, f[:1]))
    return keys


def candidate_pairs(profiles: list[Profile]) -> set[tuple[int, int]]:
    """Index pairs (i < j) of profiles sharing at least one blocking key."""
    blocks: dict[tuple, list[int]] = defaultdict(list)
    for i, p in enumerate(profiles):
        for key in record_keys(p):
            blocks[key].append(i)
    pairs = set()
    for members in blocks.values():
        if 1 < len(members) <= MAX_BLOCK:
            pairs.update(combinations(members, 2))
    return pairs
