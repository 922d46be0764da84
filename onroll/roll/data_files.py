"""Loading the regulation-9 grounds and the default reasonable-enquiry list from onroll/roll/data/.

`deletion_grounds.csv` is a verbatim copy of reference/deletion_grounds.csv (the conditions column is the
authority); `deletion_ground_labels.csv` adds a plain-English label, the verification status (V or K, as
marked in reference/deletion_grounds.md) and any condition Onroll adds (CWSA 2026 s37 consent for (f)).
Loading creates the rows that do not exist yet and never overwrites a row an administrator corrected.
"""

import csv
from pathlib import Path

from django.db import transaction

from .conditions import ConditionSyntaxError, parse_conditions

DATA_DIR = Path(__file__).resolve().parent / "data"
GROUNDS_COLUMNS = ["code_2024", "code_2006", "short_name", "conditions", "requires_la_notification"]
LABEL_COLUMNS = ["code_2024", "label", "status", "extra_conditions", "source"]
ENQUIRY_COLUMNS = ["code", "label", "group", "required", "required_if_flag", "order", "source", "status"]


class DataFileError(ValueError):
    pass


def _rows(path: Path, columns: list[str]) -> list[tuple[int, dict]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != columns:
            raise DataFileError(f"{path.name}: the header must be {','.join(columns)}")
        return [(line, {k: (v or "").strip() for k, v in row.items()}) for line, row in enumerate(reader, 2)]


def _status(path: Path, line: int, value: str) -> bool:
    if value not in ("V", "K"):
        raise DataFileError(f"{path.name} line {line}: status must be V or K, not '{value}'")
    return value == "V"


def read_grounds(directory: Path = DATA_DIR) -> list[dict]:
    grounds_path, labels_path = directory / "deletion_grounds.csv", directory / "deletion_ground_labels.csv"
    labels = {}
    for line, row in _rows(labels_path, LABEL_COLUMNS):
        if not row["label"]:
            raise DataFileError(f"{labels_path.name} line {line}: a label is required")
        labels[row["code_2024"]] = (line, row)
    grounds = []
    for order, (line, row) in enumerate(_rows(grounds_path, GROUNDS_COLUMNS), start=1):
        code = row["code_2024"]
        if code not in labels:
            raise DataFileError(
                f"{labels_path.name}: no label for ground '{code}' ({grounds_path.name} line {line})"
            )
        label_line, extra = labels.pop(code)
        conditions = row["conditions"]
        if extra["extra_conditions"]:
            conditions = f"{conditions};{extra['extra_conditions']}"
        try:
            parse_conditions(conditions)
        except ConditionSyntaxError as error:
            raise DataFileError(f"{grounds_path.name} line {line}: {error}") from None
        grounds.append(
            {
                "code_2024": code,
                "code_2006": row["code_2006"],
                "short_name": row["short_name"],
                "conditions": conditions,
                "requires_la_notification": row["requires_la_notification"],
                "label": extra["label"],
                "source": extra["source"],
                "verified": _status(labels_path, label_line, extra["status"]),
                "active": code != "REMOVED",
                "order": order,
            }
        )
    if labels:
        raise DataFileError(f"{labels_path.name}: labels for unknown grounds {', '.join(sorted(labels))}")
    return grounds


def read_enquiry_kinds(directory: Path = DATA_DIR) -> list[dict]:
    from .models import EnquiryGroup

    path = directory / "reasonable_enquiries.csv"
    kinds, seen = [], set()
    for line, row in _rows(path, ENQUIRY_COLUMNS):
        where = f"{path.name} line {line}"
        if not row["code"] or not row["label"]:
            raise DataFileError(f"{where}: code and label are required")
        if row["code"] in seen:
            raise DataFileError(f"{where}: code '{row['code']}' appears twice")
        if row["group"] not in EnquiryGroup.values:
            raise DataFileError(f"{where}: group must be one of {', '.join(EnquiryGroup.values)}")
        if row["required"] not in ("yes", "no"):
            raise DataFileError(f"{where}: required must be yes or no")
        if not row["order"].isdigit():
            raise DataFileError(f"{where}: order must be a whole number")
        seen.add(row["code"])
        kinds.append(
            {
                "code": row["code"],
                "label": row["label"],
                "group": row["group"],
                "required": row["required"] == "yes",
                "required_if_flag": row["required_if_flag"],
                "order": int(row["order"]),
                "source": row["source"],
                "verified": _status(path, line, row["status"]),
            }
        )
    return kinds


@transaction.atomic
def load(directory: Path = DATA_DIR) -> int:
    """Create the grounds and default enquiries not stored yet; returns how many rows were added."""
    from .models import DeletionGround, EnquiryKind

    grounds, kinds = read_grounds(directory), read_enquiry_kinds(directory)  # validate both before writing
    known = set(DeletionGround.objects.values_list("code_2024", flat=True))
    new_grounds = [DeletionGround(**g) for g in grounds if g["code_2024"] not in known]
    DeletionGround.objects.bulk_create(new_grounds)
    known = set(EnquiryKind.objects.filter(la__isnull=True).values_list("code", flat=True))
    new_kinds = [EnquiryKind(**k) for k in kinds if k["code"] not in known]
    EnquiryKind.objects.bulk_create(new_kinds)
    return len(new_grounds) + len(new_kinds)


@transaction.atomic
def copy_default_list(la) -> int:
    """Give an LA its own enquiry list, starting as a copy of the default list; rows it has are kept."""
    from .models import EnquiryKind

    mine = set(EnquiryKind.objects.filter(la=la).values_list("code", flat=True))
    copies = [
        EnquiryKind(
            la=la,
            **{
                f: getattr(kind, f)
                for f in (
                    "code",
                    "label",
                    "group",
                    "required",
                    "required_if_flag",
                    "order",
                    "source",
                    "verified",
                )
            },
        )
        for kind in EnquiryKind.objects.filter(la__isnull=True, active=True)
        if kind.code not in mine
    ]
    EnquiryKind.objects.bulk_create(copies)
    return len(copies)
