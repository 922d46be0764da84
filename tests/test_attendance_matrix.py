"""Reading registers into the measures' matrix: the generic read on any database, and PostgreSQL's fast read
giving exactly the same matrix."""

import datetime as dt

import numpy as np
import pytest
from django.db import connection

from onroll.attendance import matrix
from onroll.attendance.models import AttendanceMark, RegisterChange, RegisterSnapshot

from . import factories as f

D = dt.date
DAYS = (D(2026, 9, 3), D(2026, 9, 4), D(2026, 9, 7), D(2026, 9, 8))  # Thursday to Tuesday: no weekend


@pytest.fixture
def registers(db):
    """Three pupils at two schools; one moved school, one has no marks; marks outside the days too."""
    school, other = f.SchoolFactory(), f.SchoolFactory()
    amara, ben, cara = f.ChildFactory(), f.ChildFactory(), f.ChildFactory()
    marks = [
        (amara, school, DAYS[0], "AM", "/"),
        (amara, school, DAYS[0], "PM", "\\"),
        (amara, school, DAYS[1], "AM", "N"),
        (amara, school, DAYS[3], "PM", "O"),
        (amara, school, D(2026, 9, 5), "AM", "/"),  # a Saturday: not a school day here
        (amara, school, D(2026, 9, 2), "AM", "/"),  # before the first day
        (amara, school, D(2026, 9, 9), "PM", "G"),  # after the last
        (amara, school, DAYS[2], "AM", "ZZ"),  # not a code: no mark
        (ben, other, DAYS[0], "AM", "I"),  # Ben's marks at his old school do not count at the new one
        (ben, school, DAYS[2], "AM", "L"),
        (ben, school, DAYS[2], "PM", "C"),
        (ben, school, DAYS[3], "AM", "#"),
    ]
    AttendanceMark.objects.bulk_create(
        AttendanceMark(child=c, school=s, date=d, session=session, code=code)
        for c, s, d, session, code in marks
    )
    return [(amara.pk, school.pk), (ben.pk, school.pk), (cara.pk, school.pk), (ben.pk, other.pk)]


def expected():
    n = matrix.code_index().number
    want = np.zeros((4, 8), dtype=np.uint8)
    want[0, [0, 1, 2, 7]] = n["/"], n["\\"], n["N"], n["O"]
    want[1, [4, 5, 6]] = n["L"], n["C"], n["#"]
    want[3, 0] = n["I"]
    return want


def test_generic_read_puts_each_mark_in_its_pupils_row_and_sessions_column(registers):
    np.testing.assert_array_equal(matrix.read_matrix_generic(registers, DAYS), expected())


def test_read_matrix_gives_the_same_matrix_on_any_database(registers):
    np.testing.assert_array_equal(matrix.read_matrix(registers, DAYS), expected())
    assert matrix.read_matrix([], DAYS).shape == (0, 8)
    assert matrix.read_matrix(registers, ()).shape == (4, 0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast read is PostgreSQL's")
def test_postgresql_read_equals_the_generic_read_on_a_busy_register(db):
    """Many pupils, every code, days with gaps (a half term), pupils with string ids: the same matrix."""
    school = f.SchoolFactory()
    children = [f.ChildFactory() for _ in range(30)]
    days = tuple(D(2026, 10, 12) + dt.timedelta(days=k) for k in range(40) if k % 7 < 5 and not 14 <= k < 21)
    codes = sorted(matrix.code_index().number)
    rng = np.random.default_rng(1)
    AttendanceMark.objects.bulk_create(
        AttendanceMark(child=c, school=school, date=d, session=s, code=codes[rng.integers(len(codes))])
        for c in children
        for d in (D(2026, 10, 12) + dt.timedelta(days=k) for k in range(42))
        for s in ("AM", "PM")
        if rng.random() < 0.9
    )
    pupils = [(str(c.pk), str(school.pk)) for c in reversed(children)]
    fast = matrix.read_matrix(pupils, days)
    np.testing.assert_array_equal(fast, matrix.read_matrix_generic(pupils, days))
    assert (fast > 0).mean() > 0.8


def test_the_kept_register_follows_every_change_in_the_marks(registers, monkeypatch):
    """Marks added, corrected and removed, a new pupil and a new day after the register was kept: the next
    read gives exactly what a full read gives (on PostgreSQL from the kept matrix and the change log)."""
    monkeypatch.setattr(matrix, "CHANGE_OVERLAP", dt.timedelta(0))  # only the changes logged since
    first = matrix.read_register(registers, DAYS[:3], key="test")
    np.testing.assert_array_equal(first, expected()[:, :6])
    amara, school = registers[0]
    ben = registers[1][0]
    dan = f.ChildFactory()
    AttendanceMark.objects.filter(child_id=amara, date=DAYS[1]).update(code="I")  # N replaced
    AttendanceMark.objects.filter(child_id=ben, date=DAYS[2], session="PM").delete()
    AttendanceMark.objects.bulk_create(
        [
            AttendanceMark(child_id=amara, school_id=school, date=DAYS[3], session="AM", code="/"),
            AttendanceMark(child=dan, school_id=school, date=DAYS[0], session="AM", code="B"),
        ]
    )
    pupils = [*registers, (dan.pk, school)]
    np.testing.assert_array_equal(
        matrix.read_register(pupils, DAYS, key="test"), matrix.read_matrix(pupils, DAYS)
    )
    if connection.vendor == "postgresql":
        assert RegisterSnapshot.objects.get(key="test").days == [d.isoformat() for d in DAYS]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the change log is PostgreSQL's triggers")
def test_a_copy_of_many_marks_logs_each_school_day_once(registers):
    before = RegisterChange.objects.count()
    amara, school = registers[0]
    AttendanceMark.objects.bulk_create(
        AttendanceMark(child=f.ChildFactory(), school_id=school, date=DAYS[0], session=s, code="/")
        for _ in range(20)
        for s in ("AM", "PM")
    )
    assert RegisterChange.objects.count() == before + 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the change log is PostgreSQL's triggers")
def test_the_change_log_is_pruned_of_what_no_kept_register_needs(registers):
    from django.utils import timezone

    now = timezone.now()
    matrix.read_register(registers, DAYS, key="test")
    through = RegisterSnapshot.objects.get(key="test").through_change
    RegisterChange.objects.update(changed_at=now - dt.timedelta(days=2))  # all before the register was kept
    amara, school = registers[0]
    AttendanceMark.objects.create(child_id=amara, school_id=school, date=DAYS[2], session="PM", code="/")
    logged_before = RegisterChange.objects.filter(id__lte=through).count()
    assert logged_before and matrix.prune_register_log(now) == (0, logged_before)
    assert RegisterChange.objects.filter(id__gt=through).count() == 1  # still needed by the next read
    np.testing.assert_array_equal(
        matrix.read_register(registers, DAYS, key="test"), matrix.read_matrix(registers, DAYS)
    )
    # A register nobody has used for a fortnight goes, and with it the log it needed.
    later = now + matrix.SNAPSHOT_STALE + dt.timedelta(days=1)
    assert matrix.prune_register_log(later)[0] == 1
    assert not RegisterChange.objects.exists() and not RegisterSnapshot.objects.exists()
