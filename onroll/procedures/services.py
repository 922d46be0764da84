"""Storing procedure pack versions (the database side of packs.py), and completing procedure tasks."""

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from onroll.audit.models import Action
from onroll.audit.services import record
from onroll.core.dates import long_date, past_date_problem
from onroll.schools.queries import calendar_for

from .models import ProcedurePackVersion, Task, TaskStatus
from .packs import Pack, read_pack_dir
from .run import advance_tasks

PACK_DIR = Path(settings.BASE_DIR) / "procedure_packs"


class PackVersionConflict(ValueError):
    pass


@dataclass(frozen=True)
class StoreResult:
    added: list[Pack]
    unchanged: list[Pack]


def store_packs(packs: list[Pack]) -> StoreResult:
    """Store each pack version not stored yet; all or nothing.

    A pack whose id and version are stored with the same content hash is unchanged (nothing happens); one
    whose content differs under a stored version number is refused (PackVersionConflict, naming every such
    file): the author must bump `version`.
    """
    stored = {
        (row.pack_id, row.version): row.content_hash
        for row in ProcedurePackVersion.objects.filter(pack_id__in=[p.id for p in packs])
    }
    added, unchanged, conflicts = [], [], []
    for pack in packs:
        existing = stored.get((pack.id, pack.version))
        if existing is None:
            added.append(pack)
        elif existing == pack.content_hash:
            unchanged.append(pack)
        else:
            conflicts.append(
                f"{pack.filename}: pack '{pack.id}' version {pack.version} is already loaded with different "
                f"content; bump 'version' (to {pack.version + 1} or later) to load the change"
            )
    if conflicts:
        raise PackVersionConflict("\n".join(conflicts))
    with transaction.atomic():
        ProcedurePackVersion.objects.bulk_create(
            ProcedurePackVersion(
                pack_id=p.id,
                version=p.version,
                name=p.name,
                content_hash=p.content_hash,
                content=p.content,
                source_file=p.filename,
            )
            for p in added
        )
    return StoreResult(added=added, unchanged=unchanged)


def load_packs(directory: Path = PACK_DIR) -> StoreResult:
    """Read, validate and store every pack in a folder (PackError or PackVersionConflict if any is wrong)."""
    return store_packs(read_pack_dir(directory))


class TaskNotYours(PermissionError):
    """The user's role is not the one the task is for (nor the one it was escalated to)."""


def can_complete(user, task: Task) -> bool:
    escalated_to_me = task.escalated_on is not None and task.escalate_to == user.role
    return task.status == TaskStatus.OPEN and (task.role == user.role or escalated_to_me)


@transaction.atomic
def complete_task(user, task: Task, done_on: dt.date, evidence: str, *, today: dt.date) -> list[Task]:
    """Mark a task done with its evidence; opens the steps that follow it. Returns the tasks opened."""
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("procedure", "procedure__school", "case")
        .get(pk=task.pk)
    )
    errors = {}
    if not can_complete(user, task):
        raise TaskNotYours(f"{task.title} is not a task for your role, or it is no longer open")
    if problem := past_date_problem(done_on, today, "the date it was done"):
        errors["done_on"] = problem
    elif done_on < task.opened_on:
        errors["done_on"] = (
            f"The date it was done must be on or after {long_date(task.opened_on)}, when the task opened"
        )
    if not evidence.strip():
        errors["evidence"] = "Enter what was done: the evidence this step asks for"
    if errors:
        raise ValidationError(errors)
    task.status, task.done_on, task.done_by, task.evidence = TaskStatus.DONE, done_on, user, evidence.strip()
    task.stamp(user)
    task.save()
    record(user, Action.UPDATE, task, child_id=task.case.child_id, summary=f"Task done: {task.title}")
    opened = []
    if task.procedure is not None and task.procedure.is_running:
        opened, _ = advance_tasks(task.procedure, calendar_for(task.procedure.school), today, user)
        for new in opened:
            record(
                user,
                Action.CREATE,
                new,
                child_id=task.procedure.child_id,
                summary=f"Task opened: {new.title}",
            )
    return opened


def open_case_task(
    user,
    case,
    *,
    step_id: str,
    title: str,
    role: str,
    opened_on: dt.date,
    due_on: dt.date | None = None,
    school=None,
    evidence_required: str = "",
    due_note: str = "",
    escalate_on: dt.date | None = None,
    escalate_to: str = "",
) -> Task:
    """Open a task that an event on a case calls for (not a procedure step), once: a second call with the
    same case and `step_id` returns the task already there, so callers may run again safely.

    It shows in My tasks for `role` in the school's scope (or the LA's alone when `school` is None), is
    escalated by the daily run like any other, and is marked done on the task page."""
    existing = Task.objects.filter(case=case, procedure__isnull=True, step_id=step_id).first()
    if existing is not None:
        return existing
    task = Task(
        case=case,
        la_id=case.la_id,
        school=school,
        step_id=step_id,
        title=title,
        role=role,
        evidence_required=evidence_required,
        opened_on=opened_on,
        due_on=due_on,
        due_note=due_note,
        escalate_on=escalate_on,
        escalate_to=escalate_to,
    )
    task.stamp(user)
    task.save()
    record(user, Action.CREATE, task, child_id=case.child_id, summary=f"Task opened: {title}")
    return task
