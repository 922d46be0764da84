"""The demo's synthetic registers: marks only where a register is taken, valid codes, and enough absence of
each kind for the procedures to find."""

import bisect
import datetime as dt
from collections import defaultdict

import numpy as np
import pytest

from onroll.attendance.codes import is_valid_on, load_code_table
from onroll.attendance.measures import CodeIndex, all_measures
from onroll.attendance.models import AttendanceMark
from onroll.children.models import Enrolment
from onroll.demo.attendance import add_attendance
from onroll.demo.generator import generate
from onroll.schools.queries import school_days_of

TODAY = dt.date(2026, 11, 23)  # a Monday: the last marked day is Friday 20 November
SMALL = {
    "la_code": "987",
    "name": "Northmere",
    "n_children": 400,
    "n_cases": 20,
    "n_schools": 4,
    "seed": 11,
    "batch_size": 200,
}


@pytest.fixture
def demo(db):
    result = generate(**SMALL, today=TODAY)
    return result.la, result.counts


def _marks(la):
    return list(
        AttendanceMark.objects.filter(school__la=la).values_list(
            "child_id", "school_id", "date", "session", "code"
        )
    )


def _school_days(la):
    return school_days_of(la.default_calendar).days


def test_marks_only_on_school_days_while_on_roll_and_before_today(demo):
    la, counts = demo
    marks = _marks(la)
    assert counts["attendance_marks"] == len(marks) > 10_000
    days = set(_school_days(la))
    spells = defaultdict(list)
    for child, school, entry, leaving in Enrolment.objects.filter(school__la=la).values_list(
        "child_id", "school_id", "entry_date", "leaving_date"
    ):
        spells[child, school].append((entry, leaving))
    for child, school, date, session, _code in marks:
        assert date in days and date < TODAY
        assert session in ("AM", "PM")
        assert any(e <= date and (end is None or date <= end) for e, end in spells[child, school])
    assert max(m[2] for m in marks) == dt.date(2026, 11, 20)
    # every session of every school day from the first marked day, for a pupil on roll throughout
    first = min(m[2] for m in marks)
    window = [d for d in _school_days(la) if first <= d < TODAY]
    per_pupil = defaultdict(int)
    for child, school, *_ in marks:
        per_pupil[child, school] += 1
    assert max(per_pupil.values()) == 2 * len(window)


def test_only_codes_valid_on_their_date(demo):
    la, _ = demo
    table = load_code_table()
    for _child, _school, date, _session, code in _marks(la):
        assert code in table and is_valid_on(table[code], date), (code, date)


def test_the_same_seed_gives_the_same_marks(demo):
    la, counts = demo
    before = sorted(_marks(la))
    AttendanceMark.objects.filter(school__la=la).delete()
    assert add_attendance(la, TODAY, SMALL["seed"]) == counts["attendance_marks"]
    assert sorted(_marks(la)) == before
    AttendanceMark.objects.filter(school__la=la).delete()
    add_attendance(la, TODAY, SMALL["seed"] + 1)
    assert sorted(_marks(la)) != before


def test_a_realistic_mix_the_procedures_can_act_on(demo):
    la, _ = demo
    days = _school_days(la)
    year = days[bisect.bisect_left(days, dt.date(2026, 9, 1)) : bisect.bisect_left(days, TODAY)]
    on_roll = set(
        Enrolment.objects.filter(school__la=la, leaving_date__isnull=True).values_list("child_id", flat=True)
    )
    index = CodeIndex.from_table()
    rows, col = {}, {d: i for i, d in enumerate(year)}
    cells = []
    for child, _school, date, session, code in _marks(la):
        if child in on_roll and date in col:
            cells.append((rows.setdefault(child, len(rows)), 2 * col[date] + (session == "PM"), code))
    codes = np.zeros((len(rows), 2 * len(year)), dtype=np.uint8)
    r, c, k = zip(*cells, strict=True)
    codes[list(r), list(c)] = [index.encode(code) for code in k]
    m = all_measures(codes, index, 2 * len(year) - 1, workers=1)
    runs = m.gno_run_days
    assert (runs >= 1).sum() >= 8
    assert (runs >= 5).sum() >= 3
    assert (runs >= 10).sum() >= 2
    assert (runs >= 20).sum() >= 1
    assert (runs >= 1).sum() <= 0.1 * len(rows)  # but a small minority
    assert m.persistent.sum() >= 0.05 * len(rows)
    assert m.persistent.sum() <= 0.25 * len(rows)
    assert (m.days_since_leave_unreturned >= 1).sum() >= 1
    assert m.n_overdue.sum() >= 1
    assert np.mean(m.attendance_rate >= 0.9) >= 0.8
    # N only where the brief allows: overdue for a handful, otherwise at the end of a current run
    n_code = index.encode("N")
    recent_only = ~(codes[:, : 2 * (len(year) - 4)] == n_code).any(axis=1)
    assert ((codes == n_code).any(axis=1) & ~recent_only).sum() == m.n_overdue.sum()


def test_benchmarks_can_leave_attendance_out(db):
    result = generate(
        **{**SMALL, "la_code": "986", "n_children": 60, "n_cases": 4}, today=TODAY, attendance=False
    )
    assert "attendance_marks" not in result.counts
    assert not AttendanceMark.objects.filter(school__la=result.la).exists()


def test_nothing_before_the_first_school_day(db):
    result = generate(
        **{**SMALL, "la_code": "985", "n_children": 60, "n_cases": 4}, today=dt.date(2025, 9, 3)
    )
    assert result.counts["attendance_marks"] == 0
