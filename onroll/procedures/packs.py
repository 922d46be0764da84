"""Procedure packs: one YAML file per written CME procedure, parsed and validated here (pure: no database).

A pack turns an authority's or a school's written procedure into data: what counts as missing education, what
starts the procedure, which steps follow, who does each, when each is due, who hears when a step is
overdue, and what ends the procedure. The files live in procedure_packs/ at the repository root;
`load_packs` stores each version in the database (onroll/procedures/services.py). Every problem in a file is
reported at once, each as "<file> line <n>: <problem>".

Format
------
    id: afc-cme                    # required; lower-case letters, digits and hyphens
    name: Achieving for Children CME procedure           # required
    version: 1                     # required; integer >= 1; bump it whenever the content changes
    source:                        # required
      organisation: Achieving for Children (Kingston and Richmond)
      kind: local_authority        # local_authority | school
      document: Children missing education policy        # title (and date) of the written procedure
    definitions:                   # required, at least one
      - term: missing_education
        text: words from the document
        thresholds: [{measure: gno_run_days, op: ">=", value: 20}]    # optional; conditions as below
        note: optional remark
    triggers:                      # required, at least one; any trigger holding opens the procedure
      - id: absent_5_days
        description: what the document says
        when: <condition>
        source: quotation from the document
        note: optional remark (e.g. how an ambiguous phrase was read)
    steps:                         # required, at least one
      - id: refer_to_spa
        title: what must be done
        role: school_lead          # who does it: a Role value (onroll/accounts/models.py)
        to: spa_officer            # optional: the role it is sent to (a referral, a notification)
        opens_on: absent_5_days    # a trigger id: the step opens on the day that trigger first holds
        after: first_contact       # ... or a step id (or a list: whichever is done first) it follows
        due: {within: 0, unit: school_days}   # days after the step opens (0 = the same day); or null
        due_note: required when due is null: what the document says about timing
        evidence: what closes the step (a record, a form sent, a decision written down)
        source: quotation from the document (required)
        note: optional remark
    escalations:                   # may be empty (say why in escalations_note)
      - step: refer_to_spa         # a step id
        to: cme_officer            # a Role value told when the step is overdue
        after_overdue: {within: 0, unit: school_days}   # optional; default the first overdue day
        source: quotation, or a note that the document is silent
    escalations_note: optional remark
    stand_down:                    # required, at least one: what ends the procedure
      - event: present_session_after_trigger
        description: the child attends again
        source: quotation
    notes: [optional remarks about what the document does not say]

A <condition> is exactly one of
    {measure: <name>, op: <op>, value: <number>}   a measure of onroll/attendance/measures (count or rate)
    {measure: <name>, op: "==", value: true}       a yes/no measure (persistent, severe, ...)
    {flag: <name>}                                 a child flag or a concern recorded on the case
    {all: [<condition>, ...]}  /  {any: [<condition>, ...]}
with op one of >=, >, <=, <, == and units school_days (the school's calendar) or working_days (Monday to
Friday less England bank holidays).
"""

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from onroll.accounts.models import Role
from onroll.attendance.measures import Measures
from onroll.children.models import VULNERABILITY_FLAGS

MEASURES = frozenset(Measures._fields)
BOOLEAN_MEASURES = frozenset(
    {"persistent", "severe", "penalty_notice_threshold", "illness_15_days", "n_overdue"}
)
COMPARISONS = frozenset({">=", ">", "<=", "<", "=="})
ROLES = frozenset(Role.values)
# A trigger may name a child's yes/no field or a concern a user records on a case.
CHILD_FLAGS = frozenset(name for name, _ in VULNERABILITY_FLAGS)
CASE_FLAGS = frozenset({"safeguarding_concern", "whereabouts_unknown", "parents_not_engaging"})
FLAGS = CHILD_FLAGS | CASE_FLAGS
UNITS = frozenset({"school_days", "working_days"})
SOURCE_KINDS = frozenset({"local_authority", "school"})
STAND_DOWN_EVENTS = frozenset(
    {
        "present_session_after_trigger",  # a present session after the day the procedure opened
        "located_in_education",  # on roll elsewhere or suitable education confirmed
        "removed_from_roll",  # lawfully deleted from the admission register
        "explanation_received",  # the absence is explained (and authorised or otherwise dealt with)
    }
)
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True)
class Problem:
    filename: str
    line: int
    message: str

    def __str__(self):
        return f"{self.filename} line {self.line}: {self.message}"


