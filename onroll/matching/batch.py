"""Likely duplicates across a whole register in seconds: the same pairs, levels, probabilities and reasons
as `blocking.candidate_pairs` followed by `Model.score` on every pair, computed over NumPy arrays.

- The profiles become integer arrays once (every name, postcode, street, phone and UPN interned).
- Pairing builds the blocking keys of `blocking.record_keys` as 64-bit codes and groups them by sorting.
- Each comparison's level is worked out for all pairs at once, following `comparisons.compare` test by
  test; names once per distinct pair of names (they repeat enormously), calling jellyfish only where
  `comparisons._one_name` would.
- Pairs that cannot reach the threshold (their weight before the sibling rules, which only lower it, and
  with the best possible names if they might be swapped) are dropped as soon as that is known.
- `Model.score` depends on a pair only through its levels (both ways round, for swapped names) and what its
  sibling rules read from the records (two different common first names; a first name that is the
  family's surname), so the pairs are grouped by their combination of those and the real `Model.score`
  runs once per combination. Its probability and reasons are then those of every pair in the group, and
  its levels are checked against the vectorised ones; a disagreement raises `LevelsDiffer`.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from operator import attrgetter

import jellyfish
import numpy as np

from .blocking import MAX_BLOCK
from .comparisons import KIND_NOTES, LEVELS, compare
from .names import are_short_forms, nickname_groups, sound
from .profiles import Profile

KINDS = ("legal", "preferred", "middle", "former", "part")
LEGAL, PREFERRED, MIDDLE, PART = (KINDS.index(k) for k in ("legal", "preferred", "middle", "part"))
NOTES = ("", *dict.fromkeys(KIND_NOTES.values()))
NOTE_OF_KIND = np.array([NOTES.index(KIND_NOTES.get(kind, "")) for kind in KINDS], dtype=np.int8)
SEXES = ("", "F", "M")
# Key codes: a kind tag above bit 58; ids of names' sounds in 20 bits (two of them and a year take 54).
SOUND_BITS = 20
SWAPPED = ("first_name", "last_name")  # the comparisons that change when first and last names swap


class LevelsDiffer(Exception):
    """The vectorised levels disagree with `comparisons.compare`: the Python comparisons have changed."""


@dataclass
class Coded:
    """A register as arrays, one row per profile; -1 pads the variable-length columns."""

    names: list[str]  # name id -> folded key
    first: np.ndarray  # (n, F) name ids of first names, in the profile's order
    first_kind: np.ndarray  # (n, F) index into KINDS
    last: np.ndarray
    last_kind: np.ndarray
    year: np.ndarray  # 0 when the date of birth is not known
    month: np.ndarray
    day: np.ndarray
    ordinal: np.ndarray
    sex: np.ndarray  # index into SEXES
    upns: np.ndarray
    postcodes: np.ndarray  # (n, P) postcode ids; `current` says which are current
    current: np.ndarray
    districts: np.ndarray  # the postcode ids' districts, as ids
    postcode_keys: list[str]
    streets: np.ndarray
    parents: np.ndarray
    phones: np.ndarray
    family: np.ndarray  # name ids of the parents' surnames

    @property
    def size(self) -> int:
        return len(self.year)


@dataclass
class Result:
    """The pairs at or above the model's threshold: indexes a < b into the profiles."""

    a: np.ndarray
    b: np.ndarray
    probability: np.ndarray
    combination: np.ndarray  # index into `reasons`
    reasons: list = field(default_factory=list)  # Model.score's reasons, per combination of levels
    compared: int = 0  # pairs sharing a blocking key

    def pairs(self):
        """(a, b, probability, reasons) for each pair found."""
        columns = (self.a, self.b, self.probability, self.combination)
        for a, b, p, n in zip(*(column.tolist() for column in columns), strict=True):
            yield a, b, p, self.reasons[n]


def likely_duplicates(profiles: list[Profile], model) -> Result:
    """The pairs Model.score would put at or above the threshold among `blocking.candidate_pairs`."""
    coded = encode(profiles)
    a, b = candidate_pairs(coded)
    result = score(model, profiles, coded, a, b)
    result.compared = len(a)
    return result


# --- the profiles as arrays -----------------------------------------------------------------------------


