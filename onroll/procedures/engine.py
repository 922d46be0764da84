"""The procedure engine: pure functions that decide when a pack's triggers hold and when its steps open,
fall due and escalate. No clock, no database: the daily run (run.py) and the what-if timeline (whatif.py)
both call these, so a timeline can never disagree with what the run will do.

Vocabulary
----------
- A *condition* (packs.py) is tested for many pupils at once: `holds(condition, values, flags)` returns a
  boolean array, one entry per pupil. `values` maps a measure name to its per-pupil array
  (`measures.Measures._asdict()`); `flags` maps a flag name to a per-pupil boolean array.
- A procedure *opens* on the first school day of the current stretch of days on which some trigger held
  (`episode_start`), and each trigger's *first held* day is recorded once and never moved.
- A step opens on its trigger's first held day (`opens_on`) or on the day the step it follows was done
  (`after`; of a list of steps, whichever was done first); it is due `within` school or working days later
  (0 = the same day). An escalation falls on the first day after the due date, plus `after_overdue` days.
"""

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from onroll.schools.calendar import (
    CalendarNotCovered,
    SchoolDays,
    nth_school_day_after,
    nth_working_day_after,
)

_COMPARE = {
    ">=": np.greater_equal,
    ">": np.greater,
    "<=": np.less_equal,
    "<": np.less,
    "==": np.equal,
}


def holds(condition: dict, values: Mapping[str, np.ndarray], flags: Mapping[str, np.ndarray]) -> np.ndarray:
    """Where the condition holds, per pupil. A flag nobody recorded is False; a NaN rate compares False."""
    if "all" in condition:
        parts = [holds(c, values, flags) for c in condition["all"]]
        return np.logical_and.reduce(parts)
    if "any" in condition:
        parts = [holds(c, values, flags) for c in condition["any"]]
        return np.logical_or.reduce(parts)
    if "flag" in condition:
        size = len(next(iter(values.values())))
        return np.asarray(flags.get(condition["flag"], np.zeros(size, dtype=bool)), dtype=bool)
    measure = np.asarray(values[condition["measure"]])
    with np.errstate(invalid="ignore"):
        return _COMPARE[condition["op"]](measure, condition["value"])


def uses_flags(condition: dict) -> set[str]:
    """Every flag a condition mentions (so the run reads only those)."""
    if "flag" in condition:
        return {condition["flag"]}
    found: set[str] = set()
    for part in condition.get("all", []) + condition.get("any", []):
        found |= uses_flags(part)
    return found


def episode_start(any_trigger: np.ndarray) -> np.ndarray:
    """Per pupil (rows), the column where the trailing run of True begins; -1 if the last column is False.

    `any_trigger` is (pupils, days) with the as-of day last. A run reaching the first column starts there:
    the run looks back no further than the history it was given.
    """
    broken = ~any_trigger[:, ::-1]
    distance = broken.argmax(axis=1)
    any_broken = broken[np.arange(len(broken)), distance]
    length = np.where(any_broken, distance, any_trigger.shape[1])
    return np.where(length > 0, any_trigger.shape[1] - length, -1)


def first_true_from(held: np.ndarray, start: np.ndarray) -> np.ndarray:
    """Per row, the first column >= start[row] where `held` is True, or -1."""
    columns = np.arange(held.shape[1])
    usable = held & (columns[None, :] >= start[:, None])
    found = usable.any(axis=1)
    return np.where(found, usable.argmax(axis=1), -1)


@dataclass(frozen=True)
class Clock:
    """Adds school days on one school's calendar, or working days, to a date."""

    school_days: SchoolDays

    def add(self, date: dt.date, within: int, unit: str) -> dt.date:
        if within == 0:
            return date
        if unit == "working_days":
            return nth_working_day_after(date, within)
        return nth_school_day_after(self.school_days, date, within)


class WorkingDayClock(Clock):
    """Counts every period in working days: the fallback for dates past the school calendar's last term."""

    def add(self, date: dt.date, within: int, unit: str) -> dt.date:
        return super().add(date, within, "working_days")


def beyond_the_terms(plan_with: Callable[[Clock], list], school_days: SchoolDays) -> tuple[list, bool]:
    """`plan_with(clock)` on the school calendar; if a date falls past its last term, the whole plan in
    working days instead rather than losing the steps. Also says whether it fell back."""
    try:
        return plan_with(Clock(school_days)), False
    except CalendarNotCovered:
        return plan_with(WorkingDayClock(school_days)), True


@dataclass(frozen=True)
class PlannedStep:
    step_id: str
    title: str
    role: str
    to_role: str
    evidence: str
    opens_on: dt.date | None  # None: not open (its trigger has not held, or the step before is not done)
    due_on: dt.date | None  # None: not open, or the document gives no timescale
    escalate_on: dt.date | None
    escalate_to: str
    due_note: str

    @property
    def is_open(self) -> bool:
        return self.opens_on is not None


def due_date(step: dict, opens_on: dt.date, clock: Clock) -> dt.date | None:
    due = step.get("due")
    return clock.add(opens_on, due["within"], due["unit"]) if due else None


def escalation_for(pack: dict, step_id: str) -> dict | None:
    return next((e for e in pack.get("escalations", []) if e["step"] == step_id), None)


def escalation_date(escalation: dict | None, due_on: dt.date | None, clock: Clock) -> dt.date | None:
    """The first overdue day (the school day after the due date), plus any `after_overdue` days."""
    if escalation is None or due_on is None:
        return None
    extra = escalation.get("after_overdue") or {"within": 0, "unit": "school_days"}
    first_overdue = clock.add(due_on, 1, extra["unit"])
    return clock.add(first_overdue, extra["within"], extra["unit"])


def plan(
    pack: dict, first_held: Mapping[str, dt.date], done_on: Mapping[str, dt.date], clock: Clock
) -> list[PlannedStep]:
    """Every step of the pack with the dates it opens, falls due and escalates, given when each trigger
    first held and when each step was done. Steps that cannot open yet have opens_on None."""
    planned = []
    for step in pack["steps"]:
        if "opens_on" in step:
            opens_on = first_held.get(step["opens_on"])
        else:
            before = step["after"] if isinstance(step["after"], list) else [step["after"]]
            opens_on = min((done_on[b] for b in before if b in done_on), default=None)
        due_on = due_date(step, opens_on, clock) if opens_on else None
        escalation = escalation_for(pack, step["id"])
        planned.append(
            PlannedStep(
                step_id=step["id"],
                title=step["title"],
                role=step["role"],
                to_role=step.get("to", ""),
                evidence=step.get("evidence", ""),
                opens_on=opens_on,
                due_on=due_on,
                escalate_on=escalation_date(escalation, due_on, clock),
                escalate_to=escalation["to"] if escalation else "",
                due_note=step.get("due_note", ""),
            )
        )
    return planned


def plan_if_done_on_time(pack: dict, first_held: Mapping[str, dt.date], clock: Clock) -> list[PlannedStep]:
    """The plan when every step is done on its due date (or the day it opens, when it has none), so steps
    that follow another fall due too: the what-if timeline's assumption."""
    done_on: dict[str, dt.date] = {}
    for _ in pack["steps"]:  # each pass settles at least one more link of an `after` chain
        steps = plan(pack, first_held, done_on, clock)
        settled = {s.step_id: s.due_on or s.opens_on for s in steps if s.is_open}
        if settled == done_on:
            break
        done_on = settled
    return plan(pack, first_held, done_on, clock)
