"""The daily run: every pupil on roll against the procedure pack that applies, once a day.

For each group of schools sharing a pack and a calendar the run
1. reads the school year's register for the pupils on roll (attendance.matrix) and works out every measure
   as of each school's latest register day (schools send marks at different times; a day with no marks
   yet must not look like a return to school);
2. tests the pack's triggers; for pupils where one holds, or whose procedure is running, it looks back over
   the last HISTORY_DAYS school days to find the day the procedure opened (the first day of the current
   stretch on which some trigger held) and the day each trigger first held, so a run that was missed, or
   marks that arrived late, still give the dates the written procedure counts from;
3. opens a procedure (and an at-risk case when the child has no open case) for each newly triggered
   child of compulsory school age, opens the task of every step that has come due, records escalations
   that have fallen due, and stands a procedure down when no trigger holds any more (the child attended,
   or the absence was explained), the child has left the school's roll, or the case was closed.

It then escalates the LA's overdue case tasks and asks the CME officer to review each open case of a child
past compulsory school age (past_csa.py).

Every change is a fact dated by the register, never by the moment the run happens, and nothing recorded is
ever moved, so running twice on a day changes nothing. Flags (a child protection plan, a concern on the
case) have no history: a trigger that needs one first holds on the day the run sees it.
"""

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from onroll.accounts.models import Role
from onroll.attendance.matrix import code_index, prune_register_log, read_register
from onroll.attendance.measures import PRESENT, all_measures
from onroll.attendance.models import AttendanceMark
from onroll.attendance.queries import school_year_start
from onroll.audit.models import Action, AuditEvent
from onroll.audit.services import record
from onroll.casework.models import Case, CaseNote, Category, Reason, ReferralSource
from onroll.casework.services import open_case
from onroll.children.models import Child, Enrolment
from onroll.core.dates import long_date
from onroll.schools.calendar import SchoolDays
from onroll.schools.models import LocalAuthority, School, SchoolCalendar
from onroll.schools.queries import school_days_of

from . import engine
from .models import Procedure, ProcedurePackVersion, StandDown, Task, TaskStatus
from .past_csa import review_cases_past_csa

HISTORY_DAYS = 60  # how far back the run looks for the start of a stretch of absence
RUN_USERNAME = "onroll.daily-run"
AUTO_CASE_REASON = "on_roll_missing_out"


@dataclass
class RunReport:
    on: dt.date
    pupils: int = 0
    procedures_opened: int = 0
    cases_opened: int = 0
    tasks_opened: int = 0
    escalated: int = 0
    stood_down: int = 0
    problems: list[str] = field(default_factory=list)


def run_user():
    user, _ = get_user_model().objects.get_or_create(
        username=RUN_USERNAME,
        defaults={
            "first_name": "Onroll",
            "last_name": "daily run",
            "is_active": False,
            "role": Role.SENIOR_LEADER,
        },
    )
    return user


def daily_run(on: dt.date, *, la: LocalAuthority | None = None) -> RunReport:
    """Run every LA's (or one LA's) procedures for the day `on`; each school group in its own transaction."""
    report = RunReport(on=on)
    user = run_user()
    for authority in [la] if la else LocalAuthority.objects.all():
        for group in school_groups(authority, report):
            with transaction.atomic():
                GroupRun(group, on, user, report).run()
        report.escalated += escalate_case_tasks(authority, on, user)
        report.tasks_opened += review_cases_past_csa(authority, on, user)
    prune_register_log(timezone.now())
    return report