class PackError(ValueError):
    """A pack (or packs) that did not validate; `problems` holds every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Pack:
    id: str
    version: int
    name: str
    content: dict = field(repr=False)  # plain JSON-able dict of the whole file
    content_hash: str
    filename: str


# --- YAML with line numbers --------------------------------------------------------------------------------


class LineDict(dict):
    """A mapping from the file; `line` is where it starts and `lines[key]` where each key is (1-based)."""

    line: int
    lines: dict


class LineList(list):
    line: int
    lines: list


def _build(node, filename: str, problems: list[Problem]):
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = LineDict()
        result.line, result.lines = line, {}
        for key_node, value_node in node.value:
            key = _build(key_node, filename, problems)
            key_line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                problems.append(Problem(filename, key_line, f"key {key!r} must be text"))
                key = str(key)
            if key in result:
                problems.append(Problem(filename, key_line, f"key '{key}' appears twice"))
                continue
            result[key] = _build(value_node, filename, problems)
            result.lines[key] = key_line
        return result
    if isinstance(node, yaml.SequenceNode):
        result = LineList(_build(item, filename, problems) for item in node.value)
        result.line, result.lines = line, [item.start_mark.line + 1 for item in node.value]
        return result
    return yaml.constructor.SafeConstructor().construct_object(node)


def _read_yaml(text: str, filename: str, problems: list[Problem]):
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problems.append(Problem(filename, mark.line + 1 if mark else 1, f"not valid YAML: {error.problem}"))
        return None
    except yaml.YAMLError as error:
        problems.append(Problem(filename, 1, f"not valid YAML: {error}"))
        return None
    if node is None:
        problems.append(Problem(filename, 1, "the file is empty"))
        return None
    return _build(node, filename, problems)


# --- validation --------------------------------------------------------------------------------------------


class _Checker:
    def __init__(self, filename: str):
        self.filename = filename
        self.problems: list[Problem] = []

    def add(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.filename, line, message))

    def mapping(self, value, line: int, what: str, required: set[str], optional: set[str] = frozenset()):
        """Check that value is a mapping with the required keys and no others; returns it or None."""
        if not isinstance(value, LineDict):
            self.add(getattr(value, "line", line), f"{what} must be a mapping of keys to values")
            return None
        for key in sorted(required - set(value)):
            self.add(value.line, f"{what} is missing the required key '{key}'")
        for key in value:
            if key not in required | optional:
                allowed = ", ".join(sorted(required | optional))
                self.add(value.lines[key], f"{what} has an unknown key '{key}' (allowed: {allowed})")
        return value

    def text(self, mapping: LineDict, key: str, what: str, required: bool = True) -> str | None:
        if key not in mapping:
            return None
        value = mapping[key]
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(mapping.lines[key], f"{what} '{key}' must be text")
            return None
        return value

    def items(self, mapping: LineDict, key: str, what: str, allow_empty: bool = False) -> list:
        if key not in mapping:
            return []
        value = mapping[key]
        if not isinstance(value, LineList):
            self.add(mapping.lines[key], f"'{key}' must be a list")
            return []
        if not value and not allow_empty:
            self.add(mapping.lines[key], f"'{key}' needs at least one {what}")
        return [(item, getattr(item, "line", value.lines[i])) for i, item in enumerate(value)]

    def identifier(self, mapping: LineDict, key: str, what: str, seen: set[str]) -> str | None:
        value = self.text(mapping, key, what)
        if value is None:
            return None
        if not ID_PATTERN.match(value):
            self.add(mapping.lines[key], f"{what} id '{value}' must be lower-case letters, digits, _ or -")
        if value in seen:
            self.add(mapping.lines[key], f"duplicate {what} id '{value}'")
        seen.add(value)
        return value

    def role(self, mapping: LineDict, key: str, what: str) -> None:
        value = mapping.get(key)
        if key in mapping and value not in ROLES:
            self.add(
                mapping.lines[key],
                f"{what} has an unknown role '{value}' (roles: {', '.join(sorted(ROLES))})",
            )

    def days(self, value, line: int, what: str, required_keys=("within", "unit")) -> None:
        if self.mapping(value, line, what, set(required_keys)) is None:
            return
        within = value.get("within")
        if "within" in value:
            if isinstance(within, bool) or not isinstance(within, int):
                self.add(
                    value.lines["within"], f"{what} 'within' must be a whole number of days, not {within!r}"
                )
            elif within < 0:
                self.add(value.lines["within"], f"{what} 'within' is negative ({within} days)")
        if "unit" in value and value["unit"] not in UNITS:
            self.add(
                value.lines["unit"],
                f"{what} has an unknown unit '{value['unit']}' (units: {', '.join(sorted(UNITS))})",
            )

    def condition(self, value, line: int, what: str) -> None:
        if not isinstance(value, LineDict):
            self.add(getattr(value, "line", line), f"{what} must be a mapping (measure, flag, all or any)")
            return
        kinds = [key for key in ("measure", "flag", "all", "any") if key in value]
        if len(kinds) != 1:
            self.add(value.line, f"{what} must have exactly one of measure, flag, all, any")
            return
        kind = kinds[0]
        if kind == "flag":
            self.mapping(value, line, what, {"flag"})
            if value["flag"] not in FLAGS:
                self.add(
                    value.lines["flag"], f"unknown flag '{value['flag']}' (flags: {', '.join(sorted(FLAGS))})"
                )
        elif kind in ("all", "any"):
            self.mapping(value, line, what, {kind})
            for item, item_line in self.items(value, kind, "condition"):
                self.condition(item, item_line, f"condition in '{kind}'")
        else:
            self.mapping(value, line, what, {"measure", "op", "value"})
            measure = value["measure"]
            if measure not in MEASURES:
                self.add(value.lines["measure"], f"unknown measure '{measure}'")
            if "op" in value and value["op"] not in COMPARISONS:
                self.add(
                    value.lines["op"],
                    f"bad comparison '{value['op']}' (use one of {', '.join(sorted(COMPARISONS))})",
                )
            if "value" not in value:
                return
            threshold = value["value"]
            if measure in BOOLEAN_MEASURES:
                if not isinstance(threshold, bool) or value.get("op") != "==":
                    self.add(
                        value.lines["value"],
                        f"'{measure}' is yes/no: write op: \"==\" and value: true or false",
                    )
            elif isinstance(threshold, bool) or not isinstance(threshold, int | float):
                self.add(
                    value.lines["value"], f"the threshold for '{measure}' must be a number, not {threshold!r}"
                )
            elif threshold < 0:
                self.add(value.lines["value"], f"the threshold for '{measure}' is negative ({threshold})")


def _validate(doc, filename: str) -> list[Problem]:
    check = _Checker(filename)
    top = check.mapping(
        doc,
        1,
        "the pack",
        {"id", "name", "version", "source", "definitions", "triggers", "steps", "stand_down"},
        {"escalations", "escalations_note", "notes"},
    )
    if top is None:
        return check.problems
    check.identifier(top, "id", "pack", set())
    check.text(top, "name", "the pack")
    version = top.get("version")
    if "version" in top and (isinstance(version, bool) or not isinstance(version, int) or version < 1):
        check.add(top.lines["version"], f"version must be a whole number from 1, not {version!r}")
    if "source" in top:
        source = check.mapping(
            top["source"], top.lines["source"], "source", {"organisation", "kind", "document"}
        )
        if source is not None:
            check.text(source, "organisation", "source")
            check.text(source, "document", "source")
            if "kind" in source and source["kind"] not in SOURCE_KINDS:
                check.add(
                    source.lines["kind"],
                    f"source kind must be local_authority or school, not {source['kind']!r}",
                )

    for item, line in check.items(top, "definitions", "definition"):
        definition = check.mapping(item, line, "a definition", {"term", "text"}, {"thresholds", "note"})
        if definition is None:
            continue
        check.text(definition, "term", "the definition")
        check.text(definition, "text", "the definition")
        for condition, condition_line in check.items(definition, "thresholds", "threshold", allow_empty=True):
            check.condition(condition, condition_line, "a definition threshold")

    trigger_ids: set[str] = set()
    for item, line in check.items(top, "triggers", "trigger"):
        trigger = check.mapping(item, line, "a trigger", {"id", "description", "when", "source"}, {"note"})
        if trigger is None:
            continue
        check.identifier(trigger, "id", "trigger", trigger_ids)
        check.text(trigger, "description", "the trigger")
        check.text(trigger, "source", "the trigger")
        if "when" in trigger:
            check.condition(trigger["when"], trigger.lines["when"], "the trigger's 'when'")

    step_ids: set[str] = set()
    steps = check.items(top, "steps", "step")
    # every step id, collected first so that 'after' and escalations may name a step further down
    declared = [
        item["id"] for item, _ in steps if isinstance(item, LineDict) and isinstance(item.get("id"), str)
    ]
    for item, line in steps:
        step = check.mapping(
            item,
            line,
            "a step",
            {"id", "title", "role", "due", "evidence", "source"},
            {"to", "opens_on", "after", "due_note", "note"},
        )
        if step is None:
            continue
        step_id = check.identifier(step, "id", "step", step_ids)
        check.text(step, "title", "the step")
        check.text(step, "evidence", "the step")
        check.text(step, "source", "the step")
        check.role(step, "role", f"step '{step_id}'")
        check.role(step, "to", f"step '{step_id}'")
        if ("opens_on" in step) == ("after" in step):
            check.add(
                step.line, f"step '{step_id}' needs exactly one of 'opens_on' (a trigger) or 'after' (a step)"
            )
        if "opens_on" in step and step["opens_on"] not in trigger_ids:
            check.add(
                step.lines["opens_on"], f"step '{step_id}' opens on an unknown trigger '{step['opens_on']}'"
            )
        if "after" in step:
            before = step["after"] if isinstance(step["after"], list) else [step["after"]]
            if not before or not all(isinstance(b, str) for b in before):
                check.add(
                    step.lines["after"], f"step '{step_id}': 'after' must be a step id or a list of them"
                )
            for earlier in (b for b in before if isinstance(b, str)):
                if earlier not in declared:
                    check.add(
                        step.lines["after"], f"step '{step_id}' comes after an unknown step '{earlier}'"
                    )
                elif earlier == step_id:
                    check.add(step.lines["after"], f"step '{step_id}' cannot come after itself")
        if "due" in step:
            if step["due"] is None:
                if not check.text(step, "due_note", "the step"):
                    check.add(step.lines["due"], f"step '{step_id}' has no due date: say why in 'due_note'")
            else:
                check.days(step["due"], step.lines["due"], f"step '{step_id}' due")

    for item, line in check.items(top, "escalations", "escalation", allow_empty=True):
        escalation = check.mapping(
            item, line, "an escalation", {"step", "to", "source"}, {"after_overdue", "note"}
        )
        if escalation is None:
            continue
        if "step" in escalation and escalation["step"] not in declared:
            check.add(escalation.lines["step"], f"escalation names an unknown step '{escalation['step']}'")
        check.role(escalation, "to", "the escalation")
        check.text(escalation, "source", "the escalation")
        if "after_overdue" in escalation:
            check.days(
                escalation["after_overdue"], escalation.lines["after_overdue"], "escalation 'after_overdue'"
            )

    for item, line in check.items(top, "stand_down", "stand-down rule"):
        rule = check.mapping(item, line, "a stand-down rule", {"event", "description", "source"}, {"note"})
        if rule is None:
            continue
        if "event" in rule and rule["event"] not in STAND_DOWN_EVENTS:
            events = ", ".join(sorted(STAND_DOWN_EVENTS))
            check.add(
                rule.lines["event"],
                f"unknown stand-down event '{rule['event']}' (events: {events})",
            )
        check.text(rule, "description", "the stand-down rule")
        check.text(rule, "source", "the stand-down rule")
    return check.problems


def _plain(value):
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_pack(text: str, filename: str) -> tuple[Pack | None, list[Problem]]:
    """Parse and validate one pack's text; returns (pack, []) or (None, every problem found)."""
    problems: list[Problem] = []
    doc = _read_yaml(text, filename, problems)
    if doc is not None:
        problems.extend(_validate(doc, filename))
    if problems:
        return None, sorted(problems, key=lambda p: p.line)
    content = _plain(doc)
    return (
        Pack(
            id=content["id"],
            version=content["version"],
            name=content["name"],
            content=content,
            content_hash=content_hash(content),
            filename=filename,
        ),
        [],
    )


def parse_pack(text: str, filename: str) -> Pack:
    """Parse and validate one pack; raises PackError listing every problem."""
    pack, problems = check_pack(text, filename)
    if problems:
        raise PackError(problems)
    return pack


def read_pack(path: Path) -> Pack:
    return parse_pack(Path(path).read_text(encoding="utf-8"), Path(path).name)


def read_pack_dir(directory: Path) -> list[Pack]:
    """Every *.yaml pack in a directory, sorted by file name; raises PackError with the problems of all files
    (including two files claiming the same pack id and version)."""
    packs, problems = [], []
    for path in sorted(Path(directory).glob("*.yaml")):
        pack, found = check_pack(path.read_text(encoding="utf-8"), path.name)
        problems.extend(found)
        if pack is not None:
            packs.append(pack)
    seen: dict[tuple[str, int], str] = {}
    for pack in packs:
        key = (pack.id, pack.version)
        if key in seen:
            problems.append(
                Problem(pack.filename, 1, f"pack '{pack.id}' version {pack.version} is also in {seen[key]}")
            )
        seen.setdefault(key, pack.filename)
    if problems:
        raise PackError(problems)
    return packs
