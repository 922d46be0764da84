"""Importing attendance marks: check the whole file, then save all of it in one transaction or nothing.

New marks are inserted, marks whose code changed are replaced (each replacement audited), identical marks
are left alone, so importing the same file twice changes nothing.

On PostgreSQL the marks are saved with COPY and set-based SQL (`bulk.save_marks`); elsewhere (the SQLite
demo) with bulk_create. `method="orm"` forces the bulk_create path, which the benchmark uses as its baseline.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from onroll.accounts.permissions import Perm, can
from onroll.audit.models import Action, AuditEvent
from onroll.audit.services import record

from . import bulk
from .imports import CHUNK, Progress, RowError, check_file
from .models import AttendanceMark

BATCH = 5000
METHODS = ("auto", "copy", "orm")


@dataclass
class ImportResult:
    rows: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.errors)


def import_marks(
    user,
    lines: Iterable[str],
    *,
    total: int = 0,
    progress: Progress | None = None,
    method: str = "auto",
) -> ImportResult:
    """Import a marks CSV (an iterable of text lines) as `user`. On any row error nothing is saved and
    the result carries the errors; otherwise it carries how many marks were added, replaced, unchanged.

    `method`: "auto" (COPY on PostgreSQL, bulk_create elsewhere), "copy" (PostgreSQL only) or "orm"."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    if method == "auto":
        method = "copy" if connection.vendor == "postgresql" else "orm"
    if method == "copy" and connection.vendor != "postgresql":
        raise ValueError("The COPY import needs PostgreSQL")
    if not can(user, Perm.IMPORT_ATTENDANCE):
        raise PermissionDenied("You cannot import attendance")
    checked = check_file(user, lines, total=total, progress=progress)
    result = ImportResult(rows=checked.rows, errors=checked.errors)
    if checked.errors:
        return result

    try:
        (_save_copy if method == "copy" else _save)(user, checked, result, progress)
    except IntegrityError:
        # Another import saved some of these marks between our read and our insert; nothing of this one
        # was kept (one transaction), and running it again sees their marks.
        result.added = result.replaced = result.unchanged = 0
        result.errors = [
            RowError(0, "file", "Another import changed these marks at the same time; try again")
        ]
    return result


def _save(user, checked, result: ImportResult, progress) -> None:
    marks = checked.marks
    with transaction.atomic():
        existing = _existing_marks(marks)
        new, changes = [], []
        for mark in marks:
            found = existing.get((mark.child_id, mark.school_id, mark.date, mark.session))
            if found is None:
                new.append(
                    AttendanceMark(
                        child_id=mark.child_id,
                        school_id=mark.school_id,
                        date=mark.date,
                        session=mark.session,
                        code=mark.code,
                    )
                )
            elif found[1] != mark.code:
                changes.append((found[0], found[1], mark))
            else:
                result.unchanged += 1
        for start in range(0, len(new), BATCH):
            AttendanceMark.objects.bulk_create(new[start : start + BATCH])
            if progress:
                progress("Saving", min(start + BATCH, len(new)), len(new))
        _replace(user, changes)
        result.added, result.replaced = len(new), len(changes)
        _record_import(user, checked, result)


def _save_copy(user, checked, result: ImportResult, progress) -> None:
    """PostgreSQL: COPY into a staging table, then UPDATE the changed marks and INSERT the new ones."""
    marks = checked.marks
    with transaction.atomic():
        saved = bulk.save_marks(marks, timezone.now(), progress)
        result.added, result.replaced = saved.added, len(saved.changes)
        result.unchanged = len(marks) - saved.added - len(saved.changes)
        AuditEvent.objects.bulk_create(
            (_replacement_event(user, c.mark_id, c.old, c) for c in saved.changes), batch_size=BATCH
        )
        _record_import(user, checked, result)


def _record_import(user, checked, result: ImportResult) -> None:
    """One audit event per import that changed anything."""
    if result.added or result.replaced:
        touched = {mark.school_id for mark in checked.marks}
        names = ", ".join(sorted(str(s) for s in checked.schools.values() if s.pk in touched))
        record(
            user,
            Action.CREATE,
            None,
            summary=(
                f"Imported attendance for {names}: {result.added} marks added, "
                f"{result.replaced} replaced, {result.unchanged} unchanged"
            ),
        )


def _existing_marks(marks) -> dict[tuple, tuple[int, str]]:
    """(child, school, date, session) → (id, code) for the stored marks this file could touch."""
    by_school = defaultdict(list)
    for mark in marks:
        by_school[mark.school_id].append(mark.date)
    existing = {}
    for school_id, dates in by_school.items():
        stored = AttendanceMark.objects.filter(school_id=school_id, date__range=(min(dates), max(dates)))
        for mark_id, child_id, date, session, code in stored.values_list(
            "id", "child_id", "date", "session", "code"
        ).iterator(chunk_size=BATCH):
            existing[child_id, school_id, date, session] = (mark_id, code)
    return existing


def _replace(user, changes) -> None:
    """Set the new codes, one UPDATE per (new code, chunk of ids), and audit each replaced mark.

    Grouping by code rather than `bulk_update` keeps the SQL small: bulk_update writes a CASE with one
    branch per row."""
    if not changes:
        return
    now = timezone.now()
    by_code = defaultdict(list)
    for mark_id, _old, mark in changes:
        by_code[mark.code].append(mark_id)
    for code, ids in by_code.items():
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            AttendanceMark.objects.filter(id__in=chunk).update(code=code, modified_at=now)
    for mark_id, old, mark in changes:
        event = _replacement_event(user, mark_id, old, mark)
        record(
            user, Action.UPDATE, None, child_id=mark.child_id, summary=event.summary, changes=event.changes
        )


def _replacement_event(user, mark_id, old, mark) -> AuditEvent:
    """The audit event for one replaced mark, as `audit.services.record` would write it.

    AuditEvent.object_id is a UUID and marks have integer ids (decision 0004), so the mark's id goes in
    `changes`; the event is filed under the child like every other change to a child."""
    return AuditEvent(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "",
        action=Action.UPDATE,
        object_type="",
        object_id=None,
        child_id=mark.child_id,
        summary=f"Attendance mark {mark.date} {mark.session} changed from '{old}' to '{mark.code}'"[:300],
        changes={
            "code": [old, mark.code],
            "mark_id": mark_id,
            "school_id": str(mark.school_id),
            "date": mark.date.isoformat(),
            "session": mark.session,
        },
    )
