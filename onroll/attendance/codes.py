"""Attendance register codes from reference/attendance_codes.csv, and the code sets the measures use.

The file is the source of truth. `load_code_table` reads it into an immutable table for the hot path (mark
import, measures) without touching the database; `load` copies missing codes into the AttendanceCode table
on every migrate and never overwrites an administrator's corrections.
"""

import csv
import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from types import MappingProxyType
from typing import NamedTuple

from django.conf import settings
from django.db import models

CODES_FILE = Path(settings.BASE_DIR) / "reference" / "attendance_codes.csv"
COLUMNS = [
    "code",
    "meaning",
    "category",
    "counts_as_possible_session",
    "statistical_meaning",
    "group_2024",
    "status",
    "confidence",
]

# The School Attendance (Pupil Registration) (England) Regulations 2024 took effect on this day.
REGULATIONS_2024 = dt.date(2024, 8, 19)
LAST_DAY_BEFORE_2024 = REGULATIONS_2024 - dt.timedelta(days=1)
# Code F went with the 2013 amendment (SI 2013/756, in force 1 September 2013); the file only says "2013".
LAST_DAY_OF_CODE_F = dt.date(2013, 8, 31)

# Every status written in the file, and the dates it implies: (valid_from, valid_until). Anything else is
# an error, so a new wording in the file is looked at rather than silently treated as "always valid".
STATUS_DATES = {
    "active": (None, None),
    "active (new 2024)": (REGULATIONS_2024, None),
    "active (replaces J)": (REGULATIONS_2024, None),
    "active (definition revised 2024)": (None, None),  # T: same code before and after, wording changed
    "removed 19-Aug-2024 (use C only if exceptional)": (None, LAST_DAY_BEFORE_2024),
    "removed 19-Aug-2024 (replaced by J1 = authorised absence)": (None, LAST_DAY_BEFORE_2024),
    "removed 19-Aug-2024 (split into Y1-Y7)": (None, LAST_DAY_BEFORE_2024),
    "removed 2013": (None, LAST_DAY_OF_CODE_F),
}

# Regulation 9(1)(i) counts a run of school days on which every session is one of these. U is unauthorised
# too, but the pupil came in (after the register closed), so it is not absence from the school.
WHOLE_SESSION_UNAUTHORISED = frozenset({"G", "N", "O"})


class Category(models.TextChoices):
    # Values are the file's own words, so the file and the database read the same.
    PRESENT = "present", "Present"
    AUTHORISED = "authorised absence", "Authorised absence"
    UNAUTHORISED = "unauthorised absence", "Unauthorised absence"
    NOT_COUNTED = "not counted", "Not counted (unable to attend, dual registered, not required)"
    ADMINISTRATIVE = "administrative", "Administrative (not a pupil session)"


class AttendanceCodeFileError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class CodeInfo:
    code: str
    meaning: str
    category: str
    counts_as_possible_session: bool
    statistical_meaning: str
    group_2024: str
    status: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    verified: bool


class CodeSets(NamedTuple):
    present: frozenset[str]
    authorised: frozenset[str]
    unauthorised: frozenset[str]
    not_counted: frozenset[str]
    administrative: frozenset[str]
    possible: frozenset[str]
    gno: frozenset[str]


def read_codes(path: Path = CODES_FILE) -> list[CodeInfo]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise AttendanceCodeFileError(f"{path.name} line 1: the header must be {','.join(COLUMNS)}")
        codes, seen = [], set()
        for line, row in enumerate(reader, start=2):
            codes.append(_parse_row(row, f"{path.name} line {line}", seen))
            seen.add(codes[-1].code)
        return codes


def _parse_row(row: dict, where: str, seen: set[str]) -> CodeInfo:
    if None in row or None in row.values():
        raise AttendanceCodeFileError(f"{where}: expected {len(COLUMNS)} columns")
    row = {key: value.strip() for key, value in row.items()}
    if not row["code"] or not row["meaning"]:
        raise AttendanceCodeFileError(f"{where}: code and meaning are required")
    if row["code"] in seen:
        raise AttendanceCodeFileError(f"{where}: code '{row['code']}' appears twice")
    if row["category"] not in Category.values:
        allowed = ", ".join(Category.values)
        raise AttendanceCodeFileError(f"{where}: category '{row['category']}' is not one of {allowed}")
    if row["counts_as_possible_session"] not in ("yes", "no"):
        value = row["counts_as_possible_session"]
        raise AttendanceCodeFileError(f"{where}: counts_as_possible_session must be yes or no, not '{value}'")
    if row["status"] not in STATUS_DATES:
        raise AttendanceCodeFileError(f"{where}: unknown status '{row['status']}'")
    if row["confidence"] not in ("V", "K"):
        raise AttendanceCodeFileError(f"{where}: confidence must be V or K, not '{row['confidence']}'")
    valid_from, valid_until = STATUS_DATES[row["status"]]
    return CodeInfo(
        code=row["code"],
        meaning=row["meaning"],
        category=row["category"],
        counts_as_possible_session=row["counts_as_possible_session"] == "yes",
        statistical_meaning=row["statistical_meaning"],
        group_2024=row["group_2024"],
        status=row["status"],
        valid_from=valid_from,
        valid_until=valid_until,
        verified=row["confidence"] == "V",
    )


def load_code_table(path: Path = CODES_FILE) -> Mapping[str, CodeInfo]:
    """Code → CodeInfo, read-only; no database access."""
    return MappingProxyType({info.code: info for info in read_codes(path)})


def is_valid_on(info: CodeInfo, day: dt.date) -> bool:
    return (info.valid_from is None or info.valid_from <= day) and (
        info.valid_until is None or day <= info.valid_until
    )


def code_sets(table: Mapping[str, CodeInfo]) -> CodeSets:
    def in_category(category):
        return frozenset(code for code, info in table.items() if info.category == category)

    unauthorised = in_category(Category.UNAUTHORISED)
    if not WHOLE_SESSION_UNAUTHORISED <= unauthorised:
        missing = ", ".join(sorted(WHOLE_SESSION_UNAUTHORISED - unauthorised))
        raise AttendanceCodeFileError(f"codes {missing} must be in the file as unauthorised absence")
    return CodeSets(
        present=in_category(Category.PRESENT),
        authorised=in_category(Category.AUTHORISED),
        unauthorised=unauthorised,
        not_counted=in_category(Category.NOT_COUNTED),
        administrative=in_category(Category.ADMINISTRATIVE),
        possible=frozenset(code for code, info in table.items() if info.counts_as_possible_session),
        gno=WHOLE_SESSION_UNAUTHORISED,
    )


def load(apps=None, path: Path = CODES_FILE) -> int:
    """Create the codes that are not in the database yet; returns how many were added."""
    from django.apps import apps as default_apps

    model = (apps or default_apps).get_model("attendance", "AttendanceCode")
    existing = set(model.objects.values_list("code", flat=True))
    new = [model(**asdict(info)) for info in read_codes(path) if info.code not in existing]
    model.objects.bulk_create(new)
    return len(new)