@transaction.atomic
def escalate_case_tasks(la: LocalAuthority, on: dt.date, user) -> int:
    """Escalate the LA's overdue tasks that no procedure owns (`services.open_case_task`): procedure
    tasks are escalated as their procedure advances. Dated by `escalate_on`, so a rerun changes nothing."""
    due = Task.objects.select_for_update().filter(
        la=la,
        procedure__isnull=True,
        status=TaskStatus.OPEN,
        escalated_on__isnull=True,
        escalate_on__lte=on,
    )
    tasks = list(due.select_related("case"))
    for task in tasks:
        task.escalated_on = task.escalate_on
        task.save(update_fields=["escalated_on", "modified_at"])
        record(
            user,
            Action.UPDATE,
            task,
            child_id=task.case.child_id,
            summary=f"Overdue task escalated: {task.title}",
        )
    return len(tasks)


@dataclass(frozen=True)
class SchoolGroup:
    pack: ProcedurePackVersion
    school_days: SchoolDays
    schools: tuple[School, ...]


def school_groups(la: LocalAuthority, report: RunReport) -> list[SchoolGroup]:
    """The LA's open schools grouped by (pack version, calendar); schools with neither are reported."""
    newest = {}
    for version in ProcedurePackVersion.objects.order_by("pack_id", "-version"):
        newest.setdefault(version.pack_id, version)
    calendars = {c.school_id or "la": c for c in SchoolCalendar.objects.filter(Q(la=la) | Q(school__la=la))}
    days_of = {}
    grouped = defaultdict(list)
    for school in School.objects.filter(la=la, is_open=True).select_related("la"):
        pack_id = school.procedure_pack or la.procedure_pack
        calendar = calendars.get(school.pk) or calendars.get("la")
        if not pack_id:
            continue  # the LA has chosen no procedure for this school
        if pack_id not in newest:
            report.problems.append(f"{school}: procedure pack '{pack_id}' is not loaded (run load_packs)")
            continue
        if calendar is None:
            report.problems.append(f"{school}: no term dates, so no school day can be counted")
            continue
        if calendar.pk not in days_of:
            days_of[calendar.pk] = school_days_of(calendar)
        grouped[(pack_id, calendar.pk)].append(school)
    return [
        SchoolGroup(pack=newest[pack_id], school_days=days_of[calendar_pk], schools=tuple(schools))
        for (pack_id, calendar_pk), schools in grouped.items()
    ]


# --- reading -----------------------------------------------------------------------------------------------


@dataclass
class Pupils:
    keys: list[tuple]  # (child id, school id), one per matrix row
    as_of_column: np.ndarray  # per pupil: the PM column of the school's latest register day
    days: tuple[dt.date, ...]  # the matrix's school days, from the start of the school year


def register_key(group: SchoolGroup, days: tuple[dt.date, ...]) -> str:
    """The group's kept register for the school year (matrix.read_register): its schools and first day."""
    schools = hashlib.sha1("".join(sorted(str(s.pk) for s in group.schools)).encode()).hexdigest()
    return f"{days[0].isoformat()}:{schools}"


def enrolled_on(on: dt.date):
    return Enrolment.objects.filter(
        Q(leaving_date__isnull=True) | Q(leaving_date__gte=on), entry_date__lte=on
    )


def pupils_on_roll(group: SchoolGroup, on: dt.date) -> Pupils | None:
    """Pupils on the group's rolls on `on`, each with the column of their school's latest register day."""
    year_start = school_year_start(on)
    # Each school's latest register day: one backward step down the (school, date) index per school,
    # where MAX(date) grouped by school would read every mark of the year.
    last_mark = AttendanceMark.objects.filter(school=OuterRef("pk"), date__range=(year_start, on))
    latest = {
        school_id: last
        for school_id, last in School.objects.filter(pk__in=[s.pk for s in group.schools])
        .annotate(last=Subquery(last_mark.order_by("-date").values("date")[:1]))
        .values_list("pk", "last")
        if last is not None
    }
    if not latest:
        return None
    days = tuple(d for d in group.school_days.days if year_start <= d <= max(latest.values()))
    column_of = {day: 2 * d + 1 for d, day in enumerate(days)}
    rows = (
        enrolled_on(on)
        .filter(school__in=[s for s in group.schools if s.pk in latest])
        .values_list("child_id", "school_id")
    )
    keys, as_of = [], []
    for child_id, school_id in rows:
        if latest[school_id] in column_of:
            keys.append((child_id, school_id))
            as_of.append(column_of[latest[school_id]])
    return Pupils(keys, np.array(as_of, dtype=np.int64), days) if keys else None


