"""Comparing two profiles field by field. Each comparison puts a pair on one level (best first); the model
gives each level a weight and a reason in words. Level names are the contract with the model file."""

import datetime as dt
import functools

import jellyfish

from .names import are_short_forms, sound
from .profiles import Profile

# comparison -> its levels, best first. Changing these changes SCHEMA, and an old model file stops loading.
LEVELS: dict[str, tuple[str, ...]] = {
    "first_name": ("exact", "short_form", "sounds_alike", "one_letter", "similar", "different"),
    "last_name": ("exact", "sounds_alike", "one_letter", "similar", "part", "different"),
    "date_of_birth": ("exact", "day_month_swapped", "one_digit", "same_year", "different"),
    "sex": ("same", "different"),
    "upn": ("same", "different"),
    "home": (
        "same_address",
        "same_postcode",
        "same_street",
        "lived_at_same_postcode",
        "similar_postcode",
        "same_district",
        "different",
    ),
    "contact": ("same_phone", "same_parent", "different"),
}

REASONS: dict[tuple[str, str], str] = {
    ("first_name", "exact"): "same first name",
    ("first_name", "short_form"): "first name is a known short form",
    ("first_name", "sounds_alike"): "first name sounds the same",
    ("first_name", "one_letter"): "first name differs by one letter",
    ("first_name", "similar"): "first name is similar",
    ("first_name", "different"): "different first name",
    ("last_name", "exact"): "same surname",
    ("last_name", "sounds_alike"): "surname sounds the same",
    ("last_name", "one_letter"): "surname differs by one letter",
    ("last_name", "similar"): "surname is similar",
    ("last_name", "part"): "one part of a double surname matches",
    ("last_name", "different"): "different surname",
    ("date_of_birth", "exact"): "same date of birth",
    ("date_of_birth", "day_month_swapped"): "day and month of birth swapped",
    ("date_of_birth", "one_digit"): "date of birth differs by one digit",
    ("date_of_birth", "same_year"): "born in the same year, different date",
    ("date_of_birth", "different"): "different date of birth",
    ("sex", "same"): "same sex",
    ("sex", "different"): "different sex",
    ("upn", "same"): "same UPN",
    ("upn", "different"): "different UPN",
    ("home", "same_address"): "same address",
    ("home", "same_postcode"): "same postcode",
    ("home", "same_street"): "same first line of address, postcode differs",
    ("home", "lived_at_same_postcode"): "lived at the same postcode",
    ("home", "similar_postcode"): "postcode differs by one character",
    ("home", "same_district"): "same postcode district",
    ("home", "different"): "different address",
    ("contact", "same_phone"): "same parent's phone number",
    ("contact", "same_parent"): "same parent's name",
    ("contact", "different"): "different parents' details",
}

KIND_NOTES = {"preferred": "preferred name", "former": "former name", "middle": "middle name"}


def _name_level(ours, theirs, levels) -> tuple[str, str]:
    """Best level over every pair of names, with a note when it came from a preferred or former name.
    Middle names count only when nothing else agrees, only exactly, and then as a short form: a
    brother's first name is often his twin sister's middle name."""
    best, note = len(levels) - 1, ""
    for a, kind_a in ours:
        for b, kind_b in theirs:
            if "middle" in (kind_a, kind_b):
                continue
            level = _one_name(a, b, levels)
            if level < best:
                best = level
                kind = kind_a if kind_a != "legal" else kind_b
                note = KIND_NOTES.get(kind, "")
            if best == 0:
                return levels[0], note
    if best == len(levels) - 1 and "short_form" in levels:
        if {a for a, _ in ours} & {b for b, _ in theirs}:
            return "short_form", KIND_NOTES["middle"]
    return levels[best], note