def encode(profiles: list[Profile]) -> Coded:
    """Every name, postcode, street, parent, phone and UPN interned to an int, looping in C (map over
    the profiles' attributes) rather than in Python: a million profiles take seconds."""
    names = _table()
    first, first_kind = _name_column(profiles, "first", names)
    last, last_kind = _name_column(profiles, "last", names)
    dob_ids = _table()
    dob_of = _ids(map(attrgetter("dob"), profiles), dob_ids)
    dobs = [(d.year, d.month, d.day, d.toordinal()) if d else (0, 0, 0, 0) for d in dob_ids]
    year, month, day, ordinal = np.array(dobs, dtype=np.int32).reshape(-1, 4)[dob_of].T.copy()
    sexes = _table()
    sex_of = _ids(map(attrgetter("sex"), profiles), sexes)
    postcodes = _table()
    pcs = _column(profiles, "postcodes", postcodes)
    now = _column(profiles, "current_postcodes", postcodes)
    postcode_keys = list(postcodes)
    district_of = _ids((pc[:-3] for pc in postcode_keys), _table())
    family = _column(profiles, "family_names", names)
    return Coded(
        names=list(names),
        first=first,
        first_kind=first_kind,
        last=last,
        last_kind=last_kind,
        year=year,
        month=month,
        day=day,
        ordinal=ordinal,
        sex=np.array([SEXES.index(x) for x in sexes], dtype=np.int8)[sex_of],
        upns=_column(profiles, "upns", _table()),
        postcodes=pcs,
        current=((pcs[:, :, None] == now[:, None, :]) & (pcs[:, :, None] >= 0)).any(2),
        districts=np.where(pcs >= 0, district_of[np.maximum(pcs, 0)], -1) if len(district_of) else pcs,
        postcode_keys=postcode_keys,
        streets=_column(profiles, "streets", _table()),
        parents=_column(profiles, "parents", _table()),
        phones=_column(profiles, "phones", _table()),
        family=family,
    )


def _table() -> defaultdict:
    """value -> id, giving the next id to a value not seen before."""
    table = defaultdict()
    table.default_factory = table.__len__
    return table


def _ids(values, table) -> np.ndarray:
    return np.fromiter(map(table.__getitem__, values), dtype=np.int32)


def _column(profiles, attribute: str, table) -> np.ndarray:
    """(n, longest) ids of each profile's collection `attribute`, in its order; -1 pads."""
    collections = list(map(attrgetter(attribute), profiles))
    lengths = np.fromiter(map(len, collections), dtype=np.int64, count=len(collections))
    return _padded(_ids(itertools.chain.from_iterable(collections), table), lengths)


def _name_column(profiles, attribute: str, names) -> tuple[np.ndarray, np.ndarray]:
    """(n, width) arrays of name ids and kinds from each profile's list of (key, kind)."""
    entries = _table()
    ids = _column(profiles, attribute, entries)
    kind_index = {kind: i for i, kind in enumerate(KINDS)}
    key_of = np.array([names[key] for key, _ in entries] or [0], dtype=np.int32)
    kind_of = np.array([kind_index[kind] for _, kind in entries] or [0], dtype=np.int32)
    padding = ids < 0
    return np.where(padding, -1, key_of[ids]), np.where(padding, -1, kind_of[ids])


