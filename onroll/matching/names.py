"""Names as matching sees them: folded keys, known short forms (a data file) and how a name sounds."""

import functools
from collections import Counter
from pathlib import Path

import jellyfish

from onroll.children.names import search_key

NICKNAMES_FILE = Path(__file__).parent / "data" / "nicknames.csv"


@functools.cache
def nickname_groups() -> dict[str, frozenset[int]]:
    """name key -> the numbers of the groups it belongs to (a name may be in several)."""
    groups: dict[str, set[int]] = {}
    lines = NICKNAMES_FILE.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        if not line.strip() or line.startswith("#"):
            continue
        for name in line.split(","):
            key = search_key(name)
            if key:
                groups.setdefault(key, set()).add(number)
    return {key: frozenset(numbers) for key, numbers in groups.items()}


@functools.cache
def _group_members() -> dict[int, frozenset[str]]:
    members: dict[int, set[str]] = {}
    for key, numbers in nickname_groups().items():
        for number in numbers:
            members.setdefault(number, set()).add(key)
    return {number: frozenset(keys) for number, keys in members.items()}


@functools.lru_cache(maxsize=20_000)
def short_forms_of(key: str) -> frozenset[str]:
    """Every name sharing a group with this key (itself included): Alexander -> Alex, Sandy, Xander..."""
    members = _group_members()
    return frozenset({key}).union(*(members[number] for number in nickname_groups().get(key, ())))


def are_short_forms(a: str, b: str) -> bool:
    """True when one key is a known short form or variant of the other (both already folded)."""
    groups = nickname_groups()
    return bool(groups.get(a, frozenset()) & groups.get(b, frozenset()))


@functools.lru_cache(maxsize=200_000)
def sound(key: str) -> str:
    """A phonetic code: Metaphone, which hears Mohammed and Muhammad, Catherine and Kathryn, as one."""
    return jellyfish.metaphone(key) if key else ""


@functools.lru_cache(maxsize=200_000)
def name_parts(name: str) -> tuple[str, ...]:
    """Keys of each word and hyphen part of a name ("Smith-Jones" -> smithjones, smith, jones). Cached:
    a register's names repeat, and reading a million profiles folds each name again otherwise."""
    whole = search_key(name)
    pieces = [search_key(p) for p in name.replace("-", " ").split()]
    return tuple(dict.fromkeys([whole, *(p for p in pieces if p and len(pieces) > 1)])) if whole else ()


def common_first_names(profiles, *, min_count: int = 5) -> frozenset[str]:
    """Legal first names given to many children in these records: real names, not typing slips. The bar is
    a tenth of the hundredth most common name's count, so a slip repeated a few times in a big register
    (Mraia for Maria) never counts as a name."""
    counts = Counter(k for p in profiles for k, kind in p.first if kind == "legal")
    top = counts.most_common(100)
    bar = max(min_count, top[-1][1] // 10) if top else min_count
    return frozenset(k for k, n in counts.items() if n >= bar)
