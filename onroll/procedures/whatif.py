"""The what-if timeline: a child's procedure laid out on the calendar under a scenario, for one or more packs.

A scenario says what the register will show from a date on: (a) absent without explanation (every session
N), or (b) a leave of absence (C) for some school days and then no return (N). The child's real register
at the school, from the start of the school year to the day before the scenario, comes first. The timeline
then does what the daily run would do on each simulated day (run.py): it works out every measure as of
that day with the same vectorised functions (`measures.all_measures`), tests each pack's triggers with the
engine's `holds`, finds the stretch of days on which the procedure runs and the day each trigger first held
in it, and plans the steps with `engine.plan_if_done_on_time` (every step done on its due date). So the
timeline and the run cannot disagree, except that the run sees flags only from the day they are recorded
while a what-if flag holds on every simulated day.

`simulate`, `timeline` and `disagreements` are pure (no clock, no database); `actual_register` reads one
child's marks.
"""

import bisect
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from onroll.accounts.models import Role
from onroll.attendance.measures import CodeIndex, all_measures
from onroll.attendance.models import AttendanceMark, Session
from onroll.attendance.queries import school_year_start
from onroll.core.dates import long_date
from onroll.schools.calendar import CalendarNotCovered, SchoolDays

from . import engine
from .run import HISTORY_DAYS

HORIZON_DAYS = 40  # school days simulated after the child stops attending (after a leave: after it ends)
MAX_LEAVE_DAYS = 60
ABSENT, LEAVE = "absent", "leave"
UNEXPLAINED_CODE = "N"  # reason for absence not yet established
LEAVE_CODE = "C"  # leave of absence granted for exceptional circumstances


@dataclass(frozen=True)
class Scenario:
    kind: str  # ABSENT or LEAVE
    start: dt.date
    leave_days: int = 0  # LEAVE only: school days of leave from `start`
    child_protection_plan: bool = False
    safeguarding_concern: bool = False

    def __post_init__(self):
        if self.kind not in (ABSENT, LEAVE):
            raise ValueError(f"unknown scenario '{self.kind}'")
        if self.kind == LEAVE and not 1 <= self.leave_days <= MAX_LEAVE_DAYS:
            raise ValueError(f"a leave of absence lasts 1 to {MAX_LEAVE_DAYS} school days")

    @property
    def flags(self) -> dict[str, bool]:
        return {
            "child_protection_plan": self.child_protection_plan,
            "safeguarding_concern": self.safeguarding_concern,
        }

    @property
    def leave(self) -> int:
        return self.leave_days if self.kind == LEAVE else 0


class OutsideCalendar(CalendarNotCovered):
    """The scenario's first day is not covered by the school's term dates."""


@dataclass(frozen=True)
class Simulation:
    """The register (real, then the scenario's) and every measure as of each day from `first` to the end.

    `days` are the school days from the start of the school year to the last simulated day; index
    `start` is day 1 of the scenario and `first` the earliest day looked at (HISTORY_DAYS before it, as the
    run does). `values[name][k]` is a measure as of `days[first + k]`."""

    scenario: Scenario
    school_days: SchoolDays
    days: tuple[dt.date, ...]
    start: int
    first: int
    register: np.ndarray = field(repr=False)  # uint8, 2 * len(days)
    values: dict = field(repr=False)
    flags: dict = field(repr=False)
    truncated: bool  # the term dates end before the whole horizon
    unmarked_before_start: int  # school days between the last real mark and day 1 with no mark

    @property
    def last_day(self) -> dt.date:
        return self.days[-1]

    @property
    def simulated_days(self) -> int:
        return len(self.days) - self.start

    @property
    def leave_ends_on(self) -> dt.date | None:
        if not self.scenario.leave:
            return None
        return self.days[min(self.start + self.scenario.leave - 1, len(self.days) - 1)]

    def day_text(self, date: dt.date) -> str:
        """ "day 5", or why the date has no number."""
        number = self.day_number(date)
        if date > self.school_days.last:
            return "after the term dates end"
        if number is None:
            return "not a school day"
        return f"day {number}" if number > 0 else "before day 1"

    def day_number(self, date: dt.date) -> int | None:
        """School day number counted from the scenario's first day (day 1); None if not a school day."""
        i = bisect.bisect_left(self.school_days.days, date)
        if i == len(self.school_days.days) or self.school_days.days[i] != date:
            return None
        return i - bisect.bisect_left(self.school_days.days, self.days[self.start]) + 1


def scenario_days(school_days: SchoolDays, scenario: Scenario) -> tuple[tuple[dt.date, ...], int, bool]:
    """The school days from the start of the scenario's school year to the last simulated day, the index
    of day 1 (the first school day on or after `scenario.start`), and whether the term dates cut the
    horizon short. OutsideCalendar if the term dates do not reach the first day."""
    if not school_days.first <= scenario.start <= school_days.last:
        raise OutsideCalendar(
            f"{long_date(scenario.start)} is outside the school's term dates "
            f"({long_date(school_days.first)} to {long_date(school_days.last)})"
        )
    all_days = school_days.days
    start = bisect.bisect_left(all_days, scenario.start)
    if start == len(all_days):
        raise OutsideCalendar(f"The term dates have no school day on or after {long_date(scenario.start)}")
    year_first = bisect.bisect_left(all_days, school_year_start(all_days[start]))
    wanted_end = start + scenario.leave + HORIZON_DAYS  # exclusive
    end = min(wanted_end, len(all_days))
    return all_days[year_first:end], start - year_first, end < wanted_end