def read_flags(pack: dict, child_ids: list) -> dict[str, np.ndarray]:
    """Per pupil, each flag the pack's triggers name: the child's own field, or a concern on an open case."""
    wanted = set().union(*(engine.uses_flags(t["when"]) for t in pack["triggers"]))
    row_of = {child_id: i for i, child_id in enumerate(child_ids)}
    flags = {name: np.zeros(len(child_ids), dtype=bool) for name in wanted}
    child_fields = {f.name for f in Child._meta.fields}
    sources = (
        ([f for f in wanted if f in child_fields], Child.objects.all(), "id"),
        (
            [f for f in wanted if f not in child_fields],
            Case.objects.exclude(category=Category.CLOSED),
            "child_id",
        ),
    )
    for names, rows, key in sources:
        if not names:
            continue
        any_set = Q()
        for name in names:
            any_set |= Q(**{name: True})
        for values in rows.filter(any_set).values(key, *names).iterator(chunk_size=10_000):
            row = row_of.get(values[key])
            if row is not None:
                for name in names:
                    flags[name][row] |= bool(values[name])
    return flags


def trigger_table(pack, matrix, as_of: int, flags, width: int) -> tuple[dict[str, np.ndarray], int]:
    """Each trigger for each pupil on each of the last `width` school days up to the as-of day (the last
    column), and the day index of column 0. Flags count on the as-of day only."""
    last_day = as_of // 2
    first_day = max(0, last_day - width + 1)
    held = {t["id"]: np.zeros((len(matrix), last_day - first_day + 1), dtype=bool) for t in pack["triggers"]}
    no_flags = {name: np.zeros(len(matrix), dtype=bool) for name in flags}
    for day in range(first_day, last_day + 1):
        values = all_measures(matrix, code_index(), 2 * day + 1)._asdict()
        day_flags = flags if day == last_day else no_flags
        for trigger in pack["triggers"]:
            held[trigger["id"]][:, day - first_day] = engine.holds(trigger["when"], values, day_flags)
    return held, first_day


# --- one school group --------------------------------------------------------------------------------------


