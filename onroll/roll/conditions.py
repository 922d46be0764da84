"""Checking a deletion ground's conditions against evidence: pure functions, no database, no clock.

A ground's conditions are the reference file's notation, one condition per ';':

    pupil_registered_at_other_school==true;NOT(mobile_child==true AND this_school_is_main_school==true);
    continuous_absence_school_days>=20;(pupil_located==false OR jointly_agreed_...==true);today>some_date

`parse_conditions` turns the text into trees; `evaluate(conditions, evidence)` gives each condition a status:

- MET: the evidence Onroll holds shows it (attendance marks, the enquiry log, a recorded notice, the LA's
  decision, the school's type);
- DECLARED: it holds because the school declared something Onroll cannot know (recorded with who and when);
- NEEDS_DECLARATION: it turns on something only the school can know, not declared yet;
- UNMET: the evidence shows it does not hold, or evidence Onroll should hold is missing.

Logic is three-valued (Kleene): an unknown fact leaves a condition unknown unless the rest decides it, so
`(pupil_located==false OR agreed==true)` is met by the enquiry log alone when the child was not found.
Facts that Onroll derives (EVIDENCE_FACTS) can never be declared: "joint reasonable enquiries made" comes
from the enquiry log, never from a tick box.
"""

import csv
import datetime as dt
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path


class ConditionSyntaxError(ValueError):
    pass


# --- facts -------------------------------------------------------------------------------------------------

# What Onroll works out itself; a school cannot declare these.
EVIDENCE_FACTS = frozenset(
    {
        "continuous_absence_school_days",
        "all_sessions_in_period_coded_in(G,N,O)",
        "leave_of_absence_given",
        "leave_period_ended",
        "attended_within_10_school_days_after_leave_end",
        "joint_reasonable_efforts_made",
        "pupil_located",
        "written_parent_notice_leaving_for_education_otherwise",
        "notified_last_day_of_attendance",
        "today",
        "special_school_consent_ok",
        "cwsa_s37_consent_ok",
        "school_type_in(la_maintained,academy)",
    }
)

# A plain statement of each fact (read as "yes, this is so"), from data/fact_statements.csv; unknown names
# (a condition an administrator added) are shown humanised.
FACTS_FILE = Path(__file__).resolve().parent / "data" / "fact_statements.csv"


@functools.cache
def fact_statements() -> dict[str, str]:
    with FACTS_FILE.open(newline="", encoding="utf-8") as handle:
        return {row["fact"]: row["statement"] for row in csv.DictReader(handle)}


def fact_text(name: str) -> str:
    return fact_statements().get(name) or name.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Fact:
    """One piece of evidence: its value (None: Onroll holds no evidence either way) and where it came from."""

    value: object
    note: str = ""
    declared: bool = False


@dataclass(frozen=True)
class Evidence:
    """Everything known about one proposed deletion, as facts by name (EVIDENCE_FACTS, fact_statements)."""

    facts: Mapping[str, Fact] = field(default_factory=dict)

    def get(self, name: str) -> Fact | None:
        return self.facts.get(name)


# --- parsing -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Atom:
    left: str
    op: str
    right: str
    text: str

    def declarable_key(self) -> str | None:
        """The name a school declares for this comparison (None for evidence Onroll derives)."""
        if self.left in EVIDENCE_FACTS or self.right in EVIDENCE_FACTS:
            return None
        return self.left if self.right in ("true", "false") and self.op == "==" else self.text


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class AllOf:
    items: tuple


@dataclass(frozen=True)
class AnyOf:
    items: tuple


TOKEN = re.compile(
    r"\s*(?:(?P<op>>=|<=|==|>|<)|(?P<kw>AND|OR|NOT)\b|(?P<paren>[()])"
    r"|(?P<name>[a-z][a-z0-9_\-]*(?:\([A-Za-z0-9_,]*\))?|[0-9]+))"
)


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    text = text.strip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise ConditionSyntaxError(f"cannot read '{text[position:]}' in '{text}'")
        tokens.append(match.group().strip())
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens = _tokens(text)
        self.i = 0

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self, expected=None):
        token = self.peek()
        if token is None or (expected is not None and token != expected):
            raise ConditionSyntaxError(f"expected {expected or 'more'} in '{self.text}'")
        self.i += 1
        return token

    def parse(self):
        tree = self.any_of()
        if self.peek() is not None:
            raise ConditionSyntaxError(f"unexpected '{self.peek()}' in '{self.text}'")
        return tree

    def any_of(self):
        items = [self.all_of()]
        while self.peek() == "OR":
            self.take()
            items.append(self.all_of())
        return items[0] if len(items) == 1 else AnyOf(tuple(items))

    def all_of(self):
        items = [self.unary()]
        while self.peek() == "AND":
            self.take()
            items.append(self.unary())
        return items[0] if len(items) == 1 else AllOf(tuple(items))

    def unary(self):
        token = self.peek()
        if token == "NOT":
            self.take()
            self.take("(")
            inner = self.any_of()
            self.take(")")
            return Not(inner)
        if token == "(":
            self.take()
            inner = self.any_of()
            self.take(")")
            return inner
        left = self.take()
        op = self.take()
        if op not in ("==", ">=", "<=", ">", "<"):
            raise ConditionSyntaxError(f"expected a comparison after '{left}' in '{self.text}'")
        right = self.take()
        return Atom(left, op, right, f"{left}{op}{right}")


def parse_conditions(text: str) -> list:
    """The conditions of a ground as trees, in order (ConditionSyntaxError naming the bad one)."""
    parts = [part.strip() for part in text.split(";") if part.strip()]
    if not parts:
        raise ConditionSyntaxError("a ground needs at least one condition")
    return [_Parser(part).parse() for part in parts]


