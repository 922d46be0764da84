"""The statutory content of the register of children not in school, as data (reference/cnis_fields.csv).

Several rows are marked K: the Lords amended them in January 2026 and the final text has not been checked
(reference/cwsa_2026.md). Keeping the list in a file lets an LA correct it, when regulations and guidance
are made, without a code change; entries store their values keyed by these codes.

Columns: code, label, section, type (text, textarea, date, hours, or choice:value=Label|value=Label),
required (yes, no, or with:<code> = required when that field is filled), status (V or K), source, hint.
"""

import csv
import datetime as dt
import decimal
import functools
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

FIELDS_FILE = Path(settings.BASE_DIR) / "reference" / "cnis_fields.csv"
COLUMNS = ["code", "label", "section", "type", "required", "status", "source", "hint"]
TYPES = {"text", "textarea", "date", "hours"}
SECTIONS = {
    "child": "The child",
    "parent": "Parents",
    "time": "Time spent being educated",
    "provider": "Other education providers",
}


class FieldListError(ValueError):
    pass


@dataclass(frozen=True)
class CNISField:
    code: str
    label: str
    section: str
    type: str
    choices: tuple[tuple[str, str], ...]
    required: str  # "yes", "no" or "with:<code>"
    verified: bool
    source: str
    hint: str

    @property
    def required_with(self) -> str:
        return self.required.removeprefix("with:") if self.required.startswith("with:") else ""

    @property
    def missing(self) -> str:
        label = self.label.split(" (")[0]
        verb = "Select" if self.choices else "Enter"
        return f"{verb} {label[0].lower()}{label[1:]}".rstrip("?")


def read_fields(path: Path = FIELDS_FILE) -> tuple[CNISField, ...]:
    """Read and validate the field list; FieldListError names the line and what is wrong."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise FieldListError(f"{path.name}: the header must be {','.join(COLUMNS)}")
        fields, codes = [], set()
        for line, row in enumerate(reader, start=2):
            row = {k: (v or "").strip() for k, v in row.items()}
            where = f"{path.name} line {line}"
            if not row["code"] or not row["label"]:
                raise FieldListError(f"{where}: code and label are required")
            if row["code"] in codes:
                raise FieldListError(f"{where}: code '{row['code']}' appears twice")
            if row["section"] not in SECTIONS:
                raise FieldListError(f"{where}: section must be one of {', '.join(SECTIONS)}")
            kind, choices = row["type"], ()
            if kind.startswith("choice:"):
                pairs = [p.split("=", 1) for p in kind.removeprefix("choice:").split("|")]
                if any(len(p) != 2 or not p[0] or not p[1] for p in pairs):
                    raise FieldListError(f"{where}: choices must be written value=Label|value=Label")
                kind, choices = "choice", tuple((v.strip(), label.strip()) for v, label in pairs)
            elif kind not in TYPES:
                raise FieldListError(f"{where}: type must be text, textarea, date, hours or choice:...")
            required = row["required"]
            if required not in ("yes", "no") and not (
                required.startswith("with:") and required.removeprefix("with:") in codes
            ):
                raise FieldListError(
                    f"{where}: required must be yes, no or with:<an earlier field's code>, not '{required}'"
                )
            if row["status"] not in ("V", "K"):
                raise FieldListError(f"{where}: status must be V or K, not '{row['status']}'")
            codes.add(row["code"])
            fields.append(
                CNISField(
                    code=row["code"],
                    label=row["label"],
                    section=row["section"],
                    type=kind,
                    choices=choices,
                    required=required,
                    verified=row["status"] == "V",
                    source=row["source"],
                    hint=row["hint"],
                )
            )
    return tuple(fields)


@functools.cache
def fields() -> tuple[CNISField, ...]:
    return read_fields()


def _filled(value) -> bool:
    return value not in (None, "") and not (isinstance(value, str) and not value.strip())


def check(data: dict) -> dict:
    """Errors keyed by field code: the mandatory content missing, or hours out of range."""
    errors = {}
    for field in fields():
        value = data.get(field.code)
        needed = field.required == "yes" or (field.required_with and _filled(data.get(field.required_with)))
        if needed and not _filled(value):
            errors[field.code] = field.missing
        elif field.type == "hours" and _filled(value):
            try:
                hours = decimal.Decimal(str(value))
            except decimal.InvalidOperation:
                errors[field.code] = f"{field.label} must be a number, like 12.5"
                continue
            if not 0 <= hours <= 60:
                errors[field.code] = f"{field.label} must be between 0 and 60"
        elif field.type == "choice" and _filled(value) and value not in dict(field.choices):
            errors[field.code] = field.missing
    return errors


def stored(data: dict) -> dict:
    """The values as JSON keeps them: dates as ISO strings, hours as text, blanks left out."""
    out = {}
    for field in fields():
        value = data.get(field.code)
        if not _filled(value):
            continue
        if isinstance(value, dt.date):
            value = value.isoformat()
        out[field.code] = str(value).strip()
    return out


def for_form(entry_data: dict) -> dict:
    """Stored values back into what the form shows (dates as dates)."""
    out = {}
    for field in fields():
        value = entry_data.get(field.code)
        if value and field.type == "date":
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        out[field.code] = value
    return out


def display(entry_data: dict) -> list[tuple[str, list[tuple[CNISField, str]]]]:
    """The entry's values by section, with choice labels and dates written out, for the entry page."""
    rows: dict[str, list] = {}
    for field in fields():
        value = entry_data.get(field.code, "")
        if field.type == "choice":
            value = dict(field.choices).get(value, value)
        elif field.type == "date" and value:
            try:
                day = dt.date.fromisoformat(value)
                value = f"{day.day} {day:%B %Y}"
            except ValueError:
                pass
        rows.setdefault(SECTIONS[field.section], []).append((field, value))
    return list(rows.items())