@dataclass
class GroupRun:
    """The run for one school group; audit events are collected and written together at the end."""

    group: SchoolGroup
    on: dt.date
    user: object
    report: RunReport
    events: list[AuditEvent] = field(default_factory=list)

    def run(self) -> None:
        running = {
            (p.child_id, p.school_id): p
            for p in Procedure.objects.filter(
                school__in=self.group.schools, stood_down_on__isnull=True
            ).select_related("case", "pack_version", "school")
        }
        self.stand_down_left_or_closed(running)
        pupils = pupils_on_roll(self.group, self.on)
        if pupils is not None:
            self.report.pupils += len(pupils.keys)
            matrix = read_register(pupils.keys, pupils.days, key=register_key(self.group, pupils.days))
            flags = read_flags(self.group.pack.content, [child for child, _ in pupils.keys])
            for column in np.unique(pupils.as_of_column):
                rows = np.flatnonzero(pupils.as_of_column == column)
                same_day = Pupils([pupils.keys[r] for r in rows], pupils.as_of_column[rows], pupils.days)
                row_flags = {name: f[rows] for name, f in flags.items()}
                self.evaluate(same_day, matrix[rows], int(column), row_flags, running)
        AuditEvent.objects.bulk_create(self.events)

    def stand_down_left_or_closed(self, running: dict) -> None:
        on_roll = set(
            enrolled_on(self.on)
            .filter(child_id__in={child for child, _ in running}, school__in=self.group.schools)
            .values_list("child_id", "school_id")
        )
        for key, procedure in list(running.items()):
            if key not in on_roll:
                self.stand_down(procedure, self.on, StandDown.REMOVED)
            elif not procedure.case.is_open:
                self.stand_down(procedure, self.on, StandDown.CASE_CLOSED)
            else:
                continue
            del running[key]

    def evaluate(self, pupils: Pupils, matrix, as_of: int, flags, running: dict) -> None:
        """Pupils whose school's latest register day is the same: open, advance or stand down."""
        pack = self.group.pack.content
        today, _ = trigger_table(pack, matrix, as_of, flags, width=1)
        any_today = np.logical_or.reduce([h[:, 0] for h in today.values()])
        is_running = np.array([key in running for key in pupils.keys], dtype=bool)
        rows = np.flatnonzero(any_today | is_running)
        if len(rows) == 0:
            return
        row_flags = {name: f[rows] for name, f in flags.items()}
        held, first_day = trigger_table(pack, matrix[rows], as_of, row_flags, HISTORY_DAYS)
        starts = engine.episode_start(np.logical_or.reduce(list(held.values())))
        present = (code_index().bits[matrix[rows]] & PRESENT) != 0
        present_on_day = present[:, 0::2] | present[:, 1::2]
        days, as_of_day = pupils.days, as_of // 2
        for i, row in enumerate(rows):
            key = pupils.keys[row]
            procedure = running.get(key)
            if procedure is None:
                procedure = self.open_procedure(key, days[first_day + int(starts[i])])
                if procedure is None:
                    continue
                running[key] = procedure
            elif not any_today[row]:
                since = days.index(procedure.opened_on) + 1 if procedure.opened_on in days else 0
                attended = present_on_day[i, since : as_of_day + 1].any()
                self.stand_down(
                    procedure, days[as_of_day], StandDown.ATTENDED if attended else StandDown.EXPLAINED
                )
                del running[key]
                continue
            record_first_held(procedure, {t: h[i] for t, h in held.items()}, days, first_day)
            self.advance_tasks(procedure)

    def event(self, action: str, obj, child_id, summary: str) -> None:
        self.events.append(
            AuditEvent(
                user=self.user,
                username=self.user.username,
                action=action,
                object_type=obj._meta.label_lower,
                object_id=obj.pk,
                child_id=child_id,
                summary=summary[:300],
            )
        )

    def open_procedure(self, key, opened_on: dt.date) -> Procedure | None:
        """A procedure from `opened_on`, on the child's open case in this LA or on a new at-risk case.

        Children below or above compulsory school age are left alone: their absence is not missing
        education."""
        child_id, school_id = key
        child = Child.objects.get(pk=child_id)
        if not child.is_compulsory_school_age(opened_on):
            return None
        school = next(s for s in self.group.schools if s.pk == school_id)
        pack = self.group.pack
        case = Case.objects.filter(child_id=child_id, la=school.la).exclude(category=Category.CLOSED).first()
        if case is None:
            data = {
                "category": Category.AT_RISK,
                "primary_reason": Reason.objects.get(code=AUTO_CASE_REASON),
                "referral_source": ReferralSource.SCHOOL,
                "responsible_org": school.organisation,
                "referred_by_org": school.organisation,
                "date_identified": opened_on,
            }
            case = open_case(self.user, child, data)
            self.report.cases_opened += 1
        procedure = Procedure(
            case=case, child_id=child_id, school=school, pack_version=pack, opened_on=opened_on, first_held={}
        )
        procedure.stamp(self.user)
        procedure.save()
        self.note(
            case.pk,
            f"{pack.name} (version {pack.version}) started for {school}: the register shows it applies "
            f"from {long_date(opened_on)}.",
        )
        self.event(Action.CREATE, procedure, child_id, f"Started {pack} on {case.reference}")
        self.report.procedures_opened += 1
        return procedure

    def note(self, case_id, text: str) -> None:
        CaseNote.objects.create(case_id=case_id, text=text, created_by=self.user, modified_by=self.user)

    def stand_down(self, procedure: Procedure, on: dt.date, reason: str) -> None:
        procedure.stood_down_on = max(on, procedure.opened_on)
        procedure.stand_down_reason = reason
        procedure.save(update_fields=["stood_down_on", "stand_down_reason", "modified_at"])
        procedure.tasks.filter(status=TaskStatus.OPEN).update(status=TaskStatus.STOOD_DOWN)
        label = StandDown(reason).label
        self.note(
            procedure.case_id,
            f"{procedure.pack_version.name} stood down on {long_date(procedure.stood_down_on)}: "
            f"{label.lower()}.",
        )
        self.event(Action.STATUS_CHANGE, procedure, procedure.child_id, f"Procedure stood down: {label}")
        self.report.stood_down += 1

    def advance_tasks(self, procedure: Procedure) -> None:
        opened, escalated = advance_tasks(procedure, self.group.school_days, self.on, self.user)
        self.report.tasks_opened += len(opened)
        self.report.escalated += len(escalated)
        for task in opened:
            self.event(Action.CREATE, task, procedure.child_id, f"Task opened: {task.title}")
        for task in escalated:
            self.event(Action.UPDATE, task, procedure.child_id, f"Overdue task escalated: {task.title}")