def simulate(
    school_days: SchoolDays, actual: dict[tuple[dt.date, bool], str], scenario: Scenario, index: CodeIndex
) -> Simulation:
    """Every measure as of each day from HISTORY_DAYS before day 1 to the end of the horizon.

    `actual` maps (date, is_pm) to the code the school recorded; only the days before day 1 are used. The
    measures of each as-of day are the same computation on the register cut at that day, so the register
    is stacked once per as-of day, right-aligned: a column before the start of the school year is no mark,
    which every measure already treats as nothing recorded."""
    days, start, truncated = scenario_days(school_days, scenario)
    register = np.zeros(2 * len(days), dtype=np.uint8)
    for d, date in enumerate(days[:start]):
        for pm in (False, True):
            code = actual.get((date, pm))
            if code in index.number:
                register[2 * d + pm] = index.number[code]
    marked = np.flatnonzero(register[: 2 * start])
    unmarked = start - (int(marked[-1]) // 2 + 1) if len(marked) else 0
    leave_end = min(start + scenario.leave, len(days))
    register[2 * start : 2 * leave_end] = index.encode(LEAVE_CODE)
    register[2 * leave_end :] = index.encode(UNEXPLAINED_CODE)

    first = max(0, start - HISTORY_DAYS)
    width = 2 * len(days)
    stacked = np.zeros((len(days) - first, width), dtype=np.uint8)
    for k, d in enumerate(range(first, len(days))):
        cut = 2 * (d + 1)
        stacked[k, width - cut :] = register[:cut]
    values = all_measures(stacked, index, width - 1, workers=1)._asdict()
    simulated = np.arange(first, len(days)) >= start
    flags = {name: simulated & on for name, on in scenario.flags.items()}
    return Simulation(
        scenario=scenario,
        school_days=school_days,
        days=days,
        start=start,
        first=first,
        register=register,
        values=values,
        flags=flags,
        truncated=truncated,
        unmarked_before_start=unmarked if len(marked) else 0,
    )


def actual_register(child, school, before: dt.date) -> dict[tuple[dt.date, bool], str]:
    """The child's marks at `school` from the start of the school year to the day before `before`."""
    marks = AttendanceMark.objects.filter(
        child=child, school=school, date__range=(school_year_start(before), before - dt.timedelta(days=1))
    ).values_list("date", "session", "code")
    return {(date, session == Session.PM): code for date, session, code in marks}


# --- one pack ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    date: dt.date
    order: int  # within a day: the procedure starts, a trigger holds, a step opens, falls due, escalates
    label: str  # what happens ("Due", "Opens", ...): always written, never shown by colour alone
    text: str  # to what
    step_id: str = ""


@dataclass(frozen=True)
class Timeline:
    pack_id: str
    name: str
    version: int
    pack: dict = field(repr=False)
    opened_on: dt.date | None  # the day the procedure would start; None: it does not within the horizon
    first_held: dict[str, dt.date]
    steps: tuple[engine.PlannedStep, ...]
    events: tuple[Event, ...]
    working_days_instead: bool  # the term dates ran out, so days were counted as working days (as run.py)

    @property
    def not_reached(self) -> list[engine.PlannedStep]:
        return [s for s in self.steps if not s.is_open]


def role_label(role: str) -> str:
    return Role(role).label if role in Role.values else role


def episode(any_held: np.ndarray, start: int) -> tuple[int, int] | None:
    """The stretch of days on which some trigger held that is running on day `start` (it may have begun
    before), else the first that begins after it: (first index, end index exclusive), or None."""
    if any_held[start]:
        begin = start
        while begin > 0 and any_held[begin - 1]:
            begin -= 1
    else:
        later = np.flatnonzero(any_held[start:])
        if not len(later):
            return None
        begin = start + int(later[0])
    broken = np.flatnonzero(~any_held[begin:])
    return begin, begin + int(broken[0]) if len(broken) else len(any_held)


def first_held_days(pack: dict, simulation: Simulation) -> tuple[dt.date | None, dict[str, dt.date]]:
    """The day the procedure would open and the day each trigger first holds while it runs (as the run
    records them: once a stretch ends the procedure stands down, so later days do not count)."""
    held = {t["id"]: engine.holds(t["when"], simulation.values, simulation.flags) for t in pack["triggers"]}
    any_held = np.logical_or.reduce(list(held.values()))
    found = episode(any_held, simulation.start - simulation.first)
    if found is None:
        return None, {}
    begin, end = found
    first_held = {}
    for trigger, row in held.items():
        hits = np.flatnonzero(row[begin:end])
        if len(hits):
            first_held[trigger] = simulation.days[simulation.first + begin + int(hits[0])]
    return simulation.days[simulation.first + begin], first_held


def timeline(pack_id: str, name: str, version: int, pack: dict, simulation: Simulation) -> Timeline:
    opened_on, first_held = first_held_days(pack, simulation)
    steps, working_days = engine.beyond_the_terms(
        lambda clock: engine.plan_if_done_on_time(pack, first_held, clock), simulation.school_days
    )
    events = []
    if opened_on:
        events.append(Event(opened_on, 0, "The procedure starts", ""))
    for trigger in pack["triggers"]:
        if trigger["id"] in first_held:
            events.append(Event(first_held[trigger["id"]], 1, "Trigger met", trigger["description"]))
    for step in steps:
        if not step.is_open:
            continue
        who = f"{step.title} ({role_label(step.role)})"
        if step.due_on == step.opens_on:
            events.append(Event(step.opens_on, 2, "Opens and is due the same day", who, step.step_id))
        elif step.due_on is None:
            note = f"{who}. No due date: {step.due_note}"
            events.append(Event(step.opens_on, 2, "Opens", note, step.step_id))
        else:
            events.append(Event(step.opens_on, 2, "Opens", who, step.step_id))
            events.append(Event(step.due_on, 3, "Due", who, step.step_id))
    for step in steps:
        if step.escalate_on:
            label = f"If not done, escalated to: {role_label(step.escalate_to)}"
            events.append(Event(step.escalate_on, 4, label, step.title, step.step_id))
    events.sort(key=lambda e: (e.date, e.order))
    return Timeline(
        pack_id=pack_id,
        name=name,
        version=version,
        pack=pack,
        opened_on=opened_on,
        first_held=first_held,
        steps=tuple(steps),
        events=tuple(events),
        working_days_instead=working_days,
    )


# --- side by side ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    date: dt.date
    day: str  # "day 5", "before day 1", "not a school day"
    cells: tuple[tuple[Event, ...], ...]  # one per timeline


def rows(timelines: Sequence[Timeline], simulation: Simulation) -> list[Row]:
    """One row per date on which anything happens in any of the timelines, in date order."""
    dates = sorted({e.date for t in timelines for e in t.events})
    return [
        Row(
            date=date,
            day=simulation.day_text(date),
            cells=tuple(tuple(e for e in t.events if e.date == date) for t in timelines),
        )
        for date in dates
    ]


@dataclass(frozen=True)
class Milestone:
    """One thing every procedure has in some form, as one pack does it."""

    what: str
    date: dt.date | None  # due date, or the day it opens when the pack gives no due date
    is_due: bool
    title: str = ""
    verb: str = ""  # how the date is described; default from is_due


def milestones(t: Timeline) -> dict[str, Milestone]:
    """The points at which two packs are compared: the start, the school's first referral or report to
    someone else, the first task for the LA's CME officer, and the first escalation."""
    opened = sorted((s for s in t.steps if s.is_open), key=lambda s: s.opens_on)

    def first(what: str, matching) -> Milestone:
        step = next((s for s in opened if matching(s)), None)
        if step is None:
            return Milestone(what, None, False)
        return Milestone(what, step.due_on or step.opens_on, step.due_on is not None, step.title)

    escalations = sorted((s for s in t.steps if s.escalate_on), key=lambda s: s.escalate_on)
    return {
        "start": Milestone("the procedure starts", t.opened_on, False),
        "referral": first(
            "the school's first referral or report",
            lambda s: s.role == Role.SCHOOL_LEAD and s.to_role,
        ),
        "la_task": first("the CME officer's first task", lambda s: s.role == Role.CME_OFFICER),
        "escalation": Milestone(
            "the first escalation if a step is not done",
            escalations[0].escalate_on if escalations else None,
            True,
            escalations[0].title if escalations else "",
            verb="escalated on",
        ),
    }


def describe(m: Milestone, simulation: Simulation) -> str:
    if m.date is None:
        return "not within the timeline"
    day = simulation.day_text(m.date)
    what = f"“{m.title}” " if m.title else ""
    if m.verb:
        when = m.verb
    elif m.is_due:
        when = "due on"
    else:
        when = "opens, with no due date, on" if m.title else "on"
    return f"{what}{when} {day} ({m.date:%A} {long_date(m.date)})"


@dataclass(frozen=True)
class Disagreement:
    what: str
    sides: tuple[str, ...]  # one sentence part per timeline


def disagreements(timelines: Sequence[Timeline], simulation: Simulation) -> list[Disagreement]:
    """Where the packs' milestones fall on different days (or only one pack has them)."""
    if len(timelines) < 2:
        return []
    found = []
    per_pack = [milestones(t) for t in timelines]
    for key in per_pack[0]:
        ms = [p[key] for p in per_pack]
        if len({(m.date, m.is_due) for m in ms}) > 1:
            found.append(Disagreement(ms[0].what, tuple(describe(m, simulation) for m in ms)))
    return found