# --- evaluation --------------------------------------------------------------------------------------------


class Status(StrEnum):
    MET = "met"
    DECLARED = "declared"
    NEEDS_DECLARATION = "needs_declaration"
    UNMET = "unmet"


STATUS_LABELS = {
    Status.MET: "Met",
    Status.DECLARED: "Declared",
    Status.NEEDS_DECLARATION: "Needs a declaration",
    Status.UNMET: "Not met",
}


@dataclass(frozen=True)
class ConditionResult:
    text: str  # the condition in the file's notation
    statement: str  # the condition in words
    status: Status
    notes: tuple[str, ...] = ()  # what the evidence says, one line per fact used
    to_declare: tuple[str, ...] = ()  # declarable facts still unknown

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def ok(self) -> bool:
        return self.status in (Status.MET, Status.DECLARED)


def _literal(token: str):
    if token == "true":
        return True
    if token == "false":
        return False
    if token.isdigit():
        return int(token)
    return token


def _compare(left, op: str, right):
    if left is None or right is None:
        return None
    try:
        return {
            "==": left == right,
            ">=": left >= right,
            "<=": left <= right,
            ">": left > right,
            "<": left < right,
        }[op]
    except TypeError:
        return None


class _Evaluation:
    def __init__(self, evidence: Evidence):
        self.evidence = evidence
        self.used: dict[str, Fact] = {}
        self.unknown_declarable: list[str] = []
        self.unknown_evidence: list[str] = []

    def value_of(self, token: str):
        if token in EVIDENCE_FACTS:
            fact = self.evidence.get(token) or Fact(None, "Onroll holds no evidence of this")
            self.used[token] = fact
            if fact.value is None:
                self.unknown_evidence.append(token)
            return fact.value
        return _literal(token)

    def atom(self, atom: Atom):
        key = atom.declarable_key()
        if key is None:
            return _compare(self.value_of(atom.left), atom.op, self.value_of(atom.right))
        fact = self.evidence.get(key)
        if fact is None or fact.value is None:
            if key not in self.unknown_declarable:
                self.unknown_declarable.append(key)
            return None
        self.used[key] = fact
        if key == atom.text:  # a whole comparison declared true or false
            return bool(fact.value)
        return _compare(fact.value, atom.op, _literal(atom.right))

    def run(self, node):
        if isinstance(node, Atom):
            return self.atom(node)
        if isinstance(node, Not):
            value = self.run(node.item)
            return None if value is None else not value
        values = [self.run(item) for item in node.items]
        if isinstance(node, AllOf):
            return False if False in values else (None if None in values else True)
        return True if True in values else (None if None in values else False)


def describe(node) -> str:
    """A condition in words."""
    if isinstance(node, Atom):
        key = node.declarable_key()
        if key == node.text:
            return fact_text(key)
        if node.right in ("true", "false") and node.op == "==":
            text = fact_text(node.left)
            return text if node.right == "true" else f"Not the case: {_lower(text)}"
        if node.left == "today":
            return f"Today is after {_lower(fact_text(node.right))}"
        words = {">=": "at least", ">": "more than", "<=": "at most", "<": "fewer than", "==": "exactly"}
        return f"{fact_text(node.left)}: {words[node.op]} {node.right}"
    if isinstance(node, Not):
        return f"Not the case: {_lower(describe(node.item))}"
    joiner = " and " if isinstance(node, AllOf) else ", or "
    either = isinstance(node, AnyOf)
    return "Either " * either + joiner.join(
        _lower(describe(item)) if i or either else describe(item) for i, item in enumerate(node.items)
    )


def _lower(text: str) -> str:
    return text[0].lower() + text[1:]


def _render(node) -> str:
    if isinstance(node, Atom):
        return node.text
    if isinstance(node, Not):
        return f"NOT({_render(node.item)})"
    joiner = " AND " if isinstance(node, AllOf) else " OR "
    return "(" + joiner.join(_render(i) for i in node.items) + ")"


def evaluate(conditions: str, evidence: Evidence) -> list[ConditionResult]:
    """Each condition of a ground (its `conditions` text) checked against the evidence."""
    results = []
    for tree in parse_conditions(conditions):
        run = _Evaluation(evidence)
        value = run.run(tree)
        notes = tuple(
            f"{fact_text(name)}: {fact.note}" if fact.note else f"{fact_text(name)}: {_shown(fact.value)}"
            for name, fact in run.used.items()
        )
        if value is True:
            status = Status.DECLARED if any(f.declared for f in run.used.values()) else Status.MET
        elif value is False:
            status = Status.UNMET
        elif run.unknown_evidence:
            status = Status.UNMET
        else:
            status = Status.NEEDS_DECLARATION
        results.append(
            ConditionResult(
                text=_render(tree),
                statement=describe(tree),
                status=status,
                notes=notes,
                to_declare=tuple(run.unknown_declarable) if value is None else (),
            )
        )
    return results


def _shown(value) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return "not known" if value is None else str(value)


def all_satisfied(results: list[ConditionResult]) -> bool:
    return all(result.ok for result in results)


def declarable_facts(conditions: str) -> list[str]:
    """Every fact of a ground the school may declare, in order of appearance."""
    found: list[str] = []

    def walk(node):
        if isinstance(node, Atom):
            key = node.declarable_key()
            if key and key not in found:
                found.append(key)
        elif isinstance(node, Not):
            walk(node.item)
        else:
            for item in node.items:
                walk(item)

    for tree in parse_conditions(conditions):
        walk(tree)
    return found
