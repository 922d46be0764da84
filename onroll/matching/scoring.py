"""The Fellegi–Sunter model: m and u probabilities per comparison level, read from a versioned JSON file,
and scoring a pair into a match weight, a probability and reasons in words."""

import hashlib
import json
import math
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from .comparisons import KIND_NOTES, LEVELS, REASONS, compare, swapped_first_name_agrees
from .names import are_short_forms, nickname_groups, sound
from .profiles import Profile

MODEL_FILE = Path(__file__).parent / "model" / "child_model.json"
FORMAT = "onroll-matching-fs"
# The file must have been trained on exactly these comparisons and levels.
SCHEMA = hashlib.sha256(json.dumps(LEVELS, sort_keys=True).encode()).hexdigest()[:12]

SIBLING_REASON = "different first name with the same family details: could be a brother, sister or twin"
THIN_REASON = "only one of first name, surname and date of birth agrees"
SWAPPED_REASON = "first and last names swapped"


class ModelError(Exception):
    """The model file is missing, unreadable, or was made for other comparisons than this code's."""


@dataclass
class Score:
    weight: float
    probability: float
    reasons: list[str] = field(default_factory=list)
    levels: dict = field(default_factory=dict)
    possible_sibling: bool = False


@dataclass(frozen=True)
class FamilyFacts:
    names_clash: bool  # the given names are two different real names (Model.known_first_names)
    first_is_surname: bool  # the first name compared is the surname of a record's parents