@functools.lru_cache(maxsize=200_000)  # names repeat: a look-up compares one name with many Smiths
def _one_name(a: str, b: str, levels) -> int:
    if a == b:
        return levels.index("exact")
    if "short_form" in levels and are_short_forms(a, b):
        return levels.index("short_form")
    if len(a) > 1 and len(b) > 1 and sound(a) == sound(b) and jellyfish.jaro_winkler_similarity(a, b) >= 0.75:
        return levels.index("sounds_alike")
    if min(len(a), len(b)) >= 3 and jellyfish.damerau_levenshtein_distance(a, b) == 1:
        return levels.index("one_letter")
    if min(len(a), len(b)) >= 3 and jellyfish.jaro_winkler_similarity(a, b) >= 0.85:
        return levels.index("similar")
    return levels.index("different")


def _last_level(ours, theirs) -> tuple[str, str]:
    """Whole surnames first; a match on one part of a double-barrelled surname is a weaker level."""
    levels = LEVELS["last_name"]
    whole_ours = [n for n in ours if n[1] != "part"]
    whole_theirs = [n for n in theirs if n[1] != "part"]
    level, note = _name_level(whole_ours, whole_theirs, levels)
    if levels.index(level) > levels.index("one_letter"):
        if {k for k, _ in ours} & {k for k, _ in theirs}:
            return "part", ""
    return level, note


def dob_digits(d: dt.date) -> str:
    """DDMMYYYY, the year always four digits (strftime writes year 999 as three)."""
    return f"{d.day:02d}{d.month:02d}{d.year:04d}"


def dob_level(a: dt.date | None, b: dt.date | None) -> str | None:
    if a is None or b is None:
        return None
    if a == b:
        return "exact"
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return "day_month_swapped"
    da, db = dob_digits(a), dob_digits(b)
    if sum(x != y for x, y in zip(da, db, strict=True)) == 1 or abs((a - b).days) == 1:
        return "one_digit"
    if a.year == b.year:
        return "same_year"
    return "different"


def _home_level(a: Profile, b: Profile) -> str | None:
    """One comparison for the home (postcode and street together), so one shared address counts once."""
    if not a.postcodes or not b.postcodes:
        return None
    if a.current_postcodes & b.current_postcodes:
        return "same_address" if a.streets & b.streets else "same_postcode"
    if a.streets & b.streets:
        return "same_street"
    if a.postcodes & b.postcodes:
        return "lived_at_same_postcode"
    for x in a.postcodes:
        for y in b.postcodes:
            if len(x) == len(y) and jellyfish.damerau_levenshtein_distance(x, y) == 1:
                return "similar_postcode"
    if {p[:-3] for p in a.postcodes} & {p[:-3] for p in b.postcodes}:
        return "same_district"
    return "different"


def _contact_level(a: Profile, b: Profile) -> str | None:
    if not (a.phones or a.parents) or not (b.phones or b.parents):
        return None
    if a.phones & b.phones:
        return "same_phone"
    if a.parents & b.parents:
        return "same_parent"
    return "different"


def compare(a: Profile, b: Profile, *, swapped: bool = False) -> dict[str, tuple[str, str] | None]:
    """comparison -> (level, note) or None when either side does not know. `swapped` compares a's first
    names with b's last names and the other way round."""
    a_first, a_last = (a.last, a.first) if swapped else (a.first, a.last)
    out: dict[str, tuple[str, str] | None] = {}
    out["first_name"] = _name_level(a_first, b.first, LEVELS["first_name"]) if a_first and b.first else None
    out["last_name"] = _last_level(a_last, b.last) if a_last and b.last else None
    level = dob_level(a.dob, b.dob)
    out["date_of_birth"] = (level, "") if level else None
    out["sex"] = (("same" if a.sex == b.sex else "different"), "") if a.sex and b.sex else None
    out["upn"] = (("same" if a.upns & b.upns else "different"), "") if a.upns and b.upns else None
    for name, fn in (("home", _home_level), ("contact", _contact_level)):
        level = fn(a, b)
        out[name] = (level, "") if level else None
    return out


def swapped_first_name_agrees(a: Profile, b: Profile) -> bool:
    """Does a's surname agree with b's first name at all? Only then can reading a's names swapped fit."""
    return bool(a.last and b.first) and _name_level(a.last, b.first, LEVELS["first_name"])[0] != "different"