def _padded(flat: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Consecutive runs of `flat` of the given lengths as rows of an (n, longest) array; -1 pads."""
    width = max(int(lengths.max(initial=0)), 1)
    out = np.full((len(lengths), width), -1, dtype=np.int32)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    out[np.repeat(np.arange(len(lengths)), lengths), np.arange(len(flat)) - starts] = flat
    return out


# --- pairing --------------------------------------------------------------------------------------------


def candidate_pairs(c: Coded) -> tuple[np.ndarray, np.ndarray]:
    """The pairs (a < b) `blocking.candidate_pairs` gives, as two sorted int arrays."""
    keys, rows = _block_keys(c)
    order = np.argsort(keys, kind="stable")  # rows stay ascending within a key
    keys, rows = keys[order], rows[order]
    keep = np.ones(len(keys), dtype=bool)
    keep[1:] = (keys[1:] != keys[:-1]) | (rows[1:] != rows[:-1])  # a record's key counts once
    keys, rows = keys[keep], rows[keep]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    sizes = np.diff(np.r_[starts, len(keys)])
    firsts, seconds = [], []
    for size in range(2, MAX_BLOCK + 1):
        block_starts = starts[sizes == size]
        if not len(block_starts):
            continue
        members = rows[block_starts[:, None] + np.arange(size)]
        i, j = np.triu_indices(size, 1)
        firsts.append(members[:, i].ravel())
        seconds.append(members[:, j].ravel())
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    codes = np.unique(np.concatenate(firsts).astype(np.int64) * c.size + np.concatenate(seconds))
    return codes // c.size, codes % c.size


def _block_keys(c: Coded) -> tuple[np.ndarray, np.ndarray]:
    """(key code, row) for every blocking key of `blocking.record_keys`; a tag in the top bits keeps the
    kinds of key apart."""
    sounds, initials = _sounds(c.names)
    firsts = _only(sounds, c.first, np.isin(c.first_kind, (LEGAL, PREFERRED)))
    lasts = _only(sounds, c.last, c.last_kind != PART)
    has_dob = (c.year > 0)[:, None]
    sym = (c.year * 1024 + np.minimum(c.day, c.month) * 32 + np.maximum(c.day, c.month)).astype(np.int64)
    sym = sym[:, None]
    low = np.minimum(firsts[:, :, None], lasts[:, None, :])
    high = np.maximum(firsts[:, :, None], lasts[:, None, :])
    both = (firsts[:, :, None] >= 0) & (lasts[:, None, :] >= 0) & has_dob[:, :, None]
    name_pair = (low << SOUND_BITS) | high
    dated = (c.year[:, None, None] > 0) & both
    year, month, day = (x.astype(np.int64)[:, None, None] for x in (c.year, c.month, c.day))
    kinds = [
        (c.upns, c.upns >= 0),
        ((sym << SOUND_BITS) | firsts, (firsts >= 0) & has_dob),
        ((sym << SOUND_BITS) | lasts, (lasts >= 0) & has_dob),
        ((name_pair << 14) | year, dated),  # years up to 9999
        ((name_pair << 9) | (month << 5) | day, dated),
        _crossed(c.postcodes, firsts),
        _crossed(c.postcodes, lasts),
        (c.streets, c.streets >= 0),
        _crossed(c.phones, np.where(firsts >= 0, initials[np.maximum(firsts, 0)], -1)),
    ]
    keys, rows = [], []
    for tag, (code, valid) in enumerate(kinds, start=1):
        code = np.broadcast_to(code, valid.shape)
        at = np.nonzero(valid)
        keys.append(code[at].astype(np.int64) | (tag << 58))
        rows.append(at[0].astype(np.int32))
    return np.concatenate(keys), np.concatenate(rows)


def _sounds(names: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """name id -> id of how it sounds, and sound id -> id of the sound's first letter."""
    ids, letters = {}, {}
    sounds = np.array([ids.setdefault(sound(k), len(ids)) for k in names] or [0], dtype=np.int64)
    initials = np.array([letters.setdefault(s[:1], len(letters)) for s in ids] or [0], dtype=np.int64)
    if len(ids) >= 1 << SOUND_BITS:
        raise ValueError("too many distinct name sounds for the batch's key codes")
    return sounds, initials


def _only(sounds, names, wanted) -> np.ndarray:
    return np.where((names >= 0) & wanted, sounds[np.maximum(names, 0)], -1)


def _crossed(places: np.ndarray, names: np.ndarray):
    """Keys from every (place, name sound) of a row."""
    if places.max(initial=0) >= 1 << 30:
        raise ValueError("too many distinct places for the batch's key codes")
    code = (places.astype(np.int64)[:, :, None] << SOUND_BITS) | names[:, None, :]
    return code, (places[:, :, None] >= 0) & (names[:, None, :] >= 0)


# --- levels ---------------------------------------------------------------------------------------------
# Each comparison's level per pair as a small int: 0 when either side does not know, otherwise
# 1 + level index * len(NOTES) + note index.


def levels(c: Coded, a: np.ndarray, b: np.ndarray, cache: dict) -> dict[str, np.ndarray]:
    """Level codes of `comparisons.compare(profiles[a], profiles[b])` for every pair."""
    return {
        "first_name": _name_levels(
            c, c.first, c.first_kind, c.first, c.first_kind, a, b, "first_name", cache
        ),
        "last_name": _name_levels(c, c.last, c.last_kind, c.last, c.last_kind, a, b, "last_name", cache),
        **{name: leveller(c, a, b) for name, leveller in _LEVELLERS.items()},
    }


def swapped_levels(c: Coded, a, b, cache: dict) -> dict[str, np.ndarray]:
    """First- and surname level codes of `compare(profiles[a], profiles[b], swapped=True)`."""
    return {
        "first_name": _name_levels(c, c.last, c.last_kind, c.first, c.first_kind, a, b, "first_name", cache),
        "last_name": _name_levels(c, c.first, c.first_kind, c.last, c.last_kind, a, b, "last_name", cache),
    }


def _code(level: str, comparison: str, note: int = 0) -> int:
    return 1 + LEVELS[comparison].index(level) * len(NOTES) + note


def _name_levels(c, ours, our_kinds, theirs, their_kinds, a, b, comparison: str, cache: dict) -> np.ndarray:
    """comparisons._name_level (first names) or _last_level (surnames) of a's `ours` names against b's
    `theirs`, for every pair."""
    levels = LEVELS[comparison]
    keys_a, kinds_a, keys_b, kinds_b = ours[a], our_kinds[a], theirs[b], their_kinds[b]
    skip = (MIDDLE, PART) if comparison == "last_name" else (MIDDLE,)
    usable = (
        (keys_a[:, :, None] >= 0)
        & (keys_b[:, None, :] >= 0)
        & ~np.isin(kinds_a, skip)[:, :, None]
        & ~np.isin(kinds_b, skip)[:, None, :]
    )
    grid = np.full(usable.shape, 99, dtype=np.int8)
    at = np.nonzero(usable)
    grid[at] = _pair_levels(c.names, keys_a[at[0], at[1]], keys_b[at[0], at[2]], levels, cache)
    width = grid.shape[2]
    flat = grid.reshape(len(a), grid.shape[1] * width)
    best = flat.argmin(1)  # the first best pair of names, as the loop in _name_level keeps it
    level = flat[np.arange(len(a)), best]
    rows = np.arange(len(a))
    kind_a, kind_b = kinds_a[rows, best // width], kinds_b[rows, best % width]
    note = NOTE_OF_KIND[np.where(kind_a != LEGAL, kind_a, kind_b)]
    different = len(levels) - 1
    note = np.where(level < different, note, 0)
    level = np.minimum(level, different)
    shared = ((keys_a[:, :, None] == keys_b[:, None, :]) & (keys_a[:, :, None] >= 0)).any((1, 2))
    if comparison == "first_name":
        # Nothing else agrees but a name appears on both sides (a middle name): a short form.
        middle = (level == different) & shared
        level = np.where(middle, levels.index("short_form"), level)
        note = np.where(middle, NOTES.index(KIND_NOTES["middle"]), note)
    else:
        part = (level > levels.index("one_letter")) & shared
        level = np.where(part, levels.index("part"), level)
        note = np.where(part, 0, note)
    known = (keys_a >= 0).any(1) & (keys_b >= 0).any(1)
    return np.where(known, 1 + level.astype(np.int32) * len(NOTES) + note, 0)


def _pair_levels(names, keys_a, keys_b, levels, cache) -> np.ndarray:
    """comparisons._one_name's level for each pair of name ids, worked out once per distinct pair with
    its tests in the same order: same key, known short forms, same sound and Jaro-Winkler >= 0.75, one
    edit (Damerau-Levenshtein), Jaro-Winkler >= 0.85. jellyfish runs only where a test needs it."""
    if not len(keys_a):
        return np.zeros(0, dtype=np.int8)
    codes, inverse = np.unique(keys_a.astype(np.int64) << 32 | keys_b, return_inverse=True)
    x, y = codes >> 32, codes & 0xFFFFFFFF
    if "features" not in cache:
        cache["features"] = _name_features(names)
    lengths, sounds, grouped = cache["features"]
    long_x, long_y = lengths[x], lengths[y]
    shortest = np.minimum(long_x, long_y)
    exact = x == y
    short = np.zeros(len(x), dtype=bool)
    if "short_form" in levels:
        maybe = np.flatnonzero(~exact & grouped[x] & grouped[y])
        short[maybe] = list(map(are_short_forms, _strings(names, x[maybe]), _strings(names, y[maybe])))
    open_ = ~exact & ~short & ("similar" in levels)  # nothing else to test for a plain same-or-short check
    same_sound = (long_x > 1) & (long_y > 1) & (sounds[x] == sounds[y])
    jaro = np.zeros(len(x))
    at = np.flatnonzero(open_ & (same_sound | (shortest >= 3)))
    jaro[at] = list(map(jellyfish.jaro_winkler_similarity, _strings(names, x[at]), _strings(names, y[at])))
    sounds_alike = same_sound & (jaro >= 0.75)
    one_letter = np.zeros(len(x), dtype=bool)
    at = np.flatnonzero(open_ & ~sounds_alike & (shortest >= 3) & (np.abs(long_x - long_y) <= 1))
    distances = map(jellyfish.damerau_levenshtein_distance, _strings(names, x[at]), _strings(names, y[at]))
    one_letter[at] = np.fromiter(distances, dtype=np.int32, count=len(at)) == 1
    tests = {
        "exact": exact,
        "short_form": short,
        "sounds_alike": sounds_alike,
        "one_letter": one_letter,
        "similar": (shortest >= 3) & (jaro >= 0.85),
    }
    in_order = [name for name in tests if name in levels]
    level = np.select(
        [tests[name] for name in in_order],
        [levels.index(name) for name in in_order],
        levels.index("different"),
    )
    return level.astype(np.int8)[inverse.ravel()]


def _name_features(names: list[str]):
    """Per name id: its length, the id of its sound, and whether it is in any group of short forms."""
    groups = nickname_groups()
    lengths = np.fromiter(map(len, names), dtype=np.int32, count=len(names))
    grouped = np.fromiter(map(groups.__contains__, names), dtype=bool, count=len(names))
    return lengths, _sounds(names)[0], grouped


def _strings(names: list[str], ids: np.ndarray) -> list[str]:
    return list(map(names.__getitem__, ids.tolist()))


def _dob_levels(c, a, b) -> np.ndarray:
    """comparisons.dob_level for every pair."""
    ya, ma, da, yb, mb, db = c.year[a], c.month[a], c.day[a], c.year[b], c.month[b], c.day[b]
    digits = sum(
        (x // step % 10 != y // step % 10).astype(np.int8)
        for x, y, steps in ((da, db, (1, 10)), (ma, mb, (1, 10)), (ya, yb, (1, 10, 100, 1000)))
        for step in steps
    )
    same_year = ya == yb
    conditions = [
        same_year & (ma == mb) & (da == db),
        same_year & (da == mb) & (ma == db),
        (digits == 1) | (np.abs(c.ordinal[a] - c.ordinal[b]) == 1),
        same_year,
    ]
    return _plain((ya > 0) & (yb > 0), conditions, LEVELS["date_of_birth"], "date_of_birth")


def _upn_levels(c, a, b) -> np.ndarray:
    known = (c.upns[a] >= 0).any(1) & (c.upns[b] >= 0).any(1)
    return _plain(known, [_meet(c.upns, a, b)], LEVELS["upn"], "upn")


def _sex_levels(c, a, b) -> np.ndarray:
    sa, sb = c.sex[a], c.sex[b]
    return _plain((sa > 0) & (sb > 0), [sa == sb], ("same", "different"), "sex")


def _home_levels(c, a, b) -> np.ndarray:
    """comparisons._home_level for every pair."""
    pa, pb = c.postcodes[a], c.postcodes[b]
    now_a, now_b = np.where(c.current[a], pa, -1), np.where(c.current[b], pb, -1)
    same_now = _any_equal(now_a, now_b)
    same_street = _meet(c.streets, a, b)
    lived = _any_equal(pa, pb)
    similar = np.zeros(len(a), dtype=bool)
    rest = np.flatnonzero(~(same_now | same_street | lived))  # only these can reach "similar postcode"
    similar[rest] = _similar_postcodes(c, pa[rest], pb[rest])
    conditions = [
        same_now & same_street,
        same_now,
        same_street,
        lived,
        similar,
        _any_equal(c.districts[a], c.districts[b]),
    ]
    known = (pa >= 0).any(1) & (pb >= 0).any(1)
    return _plain(known, conditions, LEVELS["home"], "home")


def _similar_postcodes(c, pa, pb) -> np.ndarray:
    """Any two postcodes of the same length one edit apart (Damerau-Levenshtein, as _home_level asks)."""
    lengths = np.array([len(k) for k in c.postcode_keys] or [0], dtype=np.int32)
    grid_a, grid_b = pa[:, :, None], pb[:, None, :]
    valid = (grid_a >= 0) & (grid_b >= 0) & (grid_a != grid_b)
    valid &= lengths[np.maximum(grid_a, 0)] == lengths[np.maximum(grid_b, 0)]
    at = np.nonzero(valid)
    x, y = np.broadcast_to(grid_a, valid.shape)[at], np.broadcast_to(grid_b, valid.shape)[at]
    codes, inverse = np.unique(x.astype(np.int64) << 32 | y, return_inverse=True)
    keys = c.postcode_keys
    near = np.array(
        [
            jellyfish.damerau_levenshtein_distance(keys[k >> 32], keys[k & 0xFFFFFFFF]) == 1
            for k in codes.tolist()
        ],
        dtype=bool,
    )
    out = np.zeros(valid.shape, dtype=bool)
    out[at] = near[inverse.ravel()]
    return out.any((1, 2))


def _contact_levels(c, a, b) -> np.ndarray:
    known_a = (c.phones[a] >= 0).any(1) | (c.parents[a] >= 0).any(1)
    known_b = (c.phones[b] >= 0).any(1) | (c.parents[b] >= 0).any(1)
    conditions = [_meet(c.phones, a, b), _meet(c.parents, a, b)]
    return _plain(known_a & known_b, conditions, LEVELS["contact"], "contact")


def _plain(known, conditions, levels, comparison) -> np.ndarray:
    """The first level whose condition holds (the last level otherwise), as codes with no note."""
    index = np.select(conditions, np.arange(len(conditions)), default=len(levels) - 1)
    return np.where(known, 1 + index * len(NOTES), 0).astype(np.int32)


def _meet(column, a, b) -> np.ndarray:
    return _any_equal(column[a], column[b])


def _any_equal(x, y) -> np.ndarray:
    return ((x[:, :, None] == y[:, None, :]) & (x[:, :, None] >= 0)).any((1, 2))


# --- what the sibling rules look at besides the levels ----------------------------------------------------


def family_flags(model, c: Coded, a, b, cache: dict) -> dict[str, np.ndarray]:
    """Per pair, what Model.score's sibling and thin-evidence rules read from the records themselves, both
    ways round: whether the given names are two different common names (`Model._given_names_clash`) and
    whether a first name is the family's surname (`scoring._holds_family_name`)."""
    first = np.where(np.isin(c.first_kind, (LEGAL, PREFERRED)), c.first, -1)  # scoring._keys
    last = np.where(np.isin(c.last_kind, (LEGAL, PREFERRED)), c.last, -1)
    first, last = _same_width(first, last)
    in_family = _any_equal(first, c.family) & ~_any_equal(last, c.family)
    given = np.where(in_family[:, None], last, first)  # scoring._given_keys
    sounds = cache.setdefault("sounds", _sounds(c.names)[0])
    family = np.where(c.family >= 0, sounds[np.maximum(c.family, 0)], -1)
    holds_first = _any_equal(np.where(first >= 0, sounds[np.maximum(first, 0)], -1), family)
    holds_last = _any_equal(np.where(last >= 0, sounds[np.maximum(last, 0)], -1), family)
    clash = _Clash(model, c, cache)
    return {
        "clash": clash(given, given, a, b),
        "clash_swapped": clash(first, last, a, b) | clash(last, first, a, b),
        "first_is_surname": holds_first[a] | holds_first[b],
        "first_is_surname_swapped": holds_last[a] | holds_first[b],
    }


class _Clash:
    """Model._clash for each pair: both sides carry a known first name, and no name of one is the same
    as, or a known short form of, a name of the other."""

    def __init__(self, model, c: Coded, cache: dict):
        known = model.known_first_names
        self.common = np.fromiter(map(known.__contains__, c.names), dtype=bool, count=len(c.names))
        self.names, self.cache = c.names, cache

    def __call__(self, ours, theirs, a, b) -> np.ndarray:
        has_common = lambda keys: (self.common[np.maximum(keys, 0)] & (keys >= 0)).any(1)  # noqa: E731
        rows = np.flatnonzero(has_common(ours[a]) & has_common(theirs[b]))
        x, y = ours[a[rows]][:, :, None], theirs[b[rows]][:, None, :]
        valid = (x >= 0) & (y >= 0)
        at = np.nonzero(valid)
        xs, ys = np.broadcast_to(x, valid.shape)[at], np.broadcast_to(y, valid.shape)[at]
        near = np.zeros(valid.shape, dtype=bool)
        near[at] = _pair_levels(self.names, xs, ys, ("exact", "short_form", "different"), self.cache) < 2
        out = np.zeros(len(a), dtype=bool)
        out[rows] = ~near.any((1, 2))
        return out


def _same_width(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    width = max(x.shape[1], y.shape[1])
    pad = lambda z: np.pad(z, ((0, 0), (0, width - z.shape[1])), constant_values=-1)  # noqa: E731
    return pad(x), pad(y)


_LEVELLERS = {
    "date_of_birth": _dob_levels,
    "sex": _sex_levels,
    "upn": _upn_levels,
    "home": _home_levels,
    "contact": _contact_levels,
}


# --- scoring --------------------------------------------------------------------------------------------


def score(model, profiles: list[Profile], c: Coded, a: np.ndarray, b: np.ndarray) -> Result:
    """The pairs Model.score puts at or above the threshold, with its probability and reasons.

    A pair's weight can only fall from its levels' weights (the sibling and thin-evidence rules lower
    it) or rise by swapping first and last names, so pairs whose upper bound is below the threshold are
    dropped first: before comparing names at all, then before trying the swap. Model.score itself then
    runs once per distinct combination of levels and family details of what is left."""
    weights = _weight_tables(model)
    limit = model.threshold_weight - 1e-6  # margin for NumPy adding weights in another order
    best_name = max(0.0, *weights["first_name"]) + max(0.0, *weights["last_name"])
    rest = {name: _LEVELLERS[name](c, a, b) for name in _LEVELLERS}
    weight = model.prior_weight + sum(weights[name][codes] for name, codes in rest.items())
    keep = np.flatnonzero(weight + best_name >= limit)
    a, b, weight = a[keep], b[keep], weight[keep]
    rest = {name: codes[keep] for name, codes in rest.items()}

    cache: dict = {}
    normal = {
        "first_name": _name_levels(
            c, c.first, c.first_kind, c.first, c.first_kind, a, b, "first_name", cache
        ),
        "last_name": _name_levels(c, c.last, c.last_kind, c.last, c.last_kind, a, b, "last_name", cache),
        **rest,
    }
    names_weight = weights["first_name"][normal["first_name"]] + weights["last_name"][normal["last_name"]]
    weight = weight + names_weight
    has_names = (c.first[a] >= 0).any(1) & (c.last[a] >= 0).any(1)
    exact = _code("exact", "first_name")
    tries_swap = has_names & (normal["first_name"] > 0) & (normal["first_name"] != exact)
    bound = np.where(tries_swap, np.maximum(weight, weight - names_weight + best_name), weight)
    keep = np.flatnonzero(bound >= limit)
    a, b, tries_swap = a[keep], b[keep], tries_swap[keep]
    normal = {name: codes[keep] for name, codes in normal.items()}

    # Model.score takes the swap only if both swapped names agree at least loosely, so swapped surnames
    # are compared only where the swapped first names agree (0, "not compared", otherwise).
    swapped = {name: np.zeros(len(a), dtype=np.int32) for name in SWAPPED}
    rows = np.flatnonzero(tries_swap)
    codes = _name_levels(c, c.last, c.last_kind, c.first, c.first_kind, a[rows], b[rows], "first_name", cache)
    swapped["first_name"][rows] = codes
    rows = rows[codes != _code("different", "first_name")]
    swapped["last_name"][rows] = _name_levels(
        c, c.first, c.first_kind, c.last, c.last_kind, a[rows], b[rows], "last_name", cache
    )
    flags = family_flags(model, c, a, b, cache)
    return _scored_once_per_combination(model, profiles, a, b, normal, swapped, tries_swap, flags)


def _scored_once_per_combination(model, profiles, a, b, normal, swapped, tries_swap, flags) -> Result:
    base = 1 + len(NOTES) * max(len(v) for v in LEVELS.values())
    combined = tries_swap.astype(np.int64)
    for column in [*normal.values(), *swapped.values()]:
        combined = combined * base + column
    for flag in flags.values():
        combined = combined * 2 + flag
    combinations, first, inverse = np.unique(combined, return_index=True, return_inverse=True)
    probability = np.empty(len(combinations))
    reasons = []
    for n, row in enumerate(first.tolist()):
        s = model.score(profiles[a[row]], profiles[b[row]])
        _check(s.levels, normal, swapped, row)
        probability[n] = s.probability
        reasons.append(s.reasons)
    inverse = inverse.ravel()
    found = np.flatnonzero(probability[inverse] >= model.threshold)
    return Result(
        a=a[found],
        b=b[found],
        probability=probability[inverse[found]],
        combination=inverse[found],
        reasons=reasons,
    )


def _weight_tables(model) -> dict[str, np.ndarray]:
    """comparison -> weight per level code (0, "not known", adds nothing)."""
    tables = {}
    for name, levels in LEVELS.items():
        table = np.zeros(1 + len(levels) * len(NOTES))
        for i, level in enumerate(levels):
            table[1 + i * len(NOTES) : 1 + (i + 1) * len(NOTES)] = model.weights[(name, level)]
        tables[name] = table
    return tables


def decode(codes: dict[str, np.ndarray], row: int) -> dict:
    """One pair's level codes as `compare` gives them: comparison -> (level, note) or None."""
    out = {}
    for name, column in codes.items():
        code = int(column[row])
        out[name] = (
            None if code == 0 else (LEVELS[name][(code - 1) // len(NOTES)], NOTES[(code - 1) % len(NOTES)])
        )
    return out


def _check(chosen: dict, normal: dict, swapped: dict, row: int):
    """Model.score's levels must be the vectorised ones, straight or swapped."""
    straight = decode(normal, row)
    if chosen == straight or chosen == straight | decode(swapped, row):
        return
    raise LevelsDiffer(
        f"batch levels {straight} (swapped {decode(swapped, row)}) but Model.score has {chosen}"
    )


def verify(model, profiles: list[Profile], c: Coded, a, b):
    """For tests: compare() against the vectorised levels, both ways round, and Model.score's own family
    rule inputs against `family_flags`, for every pair. Raises LevelsDiffer at the first difference."""
    from . import scoring

    cache: dict = {}
    normal, swapped = levels(c, a, b, cache), swapped_levels(c, a, b, cache)
    flags = family_flags(model, c, a, b, cache)
    holds = scoring._holds_family_name
    for row, (pa, pb) in enumerate(
        zip(map(profiles.__getitem__, a), map(profiles.__getitem__, b), strict=True)
    ):
        for codes, flag in ((normal, False), (swapped, True)):
            want = compare(pa, pb, swapped=flag)
            got = decode(codes, row)
            if any(got[name] != want[name] for name in got):
                raise LevelsDiffer(f"pair {pa} / {pb} swapped={flag}: batch {got}, compare {want}")
        want = {
            "clash": model._given_names_clash(pa, pb, False),
            "clash_swapped": model._given_names_clash(pa, pb, True),
            "first_is_surname": holds(pa, pa.first) or holds(pb, pb.first),
            "first_is_surname_swapped": holds(pa, pa.last) or holds(pb, pb.first),
        }
        got = {name: bool(column[row]) for name, column in flags.items()}
        if got != want:
            raise LevelsDiffer(f"pair {pa} / {pb}: batch family flags {got}, Model.score's {want}")