@dataclass
class Model:
    prior: float  # share of compared pairs that are the same child (lambda)
    threshold: float  # probability at or above which a candidate is suggested as the same child
    weights: dict[tuple[str, str], float]  # (comparison, level) -> log2(m/u)
    m: dict[tuple[str, str], float]
    u: dict[tuple[str, str], float]
    version: str = ""
    trained: str = ""
    # The sibling/twin and thin-evidence rules. Off only for data with no families (FEBRL's adults).
    family_rules: bool = True
    # First names common in the register the model was trained on: two of them (or of the short forms list)
    # that differ, and are not short forms of each other, are two names a family chose, not one mistyped.
    common_first_names: frozenset[str] = frozenset()

    @property
    def prior_weight(self) -> float:
        return math.log2(self.prior / (1 - self.prior))

    @property
    def threshold_weight(self) -> float:
        return math.log2(self.threshold / (1 - self.threshold))

    def weigh(self, levels) -> float:
        return self.prior_weight + sum(
            self.weights[(name, lv[0])] for name, lv in levels.items() if lv is not None
        )

    def score(self, a: Profile, b: Profile) -> Score:
        levels, swapped = self.best_levels(a, b)
        return self.judge(levels, swapped, self.family_facts(a, b, swapped))

    def score_at_least(self, a: Profile, b: Profile, probability: float) -> Score | None:
        """The pair's score without reasons, or None when it is below `probability` before the family rules
        (which only ever lower a weight): a look-up skips them for most of its candidates."""
        levels, swapped = self.best_levels(a, b)
        if _probability(self.weigh(levels)) < probability:
            return None
        return self.judge(levels, swapped, self.family_facts(a, b, swapped), explain=False)

    def best_levels(self, a: Profile, b: Profile) -> tuple[dict, bool]:
        """The pair's levels, read with a's first and last names swapped when that fits better."""
        levels = compare(a, b)
        first = levels["first_name"]
        if a.first and first and first[0] != "exact" and swapped_first_name_agrees(a, b):
            other = compare(a, b, swapped=True)
            both_agree = all(other[n] and other[n][0] != "different" for n in ("first_name", "last_name"))
            if both_agree and self.weigh(other) > self.weigh(levels):
                return other, True
        return levels, False

    def family_facts(self, a: Profile, b: Profile, swapped: bool) -> "FamilyFacts":
        """What the sibling rules need beyond the levels (off for data with no families)."""
        if not self.family_rules:
            return FamilyFacts(False, False)
        return FamilyFacts(
            names_clash=self._given_names_clash(a, b, swapped),
            # A first name that is the family's surname (a record with names swapped) says nothing about
            # which child of the family this is.
            first_is_surname=_holds_family_name(a, a.last if swapped else a.first)
            or _holds_family_name(b, b.first),
        )

    def judge(self, levels: dict, swapped: bool, facts: "FamilyFacts", *, explain: bool = True) -> Score:
        """Weight, probability and reasons (unless `explain` is False) from the levels and the family facts
        alone (so a batch can judge every pair with the same levels and facts at once)."""
        weight = self.weigh(levels)
        sibling = self.family_rules and _looks_like_sibling(levels, facts.names_clash)
        thin = self.family_rules and _identity_agreements(levels, count_first=not facts.first_is_surname) < 2
        if (sibling or thin) and weight >= self.threshold_weight:
            # Same surname, birth date and home but another first name is the shape of a brother, sister
            # or twin; a shared home or parent must not outvote the child's own first name and birth date.
            weight = self.threshold_weight - 1.0
        reasons = self._explain(levels, swapped, sibling, thin) if explain else []
        return Score(weight, _probability(weight), reasons, levels, sibling)

    def _explain(self, levels, swapped: bool, sibling: bool, thin: bool) -> list[str]:
        reasons = self._reasons(levels)
        if swapped:
            reasons.insert(0, SWAPPED_REASON)
        if sibling:
            reasons.append(SIBLING_REASON)
        elif thin:
            reasons.append(THIN_REASON)
        return reasons

    def _given_names_clash(self, a: Profile, b: Profile, swapped: bool) -> bool:
        """Do the two records carry two different given names, each common in the register? Twins called
        Nicole and Nicola sound alike; a typo rarely makes another common name."""
        if swapped:  # which of the two was recorded the wrong way round is not known: try both pairings
            pairings = [(_keys(a.first), _keys(b.last)), (_keys(a.last), _keys(b.first))]
        else:
            pairings = [(_given_keys(a), _given_keys(b))]
        return any(self._clash(x, y) for x, y in pairings)

    @cached_property
    def known_first_names(self) -> frozenset[str]:
        """Names that are names, not slips: common in the register, or in the short forms list (Nelly)."""
        return self.common_first_names | frozenset(nickname_groups())

    def _clash(self, ours: set[str], theirs: set[str]) -> bool:
        known = self.known_first_names
        if not (ours & known and theirs & known):
            return False
        return not any(x == y or are_short_forms(x, y) for x in ours for y in theirs)

    def _reasons(self, levels) -> list[str]:
        parts = []
        for name, lv in levels.items():
            if lv is None:
                continue
            w = self.weights[(name, lv[0])]
            text = REASONS[(name, lv[0])]
            if lv[1]:
                text += f" ({lv[1]})"
            parts.append((-w if w > 0 else 100 - w, text))
        # Evidence for first, strongest first; then evidence against, strongest first.
        return [text for _, text in sorted(parts, key=lambda p: p[0]) if text]


def _keys(names) -> set[str]:
    return {k for k, kind in names if kind in ("legal", "preferred")}


def _given_keys(p: Profile) -> set[str]:
    """The record's given names; its surname field when the first-name field holds the family's surname
    (a record with first and last names swapped) and the surname field does not."""
    firsts, lasts = _keys(p.first), _keys(p.last)
    if firsts & p.family_names and not lasts & p.family_names:
        return lasts
    return firsts


def _looks_like_sibling(levels, clash: bool = False) -> bool:
    """Same surname and a shared home or birth date, but the child's own details differ: a brother, sister
    or twin rather than the same child. `clash`: the given names are two different common names."""
    first, last, dob = levels["first_name"], levels["last_name"], levels["date_of_birth"]
    if dob is None or first is None:
        return False
    if levels["upn"] is not None and levels["upn"][0] == "same":
        return False
    close_birth = dob[0] in ("exact", "day_month_swapped", "one_digit")
    if clash and (close_birth or _shares_household(levels)):
        return True
    other_sex = levels["sex"] is not None and levels["sex"][0] == "different" and first[0] != "exact"
    if other_sex and (close_birth or _shares_household(levels)):
        return True
    both_names = first[0] != "different" and last is not None and last[0] != "different"
    if levels["sex"] is not None and levels["sex"][0] == "different" and close_birth and not both_names:
        return True  # a boy and a girl born the same day with one name in common: twins
    if last is None or last[0] == "different":
        return False
    # A twin's first name is often the other twin's middle name, so a match through a middle name does
    # not tell them apart.
    if first[0] in ("different", "similar") or first[1] == KIND_NOTES["middle"]:
        return close_birth or dob[0] == "same_year" or _shares_household(levels)
    return not close_birth and _shares_household(levels)


