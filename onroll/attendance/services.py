"""Importing attendance marks: check the whole file, then save all of it in one transaction or nothing.

New marks are inserted, marks whose code changed are replaced (each replacement audited), identical marks
are left alone, so importing the same file twice changes nothing.

On PostgreSQL the marks are saved with COPY and set-based SQL (`bulk`); elsewhere (the SQLite
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
from .codes import load_code_table
from .imports import CHUNK, Progress, RowError, _Checker, check_file, gc_paused
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
    result = ImportResult()
    try:
        with gc_paused():
            if method == "copy":
                _import_copy(user, lines, result, total, progress)
            else:
                checked = check_file(user, lines, total=total, progress=progress)
                result.rows, result.errors = checked.rows, checked.errors
                if not checked.errors:
                    _save(user, checked, result, progress)
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
        _record_import(user, {mark.school_id for mark in checked.marks}, checked.schools, result)


def _import_copy(user, lines, result: ImportResult, total: int, progress) -> None:
    """PostgreSQL: check the file chunk by chunk and COPY each checked chunk in, all in one transaction.

    Marks for a school-day with nothing stored go straight into the marks table; the rest are staged and
    merged at the end (see `bulk`). One COPY stays open while the next chunk is checked, and is paused
    whenever the checks must read the database. Once any row is wrong nothing more is written, the rest of
    the file is still checked for the full report, and the transaction is rolled back.

    `total` (the number of rows, when the caller knows it) decides whether this is a bulk load."""
    now = timezone.now()
    stream = bulk.CopyStream()
    with transaction.atomic():
        load = bulk.BulkLoad() if bulk.BulkLoad.wanted(total) else None
        stored = _stored_test(load.start() if load else None, stream)
        checker = _Checker(
            user,
            load_code_table(),
            copy_now=now,
            stored=stored,
            ask_ahead=load is None,
            before_query=stream.pause,
        )
        try:
            added, staged = _stream_chunks(checker, lines, stream, total, progress, sort=load is None)
            stream.pause()
        except BaseException as error:
            stream.abort(error)
            raise
        result.rows = checker.rows
        if checker.errors:
            result.errors = sorted(checker.errors, key=lambda e: e.line)
            transaction.set_rollback(True)
            return
        if load:
            load.restore_indexes()
            load.log_changes(checker.fresh_school_days(), now)
        saved = bulk.merge_staged(now) if staged else bulk.Saved(0, [])
        result.added, result.replaced = added + saved.added, len(saved.changes)
        result.unchanged = checker.good - result.added - result.replaced
        AuditEvent.objects.bulk_create(
            (_replacement_event(user, c.mark_id, c.old, c) for c in saved.changes), batch_size=BATCH
        )
        _record_import(user, checker.touched, checker.context.schools_by_id, result)


def _stored_test(stored_days: set | None, stream):
    """How the checks ask which school-days had marks before this import: a query per chunk, the COPY
    paused meanwhile; in a bulk load, the set of such days read before the indexes were dropped."""
    if stored_days is not None:
        return lambda pairs: stored_days.intersection(pairs)

    def stored(pairs) -> set:
        stream.pause()
        return bulk.stored_among(pairs)

    return stored


def _stream_chunks(checker, lines, stream, total: int, progress, *, sort: bool) -> tuple[int, int]:
    """Write each checked chunk to the COPY stream; (marks COPYed into the table, marks staged)."""
    added = staged = 0
    for fresh, stored in checker.chunks(lines, total=total, progress=progress):
        if checker.errors:
            stream.pause()
            continue
        if fresh:
            if sort:
                fresh.sort()  # by child: the unique index and the key checks then go page by page
            stream.write(bulk.MARKS, fresh)
            added += len(fresh)
        if stored:
            if not staged:
                stream.pause()
                bulk.make_staging()
            stream.write(bulk.STAGING, stored)
            staged += len(stored)
        if progress:
            progress("Saving", checker.rows, total or checker.rows)
    return added, staged


def _record_import(user, touched: set, schools: dict, result: ImportResult) -> None:
    """One audit event per import that changed anything; `schools` maps id → School."""
    if result.added or result.replaced:
        names = ", ".join(sorted(str(s) for s in schools.values() if str(s.pk) in touched))
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
    """(child, school, date, session) → (id, code) for the stored marks this file could touch; ids as text,
    as `check_file` gives them."""
    by_school = defaultdict(list)
    for mark in marks:
        by_school[mark.school_id].append(mark.date)
    existing = {}
    for school_id, dates in by_school.items():
        stored = AttendanceMark.objects.filter(school_id=school_id, date__range=(min(dates), max(dates)))
        for mark_id, child_id, date, session, code in stored.values_list(
            "id", "child_id", "date", "session", "code"
        ).iterator(chunk_size=BATCH):
            existing[str(child_id), school_id, date, session] = (mark_id, code)
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