def advance_tasks(
    procedure: Procedure, school_days: SchoolDays, on: dt.date, user
) -> tuple[list[Task], list[Task]]:
    """Open the task of every step that has opened by `on`, and record escalations that have fallen due;
    returns (opened, escalated). Used by the run and when someone marks a task done."""
    tasks = {t.step_id: t for t in procedure.tasks.all()}
    done_on = {step: t.done_on for step, t in tasks.items() if t.status == TaskStatus.DONE}
    pack, first_held = procedure.pack_version.content, procedure.first_held_dates()
    steps, _ = engine.beyond_the_terms(
        lambda clock: engine.plan(pack, first_held, done_on, clock), school_days
    )
    opened, escalated = [], []
    for step in steps:
        task = tasks.get(step.step_id)
        if task is None and step.is_open and step.opens_on <= on:
            task = new_task(procedure, step, user)
            opened.append(task)
        if task and task.status == TaskStatus.OPEN and task.escalated_on is None:
            if task.escalate_on and task.escalate_on <= on:
                task.escalated_on = task.escalate_on
                task.save(update_fields=["escalated_on", "modified_at"])
                escalated.append(task)
    return opened, escalated


def record_first_held(procedure: Procedure, held: dict[str, np.ndarray], days, first_day: int) -> None:
    """Add the first day each trigger held since the procedure opened; a recorded day never moves."""
    opened = max(0, days.index(procedure.opened_on) - first_day) if procedure.opened_on in days else 0
    added = {}
    for trigger, row in held.items():
        found = np.flatnonzero(row[opened:])
        if trigger not in procedure.first_held and len(found):
            added[trigger] = days[first_day + opened + int(found[0])].isoformat()
    if added:
        procedure.first_held = {**procedure.first_held, **added}
        procedure.save(update_fields=["first_held", "modified_at"])


def new_task(procedure: Procedure, step: engine.PlannedStep, user) -> Task:
    task = Task(
        procedure=procedure,
        case_id=procedure.case_id,
        la_id=procedure.school.la_id,
        school=procedure.school,
        step_id=step.step_id,
        title=step.title,
        role=step.role,
        to_role=step.to_role,
        evidence_required=step.evidence,
        opened_on=step.opens_on,
        due_on=step.due_on,
        due_note=step.due_note,
        escalate_on=step.escalate_on,
        escalate_to=step.escalate_to,
    )
    task.stamp(user)
    task.save()
    return task