def _holds_family_name(p: Profile, names) -> bool:
    """Is one of these names (legal or preferred) the surname, or sounds like the surname, of the
    record's parents?"""
    if not p.family_names:
        return False
    family = {sound(f) for f in p.family_names}
    return any(k in p.family_names or sound(k) in family for k in _keys(names))


def _identity_agreements(levels, *, count_first: bool = True) -> int:
    """How many of first name, surname and date of birth agree at least loosely (UPN counts as two)."""
    if levels["upn"] is not None and levels["upn"][0] == "same":
        return 2
    first, last, dob = levels["first_name"], levels["last_name"], levels["date_of_birth"]
    return (
        (
            count_first
            and first is not None
            and first[0] not in ("different", "similar")
            and first[1] != KIND_NOTES["middle"]
        )
        + (last is not None and last[0] not in ("different", "part"))
        + (dob is not None and dob[0] in ("exact", "day_month_swapped", "one_digit"))
    )


def _shares_household(levels) -> bool:
    home = levels["home"], levels["contact"]
    return any(lv is not None and lv[0] not in ("different", "same_district") for lv in home)


def _probability(weight: float) -> float:
    if weight > 60:
        return 1.0
    odds = 2.0**weight
    return odds / (1 + odds)


def from_dict(data: dict) -> Model:
    if data.get("format") != FORMAT:
        raise ModelError(
            f"The matching model file is not an Onroll matching model (format {data.get('format')!r})"
        )
    if data.get("schema") != SCHEMA:
        raise ModelError(
            f"The matching model file was trained for comparisons version {data.get('schema')!r} but this "
            f"version of Onroll compares with version {SCHEMA!r}: retrain it with `manage.py matching_train`"
        )
    m, u, weights = {}, {}, {}
    for name, levels in LEVELS.items():
        for level in levels:
            try:
                entry = data["comparisons"][name][level]
                m[(name, level)], u[(name, level)] = float(entry["m"]), float(entry["u"])
            except (KeyError, TypeError, ValueError) as exc:
                raise ModelError(f"The matching model file has no m and u for {name} {level}") from exc
            if not (0 < m[(name, level)] <= 1 and 0 < u[(name, level)] <= 1):
                raise ModelError(f"The matching model file's m or u for {name} {level} is not a probability")
            weights[(name, level)] = math.log2(m[(name, level)] / u[(name, level)])
    return Model(
        prior=float(data["prior"]),
        threshold=float(data["threshold"]),
        weights=weights,
        m=m,
        u=u,
        version=str(data.get("version", "")),
        trained=str(data.get("trained", "")),
        common_first_names=frozenset(data.get("common_first_names", ())),
    )


def to_dict(model: Model, **extra) -> dict:
    return {
        "format": FORMAT,
        "schema": SCHEMA,
        "version": model.version,
        "trained": model.trained,
        "prior": model.prior,
        "threshold": model.threshold,
        "comparisons": {
            name: {level: {"m": model.m[(name, level)], "u": model.u[(name, level)]} for level in levels}
            for name, levels in LEVELS.items()
        },
        "common_first_names": sorted(model.common_first_names),
        **extra,
    }


def load(path: Path | None = None) -> Model:
    path = path or MODEL_FILE
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(
            f"The matching model file {path} is missing: run `manage.py matching_train`"
        ) from exc
    except (OSError, ValueError) as exc:
        raise ModelError(f"The matching model file {path} cannot be read: {exc}") from exc
    return from_dict(data)


@cache
def current() -> Model:
    """The installed model, loaded once per process. Raises ModelError."""
    return load()
