"""Loading the controlled lists (reasons, vulnerabilities) from reference/*.csv.

The files are the source of truth for codes; an administrator may correct a label or retire an entry in
the admin, and loading again never overwrites that. Rows marked K (unverified) load with verified=False.
"""

import csv
from pathlib import Path

from django.conf import settings

REFERENCE_DIR = Path(settings.BASE_DIR) / "reference"
FILES = {"Reason": "case_reasons.csv", "Vulnerability": "vulnerabilities.csv"}
COLUMNS = ["code", "label", "source", "status"]


class ReferenceFileError(ValueError):
    pass


def read_entries(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise ReferenceFileError(f"{path.name}: the header must be {','.join(COLUMNS)}")
        rows, seen = [], set()
        for line, row in enumerate(reader, start=2):
            code, status = (row["code"] or "").strip(), (row["status"] or "").strip()
            if not code or not (row["label"] or "").strip():
                raise ReferenceFileError(f"{path.name} line {line}: code and label are required")
            if status not in ("V", "K"):
                raise ReferenceFileError(f"{path.name} line {line}: status must be V or K, not '{status}'")
            if code in seen:
                raise ReferenceFileError(f"{path.name} line {line}: code '{code}' appears twice")
            seen.add(code)
            rows.append(
                {
                    "code": code,
                    "label": row["label"].strip(),
                    "source": row["source"].strip(),
                    "verified": status == "V",
                }
            )
        return rows


def load(apps=None) -> int:
    """Create the entries that do not exist yet; returns how many were added."""
    from django.apps import apps as default_apps

    registry = apps or default_apps
    added = 0
    for model_name, filename in FILES.items():
        model = registry.get_model("casework", model_name)
        existing = set(model.objects.values_list("code", flat=True))
        new = [model(**row) for row in read_entries(REFERENCE_DIR / filename) if row["code"] not in existing]
        model.objects.bulk_create(new)
        added += len(new)
    return added
